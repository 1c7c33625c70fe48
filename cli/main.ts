import fs from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { ApiError, callApi, exitCodeFor } from "./api-client";
import { jobSummary } from "./job-summary";
import { promptHidden, readStdinSecret, shellWord } from "./prompt";
import { defaultTokenFile, loadLogin, removeLogin, saveLogin } from "./token-store";
import { UsageError } from "./usage-error";
import { watchStatus } from "./watch";
import type { RelationshipStatus } from "@/lib/replication/views";

const BASE = "/v3/replication/object-relationships/";
const DEFAULT_HOST = process.env.S3SHIFT_HOST ?? "http://127.0.0.1:3000";

// Old scripts still pass secrets as options, so the options stay; the help steers away from them.
const BETTER_LEFT_OUT =
  "better left out, since every user of this machine can read a command line (ps) and shells keep it in their history";
const SECRETS_HELP = `
Secrets: type them when asked, or in a script pipe the password to \`login --password-stdin\`
(or set S3SHIFT_PASSWORD) and set S3SHIFT_SECRET_ACCESS_KEY for the S3 secret key.
--password and --secret-access-key still work for old scripts, but a command line is visible
to every user of this machine (ps, /proc/<pid>/cmdline) and is kept in shell history.`;
const ON_THE_COMMAND_LINE = "on the command line it would be visible to every user of this machine";

const program = new Command("s3shift")
  .description("Command-line client of S3 Shift: copy directory trees between this server and S3 buckets")
  .option("--host <url>", "the S3 Shift server", DEFAULT_HOST)
  .option("--token-file <file>", "where `login` keeps the bearer token", defaultTokenFile())
  .addHelpText("afterAll", SECRETS_HELP)
  .showHelpAfterError()
  // Usage errors (a bad option, a missing one) exit 2, like invalid input refused by the API.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

type Globals = { host: string; tokenFile: string };
const globals = () => program.opts<Globals>();

function token(): string {
  const { tokenFile, host } = globals();
  const stored = loadLogin(tokenFile);
  if (!stored)
    throw new ApiError(401, "unauthenticated", `not signed in: run "s3shift login" first (no token in ${tokenFile})`);
  if (stored.host !== host)
    throw new ApiError(
      401,
      "unauthenticated",
      `the stored token is for ${stored.host}; run "s3shift --host ${host} login"`,
    );
  return stored.bearer_token;
}

const api = (method: string, path: string, body?: unknown) =>
  callApi(globals().host, method, path, { token: token(), body });
