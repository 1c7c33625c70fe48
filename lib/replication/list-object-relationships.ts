import { db } from "@/lib/db/prisma";
import { findRelationship } from "./find-relationship";
import { relationshipView } from "./views";

export async function listObjectRelationships() {
  const rows = await db().relationship.findMany({ orderBy: { createdAt: "asc" } });
  return rows.map(relationshipView);
}

export async function getObjectRelationship({ id }: { id: string }) {
  return relationshipView(await findRelationship(id));
}
