// `npm start`: prepares the database, then runs the web server, the worker and (unless
// SHIFT_DEMO_S3=0) a local demo S3 endpoint together; Ctrl-C stops them all.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { ensureBuiltIns, ADMIN_USERNAME } from "@/lib/auth/ensure-built-ins";
import { describeDatabase } from "@/lib/db/database-url";
import { prepareDatabase } from "@/lib/db/prepare-database";
import { terminateAll } from "@/lib/process/child-processes";
import { restartDelay } from "@/lib/process/restart-delay";
import { derivedKey } from "@/lib/secrets/secret-key";
import { DEMO_ACCESS_KEY, DEMO_BUCKET, startDemoS3, writeDemoSecretFile } from "@/lib/demo/demo-s3";
import { demoTryIt } from "@/lib/demo/try-it";

const ROOT = path.resolve(import.meta.dirname, "..");
const config = getConfig();
const children: ChildProcess[] = [];

function launch(
  name: string,
  args: string[],
  env: Record<string, string> = {},
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void,
): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  child.on("exit", (code, signal) => {
    children.splice(children.indexOf(child), 1);
    if (stopping) return;
    if (onExit) return onExit(code, signal);
    console.error(`${name} exited (${signal ?? code}); stopping the rest`);
    void stopAll(1);
  });
  children.push(child);
  return child;
}

/** The worker is restarted whenever it dies, so queued jobs keep running while the web server keeps serving. */
function superviseWorker(env: Record<string, string>, previousDelayMs?: number): void {
  const startedAt = Date.now();
  const child = launch("worker", ["--import", "tsx", path.join(ROOT, "scripts/worker.ts")], env, (code, signal) => {
    const delayMs = restartDelay(previousDelayMs, Date.now() - startedAt);
    console.error(
      `worker (pid ${child.pid}) exited (${signal ?? `code ${code}`}); restarting it in ${delayMs / 1000} s`,
    );
    setTimeout(() => {
      if (!stopping) superviseWorker(env, delayMs);
    }, delayMs);
  });
  console.log(`worker started (pid ${child.pid})`);
}

let stopping = false;
async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await terminateAll(children);
  process.exit(exitCode);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
try {
  console.log(`database: ${describeDatabase()}`);
  await prepareDatabase();
} catch (error) {
  console.error(`the database cannot be used: ${(error as Error).message}`);
  process.exit(1);
}
const { generatedPassword } = await ensureBuiltIns(config.adminPassword);

if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
  console.log("building the web console (first start only)…");
  const build = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  // Listed with the children, so that Ctrl-C during the build stops it too.
  children.push(build);
  const code = await new Promise<number | null>((resolve) => build.on("exit", resolve));
  children.splice(children.indexOf(build), 1);
  if (code !== 0) process.exit(code ?? 1);
}

let demo: string | undefined;
let demoSecretFile = "";
if (process.env.SHIFT_DEMO_S3 !== "0") {
  const started = await startDemoS3(Number(process.env.SHIFT_DEMO_S3_PORT ?? 4568));
  children.push(started.child);
  demo = started.endpoint;
  demoSecretFile = writeDemoSecretFile();
}

const url = `http://${config.host}:${config.port}`;
const env = {
  SHIFT_DATA_DIR: config.dataDir,
  SHIFT_FS_ROOT: config.fsRoot,
  SHIFT_DATABASE_PREPARED: "1",
  // Console sessions are signed with a key derived from the data directory's secret key.
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? url,
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? derivedKey("console-session"),
  // The demo store listens on loopback, which object stores may reach only when allowed.
  ...(demo
    ? { SHIFT_ALLOWED_ENDPOINTS: [process.env.SHIFT_ALLOWED_ENDPOINTS, new URL(demo).host].filter(Boolean).join(",") }
    : {}),
};
launch(
  "web server",
  [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-H", config.host, "-p", String(config.port)],
  env,
);
superviseWorker(env);

console.log(`
S3 Shift is starting
  console and API   ${url}   (OpenAPI: ${url}/openapi.json)
  data directory    ${config.dataDir}
  local namespace   ${config.fsRoot}   (SHIFT_FS_ROOT; API paths are relative to it)`);
if (generatedPassword) {
  console.log(
    `  administrator     user "${ADMIN_USERNAME}", one-time password: ${generatedPassword}   (shown once; set SHIFT_ADMIN_PASSWORD to choose it)`,
  );
}
if (demo) {
  console.log(
    `  demo S3 endpoint  ${demo}   bucket "${DEMO_BUCKET}", access key ${DEMO_ACCESS_KEY}, secret in ${demoSecretFile}   (SHIFT_DEMO_S3=0 turns it off)`,
  );
  console.log(demoTryIt(demo, ADMIN_USERNAME, demoSecretFile));
}
console.log("Ctrl-C stops everything.\n");
