import net from "node:net";
import { parseAddress } from "./endpoint-address";

export { endpointUrl, parseAddress } from "./endpoint-address";

export interface S3Location {
  objectStoreAddress: string;
  port: number;
  allowPlainHttp: boolean;
}

const LOOPBACK_NAMES = new Set(["localhost", "ip6-localhost"]);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (LOOPBACK_NAMES.has(bare.toLowerCase())) return true;
  if (net.isIPv4(bare)) return bare.startsWith("127.");
  return bare === "::1";
}

/** Plain HTTP is allowed only for loopback addresses or when the relationship enables it. */
export function plainHttpRefusal({ objectStoreAddress, allowPlainHttp }: S3Location): string | undefined {
  const { scheme, host } = parseAddress(objectStoreAddress);
  if (scheme === "https" || allowPlainHttp || isLoopbackHost(host)) return undefined;
  return `plain http:// to "${host}" is refused; use https, or set allow_plain_http to true for this relationship.`;
}
