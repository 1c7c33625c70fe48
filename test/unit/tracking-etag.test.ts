import { describe, expect, it } from "vitest";
import { decodeEtag, encodeEtag } from "@/lib/engine/tracking-store";

describe("ETag encoding in tracking rows", () => {
  it.each([
    ["an MD5 ETag", "9e107d9d372bb6826bd81d3542a419d6", 17],
    ["an MD5 ETag whose first byte is 0xff", "ff107d9d372bb6826bd81d3542a419d6", 17],
    ["an MD5 ETag whose first byte is 0x01", "01107d9d372bb6826bd81d3542a419d6", 17],
    ["a multipart ETag", "d41d8cd98f00b204e9800998ecf8427e-12", 20],
    ["an opaque ETag", "W/not-an-md5", 13],
    ["an uppercase hex ETag (kept as text)", "9E107D9D372BB6826BD81D3542A419D6", 33],
  ])("round-trips %s", (_name, etag, bytes) => {
    const encoded = encodeEtag(etag);
    expect(encoded.length).toBe(bytes);
    expect(decodeEtag(encoded)).toBe(etag);
  });
});
