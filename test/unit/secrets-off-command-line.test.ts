import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { demoTryIt } from "@/lib/demo/try-it";

const ROOT = path.resolve(import.meta.dirname, "../..");
// A secret given as an option's value, or written into a JSON body on the command line.
const SECRET_ON_COMMAND_LINE = /--secret-access-key[ =]\S|--password[ =]\S|"password":\s*"(?!%s")/;

const help = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(ROOT, "bin/s3shift.js"), ...args, "--help"], { encoding: "utf8" });

describe("secrets stay off command lines, which ps shows to every user", () => {
  it("the README's examples pass no password or secret key as an argument", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(1);
    const offending = blocks.flatMap((block) => block.split("\n")).filter((line) => SECRET_ON_COMMAND_LINE.test(line));
    expect(offending).toEqual([]);
    expect(readme).toContain("S3SHIFT_SECRET_ACCESS_KEY");
  });

  it("the commands npm start suggests leave the secret key to the prompt or the environment", () => {
    const text = demoTryIt("http://127.0.0.1:4568", "admin");
    expect(text).not.toMatch(SECRET_ON_COMMAND_LINE);
    expect(text).toContain("--object-store-address http://127.0.0.1 --port 4568");
    expect(text).toContain(
      "(asks for the secret key, or reads S3SHIFT_SECRET_ACCESS_KEY: secrets stay off the command line, which ps shows to every user)",
    );
  });

  it("the client's help says why --password and --secret-access-key are better left out", () => {
    const why = "every user of this machine can read a command line (ps)";
    const login = help("login").replace(/\s+/g, " ");
    expect(login).toContain(
      `--password <password> password: better left out, since ${why} and shells keep it in their history; left out, it is read from --password-stdin, S3SHIFT_PASSWORD or prompted for`,
    );
    const create = help("replication_create_object_relationship").replace(/\s+/g, " ");
    expect(create).toContain(
      `--secret-access-key <secret> secret key: better left out, since ${why} and shells keep it in their history; left out, it is read from S3SHIFT_SECRET_ACCESS_KEY or prompted for`,
    );
    const modify = help("replication_modify_object_relationship").replace(/\s+/g, " ");
    expect(modify).toContain(
      `--secret-access-key [secret] change the secret: better left out, since ${why} and shells keep it in their history; given without a value, it is read from S3SHIFT_SECRET_ACCESS_KEY or prompted for`,
    );
    for (const text of [login, create, modify, help().replace(/\s+/g, " ")]) {
      expect(text).toContain(
        "Secrets: type them when asked, or in a script pipe the password to `login --password-stdin` (or set S3SHIFT_PASSWORD) and set S3SHIFT_SECRET_ACCESS_KEY for the S3 secret key.",
      );
    }
  });
});
