import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ALLOW_DESTROY_CONTEXT, synthEnvironment } from "../../lib/app/synth-context.ts";

describe("synthEnvironment", () => {
  it.each([
    { given: "no --allow-destroy", context: {}, env: {}, expected: {} },
    { given: "allowDestroy: false", context: { allowDestroy: false }, env: { CDKTF_CONTEXT_JSON: '{"a":1}' }, expected: {} },
    {
      given: "--allow-destroy",
      context: { allowDestroy: true },
      env: {},
      expected: { CDKTF_CONTEXT_JSON: '{"drover:allowDestroy":true}', DROVER_ALLOW_DESTROY: "1" },
    },
    {
      given: "--allow-destroy and context of the person's own",
      context: { allowDestroy: true },
      env: { CDKTF_CONTEXT_JSON: '{"region":"IU","drover:allowDestroy":false}' },
      expected: { CDKTF_CONTEXT_JSON: '{"region":"IU","drover:allowDestroy":true}', DROVER_ALLOW_DESTROY: "1" },
    },
    {
      given: "--allow-destroy and context that is not a JSON object (left for cdktf to report)",
      context: { allowDestroy: true },
      env: { CDKTF_CONTEXT_JSON: "[1" },
      expected: { DROVER_ALLOW_DESTROY: "1" },
    },
  ])("GIVEN $given THEN the app's environment gets $expected", ({ context, env, expected }) => {
    expect(synthEnvironment(context, env)).toEqual(expected);
  });

  it("GIVEN the environment for --allow-destroy WHEN cdktf makes the app THEN its constructs read the context key", () => {
    const before = process.env.CDKTF_CONTEXT_JSON;
    process.env.CDKTF_CONTEXT_JSON = synthEnvironment({ allowDestroy: true }, {}).CDKTF_CONTEXT_JSON;
    try {
      expect(Testing.app().node.tryGetContext(ALLOW_DESTROY_CONTEXT)).toBe(true);
    } finally {
      if (before === undefined) delete process.env.CDKTF_CONTEXT_JSON;
      else process.env.CDKTF_CONTEXT_JSON = before;
    }
    expect(Testing.app().node.tryGetContext(ALLOW_DESTROY_CONTEXT)).toBeUndefined();
  });
});
