import type { Locale } from "./config";

/** A site's name in the viewer's language: the local (Chinese) name for zh-CN, the English name otherwise. */
export function siteName(site: { nameEn: string; nameLocal: string }, locale: string): string {
  return (locale as Locale) === "zh-CN" ? site.nameLocal : site.nameEn;
}
