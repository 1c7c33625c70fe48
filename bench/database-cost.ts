import pg from "pg";

/** What a stretch of work cost a PostgreSQL database, from its own statistics. */
export interface DatabaseCost {
  /** Transactions committed in the database (the worker's writes and the API's reads alike). */
  commits: number;
  /** Rows inserted, updated and deleted. */
  rowsWritten: number;
  /** Write-ahead log the cluster wrote meanwhile. */
  walBytes: number;
  /** The database's size on disk afterwards. */
  sizeBytes: number;
}

interface Sample {
  commits: number;
  rows: number;
  lsn: string;
}

/** Runs `job` and says what it cost the database at `url`. */
export async function withDatabaseCost<T extends object>(
  url: string,
  job: () => Promise<T>,
): Promise<T & { database: DatabaseCost }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const before = await sample(client);
    const result = await job();
    // Other sessions report their counts to the shared statistics at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await sample(client);
    const { rows } = await client.query<{ wal: string; size: string }>(
      "SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn) AS wal, pg_database_size(current_database()) AS size",
      [after.lsn, before.lsn],
    );
    return {
      ...result,
      database: {
        // Less this session's own sampling statement.
        commits: after.commits - before.commits - 1,
        rowsWritten: after.rows - before.rows,
        walBytes: Number(rows[0]!.wal),
        sizeBytes: Number(rows[0]!.size),
      },
    };
  } finally {
    await client.end();
  }
}

async function sample(client: pg.Client): Promise<Sample> {
  const { rows } = await client.query<{ commits: string; rows: string; lsn: string }>(
    `SELECT xact_commit AS commits, tup_inserted + tup_updated + tup_deleted AS rows, pg_current_wal_lsn() AS lsn
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  return { commits: Number(rows[0]!.commits), rows: Number(rows[0]!.rows), lsn: rows[0]!.lsn };
}
