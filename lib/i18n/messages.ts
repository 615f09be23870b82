// Messages that domain code sends to people (validation and error messages) are descriptors: a catalogue key and
// its parameters, e.g. `msg("validation.ageMin", { min: 18 })`. The JSON API renders them in English; pages and
// forms render them in the reader's language. Text that is not a descriptor is shown as it is.
import { createTranslator } from "use-intl/core";
import type { Locale } from "./config";
import en from "./messages/en.json";
import zhCN from "./messages/zh-CN.json";

const CATALOGUES: Record<Locale, typeof en> = { en, "zh-CN": zhCN };
const PREFIX = "\u241Fmsg:"; // a character no person types

export type MessageParams = Record<string, string | number>;

/** A translatable message: the key in lib/i18n/messages/*.json and its parameters. */
export function msg(key: string, params?: MessageParams): string {
  return `${PREFIX}${key}${params ? `\u241F${JSON.stringify(params)}` : ""}`;
}

export function parseMessage(text: string): { key: string; params?: MessageParams } | null {
  if (!text.startsWith(PREFIX)) return null;
  const [key, params] = text.slice(PREFIX.length).split("\u241F") as [string, string | undefined];
  return { key, ...(params ? { params: JSON.parse(params) as MessageParams } : {}) };
}

interface LooseTranslator {
  has(key: string): boolean;
  (key: string, params?: MessageParams): string;
}

const translators = new Map<Locale, LooseTranslator>();
function translator(locale: Locale): LooseTranslator {
  let t = translators.get(locale);
  if (!t) {
    t = createTranslator({ locale, messages: CATALOGUES[locale] }) as unknown as LooseTranslator;
    translators.set(locale, t);
  }
  return t;
}

/** Renders a message (descriptor or plain text) in a language. */
export function renderMessage(text: string, locale: Locale = "en"): string {
  const parsed = parseMessage(text);
  if (!parsed) return text;
  const t = translator(locale);
  return t.has(parsed.key) ? t(parsed.key, parsed.params) : parsed.key;
}

export function renderFields(fields: Record<string, string[]> | undefined, locale: Locale = "en") {
  if (!fields) return undefined;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.map((m) => renderMessage(m, locale))]));
}

/** A refusal in one line for a page (a bad filter, say): its field messages, or its message, in the reader's language. */
export function renderRefusal(error: { message: string; fields?: Record<string, string[]> }, locale: Locale = "en"): string {
  const fields = Object.values(renderFields(error.fields, locale) ?? {}).flat();
  return fields.length ? fields.join(" ") : renderMessage(error.message, locale);
}
