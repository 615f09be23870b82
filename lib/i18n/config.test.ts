import { describe, expect, it } from "vitest";
import { localeFromAcceptLanguage, resolveLocale } from "./config";
import en from "./messages/en.json";
import zhCN from "./messages/zh-CN.json";

// next-intl nests keys on ".", so no key may contain one.
function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

function placeholders(message: string): string[] {
  return [...new Set([...message.matchAll(/\{(\w+)\s*[,}]/g)].map((m) => m[1]!))].sort();
}

describe("message catalogues", () => {
  it("have exactly the same keys in English and Simplified Chinese", () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
  });

  it("use the same placeholders in both languages", () => {
    const lookup = (catalogue: unknown, key: string) =>
      key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue) as string;
    for (const key of keys(en)) expect(placeholders(lookup(zhCN, key)), key).toEqual(placeholders(lookup(en, key)));
  });

  it("have no dots inside a key (next-intl reads them as nesting)", () => {
    const walk = (value: unknown): string[] => (typeof value === "object" && value !== null ? Object.entries(value).flatMap(([k, v]) => [k, ...walk(v)]) : []);
    expect(walk(en).filter((k) => k.includes("."))).toEqual([]);
  });

  it("have no empty messages", () => {
    for (const catalogue of [en, zhCN]) {
      const lookup = (key: string) => key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue);
      for (const key of keys(catalogue)) expect(String(lookup(key)).trim(), key).not.toBe("");
    }
  });
});

describe("choosing the language", () => {
  it("reads Accept-Language with quality values", () => {
    expect(localeFromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(localeFromAcceptLanguage("en-US,en;q=0.9")).toBe("en");
    expect(localeFromAcceptLanguage("fr-FR,zh-TW;q=0.5")).toBe("zh-CN");
    expect(localeFromAcceptLanguage("en;q=0.2,zh;q=0.8")).toBe("zh-CN");
    expect(localeFromAcceptLanguage("de")).toBeUndefined();
    expect(localeFromAcceptLanguage(undefined)).toBeUndefined();
  });

  it("prefers the user's setting, then the switch's cookie, then the browser", () => {
    expect(resolveLocale({ userLocale: "zh-CN", cookie: "en", acceptLanguage: "en" })).toBe("zh-CN");
    expect(resolveLocale({ userLocale: null, cookie: "zh-CN", acceptLanguage: "en" })).toBe("zh-CN");
    expect(resolveLocale({ cookie: "xx", acceptLanguage: "zh" })).toBe("zh-CN");
    expect(resolveLocale({})).toBe("en");
  });
});
