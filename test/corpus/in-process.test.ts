import { describe, expect, it } from "vitest";
import { printError } from "../../lib/cli/main.ts";
import { isDroverError } from "../../lib/errors.ts";
import { jetstream2 } from "../../constructs/index.ts";
import { renderFindings, runPolicy } from "../../lib/policy/index.ts";
import { yaml } from "../../lib/vendor.ts";
import { info } from "../support/policy.ts";
import { STACK_TRACE_LINE } from "../support/project.ts";
import { newStack, synthJson } from "../support/synth.ts";
import { FIX } from "./fix.ts";
import { INJECTION_CASES, MISSPELT_CASES, PROPS_CASES, SECRET_CASES, type InjectionCase, type Json, type PropsCase } from "./cases-in-process.ts";

/**
 * The corpus, first half: construct props, injection and secrets, built in-process the way an
 * app builds them and printed by the CLI's own error printer. For every case: the exit code, no
 * stack trace, the place (construct path or profile) and the prop named, a fix; for injection,
 * the text stays text in the Terraform JSON and in every rendered YAML file; for secrets, the
 * credential check finds it and never prints it.
 */

type Built = { error: unknown } | { json: Json; files: ReadonlyMap<string, string>; stack: ReturnType<typeof newStack>["stack"] };

function build(subject: PropsCase["subject"], props: Json): Built {
  try {
    const { stack } = newStack("lab", { cloud: subject.profile ? subject.profile(props) : jetstream2({ allocation: "bio230123" }) });
    subject.make(stack, props);
    return { json: synthJson(stack), files: (stack as unknown as { renderedFiles: Map<string, string> }).renderedFiles, stack };
  } catch (error) {
    return { error };
  }
}

/** The CLI's printout of an error: text and exit code. */
function printed(error: unknown): { text: string; code: number } {
  const lines: string[] = [];
  const code = printError({ out: (t) => lines.push(t), err: (t) => lines.push(t) }, false, error);
  return { text: lines.join("\n"), code };
}

describe("the corpus: construct props", () => {
  it.each([...PROPS_CASES, ...MISSPELT_CASES].map((c) => [c.name, c] as const))("%s: exit 2, the place and the prop named, a fix, no trace", (_, c) => {
    const built = build(c.subject, c.props);
    expect("error" in built ? isDroverError(built.error) : "accepted").toBe(true);
    const { text, code } = printed((built as { error: unknown }).error);
    expect(code).toBe(2);
    expect(text).not.toMatch(STACK_TRACE_LINE);
    expect(text).toContain(c.subject.place);
    expect(text).toContain(`'${c.prop}`);
    expect(text).toMatch(FIX);
  });
});

describe("the corpus: injection", () => {
  it.each(INJECTION_CASES.map((c) => [c.name, c] as const))("%s: refused with the prop named, or text everywhere", (_, c: InjectionCase) => {
    const built = build(c.subject, c.props);
    if ("error" in built) {
      expect(isDroverError(built.error)).toBe(true);
      const { text, code } = printed(built.error);
      expect(code).toBe(2);
      expect(text).not.toMatch(STACK_TRACE_LINE);
      // A profile's text may be refused by the construct that uses it.
      expect([c.subject.place, "lab/"].some((p) => text.includes(p))).toBe(true);
      expect(text).toMatch(FIX);
      // A terminal escape is never printed raw.
      expect(text).not.toContain("\u001b]");
      return;
    }
    // No more live expressions than the valid props give (the hub refers to its own secret variable once).
    const strings = allStrings(built.json);
    expect(liveCount(strings)).toEqual(liveCount(allStrings(baseline(c.subject))));
    for (const [name, text] of built.files) {
      if (!/\.ya?ml$/.test(name)) continue;
      for (const doc of yaml().parseAllDocuments(text)) expect({ name, errors: doc.errors.map(String) }).toEqual({ name, errors: [] });
      // A YAML break-out stays inside one scalar: no document grows a runcmd of its own.
      if (c.payload.includes("\n- runcmd")) expect(yaml().parse(text.replace(/^#.*\n/gm, ""))?.runcmd ?? []).not.toContainEqual(["reboot"]);
    }
  });
});

describe("the corpus: secrets", () => {
  it.each(SECRET_CASES.map((c) => [`${c.name} (${c.secret.slice(0, 4)}…)`, c] as const))("%s: DRV004 names the construct and never prints the secret", (_, c) => {
    const { stack } = newStack("lab", { cloud: jetstream2({ allocation: "bio230123" }) });
    c.build(stack);
    const config = synthJson(stack);
    const files = new Map([...(stack as unknown as { renderedFiles: Map<string, string> }).renderedFiles].map(([k, v]) => [`files/${k}`, v]));
    const findings = runPolicy({ config, info: info({ stack: "lab" }), now: new Date(), files }).findings.filter((f) => f.id === "DRV004");
    expect(findings.map((f) => f.construct)).toContain(c.place);
    const report = renderFindings(findings);
    expect(report).not.toContain(c.secret);
    expect(report).toMatch(/\*{8} \(\d+ characters\)/);
    expect(report).toMatch(/\n {2}fix: Pass the secret by reference/);
  });
});

function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  return [];
}

const baselines = new Map<string, Json>();
function baseline(subject: PropsCase["subject"]): Json {
  let json = baselines.get(subject.name);
  if (!json) {
    const built = build(subject, subject.props);
    if ("error" in built) throw built.error;
    baselines.set(subject.name, (json = built.json));
  }
  return json;
}

const LIVE = [/(^|[^$])\$\{file\(/g, /(^|[^%])%\{ for /g, /(^|[^$])\$\{var\.hub_oauth_client_secret\}/g];
function liveCount(strings: readonly string[]): number[] {
  return LIVE.map((re) => strings.reduce((n, s) => n + (s.match(re)?.length ?? 0), 0));
}
