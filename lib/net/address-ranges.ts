import net from "node:net";

/** Ranges an object store may not resolve to unless the operator allows them: they reach the host itself or its private networks. */
export type RestrictedRange = "loopback" | "link-local" | "private" | "unspecified" | "multicast" | "reserved";

// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) match the IPv4 rules: BlockList compares them as IPv4.
const RANGES: [RestrictedRange, string, number, "ipv4" | "ipv6"][] = [
  // Linux connects 0.0.0.0 (and ::) to the host itself.
  ["unspecified", "0.0.0.0", 8, "ipv4"],
  ["unspecified", "::", 128, "ipv6"],
  ["loopback", "127.0.0.0", 8, "ipv4"],
  ["loopback", "::1", 128, "ipv6"],
  ["link-local", "169.254.0.0", 16, "ipv4"],
  ["link-local", "fe80::", 10, "ipv6"],
  ["private", "10.0.0.0", 8, "ipv4"],
  ["private", "172.16.0.0", 12, "ipv4"],
  ["private", "192.168.0.0", 16, "ipv4"],
  // Carrier-grade NAT space, in practice another private network.
  ["private", "100.64.0.0", 10, "ipv4"],
  ["private", "fc00::", 7, "ipv6"],
  // Deprecated site-local addresses, still private where they are used.
  ["private", "fec0::", 10, "ipv6"],
  // The NAT64 prefix for local use (RFC 8215) translates to any IPv4 address, private ones included.
  ["private", "64:ff9b:1::", 48, "ipv6"],
  ["multicast", "224.0.0.0", 4, "ipv4"],
  ["multicast", "ff00::", 8, "ipv6"],
  // 240.0.0.0/4 holds the broadcast address 255.255.255.255.
  ["reserved", "240.0.0.0", 4, "ipv4"],
];

const lists = new Map<RestrictedRange, net.BlockList>();
for (const [range, address, prefix, family] of RANGES) {
  if (!lists.has(range)) lists.set(range, new net.BlockList());
  lists.get(range)!.addSubnet(address, prefix, family);
}

export function familyOf(address: string): "ipv4" | "ipv6" {
  return net.isIPv4(address) ? "ipv4" : "ipv6";
}

/** The restricted range an IP address lies in, or undefined for an ordinary public address. */
export function restrictedRange(address: string): RestrictedRange | undefined {
  const family = familyOf(address);
  for (const [range, list] of lists) if (list.check(address, family)) return range;
  return undefined;
}
