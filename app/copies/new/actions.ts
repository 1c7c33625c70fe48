"use server";

import { z } from "zod";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { inspectObjectRelationship, whereDataGoes } from "@/lib/replication/check-object-relationship";
import { createObjectRelationship } from "@/lib/replication/create-object-relationship";
import { serverAction } from "@/web/server-action";

const body = z.record(z.string(), z.unknown());

/**
 * The checks of a create, nothing stored: behind Create Copy (before the review) and Test
 * connection. Every problem comes back at once, and with none, what the review shows.
 */
export const checkCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, body, async ({ input }) => {
  const { problems, checked } = await inspectObjectRelationship(input, { all: true });
  if (!checked) return { problems, warnings: [], review: null };
  return { problems, warnings: checked.warnings, review: whereDataGoes(checked) };
});

/** The Create Copy form's action: the same domain function as the REST API, the same checks. */
export const createCopy = serverAction(PRIVILEGES.REPLICATION_WRITE, body, async ({ input, actor }) => {
  const relationship = await createObjectRelationship({ input, actor });
  return { id: relationship.id };
});
