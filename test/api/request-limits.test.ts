import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app-server";

const KIB = 1024;
const MIB = 1024 * KIB;
const TOO_LARGE = {
  error_class: "payload_too_large",
  description: "The request body is larger than 64 KiB; nothing was read past that.",
};

let app: AppServer;
let token: string;

beforeAll(async () => {
  app = await startApp({ worker: false });
  token = await app.login();
});

afterAll(async () => {
  await app?.stop();
});

/** Resident and peak memory of the web server, in bytes, from /proc. */
function memory(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)![1]) * KIB;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/**
 * Streams `size` bytes of JSON-looking text (generated as it goes, never held) to the server,
 * with or without a Content-Length, and returns the answer. Sending stops when the server answers
 * or closes the connection.
 */
function sendLarge(
  urlPath: string,
  size: number,
  { declareLength, headers = {} }: { declareLength: boolean; headers?: Record<string, string> },
) {
  return new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
    const url = new URL(app.url + urlPath);
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(declareLength ? { "content-length": String(size) } : {}),
        ...headers,
      },
    });
    const prefix = '{"username":"admin","password":"';
    let sent = prefix.length;
    let answered = false;
    const chunk = Buffer.alloc(256 * KIB, "a");
    const pump = () => {
      while (!answered && sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!request.write(piece)) return void request.once("drain", pump);
      }
      if (!answered) request.end();
    };
    request.on("response", (response) => {
      answered = true;
      let body = "";
      response.on("data", (data: Buffer) => (body += data.toString()));
      response.on("end", () => {
        request.destroy();
        resolve({ status: response.statusCode!, body, sent });
      });
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    request.write(prefix);
    pump();
  });
}

describe("request bodies are read up to 64 KiB", () => {
  it("a 200 MiB sign-in (no credentials needed) gets 413 with the error shape, and the web server's memory stays flat", async () => {
    const pid = app.webPid();
    const before = memory(pid);
    for (const declareLength of [true, false]) {
      const reply = await sendLarge("/v1/session/login", 200 * MIB, { declareLength });
      expect(reply.status, `Content-Length declared: ${declareLength}`).toBe(413);
      expect(JSON.parse(reply.body)).toEqual(TOO_LARGE);
    }
    const after = memory(pid);
    // 200 MiB read whole would add at least that much; the bounded read adds almost nothing.
    expect(after.peak - before.peak).toBeLessThan(48 * MIB);
    expect(after.rss - before.rss).toBeLessThan(48 * MIB);
    // The server is still answering.
    expect(
      (await app.call("POST", "/v1/session/login", { body: { username: "admin", password: "wrong-password" } })).status,
    ).toBe(401);
  });

  it.each([
    ["the API's create route (signed in)", "/v3/replication/object-relationships/", true],
    ["next-auth's sign-in callback", "/api/auth/callback/credentials", false],
    ["next-auth's sign-out", "/api/auth/signout", false],
  ])("%s refuses a large body, declared or streamed, with 413", async (_name, urlPath, signedIn) => {
    for (const declareLength of [true, false]) {
      const reply = await sendLarge(urlPath, 8 * MIB, {
        declareLength,
        headers: signedIn ? { authorization: `Bearer ${token}` } : {},
      });
      expect(reply.status, `Content-Length declared: ${declareLength}`).toBe(413);
      expect(JSON.parse(reply.body)).toEqual(TOO_LARGE);
    }
  });

  it("a page (where server actions post) refuses a declared large body with 413", async () => {
    const reply = await sendLarge("/copies/new", 8 * MIB, { declareLength: true });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toEqual(TOO_LARGE);
  });

  it("a body of exactly 64 KiB is still read; one byte more is refused", async () => {
    const body = (size: number) => {
      const start = '{"username":"admin","password":"';
      return start + "p".repeat(size - start.length - 2) + '"}';
    };
    const atLimit = await app.call("POST", "/v1/session/login", { body: body(64 * KIB) });
    expect(atLimit.status).toBe(400); // read and validated: the password is over 1,024 characters
    expect(atLimit.json.error_class).toBe("validation_error");
    const over = await app.call("POST", "/v1/session/login", { body: body(64 * KIB + 1) });
    expect(over.status).toBe(413);
    expect(over.json).toEqual(TOO_LARGE);
  });
});
