// How much work a forecast is (zod-free: the engine's second thread loads it without the schema).
/** Ages (months open) at which a time-varying rate steps (lib/forecast/engine.ts): part of a forecast's work. */
export const AGE_KNOTS = [1, 2, 4, 8, 16] as const;

/** A site's breakpoints after its start, as offsets from it: the start itself, then, under a trend, each knot to pass. */
export function breakpointOffsets(age: number, trend: boolean): number[] {
  if (!trend) return [0];
  return [0, ...AGE_KNOTS.filter((knot) => knot > age).map((knot) => knot - age)];
}

/**
 * The breakpoints the engine walks per replicate and cohort: one per site, and with a rate that changes over time
 * one more per age knot a site has still to pass (a site open for years has none left).
 */
export function forecastBreakpoints(input: {
  sites: readonly { activationMonth?: number | undefined; observed?: unknown }[];
  asOfMonth?: number | undefined;
  rateModels?: readonly { boost: number }[] | undefined;
}): number {
  const trend = !!input.rateModels?.some((m) => m.boost !== 0);
  if (!trend) return input.sites.length;
  const asOf = input.asOfMonth ?? 0;
  // A site's age at the forecast's start, as the engine takes it (simulate.ts prepareSites): 0 until it has opened.
  return input.sites.reduce((n, s) => n + breakpointOffsets(s.observed ? Math.max(0, asOf - (s.activationMonth ?? 0)) : 0, trend).length, 0);
}
