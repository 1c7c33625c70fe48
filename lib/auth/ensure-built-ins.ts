import crypto from "node:crypto";
import { db } from "@/lib/db/prisma";
import { hashPassword } from "./password";
import { BUILT_IN_ROLES } from "./privileges";

export const ADMIN_USERNAME = "admin";

/**
 * Seeds the built-in roles and, on the first start only, the administrator. Returns the
 * one-time password when it generated one, so the caller can print it once.
 */
export async function ensureBuiltIns(adminPassword?: string): Promise<{ generatedPassword?: string }> {
  const prisma = db();
  for (const role of BUILT_IN_ROLES) {
    await prisma.role.upsert({
      where: { id: role.id },
      create: { id: role.id, name: role.name, builtIn: true },
      update: {},
    });
    for (const privilege of role.privileges) {
      await prisma.rolePrivilege.upsert({
        where: { roleId_privilege: { roleId: role.id, privilege } },
        create: { roleId: role.id, privilege },
        update: {},
      });
    }
  }
  if ((await prisma.user.count()) > 0) return {};
  const generatedPassword = adminPassword ? undefined : crypto.randomBytes(12).toString("base64url");
  await prisma.user.create({
    data: {
      username: ADMIN_USERNAME,
      passwordHash: await hashPassword(adminPassword ?? generatedPassword!),
      roleId: "administrators",
    },
  });
  return { generatedPassword };
}
