import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface StoredLogin {
  host: string;
  bearer_token: string;
}

export function defaultTokenFile(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "s3shift", "token.json");
}

/** Written readable by the user alone (0600, in a 0700 directory). */
export function saveLogin(file: string, login: StoredLogin): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(login) + "\n", { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
}

export function loadLogin(file: string): StoredLogin | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as StoredLogin;
  } catch {
    return undefined;
  }
}

export function removeLogin(file: string): void {
  fs.rmSync(file, { force: true });
}
