import { describe, expect, it } from "vitest";
import { CLI_CASES } from "./cases-cli.ts";
import { INJECTION_CASES, MISSPELT_CASES, PROPS_CASES, SECRET_CASES } from "./cases-in-process.ts";

/** The corpus covers the five kinds of bad input the issue was tried with, at least 300 cases in all. */
describe("the corpus of bad input", () => {
  it("has cases of every kind, and at least 300 in all", () => {
    const counts = {
      props: PROPS_CASES.length + MISSPELT_CASES.length,
      injection: INJECTION_CASES.length,
      secrets: SECRET_CASES.length,
      "CLI and configuration files": CLI_CASES.filter((c) => c.kind === "cli").length,
      "state and signals": CLI_CASES.filter((c) => c.kind === "state").length,
    };
    for (const [kind, n] of Object.entries(counts)) expect({ kind, enough: n >= 15 }).toEqual({ kind, enough: true });
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
    console.log(
      `corpus: ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ")}`,
    );
  });

  it("names every case once", () => {
    const names = [...PROPS_CASES, ...MISSPELT_CASES, ...INJECTION_CASES, ...SECRET_CASES, ...CLI_CASES].map((c) => `${c.kind}: ${c.name}${"secret" in c ? ` ${c.secret}` : ""}`);
    expect(names.length - new Set(names).size).toBe(0);
  });
});
