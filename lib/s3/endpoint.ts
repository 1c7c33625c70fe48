import net from "node:net";

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

/** `object_store_address` is a host name, optionally prefixed with `https://` or `http://`. */
export function parseAddress(address: string): { scheme: "http" | "https"; host: string } {
  const match = /^(?:(https?):\/\/)?([^/:\s]+|\[[0-9a-fA-F:]+\])\/?$/.exec(address.trim());
  if (!match) throw new Error(`"${address}" is not a host name (give the port in "port")`);
  return { scheme: (match[1] as "http" | "https" | undefined) ?? "https", host: match[2]! };
}

export function endpointUrl({ objectStoreAddress, port }: S3Location): string {
  const { scheme, host } = parseAddress(objectStoreAddress);
  return `${scheme}://${host}:${port}`;
}

/** Plain HTTP is allowed only for loopback addresses or when the relationship enables it. */
export function plainHttpRefusal({ objectStoreAddress, allowPlainHttp }: S3Location): string | undefined {
  const { scheme, host } = parseAddress(objectStoreAddress);
  if (scheme === "https" || allowPlainHttp || isLoopbackHost(host)) return undefined;
  return `plain http:// to "${host}" is refused; use https, or set allow_plain_http to true for this relationship.`;
}
