import { describe, expect, it } from "vitest";
import { composeDigest, digestPeriod, isoWeek } from "./digest";

describe("digest periods", () => {
  it("are the ISO week of the recipient's own calendar", () => {
    expect(isoWeek("2026-12-02")).toBe("2026-W49");
    expect(isoWeek("2027-01-01")).toBe("2026-W53"); // a Friday: the week of 2026's last Thursday
    expect(isoWeek("2026-01-01")).toBe("2026-W01"); // a Thursday
    expect(isoWeek("2024-12-30")).toBe("2025-W01"); // a Monday in 2025's first week
  });

  it("start at 07:00 in the recipient's time zone, on their date", () => {
    const instant = new Date("2026-12-02T23:30:00Z"); // 07:30 on 3 December in Shanghai, 18:30 on 2 December in New York
    expect(digestPeriod("DAILY", "Asia/Shanghai", instant)).toBe("day:2026-12-03");
    expect(digestPeriod("DAILY", "America/New_York", instant)).toBe("day:2026-12-02");
    expect(digestPeriod("DAILY", "Asia/Shanghai", new Date("2026-12-02T22:30:00Z"))).toBeNull(); // 06:30 there
    expect(digestPeriod("WEEKLY", "Asia/Shanghai", instant)).toBe("week:2026-W49");
  });

  it("render times in the recipient's zone and escape what they show", () => {
    const item = {
      id: 1n,
      createdAt: new Date("2026-12-02T23:30:00Z"),
      trialId: "t1",
      occasion: "webhook-disabled:e1",
      params: { url: "https://x.example/<script>", failures: 5 },
      trial: { code: "TB-1" },
      rule: null,
    };
    const zh = composeDigest([item], "zh-CN", "Asia/Shanghai", "https://tb.example");
    expect(zh.text).toContain("12月3日");
    expect(zh.html).not.toContain("<script>");
    const en = composeDigest([item], "en", "America/New_York", "https://tb.example");
    expect(en.text).toContain("Dec 2, 2026");
    expect(en.text).toContain("https://tb.example/trials/t1/webhooks");
  });
});
