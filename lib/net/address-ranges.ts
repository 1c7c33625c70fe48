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
  const embedded = family === "ipv6" ? embeddedIPv4(address) : undefined;
  return embedded ? restrictedRange(embedded) : undefined;
}

/**
 * The IPv4 address that an IPv6 address of the well-known NAT64 prefix (64:ff9b::/96, RFC 6052)
 * or of 6to4 (2002::/16, RFC 3056) stands for: a gateway would connect to it, so it is judged.
 */
function embeddedIPv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0))
    return ipv4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return ipv4(words[1]!, words[2]!);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (a trailing dotted IPv4 part included). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, "");
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((w) => parseInt(w, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const words = tail === undefined ? front : [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}

/**
 * The address a sign-in throttle counts by: an IPv4 address as it is (IPv4-mapped IPv6 too), an
 * IPv6 address by its /64, the smallest block a client is commonly given.
 */
export function throttleAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const words = net.isIPv6(address) ? ipv6Words(address) : undefined;
  return words
    ? `${words
        .slice(0, 4)
        .map((w) => w.toString(16))
        .join(":")}::/64`
    : address;
}
