import type { ObjectRecord } from "./bucket-store";
import { S3Error } from "./errors";

export const preconditionFailed = () =>
  new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");

/** If-Match and its kin: any listed ETag (or *) matches. */
export function etagMatches(header: string, record: ObjectRecord): boolean {
  return header.split(",").some((tag) => {
    const t = tag.trim().replace(/^W\//, "");
    return t === "*" || t.replace(/^"|"$/g, "") === record.etag;
  });
}
