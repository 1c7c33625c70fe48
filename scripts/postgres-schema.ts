// `npm run db:schema`: writes prisma/postgres/schema.prisma from prisma/schema.prisma (with --stdin,
// turns the SQLite schema read from standard input into the PostgreSQL one on standard output). The models
// exist once, in the SQLite schema; the PostgreSQL one differs only in its datasource and where
// its client is generated, and a unit test fails when the file checked in is not this output.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "..");
export const SQLITE_SCHEMA = path.join(ROOT, "prisma/schema.prisma");
export const POSTGRES_SCHEMA = path.join(ROOT, "prisma/postgres/schema.prisma");

const HEADER = `// Generated from prisma/schema.prisma by \`npm run db:schema\`: change the models there, never here.\n\n`;

/** The PostgreSQL schema for the SQLite schema's text. */
export function postgresSchema(sqlite: string): string {
  const generator = /generator client \{[^}]*\}/;
  const datasource = /datasource db \{[^}]*\}/;
  if (!generator.test(sqlite) || !datasource.test(sqlite))
    throw new Error("prisma/schema.prisma has no `generator client` or `datasource db` block");
  const models = sqlite
    .replace(generator, (block) => block.replace(/output\s*=\s*"[^"]*"/, 'output       = "../../generated/prisma-pg"'))
    .replace(datasource, `datasource db {\n  provider = "postgresql"\n  url      = "postgresql://localhost/shift"\n}`);
  return HEADER + models;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--stdin")) {
    // An older SQLite schema (git show REV:prisma/schema.prisma) in, its PostgreSQL twin out, to diff migrations against.
    process.stdout.write(postgresSchema(fs.readFileSync(0, "utf8")));
  } else {
    fs.writeFileSync(POSTGRES_SCHEMA, postgresSchema(fs.readFileSync(SQLITE_SCHEMA, "utf8")));
    console.log(`wrote ${path.relative(ROOT, POSTGRES_SCHEMA)}`);
  }
}
