"use server";

import { z } from "zod";
import { createUser } from "@/lib/auth/create-user";
import { assignRole, resetPassword, setUserDisabled } from "@/lib/auth/manage-users";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { serverAction } from "@/web/server-action";

const userId = z.string().max(100);

// The domain functions validate the user's fields; here only the shape the browser sends.
export const createUserAction = serverAction(
  PRIVILEGES.USER_ADMIN,
  z.object({ username: z.string(), password: z.string(), role: z.string() }),
  async ({ input, actor }) => {
    await createUser({ input, actor: actor.username });
  },
);

export const assignRoleAction = serverAction(
  PRIVILEGES.USER_ADMIN,
  z.object({ userId, roleId: z.string().max(100) }),
  ({ input, actor }) => assignRole({ ...input, actor }),
);

export const setDisabledAction = serverAction(
  PRIVILEGES.USER_ADMIN,
  z.object({ userId, disabled: z.boolean() }),
  ({ input, actor }) => setUserDisabled({ ...input, actor }),
);

export const resetPasswordAction = serverAction(
  PRIVILEGES.USER_ADMIN,
  z.object({ userId, password: z.string() }),
  ({ input, actor }) => resetPassword({ ...input, actor }),
);
