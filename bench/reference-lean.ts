// The fastest any client could be against the store on these cores: PUTs or GETs from memory,
// signed by hand (SigV4, no SDK), over keep-alive sockets, `concurrency` in flight, nothing
// verified, tracked or written to disk. Our times are given as a share of its rate.
//   {"op": "put", "count": N, "size": B}   PUT N objects of B bytes from one buffer
//   {"op": "get"}                           list the folder, then GET every object into memory
//   {"op": "get", "partSize": P}            the same in ranges of P bytes, 8 ranges of an object at once
// Prints one JSON line like bench/job.ts.
import crypto from "node:crypto";
import http from "node:http";

const args = JSON.parse(process.argv[2]!) as {
  endpoint: string;
  bucket: string;
  folder: string;
  concurrency: number;
  op: "put" | "get";
  count?: number;
  size?: number;
  partSize?: number;
};
const key = process.env.BENCH_S3_KEY ?? "S3RVER";
const secret = process.env.BENCH_S3_SECRET ?? "S3RVER";
const base = new URL(args.endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });
const hmac = (k: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", k).update(data).digest();
const sha256Hex = (data: crypto.BinaryLike) => crypto.createHash("sha256").update(data).digest("hex");
const escape = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), "us-east-1"), "s3"), "aws4_request");

/** One signed request; resolves with the body (GET) or nothing. */
function send(method: "GET" | "PUT", objectKey: string, query: string, body?: Buffer, range?: string): Promise<Buffer> {
  const path = `/${args.bucket}/${objectKey.split("/").map(escape).join("/")}`;
  const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const payload = body ? sha256Hex(body) : "UNSIGNED-PAYLOAD";
  const headers: Record<string, string> = { host: base.host, "x-amz-content-sha256": payload, "x-amz-date": amzDate };
  if (range) headers.range = range;
  const names = Object.keys(headers).sort();
  const canonical = [method, path, query, ...names.map((n) => `${n}:${headers[n]}`), "", names.join(";"), payload].join(
    "\n",
  );
  const scope = `${day}/us-east-1/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonical)].join("\n");
  const signature = crypto.createHmac("sha256", signingKey).update(toSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${key}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  if (body) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method, path: query ? `${path}?${query}` : path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          res.statusCode! < 300
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`)),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function list(): Promise<Array<{ key: string; size: number }>> {
  const found: Array<{ key: string; size: number }> = [];
  let token = "";
  do {
    const query = [
      ...(token ? [`continuation-token=${escape(token)}`] : []),
      "list-type=2",
      `prefix=${escape(args.folder)}`,
    ].join("&");
    const xml = (await send("GET", "", query)).toString("utf8");
    for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>.*?<Size>(\d+)<\/Size>/gs))
      found.push({ key: unxml(m[1]!), size: Number(m[2]) });
    token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
      ? unxml(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? "")
      : "";
  } while (token);
  return found;
}

const unxml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<number>): Promise<number> {
  let next = 0;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) {
        // Read after the await: `bytes += await …` would add to the total as it was before it.
        const done = await work(items[next++]!);
        bytes += done;
      }
    }),
  );
  return bytes;
}

async function putAll(): Promise<{ files: number; bytes: number }> {
  const body = crypto.randomBytes(args.size!);
  const keys = Array.from({ length: args.count! }, (_, i) => `${args.folder}${i}`);
  return {
    files: keys.length,
    bytes: await inLanes(keys, args.concurrency, async (k) => (await send("PUT", k, "", body), body.length)),
  };
}

async function getAll(): Promise<{ files: number; bytes: number }> {
  const objects = await list();
  const partSize = args.partSize;
  if (!partSize)
    return {
      files: objects.length,
      bytes: await inLanes(objects, args.concurrency, async (o) => (await send("GET", o.key, "")).length),
    };
  const ranges = objects.flatMap((o) =>
    Array.from({ length: Math.ceil(o.size / partSize) }, (_, i) => ({
      key: o.key,
      range: `bytes=${i * partSize}-${Math.min(o.size, (i + 1) * partSize) - 1}`,
    })),
  );
  const bytes = await inLanes(
    ranges,
    args.concurrency,
    async (r) => (await send("GET", r.key, "", undefined, r.range)).length,
  );
  return { files: objects.length, bytes };
}

const started = performance.now();
const { files, bytes } = args.op === "put" ? await putAll() : await getAll();
const ms = performance.now() - started;
agent.destroy();
console.log(
  JSON.stringify({
    outcome: "SUCCEEDED",
    error: "",
    ms,
    filesTransferred: files,
    filesUnchanged: 0,
    bytesTransferred: bytes,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
