import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app-server";
import { startDemoS3Server, type DemoS3 } from "../support/demo-s3";
import { selfSignedCertificate } from "../support/certificates";
import { S3RVER_KEY, S3RVER_SECRET } from "../support/s3-server";

// What the bucket probe says when a relationship cannot be made, and which field it marks: the
// form shows the message beside that field, the CLI prints it. The store is the demo endpoint,
// which checks every signature (s3rver accepts any secret); it speaks plain HTTP.
const BASE = "/v3/replication/object-relationships";
const BUCKET = "probe-bucket";
let app: AppServer;
let s3: DemoS3;
let token: string;
let notHttp: net.Server;
const notHttpSockets = new Set<net.Socket>();
let notHttpPort: number;
// A store that speaks HTTPS only: it completes the handshake and hangs up on anything else.
let tlsOnly: tls.Server;
let tlsOnlyPort: number;
let seq = 0;

beforeAll(async () => {
  [app, s3] = await Promise.all([startApp({ worker: false }), startDemoS3Server([BUCKET])]);
  token = await app.login();
  fs.mkdirSync(path.join(app.fsRoot, "data"), { recursive: true });
  // A service that speaks neither TLS nor HTTP (an SSH server's greeting).
  notHttp = net.createServer((socket) => {
    notHttpSockets.add(socket.on("close", () => notHttpSockets.delete(socket)));
    socket.end("SSH-2.0-OpenSSH_9.2p1\r\n");
  });
  await new Promise<void>((resolve) => notHttp.listen(0, "127.0.0.1", resolve));
  notHttpPort = (notHttp.address() as net.AddressInfo).port;
  tlsOnly = tls.createServer(selfSignedCertificate(), (socket) => {
    notHttpSockets.add(socket.on("close", () => notHttpSockets.delete(socket)));
    socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
  });
  tlsOnly.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => tlsOnly.listen(0, "127.0.0.1", resolve));
  tlsOnlyPort = (tlsOnly.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const socket of notHttpSockets) socket.destroy();
  await new Promise((resolve) => notHttp?.close(resolve));
  await new Promise((resolve) => tlsOnly?.close(resolve));
  await Promise.all([app?.stop(), s3?.stop()]);
});

async function expectRefused(overrides: Record<string, unknown>, field: string, description: string | RegExp) {
  const reply = await app.call("POST", `${BASE}/`, {
    token,
    body: {
      local_directory_path: "/data",
      object_store_address: "http://127.0.0.1",
      port: s3.port,
      bucket: BUCKET,
      bucket_style: "BUCKET_STYLE_PATH",
      object_folder: `f${++seq}`,
      access_key_id: S3RVER_KEY,
      secret_access_key: S3RVER_SECRET,
      ...overrides,
    },
  });
  expect(reply.status).toBe(400);
  expect(reply.json.error_class).toBe("validation_error");
  expect(reply.json.field, reply.json.description).toBe(field);
  if (typeof description === "string") expect(reply.json.description).toBe(description);
  else expect(reply.json.description).toMatch(description);
  expect((await app.call("GET", `${BASE}/`, { token })).json).toHaveLength(0);
}

describe("the bucket probe's errors name the field to fix and say how", () => {
  it("recognises a plain-HTTP store given as https://, and says to write http://", () =>
    expectRefused(
      { object_store_address: "https://127.0.0.1" },
      "object_store_address",
      `object_store_address: 127.0.0.1:${s3.port} answers in plain HTTP; write http://127.0.0.1 in Object store address (and allow plain HTTP if it is not on this host).`,
    ));

  it("the same without a scheme (https is the default), with a CA certificate given", () =>
    expectRefused(
      { object_store_address: "127.0.0.1", ca_certificate: null },
      "object_store_address",
      `object_store_address: 127.0.0.1:${s3.port} answers in plain HTTP; write http://127.0.0.1 in Object store address (and allow plain HTTP if it is not on this host).`,
    ));

  it("does not call a service that speaks neither TLS nor HTTP a plain-HTTP store", () =>
    expectRefused(
      { object_store_address: "https://127.0.0.1", port: notHttpPort },
      "object_store_address",
      new RegExp(
        `^object_store_address: the TLS handshake with 127\\.0\\.0\\.1:${notHttpPort} failed \\([a-z ]+\\); check that the store speaks HTTPS on that port\\.$`,
      ),
    ));

  it("recognises an HTTPS store given as http://, and says to write https://", () =>
    expectRefused(
      { object_store_address: "http://127.0.0.1", port: tlsOnlyPort },
      "object_store_address",
      `object_store_address: 127.0.0.1:${tlsOnlyPort} answers in HTTPS, not plain HTTP; write https://127.0.0.1 in Object store address.`,
    ));

  it("does not call a service that speaks neither HTTP nor TLS an HTTPS store", () =>
    expectRefused(
      { object_store_address: "http://127.0.0.1", port: notHttpPort },
      "object_store_address",
      `object_store_address: 127.0.0.1:${notHttpPort} does not answer in HTTP; check the address and port (is it the object store's?).`,
    ));

  it("marks a wrong secret on the secret, not on the access key", () =>
    expectRefused(
      { secret_access_key: "not-the-secret" },
      "secret_access_key",
      "secret_access_key: Secret Access Key is wrong for this access key (SignatureDoesNotMatch).",
    ));

  it("marks an access key the store does not know on the access key", () =>
    expectRefused(
      { access_key_id: "NOSUCHKEY" },
      "access_key_id",
      "access_key_id: the store does not know this Access Key ID (InvalidAccessKeyId).",
    ));
});
