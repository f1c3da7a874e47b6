import type { Currency, PerHour } from "./units.ts";

/**
 * How cost figures are written, the same in `drover cost` and in a plan's cost line:
 *
 * - SU per hour: as exact as the rates (whole for active Jetstream2 machines, halves for stopped
 *   ones), at most 2 decimals: `162`, `0.5`.
 * - SU over a period: whole SUs (`11,664 SU`). Allocations are granted in thousands of SUs and
 *   an estimate is not more precise than that.
 * - USD per hour: 2 to 4 decimals, since small machines cost cents (`0.0104`, `0.20`).
 * - USD over a period: dollars and cents (`$216.00`).
 *
 * Thousands are separated by commas; a change has its sign (`+16`, `-0.30`).
 */

const NUMBER = {
  SU: new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }),
  USD: new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 }),
};
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const CENTS = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `SU/h` or `USD/h`. */
export const rateUnit = (currency: Currency) => `${currency}/h`;

/** An amount per hour, without its unit: `162`, `0.2016`. */
export function formatRate(amount: number, currency: Currency): string {
  return NUMBER[currency].format(amount === 0 ? 0 : amount);
}

/** A change per hour with its sign: `+16`, `-0.30`, `+0`. */
export function formatRateDelta(amount: number, currency: Currency): string {
  return `${amount < 0 ? "-" : "+"}${formatRate(Math.abs(amount), currency)}`;
}

/** An amount over a period, with its unit: `11,664 SU`, `$216.00`, `-$3.60`. */
export function formatTotal(amount: number, currency: Currency): string {
  const sign = amount < 0 && Math.abs(amount) >= (currency === "SU" ? 0.5 : 0.005) ? "-" : "";
  return currency === "SU" ? `${sign}${WHOLE.format(Math.abs(amount))} SU` : `${sign}$${CENTS.format(Math.abs(amount))}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The fields of a cost change the line needs (see `costChange` in model.ts). */
export interface CostChangeFigures {
  readonly currency: Currency;
  readonly before: PerHour;
  readonly after: PerHour;
  readonly delta: PerHour | null;
  readonly thirtyDays: number | null;
  readonly unknownAfter: number;
}

/**
 * One line for a plan: `SU/h 12 → 28, +16; 30 days ≈ 11,520 SU`. Full scale is added when
 * elastic machines make it differ from idle; machines of unknown cost are counted at the end.
 */
export function costChangeLine(c: CostChangeFigures, beforeCurrency: Currency = c.currency): string {
  const unit = rateUnit(c.currency);
  const rate = (n: number) => formatRate(n, c.currency);
  const unknown = c.unknownAfter ? `; ${plural(c.unknownAfter, "machine")} of unknown cost not counted` : "";
  if (!c.delta || c.thirtyDays === null) {
    return `cost moves from ${rateUnit(beforeCurrency)} ${formatRate(c.before.idle, beforeCurrency)} to ${unit} ${rate(c.after.idle)} (the stack changed clouds)${unknown}`;
  }
  const elastic = c.before.fullScale !== c.before.idle || c.after.fullScale !== c.after.idle;
  const fullScale =
    c.delta.fullScale !== 0 ? `full scale ${rate(c.before.fullScale)} → ${rate(c.after.fullScale)}, ${formatRateDelta(c.delta.fullScale, c.currency)}` : `full scale ${rate(c.after.fullScale)}`;
  if (c.delta.idle === 0) {
    if (c.delta.fullScale === 0) return `${unit} ${rate(c.after.idle)}, no change${elastic ? ` (${fullScale})` : ""}${unknown}`;
    return `${unit} ${rate(c.after.idle)} idle, no change; ${fullScale}${unknown}`;
  }
  return (
    `${unit} ${rate(c.before.idle)} → ${rate(c.after.idle)}, ${formatRateDelta(c.delta.idle, c.currency)}; ` +
    `30 days ≈ ${formatTotal(c.thirtyDays, c.currency)}${elastic ? `; ${fullScale}` : ""}${unknown}`
  );
}
