import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ALLOW_DESTROY_CONTEXT, synthEnvironment } from "../../lib/app/synth-context.ts";

describe("synthEnvironment", () => {
  it.each([
    { given: "no --allow-destroy", context: {}, env: {}, then: {} },
    { given: "allowDestroy: false", context: { allowDestroy: false }, env: { CDKTF_CONTEXT_JSON: '{"a":1}' }, then: {} },
    {
      given: "--allow-destroy",
      context: { allowDestroy: true },
      env: {},
      then: { CDKTF_CONTEXT_JSON: '{"drover:allowDestroy":true}', DROVER_ALLOW_DESTROY: "1" },
    },
    {
      given: "--allow-destroy and context of the person's own",
      context: { allowDestroy: true },
      env: { CDKTF_CONTEXT_JSON: '{"region":"IU","drover:allowDestroy":false}' },
      then: { CDKTF_CONTEXT_JSON: '{"region":"IU","drover:allowDestroy":true}', DROVER_ALLOW_DESTROY: "1" },
    },
    {
      given: "--allow-destroy and context that is not a JSON object (left for cdktf to report)",
      context: { allowDestroy: true },
      env: { CDKTF_CONTEXT_JSON: "[1" },
      then: { DROVER_ALLOW_DESTROY: "1" },
    },
  ])("GIVEN $given THEN the app's environment gets $then", ({ context, env, then }) => {
    expect(synthEnvironment(context, env)).toEqual(then);
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
