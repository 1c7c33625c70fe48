// The demo S3 endpoint of `npm start`: a real S3 protocol server that the engine copies through
// both ways, that only answers requests signed with its keys, that survives malformed requests,
// and that never serves anything a browser would render as a page.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listKeys,
  makeTempDir,
  readObject,
  runCopyJob,
  runDownloadJob,
  sha256Hex,
  writeFile,
} from "../support/engine-harness";
import { presignedGet, signedRequest, startDemoS3Server, urlOf, type DemoS3 } from "../support/demo-s3";
import { inspectionClient, S3RVER_KEY } from "../support/s3-server";
import { isPartUpload, isPayloadProbe, S3Proxy } from "../support/s3-proxy";

const BUCKET = "demo";
const MiB = 1024 * 1024;
let demo: DemoS3;
let s3: S3Client;
/** In front of the demo endpoint, to count what the engine asked of it (signatures pass through unchanged). */
let proxy: S3Proxy;

beforeAll(async () => {
  demo = await startDemoS3Server([BUCKET]);
  s3 = inspectionClient(demo.endpoint);
  proxy = new S3Proxy(demo.port);
  await proxy.start();
});
afterAll(async () => {
  s3?.destroy();
  await proxy?.stop();
  await demo?.stop();
});

function clientWith(accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({
    endpoint: demo.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
}

const errorOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => error,
  );

/** Sends bytes on a new connection and returns whatever comes back before the server closes it (or 2 s pass). */
function rawExchange(data: string | Buffer, { end = true } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(demo.port, "127.0.0.1");
    let received = "";
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("close", () => resolve(received));
    socket.on("error", (error) => (received ? resolve(received) : reject(error)));
    socket.write(data, () => {
      if (end) socket.end();
    });
  });
}

/** The first line and headers of a raw request, signed, for sending by hand. */
function rawHead(method: string, request: Awaited<ReturnType<typeof signedRequest>>): string {
  const target = urlOf("", request);
  return `${method} ${target} HTTP/1.1\r\n${Object.entries(request.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\n\r\n`;
}

/** The server cleans up after a dropped connection on its own time: wait for it (up to 10 s). */
async function eventually(check: () => void): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function stillServes(): Promise<void> {
  const key = `alive-${crypto.randomUUID()}`;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "still here" }));
  expect((await readObject(s3, BUCKET, key)).body.toString()).toBe("still here");
}

