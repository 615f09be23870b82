import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { csvFile, csvRows } from "./csv";

describe("CSV that stays data", () => {
  it("neutralises every cell a spreadsheet would run as a formula, and nothing else", () => {
    const dangerous = ['=HYPERLINK("http://x","click")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"];
    const safe = ["EGFR L858R", "12", "e=mc2", "2026-12-01", "a-b", "中文 =1"];
    const text = csvFile(
      ["value"],
      [...dangerous, ...safe].map((v) => [v]),
    );
    const cells = Papa.parse<string[]>(text.slice(1), { skipEmptyLines: true })
      .data.slice(1)
      .map((r) => r[0]);
    expect(cells.slice(0, dangerous.length)).toEqual(dangerous.map((v) => `'${v}`));
    expect(cells.slice(dangerous.length)).toEqual(safe);
  });

  it("keeps RFC 4180 quoting and CRLF line ends", () => {
    expect(csvRows([["a,b", 'say "hi"', 3]])).toBe('"a,b","say ""hi""",3\r\n');
  });
});
