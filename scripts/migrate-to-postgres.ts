// `npm run db:migrate-to-postgres`: moves an installation's SQLite database (in SHIFT_DATA_DIR)
// into the empty PostgreSQL database SHIFT_DATABASE_URL names, with every stored S3 secret
// re-encrypted under SHIFT_SECRET_KEY, which every host of the new installation must share.
// The SQLite file is left as it was. Stop the service first.
import fs from "node:fs";
import { getConfig } from "@/lib/config";
import { databaseFile, secretKeyFile } from "@/lib/data-paths";
import { copySqliteToPostgres, keyFromPassphrase, MoveRefusedError } from "@/lib/maintenance/move-to-postgres";
import { describeDatabase, parseDatabaseUrl } from "@/lib/db/database-url";

function fail(message: string): never {
  console.error(`db:migrate-to-postgres: ${message}`);
  process.exit(1);
}

const config = getConfig();
if (!config.databaseUrl) fail("set SHIFT_DATABASE_URL to the empty PostgreSQL database to move into");
if (!config.secretKey)
  fail(
    "set SHIFT_SECRET_KEY: every host of a PostgreSQL installation needs the same key, and the stored S3 secrets are re-encrypted under it",
  );
let url: URL;
try {
  url = parseDatabaseUrl(config.databaseUrl);
} catch (error) {
  fail((error as Error).message);
}
const keyFile = secretKeyFile();
const oldKeys = [keyFromPassphrase(config.secretKey)];
if (fs.existsSync(keyFile)) oldKeys.unshift(Buffer.from(fs.readFileSync(keyFile, "utf8").trim(), "base64"));

console.log(`moving SQLite (${databaseFile()}) into ${describeDatabase()}…`);
try {
  const report = await copySqliteToPostgres({
    sqliteFile: databaseFile(),
    postgresUrl: url.href,
    oldKeys,
    newKey: keyFromPassphrase(config.secretKey),
  });
  for (const { name, rows } of report.tables) console.log(`  ${name}: ${rows} rows`);
  console.log(`  ${report.secretsReencrypted} stored secrets re-encrypted under SHIFT_SECRET_KEY`);
  console.log(`  ${report.trackedFiles} tracked files packed into TrackingPack`);
  console.log(`  ${report.logLines} replication log lines copied into ReplicationLogLine`);
  console.log(
    "done. Start the service with the same SHIFT_DATABASE_URL and SHIFT_SECRET_KEY; the SQLite file is unchanged and no longer used.",
  );
} catch (error) {
  fail(error instanceof MoveRefusedError ? error.message : `nothing was moved: ${(error as Error).message}`);
}
