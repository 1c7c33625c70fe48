import type { ListedObject, ListPage } from "./object-store";
import { StoreRequestError } from "./store-request-error";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXml(text: string): string {
  if (!text.includes("&")) return text;
  // Every listed ETag arrives as &quot;…&quot;: spare it the general decoding.
  if (text.startsWith("&quot;") && text.endsWith("&quot;") && text.indexOf("&", 6) === text.length - 6)
    return `"${text.slice(6, -6)}"`;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, entity: string) =>
    entity.startsWith("#x")
      ? String.fromCodePoint(parseInt(entity.slice(2), 16))
      : entity.startsWith("#")
        ? String.fromCodePoint(Number(entity.slice(1)))
        : ENTITIES[entity]!,
  );
}

/** The text of the first `<name>` element in `xml[from, to)`, decoded; undefined when absent. */
function element(xml: string, name: string, from = 0, to = xml.length): string | undefined {
  const open = xml.indexOf(`<${name}>`, from);
  if (open < 0 || open >= to) return undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  if (end < 0 || end > to) return undefined;
  return decodeXml(xml.slice(start, end));
}

/**
 * Reads a ListObjectsV2 answer with plain string searches: its shape is fixed, and a general
 * XML deserialiser costs many times as much. An answer that is not a complete listing is refused.
 */
export function parseListPage(xml: string): ListPage {
  const close = xml.lastIndexOf("</ListBucketResult>");
  if (close < 0)
    throw new StoreRequestError(
      "InvalidListing",
      "the store's answer to a listing is not a complete ListBucketResult",
      200,
    );
  const objects: ListedObject[] = [];
  let at = xml.indexOf("<Contents>");
  while (at >= 0 && at < close) {
    const end = xml.indexOf("</Contents>", at);
    if (end < 0) throw new StoreRequestError("InvalidListing", "the store's listing has an unterminated entry", 200);
    const modified = element(xml, "LastModified", at, end);
    objects.push({
      key: element(xml, "Key", at, end) ?? "",
      size: BigInt(element(xml, "Size", at, end) ?? "0"),
      etag: element(xml, "ETag", at, end) ?? "",
      storageClass: element(xml, "StorageClass", at, end),
      lastModified: modified ? new Date(modified) : undefined,
    });
    at = xml.indexOf("<Contents>", end);
  }
  // Text cannot hide a tag: "<" in a key or token arrives escaped, so every "<" found is markup.
  const truncated = element(xml, "IsTruncated") === "true";
  return { objects, nextToken: truncated ? element(xml, "NextContinuationToken") : undefined };
}
