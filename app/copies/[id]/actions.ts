"use server";

import { z } from "zod";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { abortObjectReplication } from "@/lib/replication/abort-object-replication";
import { deleteObjectRelationship } from "@/lib/replication/delete-object-relationship";
import { startObjectReplication } from "@/lib/replication/start-object-replication";
import { serverAction } from "@/web/server-action";

// The page refreshes after each action, so the status they return is not sent back.
const id = z.string().max(100);

export const stopCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, id, async ({ input, actor }) => {
  await abortObjectReplication({ id: input, actor });
});

export const repeatCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, id, async ({ input, actor }) => {
  await startObjectReplication({ id: input, actor });
});

export const deleteCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, id, ({ input, actor }) =>
  deleteObjectRelationship({ id: input, actor }),
);
