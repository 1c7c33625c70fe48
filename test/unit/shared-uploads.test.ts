import { describe, expect, it } from "vitest";
import { decodeUpload, encodeUpload } from "@/lib/jobs/shared-uploads";
import type { PendingUpload } from "@/lib/engine/tracking-store";

const upload: PendingUpload = {
  uploadId: "2~abc.DEF_ghi",
  size: 5n * 2n ** 40n,
  mtimeNs: 1_764_000_000_123_456_789n,
  ctimeNs: -5n,
  ino: 18_446_744_073_709_551_615n,
  sha256: Buffer.alloc(32, 0xab),
  partSize: 64 * 1024 * 1024,
  parts: new Map([
    [3, '"c"'],
    [1, '"a"'],
  ]),
};

describe("a multipart upload's shared record", () => {
  it("gives back every field, numbers beyond 2^53 included", () => {
    expect(decodeUpload(encodeUpload(upload))).toEqual(upload);
  });

  it("is refused whole when it does not read as one, so the upload is begun again", () => {
    const record = JSON.parse(encodeUpload(upload)) as Record<string, unknown>;
    expect(decodeUpload("{not json")).toBeUndefined();
    expect(decodeUpload(JSON.stringify({ ...record, sha256: "zz" }))).toBeUndefined();
    expect(decodeUpload(JSON.stringify({ ...record, size: 1.5 }))).toBeUndefined();
    expect(decodeUpload(JSON.stringify({ ...record, parts: [[0, '"x"']] }))).toBeUndefined();
    expect(decodeUpload(JSON.stringify({ ...record, uploadId: undefined }))).toBeUndefined();
  });
});
