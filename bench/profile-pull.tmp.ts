import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startS3Server } from "../test/support/s3-server";
const server = await startS3Server(["bench"]);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "prof-"));
const small = path.join(work, "small");
for (let i = 0; i < 3000; i++) { const d = path.join(small, `d${i % 30}`); fs.mkdirSync(d, { recursive: true }); fs.writeFileSync(path.join(d, `f${i}`), crypto.randomBytes(4096)); }
const run = (dir: string, direction: string, extra: string[] = []) => {
  const t = Date.now();
  spawnSync(process.execPath, [...extra, "--import", "tsx", "bench/" + (direction === "ref" ? "reference-get.ts" : "job.ts"), JSON.stringify({ endpoint: server.endpoint, bucket: "bench", folder: "p/", directory: dir, trackingFile: path.join(work, `${Math.random()}.db`), concurrency: 32, direction })], { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
  return Date.now() - t;
};
run(small, "to");
for (let i = 0; i < 2; i++) {
  const a = fs.mkdtempSync(path.join(work, "r")); console.log("ref", run(a, "ref"));
  const b = fs.mkdtempSync(path.join(work, "j")); console.log("job", run(b, "from", i === 1 ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []));
}
await server.stop();
fs.rmSync(work, { recursive: true, force: true });