const print = (value: unknown) => {
  if (value !== undefined) process.stdout.write(JSON.stringify(value, null, 2) + "\n");
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs: anything else (empty, "..", "a/b") would address another path of the API. */
const parseId = (value: string) => {
  if (!UUID.test(value))
    throw new InvalidArgumentError("a relationship id is a UUID, as printed by replication_list_object_relationships.");
  return value.toLowerCase();
};
const withId = (cmd: Command) =>
  cmd.addOption(new Option("--id <id>", "the relationship's id").argParser(parseId).makeOptionMandatory());
const relationshipPath = (id: string) => `${BASE}${encodeURIComponent(id)}`;

const WATCH_HELP = "show a live progress bar until the job ends; exit non-zero if it did not succeed";

/**
 * Draws the job's progress until it ends, prints the final status (stdout) and a summary for a
 * person (stderr), and fails the command unless the job succeeded.
 */
async function watchToEnd(id: string): Promise<void> {
  const final = await watchStatus(() => api("GET", `${relationshipPath(id)}/status`) as Promise<RelationshipStatus>);
  print(final);
  const last = final.last_job;
  if (!last) return;
  process.stderr.write(`${jobSummary(final.direction, last)}\n`);
  if (last.outcome !== "SUCCEEDED") {
    if (last.error) process.stderr.write(`the job's error: ${last.error}\n`);
    process.exitCode = 1;
  }
}

/** Where a relationship copies, in one phrase: "/projects/a/ → s3://bucket/folder/". */
function route(r: { direction: string; local_directory_path: string; bucket: string; object_folder: string }) {
  const bucket = `s3://${r.bucket}/${r.object_folder}`;
  return r.direction === "COPY_FROM_OBJECT"
    ? `${bucket} → ${r.local_directory_path}`
    : `${r.local_directory_path} → ${bucket}`;
}

program
  .command("login")
  .description("sign in and store a bearer token (readable by you alone)")
  .requiredOption("--username <name>", "user name")
  .option(
    "--password <password>",
    `password: ${BETTER_LEFT_OUT}; left out, it is read from --password-stdin, S3SHIFT_PASSWORD or prompted for`,
  )
  .option(
    "--password-stdin",
    `read the password from standard input, for scripts: printf '%s\\n' "$PASSWORD" | s3shift login --username NAME --password-stdin`,
  )
  .action(async (options: { username: string; password?: string; passwordStdin?: boolean }) => {
    const noTerminal =
      `the password is needed and no terminal is attached to ask for it. In a script, pipe it in: ` +
      `printf '%s\\n' "$PASSWORD" | s3shift login --username ${shellWord(options.username)} --password-stdin ` +
      `(or set S3SHIFT_PASSWORD); ${ON_THE_COMMAND_LINE}.`;
    const fromStdin =
      options.passwordStdin && !process.stdin.isTTY ? await readStdinSecret("password", "--password-stdin") : undefined;
    const password =
      options.password ?? fromStdin ?? process.env.S3SHIFT_PASSWORD ?? (await promptHidden("Password: ", noTerminal));
    const { host, tokenFile } = globals();
    const reply = (await callApi(host, "POST", "/v1/session/login", {
      body: { username: options.username, password },
    })) as { bearer_token: string };
    saveLogin(tokenFile, { host, bearer_token: reply.bearer_token });
    process.stderr.write(`signed in to ${host} as ${options.username}\n`);
  });

program
  .command("logout")
  .description("sign out: the server revokes the stored bearer token, and it is removed")
  .action(async () => {
    const { host, tokenFile } = globals();
    const stored = token();
    try {
      await callApi(host, "POST", "/v1/session/logout", { token: stored });
    } catch (error) {
      // A token the server no longer honours is as good as revoked; anything else keeps it for a retry.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    removeLogin(tokenFile);
    process.stderr.write(`signed out of ${host}\n`);
  });

program
  .command("replication_create_object_relationship")
  .description("create a relationship between a local directory and an S3 folder, and start its first job")
  .option("--local-directory-path <path>", "directory, absolute within the server's local namespace")
  .addOption(new Option("--source-directory-path <path>", "alias of --local-directory-path").hideHelp())
  .option("--local-directory-id <inode>", "directory by inode number")
  .addOption(
    new Option("--direction <direction>", "copy direction")
      .choices(["COPY_TO_OBJECT", "COPY_FROM_OBJECT"])
      .default("COPY_TO_OBJECT"),
  )
  .requiredOption("--bucket <name>", "bucket name")
  .option("--object-folder <folder>", 'folder in the bucket ("" or / for the root)', "")
  .option("--region <region>", "S3 region", "us-east-1")
  .option(
    "--object-store-address <host>",
    "object store host, optionally with http:// or https:// (default s3.<region>.amazonaws.com)",
  )
  .option("--port <port>", "object store port (default 443, or 80 for http://)", (v) => Number(v))
  .addOption(
    new Option("--bucket-style <style>", "addressing style").choices([
      "BUCKET_STYLE_VIRTUAL_HOSTED",
      "BUCKET_STYLE_PATH",
    ]),
  )
  .option("--ca-certificate <file>", "PEM file of a CA to trust for the object store")
  .option("--allow-plain-http", "allow http:// to a non-loopback address")
  .requiredOption("--access-key-id <id>", "access key id")
  .option(
    "--secret-access-key <secret>",
    `secret key: ${BETTER_LEFT_OUT}; left out, it is read from S3SHIFT_SECRET_ACCESS_KEY or prompted for`,
  )
  .option("--watch", WATCH_HELP)
  .action(async (o: Record<string, string | number | boolean | undefined>) => {
    const secret =
      (o.secretAccessKey as string | undefined) ??
      process.env.S3SHIFT_SECRET_ACCESS_KEY ??
      (await promptHidden(
        "Secret access key: ",
        "the secret access key is needed and no terminal is attached to ask for it. In a script, set " +
          `S3SHIFT_SECRET_ACCESS_KEY in the environment (for instance from a file only you can read); ${ON_THE_COMMAND_LINE}.`,
      ));
    const body = {
      direction: o.direction,
      local_directory_path: o.localDirectoryPath ?? o.sourceDirectoryPath,
      local_directory_id: o.localDirectoryId,
      bucket: o.bucket,
      object_folder: o.objectFolder,
      region: o.region,
      object_store_address: o.objectStoreAddress,
      port: o.port,
      bucket_style: o.bucketStyle,
      ca_certificate: o.caCertificate ? fs.readFileSync(o.caCertificate as string, "utf8") : undefined,
      allow_plain_http: o.allowPlainHttp ? true : undefined,
      access_key_id: o.accessKeyId,
      secret_access_key: secret,
    };
    const created = (await api("POST", BASE, body)) as Parameters<typeof route>[0] & { id: string };
    // stdout stays the API's JSON for scripts; the id a person needs next goes to stderr.
    process.stderr.write(`created relationship ${created.id} (${route(created)}); its first job has started\n`);
    if (!o.watch) {
      print(created);
      process.stderr.write(
        `follow it with: s3shift replication_get_object_relationship_status --id ${created.id} --watch\n`,
      );
      return;
    }
    await watchToEnd(created.id);
  });

program
  .command("replication_list_object_relationships")
  .description("list relationships")
  .action(async () => print(await api("GET", BASE)));

withId(program.command("replication_get_object_relationship").description("show one relationship")).action(
  async (o: { id: string }) => print(await api("GET", relationshipPath(o.id))),
);

withId(
  program
    .command("replication_modify_object_relationship")
    .description(
      "change a relationship's access key and secret (checked against the store first); its tracking state is kept",
    ),
)
  .option("--access-key-id <id>", "the new access key id (its secret is then asked for too)")
  .option(
    "--secret-access-key [secret]",
    `change the secret: ${BETTER_LEFT_OUT}; given without a value, it is read from S3SHIFT_SECRET_ACCESS_KEY or prompted for`,
  )
  .action(async (o: { id: string; accessKeyId?: string; secretAccessKey?: string | boolean }) => {
    if (o.accessKeyId === undefined && o.secretAccessKey === undefined) {
      throw new UsageError(
        "give --access-key-id (with its secret) or --secret-access-key: nothing else can change yet.",
      );
    }
    const secret =
      typeof o.secretAccessKey === "string"
        ? o.secretAccessKey
        : (process.env.S3SHIFT_SECRET_ACCESS_KEY ??
          (await promptHidden(
            "New secret access key: ",
            "the new secret access key is needed and no terminal is attached to ask for it. In a script, set " +
              `S3SHIFT_SECRET_ACCESS_KEY in the environment (for instance from a file only you can read); ${ON_THE_COMMAND_LINE}.`,
          )));
    const changed = await api("PATCH", relationshipPath(o.id), {
      ...(o.accessKeyId !== undefined ? { access_key_id: o.accessKeyId } : {}),
      secret_access_key: secret,
    });
    process.stderr.write(`changed the credentials of relationship ${o.id}; the next job uses them\n`);
    print(changed);
  });

withId(
  program.command("replication_delete_object_relationship").description("delete a relationship (never its objects)"),
).action(async (o: { id: string }) => print(await api("DELETE", relationshipPath(o.id))));

withId(program.command("replication_start_object_relationship").description("start a new job"))
  .option("--watch", WATCH_HELP)
  .action(async (o: { id: string; watch?: boolean }) => {
    const started = await api("POST", `${relationshipPath(o.id)}/replicate`);
    if (!o.watch) return print(started);
    await watchToEnd(o.id);
  });

withId(program.command("replication_abort_object_replication").description("stop the running job")).action(
  async (o: { id: string }) => print(await api("POST", `${relationshipPath(o.id)}/abort-replication`)),
);

withId(program.command("replication_get_object_relationship_status").description("state, current job and last job"))
  .option("--watch", WATCH_HELP)
  .action(async (o: { id: string; watch?: boolean }) => {
    if (!o.watch) return print(await api("GET", `${relationshipPath(o.id)}/status`));
    await watchToEnd(o.id);
  });

program
  .command("replication_list_object_relationship_statuses")
  .description("status of every relationship")
  .action(async () => print(await api("GET", `${BASE}status/`)));

program
  .command("replication_list_workers")
  .description("workers seen in the last day: host, state, heartbeat and the jobs each runs")
  .action(async () => print(await api("GET", "/v3/replication/workers")));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ApiError) {
    process.stderr.write(`s3shift: ${error.description()}\n`);
    process.exitCode = exitCodeFor(error);
  } else if (error instanceof UsageError) {
    process.stderr.write(`s3shift: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`s3shift: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
