import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { restrictedRange, throttleAddress } from "@/lib/net/address-ranges";
import { allowedEndpoints } from "@/lib/net/allowed-endpoints";
import { classifyS3Error } from "@/lib/s3/classify-error";
import { createObjectStore } from "@/lib/s3/client";
import type { S3Store } from "@/lib/s3/s3-store";
import { probeBucket } from "@/lib/s3/probe-bucket";

describe("which addresses are restricted", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.9.8.7", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["::ffff:169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.254", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd12:3456::1", "private"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "reserved"],
    // IPv6 addresses a gateway turns into the IPv4 address they carry: NAT64 and 6to4.
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b::169.254.169.254", "link-local"],
    ["2002:a00:1::1", "private"],
  ])("%s is %s", (address, range) => expect(restrictedRange(address)).toBe(range));

  it.each([
    "8.8.8.8",
    "172.32.0.1",
    "100.128.0.1",
    "52.216.0.1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("%s is an ordinary address", (address) => expect(restrictedRange(address)).toBeUndefined());
});

describe("the address sign-ins are counted by", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:10.1.2.3", "10.1.2.3"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", "2001:db8:1:2::/64"],
  ])("%s counts as %s", (address, key) => expect(throttleAddress(address)).toBe(key));
});

describe("SHIFT_ALLOWED_ENDPOINTS", () => {
  const allows = (spec: string, host: string, port: number, address: string) =>
    allowedEndpoints(spec).allows({ host, port, address });

  it("allows a host name as the relationship gives it, on any port or on the one given", () => {
    expect(allows("minio.internal", "MINIO.internal.", 9000, "10.0.0.5")).toBe(true);
    expect(allows("minio.internal:9000", "minio.internal", 9000, "10.0.0.5")).toBe(true);
    expect(allows("minio.internal:9000", "minio.internal", 9001, "10.0.0.5")).toBe(false);
    expect(allows("minio.internal", "other.internal", 9000, "10.0.0.5")).toBe(false);
  });

  it("allows addresses by IP, IP:port and CIDR, whatever name led to them", () => {
    expect(allows("10.0.0.0/8", "store.example", 443, "10.9.9.9")).toBe(true);
    expect(allows("10.0.0.0/8", "store.example", 443, "192.168.0.1")).toBe(false);
    expect(allows("127.0.0.1:4568", "localhost", 4568, "127.0.0.1")).toBe(true);
    expect(allows("127.0.0.1:4568", "localhost", 4569, "127.0.0.1")).toBe(false);
    expect(allows("[::1]:4568, fd00::/8", "x", 4568, "::1")).toBe(true);
    expect(allows("[::1]:4568, fd00::/8", "x", 1, "fd00::7")).toBe(true);
    expect(allows("", "x", 1, "127.0.0.1")).toBe(false);
  });

  it("names an entry it cannot read", () => {
    expect(() => allowedEndpoints("10.0.0.0/33")).toThrow(
      'SHIFT_ALLOWED_ENDPOINTS: "10.0.0.0/33" is not a host, host:port or CIDR',
    );
    expect(() => allowedEndpoints("ok.example, http://bad/")).toThrow(
      'SHIFT_ALLOWED_ENDPOINTS: "http://bad/" is not a host, host:port or CIDR',
    );
    expect(() => allowedEndpoints("store:99999")).toThrow(
      'SHIFT_ALLOWED_ENDPOINTS: "store:99999" is not a host, host:port or CIDR',
    );
  });
});

