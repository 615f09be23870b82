import { describe, expect, it } from "vitest";
import { fieldChanges } from "./readable";

describe("an audit row as a monitor reads it", () => {
  it("lists each changed field old → new, with results and steps in words, without bookkeeping", () => {
    expect(
      fieldChanges(
        { ageAtScreening: 57, results: [{ subtype: "ALK:fusion", result: "not_detected", method: "FISH" }], version: 1 },
        { ageAtScreening: 75, results: [{ subtype: "ALK:fusion", result: "not_detected", method: "IHC" }], version: 2 },
      ),
    ).toEqual([
      { field: "ageAtScreening", old: "57", new: "75" },
      { field: "results", old: "ALK:fusion not_detected (FISH)", new: "ALK:fusion not_detected (IHC)" },
    ]);
    expect(
      fieldChanges(
        { step: { step: "SCREEN_FAILED", date: "2026-03-02", reasonCode: "EXCLUSION_MET", note: null } },
        { step: { step: "SCREEN_FAILED", date: "2026-03-02", reasonCode: "DECLINED", note: "by phone" } },
      ),
    ).toEqual([{ field: "step", old: "SCREEN_FAILED 2026-03-02 (EXCLUSION_MET)", new: "SCREEN_FAILED 2026-03-02 (DECLINED: by phone)" }]);
  });

  it("shows what a new record set, and nothing for an unchanged field", () => {
    expect(fieldChanges(null, { code: "US-DEN1", active: true })).toEqual([
      { field: "code", old: "—", new: "US-DEN1" },
      { field: "active", old: "—", new: "true" },
    ]);
    expect(fieldChanges({ name: "A", target: 10 }, { name: "A", target: 12 })).toEqual([{ field: "target", old: "10", new: "12" }]);
  });
});
