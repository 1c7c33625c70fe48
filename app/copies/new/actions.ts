"use server";

import { z } from "zod";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { createObjectRelationship } from "@/lib/replication/create-object-relationship";
import { serverAction } from "@/web/server-action";

/** The Create Copy form's action: the same domain function as the REST API, the same checks. */
export const createCopy = serverAction(
  PRIVILEGES.REPLICATION_WRITE,
  z.record(z.string(), z.unknown()),
  async ({ input, actor }) => {
    const relationship = await createObjectRelationship({ input, actor });
    return { id: relationship.id };
  },
);
