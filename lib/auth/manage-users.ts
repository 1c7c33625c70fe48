import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { recordAudit } from "./audit";
import { endUserSessions } from "./end-user-sessions";
import { hashPassword } from "./password";
import type { Principal } from "./privileges";

export async function listUsers() {
  const users = await db().user.findMany({ orderBy: { username: "asc" }, include: { role: true } });
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    role_id: u.roleId,
    role: u.role.name,
    disabled: u.disabled,
    created_at: u.createdAt.toISOString(),
  }));
}

export async function listRoles() {
  const roles = await db().role.findMany({ orderBy: { name: "asc" }, include: { privileges: true } });
  return roles.map((r) => ({ id: r.id, name: r.name, privileges: r.privileges.map((p) => p.privilege) }));
}

async function findUser(id: string) {
  const user = await db().user.findUnique({ where: { id } });
  if (!user) throw new AppError("NOT_FOUND", "No such user.");
  return user;
}

/** A role change ends the user's sessions and tokens: they sign in again under the new role. */
export async function assignRole({ userId, roleId, actor }: { userId: string; roleId: string; actor: Principal }) {
  const user = await findUser(userId);
  const role = await db().role.findUnique({ where: { id: roleId } });
  if (!role) throw new AppError("VALIDATION", `role: no role has the id "${roleId}".`, { field: "role" });
  if (user.id === actor.userId && role.id !== "administrators") {
    throw new AppError("CONFLICT", "You cannot take the administrator role from yourself; ask another administrator.");
  }
  if (role.id === user.roleId) return;
  await db().$transaction(async (tx) => {
    await endUserSessions(tx, { userId: user.id, change: { roleId: role.id } });
    await recordAudit(tx, {
      actor: actor.username,
      action: "user.role",
      target: user.username,
      detail: { role: role.name },
    });
  });
}

/** A disabled user cannot sign in, and the sessions and bearer tokens already issued stop working. */
export async function setUserDisabled({
  userId,
  disabled,
  actor,
}: {
  userId: string;
  disabled: boolean;
  actor: Principal;
}) {
  const user = await findUser(userId);
  if (user.id === actor.userId && disabled) throw new AppError("CONFLICT", "You cannot disable your own account.");
  await db().$transaction(async (tx) => {
    if (disabled) await endUserSessions(tx, { userId: user.id, change: { disabled } });
    else await tx.user.update({ where: { id: user.id }, data: { disabled } });
    await recordAudit(tx, {
      actor: actor.username,
      action: disabled ? "user.disable" : "user.enable",
      target: user.username,
    });
  });
}

const passwordSchema = z.object({ password: z.string().min(10, "must be at least 10 characters").max(1024) });

export async function resetPassword({
  userId,
  password,
  actor,
}: {
  userId: string;
  password: string;
  actor: Principal;
}) {
  const valid = parseInput(passwordSchema, { password });
  const user = await findUser(userId);
  const passwordHash = await hashPassword(valid.password);
  await db().$transaction(async (tx) => {
    await endUserSessions(tx, { userId: user.id, change: { passwordHash } });
    await recordAudit(tx, { actor: actor.username, action: "user.password-reset", target: user.username });
  });
}
