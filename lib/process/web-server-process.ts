import { recordClientAddresses } from "@/lib/auth/client-address";
import { PRIVATE_UMASK, makeDataDirPrivate } from "./private-data";

/** What the web server's process sets up before it serves a request. */
export function prepareWebServerProcess(): void {
  // The web server writes only the service's own data (database, key file), never the share's files.
  process.umask(PRIVATE_UMASK);
  makeDataDirPrivate();
  recordClientAddresses();
}
