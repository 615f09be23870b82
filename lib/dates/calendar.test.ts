import { describe, expect, it } from "vitest";
import { addDays, daysBetween, fromDbDate, isIsoDate, monthOf, toDbDate, todayIn } from "./calendar";

describe("calendar dates", () => {
  it("accepts only real dates in YYYY-MM-DD form", () => {
    expect(isIsoDate("2026-02-28")).toBe(true);
    expect(isIsoDate("2024-02-29")).toBe(true);
    for (const bad of ["2026-02-29", "2026-13-01", "2026-1-01", "01/02/2026", "2026-02-28T00:00:00Z", ""]) {
      expect(isIsoDate(bad)).toBe(false);
    }
  });

  it("round-trips through a DATE column value without shifting", () => {
    for (const date of ["2026-01-01", "2026-03-08", "2026-11-01", "2026-12-31"]) expect(fromDbDate(toDbDate(date))).toBe(date);
  });

  it("judges 'today' in the site's own time zone", () => {
    const instant = new Date("2026-03-14T15:30:00Z"); // 23:30 in Beijing, 11:30 in New York
    expect(todayIn("Asia/Shanghai", instant)).toBe("2026-03-14");
    expect(todayIn("America/New_York", instant)).toBe("2026-03-14");
    const late = new Date("2026-03-15T02:00:00Z"); // 10:00 on the 15th in Beijing, 22:00 on the 14th in New York
    expect(todayIn("Asia/Shanghai", late)).toBe("2026-03-15");
    expect(todayIn("America/New_York", late)).toBe("2026-03-14");
  });

  it("does date arithmetic across month ends and DST changes", () => {
    expect(addDays("2026-03-07", 2)).toBe("2026-03-09"); // US DST starts 2026-03-08
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
    expect(daysBetween("2026-01-01", "2026-12-31")).toBe(364);
    expect(monthOf("2026-07-04")).toBe("2026-07");
  });
});
