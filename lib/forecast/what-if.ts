// Checks of the forecast page's what-if inputs, in terms a person typed them (percentages, patients per month), so
// the page can say what to fix in the reader's language before asking the engine. The engine's schema
// (./schema.ts) stays the authority; this only catches what the form lets a person get wrong.
import type { ForecastInputJson } from "./schema";

export interface WhatIfProblem {
  /** Message key under forecast.check in lib/i18n/messages. */
  key: "enrolFraction" | "prevalence" | "prevalenceTotal" | "activationMonth" | "rate" | "noSites" | "openedLater";
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
    // A site that has screened cannot open after now: its data say it has been open.
    else if (site.observed && site.observed.months > (input.asOfMonth ?? 0) - month + 0.05) problems.push({ key: "openedLater", params: { site: site.id } });
    const perMonth = site.rate ? site.rate.shape / site.rate.rate : Number.NaN;
    if (!finite(perMonth) || perMonth <= 0) problems.push({ key: "rate", params: { site: site.id } });
  }
  const countries = input.scenarios ? input.scenarios.flatMap((s) => s.countries) : ["US", "CN"]; // the default scenarios
  for (const country of new Set(countries)) {
    if (!(input.sites ?? []).some((s) => s.country === country)) problems.push({ key: "noSites", params: { country } });
  }
  return problems;
}

/**
 * A what-if as a link: only what the reader changed from the live forecast's inputs (the enrolment share, the
 * prevalences, each changed site's opening and rate, sites removed and added), so the link stays short and, opened
 * later, applies the same changes to the trial as it then stands.
 */
export interface ScenarioChanges {
  v: 1;
  enrolFraction?: number;
  prevalence?: ForecastInputJson["prevalence"];
  sites?: Record<string, { activationMonth?: number; rate?: { shape: number; rate: number } }>;
  removed?: string[];
  added?: ForecastInputJson["sites"];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function scenarioChanges(base: ForecastInputJson, input: ForecastInputJson): ScenarioChanges {
  const changes: ScenarioChanges = { v: 1 };
  if (!same(base.enrolFraction, input.enrolFraction)) changes.enrolFraction = input.enrolFraction ?? 1;
  if (!same(base.prevalence, input.prevalence)) changes.prevalence = input.prevalence;
  const before = new Map(base.sites.map((s) => [s.id, s]));
  const kept = new Set(input.sites.map((s) => s.id));
  for (const site of input.sites) {
    const old = before.get(site.id);
    if (!old) {
      (changes.added ??= []).push(site);
      continue;
    }
    const change: NonNullable<ScenarioChanges["sites"]>[string] = {};
    if (!same(old.activationMonth, site.activationMonth)) change.activationMonth = site.activationMonth ?? 0;
    if (!same(old.rate, site.rate)) change.rate = site.rate;
    if (Object.keys(change).length) (changes.sites ??= {})[site.id] = change;
  }
  const removed = base.sites.filter((s) => !kept.has(s.id)).map((s) => s.id);
  if (removed.length) changes.removed = removed;
  return changes;
}

/** The live inputs with a link's changes applied; a site the trial no longer has is left out of the changes. */
export function applyScenario(base: ForecastInputJson, changes: ScenarioChanges): ForecastInputJson {
  const removed = new Set(changes.removed ?? []);
  return {
    ...base,
    ...(changes.enrolFraction !== undefined ? { enrolFraction: changes.enrolFraction } : {}),
    ...(changes.prevalence !== undefined ? { prevalence: changes.prevalence } : {}),
    sites: [...base.sites.filter((s) => !removed.has(s.id)).map((s) => ({ ...s, ...changes.sites?.[s.id] })), ...(changes.added ?? [])],
  };
}

const PARAM = "scenario";

/** The page's address with the changes in its query (`?scenario=`, JSON). */
export function scenarioLink(pageUrl: string, changes: ScenarioChanges): string {
  const url = new URL(pageUrl);
  url.search = new URLSearchParams({ [PARAM]: JSON.stringify(changes) }).toString();
  url.hash = "";
  return url.toString();
}

/** The changes a link's `scenario` carries, or null when it has none, or "unreadable" (said on the page). */
export function readScenarioLink(raw: string | undefined): ScenarioChanges | "unreadable" | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<ScenarioChanges> | null;
    const objectOrAbsent = (v: unknown) => v === undefined || (typeof v === "object" && v !== null && !Array.isArray(v));
    const listOrAbsent = (v: unknown) => v === undefined || Array.isArray(v);
    if (
      !parsed ||
      parsed.v !== 1 ||
      !objectOrAbsent(parsed.sites) ||
      !objectOrAbsent(parsed.prevalence) ||
      !listOrAbsent(parsed.removed) ||
      !listOrAbsent(parsed.added)
    )
      return "unreadable";
    return parsed as ScenarioChanges;
  } catch {
    return "unreadable";
  }
}
