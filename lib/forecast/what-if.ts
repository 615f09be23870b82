// Checks of the forecast page's what-if inputs, in terms a person typed them (percentages, patients per month), so
// the page can say what to fix in the reader's language before asking the engine. The engine's schema
// (./schema.ts) stays the authority; this only catches what the form lets a person get wrong.
import type { ForecastInputJson } from "./schema";

export interface WhatIfProblem {
  /** Message key under forecast.check in lib/i18n/messages. */
  key: "enrolFraction" | "prevalence" | "prevalenceTotal" | "activationMonth" | "rate" | "noSites";
  params?: Record<string, string | number>;
}

const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

export function checkWhatIf(input: ForecastInputJson): WhatIfProblem[] {
  const problems: WhatIfProblem[] = [];
  const fraction = input.enrolFraction ?? 1;
  if (!finite(fraction) || fraction <= 0 || fraction > 1) problems.push({ key: "enrolFraction" });
  for (const [country, shares] of Object.entries(input.prevalence ?? {})) {
    const values = Object.values(shares ?? {});
    if (values.some((v) => !finite(v) || v < 0 || v > 1)) problems.push({ key: "prevalence", params: { country } });
    else if (values.reduce((a, b) => a + b, 0) > 1 + 1e-9)
      problems.push({ key: "prevalenceTotal", params: { country, total: Math.round(values.reduce((a, b) => a + b, 0) * 1000) / 10 } });
  }
  for (const site of input.sites ?? []) {
    const month = site.activationMonth ?? 0;
    if (!finite(month) || month < 0) problems.push({ key: "activationMonth", params: { site: site.id } });
    const perMonth = site.rate ? site.rate.shape / site.rate.rate : Number.NaN;
    if (!finite(perMonth) || perMonth <= 0) problems.push({ key: "rate", params: { site: site.id } });
  }
  const countries = input.scenarios ? input.scenarios.flatMap((s) => s.countries) : ["US", "CN"]; // the default scenarios
  for (const country of new Set(countries)) {
    if (!(input.sites ?? []).some((s) => s.country === country)) problems.push({ key: "noSites", params: { country } });
  }
  return problems;
}
