import { getConfig } from "@/lib/config";
import { databaseFile } from "@/lib/data-paths";

export type DatabaseKind = "sqlite" | "postgresql";

/**
 * SHIFT_DATABASE_URL, checked: a postgresql:// (or postgres://) address with a host and a
 * database name. Anything else is refused by name, without echoing the address, which may hold a password.
 */
export function parseDatabaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("SHIFT_DATABASE_URL is not an address; write postgresql://user:password@host:5432/database");
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:")
    throw new Error(
      `SHIFT_DATABASE_URL must start with postgresql:// (it starts with ${JSON.stringify(url.protocol.slice(0, 20))}); leave it unset for SQLite`,
    );
  if (!url.hostname)
    throw new Error("SHIFT_DATABASE_URL names no host; write postgresql://user:password@host:5432/database");
  // A password holding "/" or "@" unencoded makes the parser take part of it for the port or the
  // path; refused before anything prints the address's parts.
  if (url.pathname.includes("@") || url.pathname.slice(1).includes("/"))
    throw new Error(
      "SHIFT_DATABASE_URL does not parse as user:password@host:port/database; percent-encode any / or @ in the password",
    );
  if (url.pathname.length <= 1)
    throw new Error("SHIFT_DATABASE_URL names no database; write postgresql://user:password@host:5432/database");
  return url;
}

export function databaseKind(): DatabaseKind {
  return getConfig().databaseUrl ? "postgresql" : "sqlite";
}

/** Which database this process uses, for its first lines of output; never the password. */
export function describeDatabase(): string {
  const raw = getConfig().databaseUrl;
  if (!raw) return `SQLite (${databaseFile()})`;
  const url = parseDatabaseUrl(raw);
  const user = url.username ? `${decodeURIComponent(url.username)}@` : "";
  return `PostgreSQL (${user}${url.hostname}:${url.port || "5432"}/${decodeURIComponent(url.pathname.slice(1))})`;
}