describe("demo S3 endpoint: the engine copies both ways through it", () => {
  it("uploads a tree (a multipart file among them), sends only what changed, copies a hard link inside the store, and downloads it all back", async () => {
    const directory = makeTempDir();
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    const big = crypto.randomBytes(13 * MiB + 77);
    writeFile(directory, "readme.txt", "hello world\n");
    writeFile(directory, "docs/guide.html", "<h1>guide</h1>");
    writeFile(directory, "ünïcödé/файл.json", '{"a":1}');
    writeFile(directory, "a.txt", "sorts before the folder a/");
    writeFile(directory, "a/b.txt", "inside a");
    writeFile(directory, "data/big.bin", big);
    const upload = () =>
      runCopyJob({
        endpoint: proxy.endpoint,
        bucket: BUCKET,
        directory,
        trackingFile,
        folder: "tree/",
        multipartThreshold: 8 * MiB,
      });

    const first = await upload();
    expect(first.error).toBe("");
    expect(first.outcome).toBe("SUCCEEDED");
    // The engine's probe (a part sent with a wrong signed digest) was refused, so it knows bodies are verified.
    const probe = proxy.requests.find(isPayloadProbe);
    expect(probe?.status).toBe(400);
    expect(proxy.count(isPartUpload)).toBeGreaterThanOrEqual(2);
    expect((await listKeys(s3, BUCKET, "tree/")).sort()).toEqual(
      [
        "tree/a.txt",
        "tree/a/b.txt",
        "tree/data/big.bin",
        "tree/docs/guide.html",
        "tree/readme.txt",
        "tree/ünïcödé/файл.json",
      ].sort(),
    );
    const stored = await readObject(s3, BUCKET, "tree/data/big.bin");
    expect(sha256Hex(stored.body)).toBe(sha256Hex(big));
    expect(stored.etag).toMatch(/-[2-9]"$/); // assembled from parts
    expect(stored.metadata.sha256).toBe(sha256Hex(big));
    expect((await readObject(s3, BUCKET, "tree/docs/guide.html")).contentType).toBe("text/html");

    const repeat = await upload();
    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(repeat.progress.filesTransferred).toBe(0n);

    fs.linkSync(path.join(directory, "readme.txt"), path.join(directory, "readme-link.txt"));
    proxy.reset();
    const linked = await upload();
    expect(linked.outcome).toBe("SUCCEEDED");
    expect(
      proxy.count((r) => r.method === "PUT" && r.headers["x-amz-copy-source"] !== undefined && r.status === 200),
    ).toBe(1);
    const linkCopy = await readObject(s3, BUCKET, "tree/readme-link.txt");
    expect(linkCopy.body.toString()).toBe("hello world\n");
    expect(linkCopy.metadata.sha256).toBe(sha256Hex("hello world\n"));

    const restore = makeTempDir();
    proxy.reset();
    const down = await runDownloadJob({
      endpoint: proxy.endpoint,
      bucket: BUCKET,
      directory: restore,
      trackingFile: path.join(makeTempDir(), "down.db"),
      folder: "tree/",
      rangeThreshold: 4 * MiB,
    });
    expect(down.error).toBe("");
    expect(down.outcome).toBe("SUCCEEDED");
    expect(sha256Hex(fs.readFileSync(path.join(restore, "data/big.bin")))).toBe(sha256Hex(big));
    expect(fs.readFileSync(path.join(restore, "ünïcödé/файл.json"), "utf8")).toBe('{"a":1}');
    expect(fs.readFileSync(path.join(restore, "a/b.txt"), "utf8")).toBe("inside a");
    expect(fs.readFileSync(path.join(restore, "readme-link.txt"), "utf8")).toBe("hello world\n");
    const ranged = proxy.requests.filter((r) => r.method === "GET" && r.headers.range !== undefined);
    expect(ranged.length).toBeGreaterThanOrEqual(2);
    expect(ranged.every((r) => r.status === 206 && r.headers["if-match"] !== undefined)).toBe(true);
  });

  it("refuses a body damaged on the way (its signed SHA-256 no longer matches), and the engine's resend stores it intact", async () => {
    const directory = makeTempDir();
    writeFile(directory, "precious.txt", "every byte matters\n");
    proxy.reset();
    let damaged = 0;
    proxy.interceptor = (r) => (r.method === "PUT" && !isPayloadProbe(r) && damaged++ === 0 ? "corrupt" : undefined);
    try {
      const result = await runCopyJob({
        endpoint: proxy.endpoint,
        bucket: BUCKET,
        directory,
        trackingFile: path.join(makeTempDir(), "t.db"),
        folder: "damaged/",
      });
      expect(result.outcome).toBe("SUCCEEDED");
    } finally {
      proxy.interceptor = undefined;
    }
    const puts = proxy.requests.filter((r) => r.method === "PUT" && !isPayloadProbe(r));
    expect(puts.map((r) => r.status)).toEqual([400, 200]);
    expect((await readObject(s3, BUCKET, "damaged/precious.txt")).body.toString()).toBe("every byte matters\n");
  });

  it("answers the calls the engine makes the way S3 does", async () => {
    await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    const lock = await errorOf(s3.send(new GetObjectLockConfigurationCommand({ Bucket: BUCKET })));
    expect(lock?.name).toBe("ObjectLockConfigurationNotFoundError");
    expect((await errorOf(s3.send(new HeadBucketCommand({ Bucket: "elsewhere" }))))?.$metadata?.httpStatusCode).toBe(
      404,
    );

    for (const key of ["list/b", "list/a", "list/c/1", "list/c/2", "list/d", "listing-not-under-prefix"]) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key, Metadata: { origin: "test" } }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: BUCKET,
          Prefix: "list/",
          MaxKeys: 2,
          ContinuationToken: token,
          StartAfter: "list/a",
        }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(["list/b", "list/c/1", "list/c/2", "list/d"]);
    const grouped = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "list/", Delimiter: "/" }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["list/c/"]);
    expect(grouped.Contents?.map((o) => o.Key)).toEqual(["list/a", "list/b", "list/d"]);

    const original = await readObject(s3, BUCKET, "list/a");
    const ranged = await s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: "list/c/1",
        Range: "bytes=2-4",
        IfMatch: (await readObject(s3, BUCKET, "list/c/1")).etag,
      }),
    );
    expect(await ranged.Body!.transformToString()).toBe("st/");
    expect(ranged.ContentRange).toBe("bytes 2-4/8");
    const stale = await errorOf(
      s3.send(
        new GetObjectCommand({
          Bucket: BUCKET,
          Key: "list/c/1",
          Range: "bytes=0-1",
          IfMatch: '"0123456789abcdef0123456789abcdef"',
        }),
      ),
    );
    expect(stale?.$metadata?.httpStatusCode).toBe(412);

    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "copied/a", CopySource: `${BUCKET}/list/a` }));
    const copied = await readObject(s3, BUCKET, "copied/a");
    expect(copied.metadata).toEqual({ origin: "test" });
    expect(copied.etag).toBe(original.etag);
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: "copied/b",
        CopySource: `${BUCKET}/list/a`,
        MetadataDirective: "REPLACE",
        Metadata: { other: "x" },
        ContentType: "text/plain",
      }),
    );
    const replaced = await readObject(s3, BUCKET, "copied/b");
    expect(replaced.metadata).toEqual({ other: "x" });
    expect(replaced.contentType).toBe("text/plain");

    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "unfinished" }));
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "unfinished" }));
    expect(listed.Uploads?.map((u) => u.UploadId)).toEqual([created.UploadId]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "unfinished", UploadId: created.UploadId }));
    expect(
      (await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "unfinished" }))).Uploads ?? [],
    ).toEqual([]);
  });
});

