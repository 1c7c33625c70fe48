import { S3Error } from "./errors";

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g,
    (_, name: string, dec?: string, hex?: string) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
      return ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[name]!;
    },
  );
}

type XmlValue = string | number | boolean | undefined | XmlNode | XmlNode[];
interface XmlNode {
  [element: string]: XmlValue;
}

/** Serialises plain objects to S3's XML; arrays repeat their element name, undefined is left out. */
export function toXml(root: string, body: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${children(body)}</${root}>`;
}

function children(node: XmlNode): string {
  return Object.entries(node)
    .map(([name, value]) => element(name, value))
    .join("");
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return "";
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join("");
  if (typeof value === "object") return `<${name}>${children(value)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function errorXml(error: S3Error, resource: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
}

const malformed = () =>
  new S3Error(
    400,
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema.",
  );

/**
 * Reads a CompleteMultipartUpload body. Only that one flat shape is accepted (no entities, no
 * DOCTYPE, no nesting beyond Part), so a general XML parser and its attack surface are not needed.
 */
export function parseCompleteMultipartUpload(text: string): { partNumber: number; etag: string }[] {
  const body = text.replace(/^\uFEFF?\s*(<\?xml[^?]*\?>)?\s*/, "");
  const whole =
    /^<CompleteMultipartUpload(\s+xmlns="[^"]*")?\s*>((?:\s*<Part>(?:\s*<[A-Za-z0-9]+>[^<]*<\/[A-Za-z0-9]+>)*\s*<\/Part>)*)\s*<\/CompleteMultipartUpload>\s*$/.exec(
      body,
    );
  if (!whole) throw malformed();
  const parts: { partNumber: number; etag: string }[] = [];
  for (const [, inner] of whole[2]!.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const fields = new Map<string, string>();
    for (const [, name, value, closing] of inner!.matchAll(/<([A-Za-z0-9]+)>([^<]*)<\/([A-Za-z0-9]+)>/g)) {
      if (name !== closing) throw malformed();
      fields.set(name!, unescapeXml(value!.trim()));
    }
    const partNumber = Number(fields.get("PartNumber"));
    const etag = fields.get("ETag");
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000 || !etag) throw malformed();
    parts.push({ partNumber, etag: etag.replace(/^"|"$/g, "") });
  }
  if (parts.length === 0) throw malformed();
  return parts;
}
