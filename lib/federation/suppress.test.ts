import { describe, expect, it } from "vitest";
import { suppressTable } from "./suppress";

/** A seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe("small-cell suppression", () => {
  it("on random tables, withholds every cell from 1 to k-1, and no withheld cell can be had from a published total by subtraction", () => {
    const random = rng(2026);
    for (let t = 0; t < 500; t++) {
      const rows = 1 + Math.floor(random() * 8);
      const cols = 1 + Math.floor(random() * 8);
      const k = 2 + Math.floor(random() * 10);
      const table = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (random() < 0.3 ? 0 : Math.floor(random() * 3 * k))));
      const out = suppressTable(table, k);
      table.forEach((r, i) =>
        r.forEach((v, j) => {
          if (v >= 1 && v < k) expect(out.cells[i]![j]).toBeNull();
          if (out.cells[i]![j] !== null) expect(out.cells[i]![j]).toBe(v);
        }),
      );
      for (const [line, total] of [
        ...out.cells.map((r, i) => [r, out.rowTotals[i]] as const),
        ...Array.from({ length: cols }, (_, j) => [out.cells.map((r) => r[j]!), out.colTotals[j]] as const),
      ]) {
        if (total === null || total === undefined) continue;
        expect(line.filter((c) => c === null).length).not.toBe(1);
        if (total >= 1 && total < k) throw new Error("a small total was published");
      }
    }
  });

  it("shows zeros and large counts as they are", () => {
    expect(
      suppressTable(
        [
          [0, 12],
          [15, 20],
        ],
        5,
      ),
    ).toEqual({
      cells: [
        [0, 12],
        [15, 20],
      ],
      rowTotals: [12, 35],
      colTotals: [15, 32],
    });
  });
});
