// Small-cell suppression for counts that leave a node under a "suppress" disclosure policy: every cell from 1 to k-1
// is withheld (primary), and then, so that no withheld value can be worked out from a published total by
// subtraction, every row and column whose total is published holds either no withheld cell or at least two
// (complementary suppression: the smallest other non-zero cell of that line is withheld too, or the line's total
// when there is none). Zero may be shown. Withheld is null: never shown, never summed as 0.
// Known limit, as in the literature: this stops differencing within one line; it does not solve the linear system
// of all lines together (an audit with a linear-programming solver would).

export interface SuppressedTable {
  cells: (number | null)[][];
  rowTotals: (number | null)[];
  colTotals: (number | null)[];
}

export function suppressTable(table: readonly (readonly number[])[], k: number): SuppressedTable {
  const small = (v: number) => v >= 1 && v < k;
  const rows = table.length;
  const cols = table[0]?.length ?? 0;
  const rowSum = table.map((r) => r.reduce((a, b) => a + b, 0));
  const colSum = Array.from({ length: cols }, (_, j) => table.reduce((a, r) => a + r[j]!, 0));
  const hidden = table.map((r) => r.map(small));
  const rowHidden = rowSum.map(small);
  const colHidden = colSum.map(small);

  const fixLine = (cells: { value: number; hide: () => void; hidden: boolean }[], totalHidden: boolean, hideTotal: () => void) => {
    if (totalHidden) return false;
    const withheld = cells.filter((c) => c.hidden).length;
    if (withheld !== 1) return false;
    const candidates = cells.filter((c) => !c.hidden && c.value > 0).sort((a, b) => a.value - b.value);
    if (candidates[0]) candidates[0].hide();
    else hideTotal();
    return true;
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < rows; i++) {
      const line = Array.from({ length: cols }, (_, j) => ({ value: table[i]![j]!, hidden: hidden[i]![j]!, hide: () => (hidden[i]![j] = true) }));
      changed = fixLine(line, rowHidden[i]!, () => (rowHidden[i] = true)) || changed;
    }
    for (let j = 0; j < cols; j++) {
      const line = Array.from({ length: rows }, (_, i) => ({ value: table[i]![j]!, hidden: hidden[i]![j]!, hide: () => (hidden[i]![j] = true) }));
      changed = fixLine(line, colHidden[j]!, () => (colHidden[j] = true)) || changed;
    }
  }
  return {
    cells: table.map((r, i) => r.map((v, j) => (hidden[i]![j] ? null : v))),
    rowTotals: rowSum.map((v, i) => (rowHidden[i] ? null : v)),
    colTotals: colSum.map((v, j) => (colHidden[j] ? null : v)),
  };
}
