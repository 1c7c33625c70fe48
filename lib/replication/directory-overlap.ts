import type { Prisma } from "@/generated/prisma/client";
import { validationError } from "@/lib/errors";
import type { Direction } from "./relationship-input";

/** Namespace paths end with "/", so a prefix test is a path-component test. */
export function directoriesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * A copy from S3 writes into its directory, so that directory may not overlap (equal, contain or
 * lie inside) the directory of any other relationship — in either order of creation.
 */
export async function refuseOverlap(
  tx: Prisma.TransactionClient,
  ownId: string,
  direction: Direction,
  namespacePath: string,
  field: string,
): Promise<void> {
  const others = await tx.relationship.findMany({
    where: { id: { not: ownId }, ...(direction === "COPY_FROM_OBJECT" ? {} : { direction: "COPY_FROM_OBJECT" }) },
    select: { id: true, direction: true, localDirectoryPath: true, bucket: true, objectFolder: true },
  });
  const clash = others.find((other) => directoriesOverlap(other.localDirectoryPath, namespacePath));
  if (!clash) return;
  const where = `bucket "${clash.bucket}", folder "${clash.objectFolder || "/"}"`;
  if (direction === "COPY_FROM_OBJECT") {
    const theirs = clash.direction === "COPY_FROM_OBJECT" ? "a copy from S3" : "a copy to S3";
    throw validationError(
      field,
      `"${namespacePath}" overlaps "${clash.localDirectoryPath}", the directory of ${theirs} (${where}, relationship ${clash.id}); a copy from S3 needs a directory that no other relationship uses.`,
    );
  }
  throw validationError(
    field,
    `"${namespacePath}" overlaps "${clash.localDirectoryPath}", which a copy from S3 writes into (${where}, relationship ${clash.id}); choose a directory outside it.`,
  );
}