describe("demo S3 endpoint: hostile key names", () => {
  it("stores, lists and returns keys that look like paths out, escapes, markup or nothing at all, each as itself", async () => {
    const keys = [
      "odd/../../../etc/passwd",
      "odd//double",
      "odd/./dot",
      "odd/a+b c%2F&d=e?f#g",
      "odd/<script>&amp;",
      "odd/\u00e9-nfc",
      "odd/e\u0301-nfd",
      "odd/tab\there",
      "odd/trailing/",
      "odd/" + "x".repeat(1000),
    ];
    for (const key of keys)
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `content of ${key}` }));
    const listed = await listKeys(s3, BUCKET, "odd/");
    expect(listed).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const key of keys) expect((await readObject(s3, BUCKET, key)).body.toString()).toBe(`content of ${key}`);
    // Nothing was written outside the endpoint's folder, whatever the key said.
    expect(fs.readdirSync(demo.directory)).toEqual([BUCKET]);
  });
});

describe("demo S3 endpoint: refusals say what is wrong", () => {
  it("answers each refused request with S3's code, status and message", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "short.txt", Body: "0123456789" }));
    const refusal = async (promise: Promise<unknown>) => {
      const error = await errorOf(promise);
      return error && { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
    };
    expect(
      await refusal(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "short.txt", Range: "bytes=100-200" }))),
    ).toEqual({ name: "InvalidRange", status: 416, message: "The requested range is not satisfiable" });
    expect(await refusal(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "absent.txt" })))).toEqual({
      name: "NoSuchKey",
      status: 404,
      message: "The specified key does not exist.",
    });
    expect(await refusal(s3.send(new GetObjectCommand({ Bucket: "other-bucket", Key: "x" })))).toEqual({
      name: "NoSuchBucket",
      status: 404,
      message: "The specified bucket does not exist",
    });
    expect(await refusal(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k".repeat(1025), Body: "x" })))).toEqual({
      name: "KeyTooLongError",
      status: 400,
      message: "Your key is too long",
    });
    expect(
      await refusal(
        s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "short.txt", CopySource: `${BUCKET}/short.txt` })),
      ),
    ).toMatchObject({
      name: "InvalidRequest",
      status: 400,
      message: expect.stringContaining("trying to copy an object to itself"),
    });

    const skewed = new S3Client({
      endpoint: demo.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: "S3RVER" },
      maxAttempts: 1,
      systemClockOffset: -3_600_000,
    });
    try {
      expect(await refusal(skewed.send(new GetObjectCommand({ Bucket: BUCKET, Key: "short.txt" })))).toEqual({
        name: "RequestTimeTooSkewed",
        status: 403,
        message: "The difference between the request time and the current time is too large.",
      });
    } finally {
      skewed.destroy();
    }

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "parts" }));
    const part = (PartNumber: number) =>
      s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: "parts", UploadId, PartNumber, Body: `part ${PartNumber}` }),
      );
    const [one, two] = [await part(1), await part(2)];
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
      s3.send(
        new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "parts", UploadId, MultipartUpload: { Parts } }),
      );
    expect(
      await refusal(
        complete([
          { PartNumber: 1, ETag: one.ETag },
          { PartNumber: 2, ETag: two.ETag },
        ]),
      ),
    ).toEqual({
      name: "EntityTooSmall",
      status: 400,
      message: "Your proposed upload is smaller than the minimum allowed object size.",
    });
    expect(await refusal(complete([{ PartNumber: 1, ETag: two.ETag }]))).toMatchObject({
      name: "InvalidPart",
      status: 400,
      message: expect.stringContaining("One or more of the specified parts could not be found"),
    });
    expect(
      await refusal(
        complete([
          { PartNumber: 2, ETag: two.ETag },
          { PartNumber: 1, ETag: one.ETag },
        ]),
      ),
    ).toMatchObject({ name: "InvalidPartOrder", status: 400 });
    expect(
      await refusal(
        s3.send(
          new UploadPartCommand({ Bucket: BUCKET, Key: "parts", UploadId: "0".repeat(48), PartNumber: 1, Body: "x" }),
        ),
      ),
    ).toMatchObject({
      name: "NoSuchUpload",
      status: 404,
      message: expect.stringContaining("The specified upload does not exist"),
    });
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: "parts",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 2, ETag: two.ETag }] },
      }),
    );
    expect((await readObject(s3, BUCKET, "parts")).body.toString()).toBe("part 2");

    const streaming = await signedRequest(demo.endpoint, {
      method: "PUT",
      path: `/${BUCKET}/chunked.txt`,
      headers: { "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-length": "3" },
    });
    const notChunked = await fetch(urlOf(demo.endpoint, streaming), {
      method: "PUT",
      headers: streaming.headers,
      body: "abc",
    });
    expect(notChunked.status).toBe(501);
    expect(await notChunked.text()).toContain(
      "aws-chunked (streaming) payloads are not supported by this endpoint; send the body whole",
    );
    const garbled = await fetch(`${demo.endpoint}/${BUCKET}/short.txt`, {
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=nonsense" },
    });
    expect(garbled.status).toBe(400);
    expect(await garbled.text()).toContain(
      "<Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; only AWS4-HMAC-SHA256 header signing is supported</Message>",
    );
  });
});

