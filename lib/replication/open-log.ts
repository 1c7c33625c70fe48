import fs from "node:fs";
import { relationshipLogFile } from "@/lib/data-paths";
import { AppError } from "@/lib/errors";

/**
 * The log is opened as itself: a link put in its place is refused, never followed, and a FIFO
 * there cannot hold the open (and a thread of the pool) waiting for a writer.
 */
const READ_AS_ITSELF = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export class UnreadableLogError extends AppError {
  constructor(reason: string) {
    super(
      "INTERNAL",
      `The replication log of this copy cannot be read (${reason}); the service's data directory needs looking at.`,
    );
  }
}

/**
 * The relationship's replication log, open for reading, or null when there is none yet. Anything
 * but a regular file is refused on the open file, before a byte is read or an answer begun: a
 * stream that fails halfway would look like a whole log to whoever saved it.
 */
export async function openLog(
  relationshipId: string,
): Promise<{ handle: fs.promises.FileHandle; size: number } | null> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(relationshipLogFile(relationshipId), READ_AS_ITSELF);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new UnreadableLogError(code ?? "unknown error");
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UnreadableLogError("not a regular file");
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
