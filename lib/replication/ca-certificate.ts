import crypto from "node:crypto";

const BLOCK = /-----BEGIN ([^\r\n-]{1,64})-----([\s\S]*?)-----END ([^\r\n-]{1,64})-----/g;

/**
 * Why `pem` is not a CA bundle, or undefined when it is one: every PEM block must be a
 * CERTIFICATE that parses, and nothing else may be there. A pasted private key (alone, after the
 * certificate, or as bare base64) is refused rather than stored in clear and shown to every observer.
 */
export function certificateProblem(pem: string): string | undefined {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) return "must be a PEM certificate (-----BEGIN CERTIFICATE-----)";
  let count = 0;
  for (const [block, label, , endLabel] of pem.matchAll(BLOCK)) {
    count++;
    // Only the label is repeated, never the block's content.
    if (endLabel !== label)
      return `block ${count} begins as "${printable(label!)}" but ends as "${printable(endLabel!)}"`;
    if (label !== "CERTIFICATE")
      return `block ${count} is a PEM "${printable(label!)}" block; only CERTIFICATE blocks are accepted`;
    try {
      new crypto.X509Certificate(block);
    } catch {
      return `block ${count} is not a valid PEM certificate`;
    }
  }
  if (pem.replace(BLOCK, "").trim() !== "")
    return "must hold only PEM CERTIFICATE blocks (it holds other text as well)";
  return undefined;
}

function printable(label: string): string {
  return label.replace(/[^A-Za-z0-9 ]/g, "?");
}

/** Only the CERTIFICATE blocks of a stored value: a row saved before the check above may hold a key, which is never shown. */
export function certificateBlocks(pem: string | null): string | null {
  if (pem === null) return null;
  const blocks = [...pem.matchAll(BLOCK)];
  const certificates = blocks
    .filter(([, label, , endLabel]) => label === "CERTIFICATE" && endLabel === label)
    .map(([block]) => block);
  if (certificates.length === blocks.length && pem.replace(BLOCK, "").trim() === "") return pem;
  return certificates.length ? `${certificates.join("\n")}\n` : null;
}
