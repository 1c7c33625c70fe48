import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { recordAudit } from "./audit";
import { hashPassword } from "./password";

export const createUserSchema = z.object({
  username: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_' or '-'"),
  password: z.string().min(10, "must be at least 10 characters").max(1024),
  role: z.string().min(1).default("observers"),
});

/** `actor` is who creates the user (a username, or "command line"). */
export async function createUser({ input, actor }: { input: unknown; actor: string }) {
  const valid = parseInput(createUserSchema, input);
  const role = await db().role.findFirst({ where: { OR: [{ id: valid.role }, { name: valid.role }] } });
  if (!role) throw new AppError("VALIDATION", `role: no role is named "${valid.role}".`, { field: "role" });
  const passwordHash = await hashPassword(valid.password);
  try {
    const user = await db().$transaction(async (tx) => {
      const created = await tx.user.create({ data: { username: valid.username, passwordHash, roleId: role.id } });
      await recordAudit(tx, { actor, action: "user.create", target: created.username, detail: { role: role.name } });
      return created;
    });
    return { id: user.id, username: user.username, role: role.name };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", `A user named "${valid.username}" already exists.`, { field: "username" });
    }
    throw error;
  }
}
