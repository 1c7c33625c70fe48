import mime from "mime";

export function contentTypeFor(key: string): string {
  return mime.getType(key) ?? "application/octet-stream";
}
