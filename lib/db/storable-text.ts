/**
 * Text from outside (an object's key, a file name, an error) as both databases can keep it:
 * PostgreSQL's text refuses the NUL character that S3 keys may hold, so it is shown as ␀ (U+2400).
 */
export function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\u2400") : text;
}