describe("demo S3 endpoint: only signed requests", () => {
  it("refuses an unsigned request with 403 AccessDenied", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "secret.txt", Body: "not for anyone" }));
    for (const [method, url] of [
      ["GET", `${demo.endpoint}/${BUCKET}/secret.txt`],
      ["PUT", `${demo.endpoint}/${BUCKET}/planted.html`],
      ["GET", `${demo.endpoint}/${BUCKET}?list-type=2`],
    ] as const) {
      const reply = await fetch(url, { method, body: method === "PUT" ? "<script>alert(1)</script>" : undefined });
      expect(reply.status).toBe(403);
      const text = await reply.text();
      expect(text).toContain("<Code>AccessDenied</Code>");
      expect(text).toContain("Anonymous access is not allowed");
      expect(text).not.toContain("not for anyone");
    }
    expect(await listKeys(s3, BUCKET, "planted")).toEqual([]);
  });

  it("refuses a wrong secret, an unknown key, and a signed request altered after signing", async () => {
    const wrongSecret = clientWith(S3RVER_KEY, "not-the-secret");
    const unknownKey = clientWith("SOMEONE", "S3RVER");
    try {
      const wrong = await errorOf(wrongSecret.send(new GetObjectCommand({ Bucket: BUCKET, Key: "secret.txt" })));
      expect(wrong?.name).toBe("SignatureDoesNotMatch");
      expect(wrong?.$metadata?.httpStatusCode).toBe(403);
      expect(wrong?.message).toContain("does not match the signature you provided");
      const unknown = await errorOf(
        unknownKey.send(new PutObjectCommand({ Bucket: BUCKET, Key: "planted.txt", Body: "x" })),
      );
      expect(unknown?.name).toBe("InvalidAccessKeyId");
      expect(unknown?.$metadata?.httpStatusCode).toBe(403);
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }

    const signed = await signedRequest(demo.endpoint, { method: "GET", path: `/${BUCKET}/secret.txt` });
    const honest = await fetch(urlOf(demo.endpoint, signed), { headers: signed.headers });
    expect(await honest.text()).toBe("not for anyone");
    const otherKey = await fetch(urlOf(demo.endpoint, { ...signed, path: `/${BUCKET}/copied/a` }), {
      headers: signed.headers,
    });
    expect(otherKey.status).toBe(403);
    expect(await otherKey.text()).toContain("<Code>SignatureDoesNotMatch</Code>");

    // The body is bound to the signature through its SHA-256: another body is refused, and not stored.
    const put = await signedRequest(demo.endpoint, {
      method: "PUT",
      path: `/${BUCKET}/swapped.txt`,
      body: "signed body",
    });
    const swapped = await fetch(urlOf(demo.endpoint, put), {
      method: "PUT",
      headers: put.headers,
      body: "other body!",
    });
    expect(swapped.status).toBe(400);
    expect(await swapped.text()).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
    expect(await listKeys(s3, BUCKET, "swapped")).toEqual([]);

    const badMd5 = await errorOf(
      s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: "md5.txt",
          Body: "abc",
          ContentMD5: crypto.createHash("md5").update("abd").digest("base64"),
        }),
      ),
    );
    expect(badMd5?.name).toBe("BadDigest");

    // So is the list of parts that completes an upload: another list is refused, and nothing is made.
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "completed.bin" }));
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "completed.bin",
        UploadId: created.UploadId,
        PartNumber: 1,
        Body: "only part",
      }),
    );
    const list = (etag: string) =>
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`;
    const complete = await signedRequest(demo.endpoint, {
      method: "POST",
      path: `/${BUCKET}/completed.bin`,
      query: { uploadId: created.UploadId! },
      body: list(part.ETag!),
    });
    const altered = await fetch(urlOf(demo.endpoint, complete), {
      method: "POST",
      headers: complete.headers,
      body: list(part.ETag!.replace(/^"./, '"0')),
    });
    expect(altered.status).toBe(400);
    expect(await altered.text()).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
    expect(await listKeys(s3, BUCKET, "completed")).toEqual([]);
  });

  it("accepts a presigned URL until it expires, and refuses it altered or expired", async () => {
    const presign = (signingDate: Date, expiresIn: number) =>
      presignedGet(demo.endpoint, `/${BUCKET}/secret.txt`, { signingDate, expiresIn });
    const fresh = await presign(new Date(), 300);
    const ok = await fetch(urlOf(demo.endpoint, fresh));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("not for anyone");

    const altered = await fetch(urlOf(demo.endpoint, { ...fresh, path: `/${BUCKET}/copied/a` }));
    expect(altered.status).toBe(403);
    expect(await altered.text()).toContain("<Code>SignatureDoesNotMatch</Code>");

    const expired = await fetch(urlOf(demo.endpoint, await presign(new Date(Date.now() - 3_600_000), 60)));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("Request has expired");
  });
});

describe("demo S3 endpoint: malformed requests", () => {
  it("answers bad XML, a truncated upload, absurd headers and garbage, and the next request works", async () => {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "broken" }));
    for (const xml of [
      "<CompleteMultipartUpload><Part><PartNumber>1",
      "<!DOCTYPE x [<!ENTITY a 'b'>]><CompleteMultipartUpload/>",
      "not xml at all",
    ]) {
      const complete = await signedRequest(demo.endpoint, {
        method: "POST",
        path: `/${BUCKET}/broken`,
        query: { uploadId: created.UploadId! },
        body: xml,
      });
      const reply = await fetch(urlOf(demo.endpoint, complete), {
        method: "POST",
        headers: complete.headers,
        body: xml,
      });
      expect(reply.status).toBe(400);
      expect(await reply.text()).toContain("<Code>MalformedXML</Code>");
    }
    await stillServes();

    // A multipart part and an object whose bodies stop short; neither leaves anything behind.
    const part = await signedRequest(
      demo.endpoint,
      {
        method: "PUT",
        path: `/${BUCKET}/broken`,
        query: { uploadId: created.UploadId!, partNumber: "1" },
        headers: { "content-length": String(5 * MiB) },
      },
      { payload: "unsigned" },
    );
    await rawExchange(rawHead("PUT", part) + "only a little of the part");
    const object = await signedRequest(
      demo.endpoint,
      { method: "PUT", path: `/${BUCKET}/truncated.txt`, headers: { "content-length": "1000" } },
      { payload: "unsigned" },
    );
    await rawExchange(rawHead("PUT", object) + "ten bytes.");
    await stillServes();
    expect(await listKeys(s3, BUCKET, "truncated")).toEqual([]);
    await eventually(() => expect(fs.readdirSync(path.join(demo.directory, BUCKET, "tmp"))).toEqual([]));

    const tooLarge = await signedRequest(
      demo.endpoint,
      { method: "PUT", path: `/${BUCKET}/huge.bin`, headers: { "content-length": String(6 * 1024 ** 3) } },
      { payload: "unsigned" },
    );
    const refusal = await rawExchange(rawHead("PUT", tooLarge), { end: false });
    expect(refusal).toMatch(/^HTTP\/1\.1 400/);
    expect(refusal).toContain("<Code>EntityTooLarge</Code>");

    // A browser-form POST cut short (what crashed the previous demo store), unsigned and signed.
    const form = `--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc`;
    expect(
      await rawExchange(
        `POST /${BUCKET} HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${form.length + 100}\r\n\r\n${form}`,
      ),
    ).toMatch(/^HTTP\/1\.1 403/);
    const signedForm = await signedRequest(
      demo.endpoint,
      {
        method: "POST",
        path: `/${BUCKET}`,
        headers: { "content-type": "multipart/form-data; boundary=b", "content-length": String(form.length + 100) },
      },
      { payload: "unsigned" },
    );
    expect(await rawExchange(rawHead("POST", signedForm) + form)).toMatch(/^HTTP\/1\.1 501/);
    await stillServes();

    expect(
      await rawExchange(`GET /${BUCKET}/x HTTP/1.1\r\nHost: a\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 431/);
    expect(await rawExchange("\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n")).toMatch(/^(HTTP\/1\.1 400|)/);
    expect(await rawExchange(`GET /${BUCKET}/%E0%A4%A HTTP/1.1\r\nHost: a\r\n\r\n`)).toMatch(/^HTTP\/1\.1 (400|403)/);
    expect(
      await rawExchange(`POST /${BUCKET}/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`),
    ).toMatch(/^HTTP\/1\.1 (400|403)/);
    const metadataFlood = await errorOf(
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: "meta.txt", Body: "x", Metadata: { big: "m".repeat(3000) } }),
      ),
    );
    expect(metadataFlood?.name).toBe("MetadataTooLarge");
    await stillServes();
  });
});

describe("demo S3 endpoint: nothing renders in a browser", () => {
  it("serves an uploaded .html object as a download, sandboxed, with its type not sniffed", async () => {
    const page = "<html><body><script>document.title='ran'</script><h1>planted</h1></body></html>";
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "site/index.html", Body: page, ContentType: "text/html" }),
    );
    const reply = await fetch(urlOf(demo.endpoint, await presignedGet(demo.endpoint, `/${BUCKET}/site/index.html`)));
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("text/html");
    expect(reply.headers.get("content-disposition")).toBe("attachment");
    expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
    expect(reply.headers.get("content-security-policy")).toMatch(/^sandbox/);
    expect(await reply.text()).toBe(page);
    // Error answers carry the same headers.
    const refused = await fetch(`${demo.endpoint}/${BUCKET}/site/index.html`);
    expect(refused.headers.get("content-security-policy")).toMatch(/^sandbox/);
    expect(refused.headers.get("content-disposition")).toBe("attachment");
  });
});
