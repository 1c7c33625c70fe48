import { headers } from "next/headers";
import { isSameOrigin } from "@/lib/api/cookie-request-guard";

export const CROSS_SITE_ACTION = "This action must be sent from the console's own pages.";

/**
 * Server actions act with the console's cookie, which the browser also attaches to requests other
 * pages of the same site make. Next.js refuses an action whose Origin names another host; this
 * also refuses one the browser marks as not same-origin, or that says nothing of where it came from.
 */
export async function actionFromConsole(): Promise<boolean> {
  return isSameOrigin(await headers());
}
