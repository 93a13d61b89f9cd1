// Plain-text tables like kubectl's: upper-case headers, columns padded with
// three spaces, no borders. Wide cells are cut with an ellipsis.

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Longest cell before it is cut. */
  max?: number;
}

export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cut(c.value(row) ?? '', c.max)));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join('   ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

function cut(text: string, max?: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return max && oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
