import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { secretKeyFile } from "@/lib/data-paths";

/**
 * The 256-bit key that encrypts stored S3 secrets: derived from SHIFT_SECRET_KEY when set,
 * otherwise read from (or created in) a 0600 key file in the data directory.
 */
export function loadSecretKey(): Buffer {
  const { secretKey } = getConfig();
  if (secretKey) return crypto.createHash("sha256").update(secretKey).digest();
  const file = secretKeyFile();
  try {
    return decodeKeyFile(fs.readFileSync(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = crypto.randomBytes(32);
  try {
    // "wx": two processes starting together must not each write a different key.
    fs.writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return decodeKeyFile(fs.readFileSync(file, "utf8"), file);
  }
}

function decodeKeyFile(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}

/** A key for one purpose (such as signing console sessions), derived so the master key never leaves. */
export function derivedKey(purpose: string): string {
  return crypto.createHmac("sha256", loadSecretKey()).update(purpose).digest("base64url");
}
