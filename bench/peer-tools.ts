// How each peer tool is installed and invoked for bench/peers.ts: Debian's packages, with the
// concurrency each is tuned to (rclone --transfers/--checkers; aws max_concurrent_requests;
// s3cmd has none), path-style addressing, plain HTTP, and no user configuration read.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const PEERS = ["rclone", "aws", "s3cmd"] as const;
export type Peer = (typeof PEERS)[number];

const BINARIES: Record<Peer, { binary: string; pkg: string }> = {
  rclone: { binary: "/usr/bin/rclone", pkg: "rclone" },
  aws: { binary: "/usr/bin/aws", pkg: "awscli" },
  s3cmd: { binary: "/usr/bin/s3cmd", pkg: "s3cmd" },
};

export function installPeers(peers: Peer[]): void {
  const missing = peers.filter((p) => !fs.existsSync(BINARIES[p].binary)).map((p) => BINARIES[p].pkg);
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(" ")}…`);
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

export function peerVersions(peers: Peer[]): string {
  return peers
    .map((p) => spawnSync(BINARIES[p].binary, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0]!.trim())
    .join("; ");
}

export interface Target {
  directory: string;
  endpoint: string;
  bucket: string;
  prefix: string;
  key: string;
  secret: string;
  concurrency: number;
  /** Where configuration files may be written. */
  work: string;
  /** "to" copies the directory to the bucket (the default), "from" the bucket's folder to the directory. */
  direction?: "to" | "from";
}

export function peerCommand(peer: Peer, t: Target): { command: string; args: string[]; env: Record<string, string> } {
  const url = new URL(t.endpoint);
  // The same command and tuning both ways; only the order of source and destination changes.
  const ends = (local: string, remote: string) => (t.direction === "from" ? [remote, local] : [local, remote]);
  switch (peer) {
    case "rclone":
      return {
        command: BINARIES.rclone.binary,
        args: [
          "copy",
          ...ends(t.directory, `store:${t.bucket}/${t.prefix}`),
          "--config",
          writeOnce(t.work, "rclone.conf", ""),
          "--transfers",
          String(t.concurrency),
          "--checkers",
          String(t.concurrency),
          "--s3-no-check-bucket",
        ],
        env: {
          // rclone 1.60 refuses to start when AWS_CA_BUNDLE is set.
          AWS_CA_BUNDLE: "",
          RCLONE_CONFIG_STORE_TYPE: "s3",
          RCLONE_CONFIG_STORE_PROVIDER: "Ceph",
          RCLONE_CONFIG_STORE_ENDPOINT: t.endpoint,
          RCLONE_CONFIG_STORE_ACCESS_KEY_ID: t.key,
          RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY: t.secret,
          RCLONE_CONFIG_STORE_FORCE_PATH_STYLE: "true",
        },
      };
    case "aws":
      return {
        command: BINARIES.aws.binary,
        args: [
          "s3",
          "sync",
          ...ends(t.directory, `s3://${t.bucket}/${t.prefix}`),
          "--endpoint-url",
          t.endpoint,
          "--only-show-errors",
          // Down, aws s3 sync otherwise skips an object changed at the same size (its default
          // ignores same-sized items unless the local copy is newer): it would not copy P4's changes.
          ...(t.direction === "from" ? ["--exact-timestamps"] : []),
        ],
        env: {
          AWS_ACCESS_KEY_ID: t.key,
          AWS_SECRET_ACCESS_KEY: t.secret,
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          AWS_CONFIG_FILE: writeOnce(
            t.work,
            "aws.conf",
            `[default]\ns3 =\n  max_concurrent_requests = ${t.concurrency}\n  addressing_style = path\n`,
          ),
        },
      };
    case "s3cmd":
      return {
        command: BINARIES.s3cmd.binary,
        args: [
          "-c",
          writeOnce(
            t.work,
            "s3cmd.conf",
            [
              "[default]",
              `access_key = ${t.key}`,
              `secret_key = ${t.secret}`,
              `host_base = ${url.host}`,
              `host_bucket = ${url.host}`,
              "use_https = False",
              "signature_v2 = False",
              "bucket_location = us-east-1",
              "",
            ].join("\n"),
          ),
          "sync",
          "--no-progress",
          "--quiet",
          ...ends(`${t.directory}/`, `s3://${t.bucket}/${t.prefix}`),
        ],
        env: {},
      };
  }
}

function writeOnce(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, content);
  return file;
}
