import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { listKeys, readObject, sha256Hex } from "./engine-harness";
import { inspectionClient } from "./s3-server";
import { ADMIN_PASSWORD, type AppServer } from "./app-server";
import { consoleSignIn, withCookie } from "./console-cookie";

/** `files` small files of random bytes under `<fsRoot>/<name>`, in a few directories; returns them by relative path. */
export function writeTree(
  fsRoot: string,
  name: string,
  files: number,
  size: (i: number) => number = (i) => 700 + i,
): Map<string, Buffer> {
  const contents = new Map<string, Buffer>();
  for (let i = 0; i < files; i++)
    contents.set(`d${i % 4}/f${String(i).padStart(3, "0")}.bin`, crypto.randomBytes(size(i)));
  for (const [file, body] of contents) {
    const target = path.join(fsRoot, name, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, body);
  }
  return contents;
}

/** The bucket holds exactly `contents` under `<name>/`, byte for byte (read back past any proxy). */
export async function expectBucketHolds(endpoint: string, bucket: string, name: string, contents: Map<string, Buffer>) {
  const client = inspectionClient(endpoint);
  expect((await listKeys(client, bucket, `${name}/`)).sort()).toEqual(
    [...contents.keys()].map((k) => `${name}/${k}`).sort(),
  );
  // Read back 16 at a time: a tree of 20,000 files is checked in seconds.
  const files = [...contents];
  for (let i = 0; i < files.length; i += 16)
    await Promise.all(
      files
        .slice(i, i + 16)
        .map(async ([file, body]) =>
          expect(sha256Hex((await readObject(client, bucket, `${name}/${file}`)).body), file).toBe(sha256Hex(body)),
        ),
    );
  client.destroy();
}

/**
 * A relationship's replication log as the console downloads it: from the log file on one host,
 * from the database where it is shared, whichever host's worker wrote it.
 */
export async function replicationLog(app: AppServer, id: string): Promise<string> {
  const session = await consoleSignIn(app, "admin", ADMIN_PASSWORD);
  const reply = await fetch(`${app.url}/copies/${id}/log`, withCookie(session));
  expect(reply.status).toBe(200);
  return reply.text();
}
