// Creates a user from the command line: npm run user:create -- --username NAME --role observers
// (the password is read from SHIFT_NEW_USER_PASSWORD or asked for).
import { parseArgs } from "node:util";
import { ensureBuiltIns } from "@/lib/auth/ensure-built-ins";
import { createUser } from "@/lib/auth/create-user";
import { getConfig } from "@/lib/config";
import { prepareDatabase } from "@/lib/db/prepare-database";
import { AppError } from "@/lib/errors";
import { promptHidden } from "@/cli/prompt";

const { values } = parseArgs({
  options: { username: { type: "string" }, role: { type: "string", default: "observers" } },
});
await prepareDatabase();
await ensureBuiltIns(getConfig().adminPassword);
const password = process.env.SHIFT_NEW_USER_PASSWORD ?? (await promptHidden("Password: "));
try {
  const user = await createUser({
    input: { username: values.username, password, role: values.role },
    actor: "command line",
  });
  console.log(`created user "${user.username}" with role ${user.role}`);
} catch (error) {
  console.error(error instanceof AppError ? error.message : error);
  process.exit(1);
}
