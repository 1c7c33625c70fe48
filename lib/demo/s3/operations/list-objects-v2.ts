import { compareKeys } from "../bucket-store";
import { type RequestContext, queryValue, sendXml } from "../context";
import { invalidArgument } from "../errors";
import { toXml } from "../xml";

const token = {
  encode: (key: string) => Buffer.from(key, "utf8").toString("base64url"),
  decode: (text: string) => {
    if (!/^[A-Za-z0-9_-]{1,2000}$/.test(text)) throw invalidArgument("The continuation token provided is incorrect");
    return Buffer.from(text, "base64url").toString("utf8");
  },
};

/** ListObjectsV2 with prefix, delimiter, start-after, continuation tokens and encoding-type=url. */
export async function listObjectsV2(context: RequestContext): Promise<void> {
  const { response, bucket } = context;
  const prefix = queryValue(context, "prefix") ?? "";
  const delimiter = queryValue(context, "delimiter") || undefined;
  const startAfter = queryValue(context, "start-after");
  const continuation = queryValue(context, "continuation-token");
  const encodingType = queryValue(context, "encoding-type");
  if (encodingType !== undefined && encodingType !== "url")
    throw invalidArgument("Invalid Encoding Method specified in Request");
  const maxKeysText = queryValue(context, "max-keys") ?? "1000";
  if (!/^\d{1,9}$/.test(maxKeysText)) throw invalidArgument("Provided max-keys not an integer or within integer range");
  const maxKeys = Math.min(1000, Number(maxKeysText));
  let after = continuation !== undefined ? token.decode(continuation) : startAfter;
  if (after !== undefined && compareKeys(after, prefix) < 0) after = undefined;

  const encode = (text: string) => (encodingType === "url" ? encodeURIComponent(text).replace(/%2F/g, "/") : text);
  const contents: { Key: string; LastModified: string; ETag: string; Size: number; StorageClass: string }[] = [];
  const commonPrefixes: { Prefix: string }[] = [];
  let lastConsumed: string | undefined;
  let truncated = false;
  for (const record of after !== undefined
    ? bucket.store.keysFrom(after, false)
    : bucket.store.keysFrom(prefix, true)) {
    if (!record.key.startsWith(prefix)) {
      if (compareKeys(record.key, prefix) > 0) break;
      continue;
    }
    const cut = delimiter ? record.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? record.key.slice(0, cut + delimiter!.length) : undefined;
    if (common !== undefined && commonPrefixes[commonPrefixes.length - 1]?.Prefix === common) {
      lastConsumed = record.key;
      continue;
    }
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) commonPrefixes.push({ Prefix: common });
    else
      contents.push({
        Key: record.key,
        LastModified: record.lastModified,
        ETag: `"${record.etag}"`,
        Size: record.size,
        StorageClass: "STANDARD",
      });
    lastConsumed = record.key;
  }
  sendXml(
    response,
    200,
    toXml("ListBucketResult", {
      Name: bucket.store.name,
      Prefix: encode(prefix),
      Delimiter: delimiter === undefined ? undefined : encode(delimiter),
      MaxKeys: maxKeys,
      KeyCount: contents.length + commonPrefixes.length,
      IsTruncated: truncated,
      EncodingType: encodingType,
      ContinuationToken: continuation,
      NextContinuationToken: truncated && lastConsumed !== undefined ? token.encode(lastConsumed) : undefined,
      StartAfter: startAfter === undefined ? undefined : encode(startAfter),
      Contents: contents.map((c) => ({ ...c, Key: encode(c.Key) })),
      CommonPrefixes: commonPrefixes.map((p) => ({ Prefix: encode(p.Prefix) })),
    }),
  );
}
