import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createObjectStore } from "@/lib/s3/client";
import type { StreamedBody } from "@/lib/s3/object-store";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A store that refuses every request as soon as its headers arrive, before the body. */
async function refusingStore(): Promise<number> {
  const server = http.createServer((req, res) => {
    res.writeHead(403, { "content-type": "application/xml" });
    res.end("<Error><Code>AccessDenied</Code><Message>refused before the body</Message></Error>");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("a streamed body", () => {
  it("answered before it is all sent, is not sent further, and the request settles only once its pump let go", async () => {
    const port = await refusingStore();
    const store = createObjectStore(
      {
        objectStoreAddress: "http://127.0.0.1",
        port,
        allowPlainHttp: true,
        region: "us-east-1",
        bucketStyle: "BUCKET_STYLE_PATH",
        caCertificate: null,
        accessKeyId: "k",
        secretAccessKey: "s",
      },
      { maxAttempts: 1 },
    );
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let yielded = 0;
    let released = false;
    const body: StreamedBody = {
      length: 64 * chunk.length,
      chunks: async function* () {
        try {
          for (let i = 0; i < 64; i++) {
            yielded++;
            yield chunk;
          }
        } finally {
          released = true;
        }
      },
    };

    const error = await store.lean
      .request({ method: "PUT", bucket: "bucket", key: "big.bin", body, sha256Hex: "0".repeat(64) })
      .catch((e: unknown) => e);

    expect((error as Error).name).toBe("AccessDenied");
    expect((error as Error).message).toBe("refused before the body");
    expect(released).toBe(true);
    expect(yielded).toBeLessThan(64);
    store.destroy();
  });
});
