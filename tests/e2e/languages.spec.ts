import type { Page, TestInfo } from "@playwright/test";
import { ACCOUNTS, expect, test } from "./fixtures";
import { EN, registerAndEnrol, ZH } from "./flows";

/**
 * The interface text a person reads on the page: visible text outside elements marked translate="no" (data such as
 * codes, titles, site and cohort names), outside elements in another language (the language switch), and outside
 * form controls' option lists.
 */
async function interfaceText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const pageLang = document.documentElement.lang;
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      const parent = node.parentElement;
      if (!text || !parent) continue;
      if (parent.closest("script, style, noscript, template, datalist, select, [translate='no']")) continue;
      const lang = parent.closest("[lang]")?.getAttribute("lang");
      if (lang && lang !== pageLang) continue;
      if (!parent.checkVisibility()) continue;
      texts.push(text);
    }
    return texts;
  });
}

const LATIN_ALLOWED = new Set([
  "TrialBridge",
  "API",
  "Excel",
  "PDF",
  "NGS",
  "PCR",
  "FISH",
  "IHC",
  "CSV",
  "UTF",
  "CONSORT",
  "GMT",
  "UTC",
  "YYYY",
  "MM",
  "DD",
  "IANA",
]);

async function keep(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

test("in Chinese, the registration, list and dashboard pages show no English interface text", async ({ page, signIn }, testInfo) => {
  await signIn(ACCOUNTS.coordinatorCn);
  const { url } = await registerAndEnrol(page, ZH, "Asia/Shanghai");
  const trialPath = new URL(url).pathname.replace(/\/participants\/.*/, "");
  const pages = [
    ["registration", `${trialPath}/participants/new`],
    ["list", `${trialPath}/participants`],
    ["dashboard", trialPath],
  ] as const;
  for (const [name, path] of pages) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    if (name === "dashboard") await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
    const texts = await interfaceText(page);
    expect(
      texts.filter((text) => /^[a-zA-Z]+(\.[a-zA-Z_]+)+$/.test(text)),
      `raw message keys on the ${name} page`,
    ).toEqual([]);
    const english = texts.flatMap((text) => text.match(/[A-Za-z]{2,}/g) ?? []).filter((word) => !LATIN_ALLOWED.has(word));
    expect(english, `English words on the ${name} page`).toEqual([]);
    await keep(page, testInfo, `zh-CN-${name}`);
  }
});

test("in English, the same pages show no Chinese text apart from site names", async ({ page, signIn }, testInfo) => {
  await signIn(ACCOUNTS.coordinatorUs);
  const { url } = await registerAndEnrol(page, EN, "America/New_York");
  const trialPath = new URL(url).pathname.replace(/\/participants\/.*/, "");
  for (const [name, path] of [
    ["registration", `${trialPath}/participants/new`],
    ["list", `${trialPath}/participants`],
    ["dashboard", trialPath],
  ] as const) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    const texts = await interfaceText(page);
    expect(
      texts.filter((text) => /^[a-zA-Z]+(\.[a-zA-Z_]+)+$/.test(text)),
      `raw message keys on the ${name} page`,
    ).toEqual([]);
    const chinese = texts.filter((text) => /[\u3000-\u9fff\uff00-\uffef]/.test(text));
    expect(chinese, `Chinese text on the ${name} page`).toEqual([]);
    await keep(page, testInfo, `en-${name}`);
  }
});

test("the language can be switched on any page, and the choice is kept", async ({ page, signIn }) => {
  await signIn(ACCOUNTS.investigator);
  await page.goto("/trials");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Trials");
  await page.getByRole("button", { name: "简体中文" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("试验");
  await page.goto("/trials");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("试验");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Trials");
});

test("in Chinese, the administration pages show no English interface text", async ({ page, signIn, baseURL }, testInfo) => {
  await signIn(ACCOUNTS.admin);
  // The language switch's cookie (the administrator's saved preference stays as it is for the other tests).
  await page.context().addCookies([{ name: "tb-locale", value: "zh-CN", url: baseURL! }]);
  await page.goto("/admin/trials");
  const trialPath = await page.getByRole("link", { name: "TB-201" }).getAttribute("href");
  await page.goto("/admin/users");
  const userPath = await page.getByRole("link", { name: "Casey Coordinator" }).getAttribute("href");
  await page.goto("/admin/sites");
  const sitePath = await page.getByRole("link", { name: "US-BOS1" }).getAttribute("href");
  const pages = [
    ["trials", "/admin/trials"],
    ["trial", trialPath!],
    ["sites", "/admin/sites"],
    ["site", sitePath!],
    ["users", "/admin/users"],
    ["user", userPath!],
    ["subtypes", "/admin/subtypes"],
    ["two-factor", "/account/two-factor"],
  ] as const;
  for (const [name, path] of pages) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    const texts = await interfaceText(page);
    expect(
      texts.filter((text) => /^[a-zA-Z]+(\.[a-zA-Z_]+)+$/.test(text)),
      `raw message keys on the ${name} page`,
    ).toEqual([]);
    const english = texts.flatMap((text) => text.match(/[A-Za-z]{2,}/g) ?? []).filter((word) => !LATIN_ALLOWED.has(word));
    expect(english, `English words on the ${name} page`).toEqual([]);
    await keep(page, testInfo, `zh-CN-admin-${name}`);
  }
});
