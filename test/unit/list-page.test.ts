import { describe, expect, it } from "vitest";
import { parseListPage } from "@/lib/s3/list-page";

const page = (contents: string, tail = "<IsTruncated>false</IsTruncated>") =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>f/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>${tail}${contents}</ListBucketResult>`;

const entry = (key: string, extra = "") =>
  `<Contents><Key>${key}</Key><LastModified>2026-11-24T10:00:00.123Z</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>4096</Size>${extra}<StorageClass>STANDARD</StorageClass></Contents>`;

describe("a ListObjectsV2 page read without the SDK", () => {
  it("reads each entry's key, size, ETag, storage class and time, decoding XML escapes", () => {
    const parsed = parseListPage(
      page(
        entry("f/a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#x7;&#169;.txt") +
          entry("f/ü/x", "<Owner><ID>o</ID><DisplayName>Key</DisplayName></Owner>"),
      ),
    );
    expect(parsed.nextToken).toBeUndefined();
    expect(parsed.objects).toEqual([
      {
        key: "f/a & b <c> \"d\" 'e' \u0007©.txt",
        size: 4096n,
        etag: '"0123456789abcdef0123456789abcdef"',
        storageClass: "STANDARD",
        lastModified: new Date("2026-11-24T10:00:00.123Z"),
      },
      {
        key: "f/ü/x",
        size: 4096n,
        etag: '"0123456789abcdef0123456789abcdef"',
        storageClass: "STANDARD",
        lastModified: new Date("2026-11-24T10:00:00.123Z"),
      },
    ]);
  });

  it("decodes a quoted key like any other, and an ETag with escapes inside its quotes in full", () => {
    const odd = entry("&quot;q&quot;").replace(
      "&quot;0123456789abcdef0123456789abcdef&quot;",
      "&quot;W/&quot;x&amp;y&quot;&quot;",
    );
    expect(parseListPage(page(odd)).objects[0]).toMatchObject({ key: '"q"', etag: '"W/"x&y""' });
  });

  it("gives the continuation token of a truncated page, and none of a last page", () => {
    expect(
      parseListPage(
        page(entry("f/a"), "<IsTruncated>true</IsTruncated><NextContinuationToken>1/a+b=&amp;</NextContinuationToken>"),
      ).nextToken,
    ).toBe("1/a+b=&");
    expect(parseListPage(page("")).objects).toEqual([]);
  });

  it("refuses an answer that is not a complete listing", () => {
    expect(() => parseListPage(page(entry("f/a")).slice(0, 200))).toThrow("not a complete ListBucketResult");
    expect(() => parseListPage("<Error><Code>InternalError</Code></Error>")).toThrow("not a complete ListBucketResult");
  });
});
