import readline from "node:readline";
import { UsageError } from "./usage-error";

/**
 * Asks for a value on the terminal without echoing it. Without a terminal there is no one to ask:
 * `noTerminal` says how to give the value in a script instead.
 */
export async function promptHidden(
  question: string,
  noTerminal = `${question.replace(/:\s*$/, "")} is needed and no terminal is attached to prompt for it`,
): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError(noTerminal);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  let prompted = false;
  output._writeToOutput = (text: string) => {
    if (!prompted) {
      process.stderr.write(text);
      prompted = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    process.stderr.write("\n");
  }
}

/**
 * A secret piped to the command (`printf '%s\n' "$PASSWORD" | s3shift … --password-stdin`): a
 * pipe is seen by no other user, unlike an argument. The one line ending a shell adds is dropped.
 */
export async function readStdinSecret(what: string, option: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const secret = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (secret === "") throw new UsageError(`${option} was given but standard input held no ${what}.`);
  return secret;
}

/** A value as a POSIX shell reads it back, for commands the messages suggest. */
export function shellWord(value: string): string {
  return /^[\w.@%+=:,/-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
