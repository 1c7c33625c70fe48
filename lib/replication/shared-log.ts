import { db } from "@/lib/db/prisma";

const PAGE = 1000;

/** The last `lines` lines of a relationship's log kept in the shared database, oldest first. */
export async function lastSharedLogLines(relationshipId: string, lines: number): Promise<string[]> {
  const rows = await db().replicationLogLine.findMany({
    where: { relationshipId },
    orderBy: { id: "desc" },
    take: lines,
    select: { line: true },
  });
  return rows.map((r) => r.line).reverse();
}

/** The whole log, as JSON lines, read a page at a time as the reader takes them. */
export function sharedLogStream(relationshipId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const rows = await db().replicationLogLine.findMany({
        where: { relationshipId, id: { gt: after } },
        orderBy: { id: "asc" },
        take: PAGE,
        select: { id: true, line: true },
      });
      if (rows.length === 0) return controller.close();
      after = rows[rows.length - 1]!.id;
      controller.enqueue(encoder.encode(rows.map((r) => `${r.line}\n`).join("")));
    },
  });
}

export async function hasSharedLog(relationshipId: string): Promise<boolean> {
  return (await db().replicationLogLine.findFirst({ where: { relationshipId }, select: { id: true } })) !== null;
}
