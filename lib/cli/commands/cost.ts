import { readFile } from "node:fs/promises";
import { loadProject } from "../../app/project.ts";
import { synthesizeApp } from "../../app/synthesize.ts";
import { UsageError } from "../../errors.ts";
import { stackCost, type CostReport } from "../../cost/model.ts";
import type { PerHour } from "../../cost/units.ts";

export type { CostReport };

/**
 * `drover cost <stack>`: what a stack costs per hour, per construct, idle and at full scale,
 * and over a period with `--hours` or `--days`. Synthesizes the app without writing anything;
 * needs no cloud and no terraform. The figures are `stackCost` (lib/cost/model.ts).
 */

/** The flags as commander hands them over. */
export interface CostFlags {
  readonly hours?: string;
  readonly days?: string;
}

export interface CostOptions {
  readonly cwd: string;
  readonly stack: string;
  /** Hours the stack runs, for a total; whole days are 24 hours each. */
  readonly hours?: number;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** `--hours` or `--days` to hours; every problem with them is a usage error (exit 2). */
export function periodFromFlags(flags: CostFlags): { readonly hours?: number; readonly label?: string } {
  if (flags.hours !== undefined && flags.days !== undefined) {
    throw new UsageError(`'--hours' (${flags.hours}) and '--days' (${flags.days}) were both given: give one of them (--days 3 is --hours 72)`);
  }
  const [flag, text, perUnit, unit] = flags.hours !== undefined ? (["--hours", flags.hours, 1, "hour"] as const) : flags.days !== undefined ? (["--days", flags.days, 24, "day"] as const) : [];
  if (flag === undefined) return {};
  const value = NUMBER.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new UsageError(`'${flag}' ${JSON.stringify(text)} is not a number: e.g. ${flag} ${unit === "day" ? 3 : 8}`);
  if (value <= 0) throw new UsageError(`'${flag}' (${text}) must be above 0: the ${unit}s the stack runs, e.g. ${flag} ${unit === "day" ? 3 : 8}`);
  return { hours: value * perUnit, label: `${value} ${unit}${value === 1 ? "" : "s"}` };
}

const times = (p: PerHour, hours: number): PerHour => ({
  idle: Math.round(p.idle * hours * 1e6) / 1e6,
  fullScale: Math.round(p.fullScale * hours * 1e6) / 1e6,
});

/** The command: synthesizes the stack (nothing is written) and prices its machines. */
export async function cost(options: CostOptions & { readonly label?: string }): Promise<CostReport> {
  if (options.hours !== undefined && !(options.hours > 0)) {
    throw new UsageError(`the period (${options.hours} hours) must be above 0`);
  }
  const project = loadProject(options.cwd);
  const result = await synthesizeApp(project, { stacks: [options.stack], commit: false });
  try {
    const s = result.stacks[0]!;
    const config = JSON.parse(await readFile(s.configPath, "utf8")) as Record<string, unknown>;
    const model = stackCost(config, s.info);
    const hours = options.hours;
    return {
      stack: s.name,
      cost: model,
      period:
        hours === undefined
          ? null
          : {
              hours,
              label: options.label ?? `${hours} hours`,
              total: times(model.perHour, hours),
              byConstruct: model.byConstruct.map((c) => ({ construct: c.construct, ...times(c, hours) })),
            },
    };
  } finally {
    await result.cleanup();
  }
}
