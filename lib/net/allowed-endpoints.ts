import net from "node:net";
import { familyOf } from "./address-ranges";

/**
 * SHIFT_ALLOWED_ENDPOINTS: a comma list of host, host:port or CIDR that object stores may
 * resolve to although the address is loopback, link-local, private, multicast or unspecified.
 * A host name entry allows that name as the relationship gives it (whatever it resolves to);
 * an IP address or CIDR entry allows the address connected to, whatever name led there.
 */
export interface AllowedEndpoints {
  allows(target: { host: string; port: number; address: string }): boolean;
}

export const ALLOWED_ENDPOINTS_VARIABLE = "SHIFT_ALLOWED_ENDPOINTS";

const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** Lower case, no brackets around an IPv6 address, no trailing dot. */
export function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

class EndpointList implements AllowedEndpoints {
  private readonly names = new Set<string>();
  private readonly anyPort = new net.BlockList();
  private readonly byPort = new Map<number, net.BlockList>();

  constructor(spec: string) {
    for (const raw of spec.split(",")) {
      const entry = raw.trim().toLowerCase();
      if (entry) this.add(entry);
    }
  }

  allows({ host, port, address }: { host: string; port: number; address: string }): boolean {
    const name = normaliseHost(host);
    if (this.names.has(name) || this.names.has(`${name}:${port}`)) return true;
    const family = familyOf(address);
    return this.anyPort.check(address, family) || (this.byPort.get(port)?.check(address, family) ?? false);
  }

  private add(entry: string): void {
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const [, address, prefix] = cidr;
      const family = net.isIP(address!);
      if (!family || Number(prefix) > (family === 4 ? 32 : 128)) throw invalid(entry);
      this.anyPort.addSubnet(address!, Number(prefix), family === 4 ? "ipv4" : "ipv6");
      return;
    }
    if (net.isIP(normaliseHost(entry))) {
      const address = normaliseHost(entry);
      this.anyPort.addAddress(address, familyOf(address));
      return;
    }
    const withPort = /^(\[[0-9a-f:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(entry);
    const host = normaliseHost(withPort ? withPort[1]! : entry);
    const port = withPort ? Number(withPort[2]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) throw invalid(entry);
    if (net.isIP(host)) {
      if (!this.byPort.has(port!)) this.byPort.set(port!, new net.BlockList());
      this.byPort.get(port!)!.addAddress(host, familyOf(host));
      return;
    }
    if (!HOST_NAME.test(host)) throw invalid(entry);
    this.names.add(port === undefined ? host : `${host}:${port}`);
  }
}

function invalid(entry: string): Error {
  return new Error(`${ALLOWED_ENDPOINTS_VARIABLE}: "${entry}" is not a host, host:port or CIDR`);
}

let cached: { spec: string; list: AllowedEndpoints } | undefined;

/** The operator's list, read from the environment when it is asked for (parsed once per value). */
export function allowedEndpoints(spec = process.env[ALLOWED_ENDPOINTS_VARIABLE] ?? ""): AllowedEndpoints {
  if (cached?.spec !== spec) cached = { spec, list: new EndpointList(spec) };
  return cached.list;
}
