import { recordClientAddresses } from "@/lib/auth/client-address";

/** What the web server's process sets up before it serves a request. */
export function prepareWebServerProcess(): void {
  recordClientAddresses();
}
