/**
 * Rows as CSV (RFC 4180, CRLF), every cell quoted: file names and audit details come from users,
 * and an unquoted ";" would start a new cell in a spreadsheet set to a ";" list separator. A
 * cell a spreadsheet would take for a formula (=, +, -, @, tab, CR first) gets an apostrophe.
 */
export function toCsv(header: string[], rows: Iterable<string[]>): string {
  const cell = (value: string) => `"${(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value).replace(/"/g, '""')}"`;
  const lines = [header.map(cell).join(",")];
  for (const row of rows) lines.push(row.map(cell).join(","));
  return lines.join("\r\n") + "\r\n";
}
