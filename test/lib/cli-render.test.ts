import { describe, expect, it } from "vitest";
import { renderList } from "../../lib/cli/render.ts";

describe("renderList", () => {
  it("GIVEN fields holding terminal control characters THEN they are written as escapes, never raw", () => {
    const text = renderList({
      stacks: [
        { name: "lab", cloud: "jetstream2", region: "IU", summary: "", resources: 3, owner: "a\u0007b", description: "x\u001b]0;owned\u0007\u001b[2J\nsecond line", expired: false, shelved: false },
      ],
    });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).toContain("x\\u001b]0;owned\\u0007\\u001b[2J\\u000asecond line");
    expect(text).toContain("a\\u0007b");
  });
});
