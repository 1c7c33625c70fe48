"use server";

import { z } from "zod";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { AppError, type ErrorCode } from "@/lib/errors";
import { abortObjectReplication } from "@/lib/replication/abort-object-replication";
import { deleteObjectRelationship } from "@/lib/replication/delete-object-relationship";
import { modifyObjectRelationship } from "@/lib/replication/modify-object-relationship";
import { startObjectReplication } from "@/lib/replication/start-object-replication";
import { serverAction } from "@/web/server-action";

// The page refreshes after each action, so the status they return is not sent back.
const id = z.string().max(100);

type ConsoleWords = Partial<Record<ErrorCode, string>>;
const GONE = "This copy no longer exists; another user may have deleted it.";

/**
 * The API's refusals name its routes ("stop it first (abort-replication)"); the console's buttons
 * are called Stop, Repeat and Delete, and its messages say so.
 */
async function inConsoleWords(words: ConsoleWords, operation: () => Promise<unknown>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    const said = error instanceof AppError ? words[error.code] : undefined;
    throw said ? new AppError((error as AppError).code, said) : error;
  }
}

export const stopCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, id, ({ input, actor }) =>
  inConsoleWords({ CONFLICT: "No job of this copy is running, so there is nothing to Stop.", NOT_FOUND: GONE }, () =>
    abortObjectReplication({ id: input, actor }),
  ),
);

export const repeatCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, id, ({ input, actor }) =>
  inConsoleWords(
    {
      CONFLICT: "A job of this copy is already running; wait for it to end, or Stop it, before you Repeat.",
      NOT_FOUND: GONE,
    },
    () => startObjectReplication({ id: input, actor }),
  ),
);

export const deleteCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, id, ({ input, actor }) =>
  inConsoleWords({ CONFLICT: "A job of this copy is running; Stop it, then Delete the copy.", NOT_FOUND: GONE }, () =>
    deleteObjectRelationship({ id: input, actor }),
  ),
);

const credentials = z.object({
  id,
  access_key_id: z.string().max(256).optional(),
  secret_access_key: z.string().max(1024),
});

export const changeCredentials = serverAction(PRIVILEGES.REPLICATION_WRITE, credentials, async ({ input, actor }) => {
  const { id: copy, ...change } = input;
  await inConsoleWords({ NOT_FOUND: GONE }, () => modifyObjectRelationship({ id: copy, input: change, actor }));
});
