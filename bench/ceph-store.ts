// The one-node Ceph RADOS Gateway the benchmarks copy to (scripts/ceph.sh), on 127.0.0.1.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";

const ROOT = path.resolve(import.meta.dirname, "..");

export class CephStore {
  readonly env: NodeJS.ProcessEnv;
  endpoint = "";
  s3!: S3Client;

  constructor(
    dir: string,
    readonly key: string,
    readonly secret: string,
  ) {
    this.env = {
      ...process.env,
      CEPH_DIR: dir,
      CEPH_BACKEND: process.env.CEPH_BACKEND ?? "memstore",
      CEPH_SIZE_GB: process.env.CEPH_SIZE_GB ?? "20",
      S3_ACCESS_KEY: key,
      S3_SECRET_KEY: secret,
    };
  }

  get dir(): string {
    return this.env.CEPH_DIR!;
  }

  get backend(): string {
    return this.env.CEPH_BACKEND!;
  }

  start(): void {
    const settings = Object.fromEntries(
      execFileSync("bash", [path.join(ROOT, "scripts/ceph.sh"), "up"], { env: this.env, encoding: "utf8" })
        .trim()
        .split("\n")
        .map((line) => line.split("=") as [string, string]),
    );
    this.endpoint = settings.S3_ENDPOINT!;
    this.s3 = new S3Client({
      endpoint: this.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: this.key, secretAccessKey: this.secret },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  stop(): void {
    this.s3?.destroy();
    execFileSync("bash", [path.join(ROOT, "scripts/ceph.sh"), "down"], { env: this.env });
  }
}
