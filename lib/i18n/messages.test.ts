import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { msg, renderFields, renderMessage } from "./messages";
import en from "./messages/en.json";
import zhCN from "./messages/zh-CN.json";

const keysInCode = () => [
  ...new Set(
    execFileSync("git", ["grep", "-hoE", 'msg\\("[a-zA-Z.]+"', "--", "lib", "app"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((m) => m.slice(5, -1)),
  ),
];

describe("translatable messages", () => {
  it("exist in both catalogues for every key the code uses", () => {
    const keys = keysInCode();
    expect(keys.length).toBeGreaterThan(40);
    const lookup = (catalogue: unknown, key: string) =>
      key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalogue);
    for (const key of keys) {
      expect(typeof lookup(en, key), key).toBe("string");
      expect(typeof lookup(zhCN, key), key).toBe("string");
    }
  });

  it("render with parameters in either language, and leave plain text alone", () => {
    expect(renderMessage(msg("validation.futureDate", { today: "2026-03-14" }))).toBe("Must not be after today at the site (2026-03-14).");
    expect(renderMessage(msg("validation.futureDate", { today: "2026-03-14" }), "zh-CN")).toBe("不得晚于该中心的今天（2026-03-14）。");
    expect(renderMessage("already plain")).toBe("already plain");
    expect(renderFields({ age: [msg("validation.ageMin", { min: 18 })] }, "zh-CN")).toEqual({ age: ["年龄不得小于 18 岁。"] });
  });
});