describe("connections to the object store", () => {
  const SECRET = "internal admin token 0xC0FFEE";
  let server: http.Server;
  let port: number;
  let connections: number;
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const clients: S3Store[] = [];

  const client = (address = "http://127.0.0.1", maxAttempts = 1) => {
    const made = createObjectStore(
      {
        objectStoreAddress: address,
        port,
        allowPlainHttp: true,
        region: "us-east-1",
        bucketStyle: "BUCKET_STYLE_PATH",
        caCertificate: null,
        accessKeyId: "k",
        secretAccessKey: "s",
      },
      { maxAttempts },
    );
    clients.push(made);
    return made;
  };
  const probe = (c: S3Store) => probeBucket({ client: c.sdk, bucket: "bkt", objectFolder: "", checkObjectLock: false });
  const leanList = (c: S3Store) => c.lean.request({ method: "GET", bucket: "bkt", query: { "list-type": "2" } });
  const LISTING =
    '<?xml version="1.0"?><ListBucketResult><Name>bkt</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>';

  beforeEach(async () => {
    connections = 0;
    answer = (_req, res) => res.writeHead(200, { "content-type": "application/xml", connection: "close" }).end(LISTING);
    server = http.createServer((req, res) => answer(req, res));
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    for (const c of clients.splice(0)) c.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("refuses a loopback address unless allowed, on both request paths, before connecting", async () => {
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "");
    const refusal = "127.0.0.1 is a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it";
    await expect(probe(client())).rejects.toThrow(`object_store_address: ${refusal}.`);
    await expect(leanList(client())).rejects.toThrow(refusal);
    await expect(probe(client("https://127.0.0.1"))).rejects.toThrow(`object_store_address: ${refusal}.`);
    await expect(leanList(client("https://127.0.0.1"))).rejects.toThrow(refusal);
    await expect(probe(client("http://localhost"))).rejects.toThrow(
      'object_store_address: "localhost" resolves to a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.',
    );
    expect(connections).toBe(0);
  });

  it("refuses link-local and private addresses without trying them", async () => {
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "127.0.0.0/8");
    await expect(probe(client("http://169.254.169.254"))).rejects.toThrow(
      "object_store_address: 169.254.169.254 is a link-local address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
    );
    await expect(probe(client("http://10.20.30.40"))).rejects.toThrow(
      "object_store_address: 10.20.30.40 is a private address",
    );
    await expect(probe(client("http://[::1]"))).rejects.toThrow("object_store_address: ::1 is a loopback address");
  });

  it("follows a narrower list: another port of the same address stays refused", async () => {
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", `127.0.0.1:${port + 1}`);
    await expect(probe(client())).rejects.toThrow("object_store_address: 127.0.0.1 is a loopback address");
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", `127.0.0.1:${port}`);
    await expect(probe(client())).resolves.toBeUndefined();
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "localhost");
    await expect(probe(client("http://localhost"))).resolves.toBeUndefined();
    expect(connections).toBeGreaterThan(0);
  });

  it("checks the address of every new connection, so a name that rebinds after the first is refused", async () => {
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "127.0.0.1/32");
    let target = "127.0.0.1";
    const lookup = dns.lookup;
    vi.spyOn(dns, "lookup").mockImplementation(((
      hostname: string,
      options: dns.LookupOptions,
      callback: (...args: unknown[]) => void,
    ) =>
      hostname === "store.rebind.test"
        ? callback(null, options.all ? [{ address: target, family: 4 }] : target, 4)
        : (lookup as (...args: unknown[]) => void)(hostname, options, callback)) as typeof dns.lookup);
    const store = client("http://store.rebind.test");
    await expect(leanList(store)).resolves.toMatchObject({ status: 200 });
    await expect(probe(store)).resolves.toBeUndefined();
    // The server closes every connection, so each request resolves the name again.
    target = "127.0.0.2";
    await expect(leanList(store)).rejects.toThrow(
      '"store.rebind.test" resolves to a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it',
    );
    await expect(probe(store)).rejects.toThrow(
      'object_store_address: "store.rebind.test" resolves to a loopback address',
    );
    const classified = classifyS3Error(await leanList(store).catch((error: unknown) => error));
    expect(classified).toEqual({
      disposition: "fatal",
      kind: "endpoint-refused",
      message: `the object store's address is not allowed: "store.rebind.test" resolves to a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it`,
    });
  });

  it("reports an answer that is not an S3 error document by its status alone, never its body", async () => {
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "127.0.0.1");
    for (const [status, contentType, body] of [
      [404, "text/plain", `no such page; ${SECRET}`],
      [403, "application/xml", `<Error><Message>${SECRET}</Message></Error>`],
      [400, "application/json", JSON.stringify({ message: SECRET })],
    ] as const) {
      // A HEAD (HeadBucket) gets the same status without a body, as from any web server.
      answer = (_req, res) => res.writeHead(status, { "content-type": contentType }).end(body);
      const message = `the endpoint did not answer as an S3 server (HTTP ${status})`;
      const probed = await probe(client()).catch((error: Error) => error);
      expect((probed as Error).message).toBe(`object_store_address: ${message}.`);
      const leaned = await leanList(client()).catch((error: Error) => error);
      expect((leaned as Error).message).toBe(message);
      expect(classifyS3Error(leaned)).toEqual({ disposition: "fatal", kind: "not-s3", message });
      expect(JSON.stringify([probed, leaned, (probed as Error).message])).not.toContain("C0FFEE");
    }
  });

  it("refuses a 200 answer that is not an S3 listing", async () => {
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "127.0.0.1");
    answer = (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(`<html>${SECRET}</html>`);
    await expect(probe(client())).rejects.toThrow(
      "object_store_address: the endpoint did not answer as an S3 server (HTTP 200).",
    );
  });

  it("still reads S3 error documents, and retries a proxy's 5xx page as an outage", async () => {
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "127.0.0.1");
    answer = (req, res) =>
      req.method === "HEAD"
        ? res.writeHead(403).end()
        : res
            .writeHead(404, { "content-type": "application/xml" })
            .end('<?xml version="1.0"?>\n<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>');
    await expect(probe(client())).rejects.toThrow('bucket: bucket "bkt" does not exist at this object store.');

    let requests = 0;
    answer = (_req, res) => {
      requests++;
      res.writeHead(502, { "content-type": "text/html" }).end(`<html>bad gateway ${SECRET}</html>`);
    };
    const failed = await leanList(client("http://127.0.0.1", 2)).catch((error: unknown) => error);
    expect(requests).toBe(2);
    expect(classifyS3Error(failed)).toEqual({
      disposition: "fatal",
      kind: "unreachable",
      message: "the store kept failing after retries (HTTP 502, not an S3 answer)",
    });
  });
});
