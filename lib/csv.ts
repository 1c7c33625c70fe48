/**
 * Rows as CSV (RFC 4180, CRLF). A cell a spreadsheet would take for a formula (=, +, -, @, tab,
 * CR) is prefixed with an apostrophe: file names and audit details come from users.
 */
export function toCsv(header: string[], rows: Iterable<string[]>): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [header.map(cell).join(",")];
  for (const row of rows) lines.push(row.map(cell).join(","));
  return lines.join("\r\n") + "\r\n";
}
