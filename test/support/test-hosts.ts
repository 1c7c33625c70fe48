import { execFileSync, spawnSync } from "node:child_process";

/**
 * Hosts of their own on this machine: each a network namespace with one address, joined by veth
 * pairs to a bridge that holds this machine's address on the same network. Made by a test and
 * removed after it; `cut` takes a host's link down, as a pulled cable would, and `restore` brings
 * it back.
 */
export interface TestHosts {
  /** This machine's address on the hosts' network (services reach the hosts through relays here). */
  gateway: string;
  /** CIDR of the network, for SHIFT_ALLOWED_ENDPOINTS. */
  network: string;
  hosts: Array<{ namespace: string; address: string }>;
  /** The command that runs a program on host `i`. */
  exec(i: number): string[];
  cut(i: number): void;
  restore(i: number): void;
  remove(): void;
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });

/** Whether this process may make namespaces (root, with iproute2). */
export function canMakeHosts(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync("ip", ["netns", "list"]).status === 0;
}

export function makeTestHosts(count: number): TestHosts {
  // Names of at most 15 characters, one set per test process: a leftover of a crashed run of
  // the same process number is removed first.
  const tag = `s3s${process.pid % 100000}`;
  const subnet = `10.213.${process.pid % 250}`;
  const bridge = `${tag}b`;
  const namespace = (i: number) => `${tag}-h${i}`;
  const hostEnd = (i: number) => `${tag}v${i}`;
  const remove = () => {
    for (let i = 0; i < count; i++) spawnSync("ip", ["netns", "del", namespace(i)]);
    spawnSync("ip", ["link", "del", bridge]);
  };
  remove();
  try {
    ip("link", "add", bridge, "type", "bridge");
    ip("addr", "add", `${subnet}.1/24`, "dev", bridge);
    ip("link", "set", bridge, "up");
    for (let i = 0; i < count; i++) {
      ip("netns", "add", namespace(i));
      ip("link", "add", hostEnd(i), "type", "veth", "peer", "name", `${tag}n${i}`);
      ip("link", "set", hostEnd(i), "master", bridge);
      ip("link", "set", hostEnd(i), "up");
      ip("link", "set", `${tag}n${i}`, "netns", namespace(i));
      ip("-n", namespace(i), "link", "set", `${tag}n${i}`, "name", "eth0");
      ip("-n", namespace(i), "addr", "add", `${subnet}.${10 + i}/24`, "dev", "eth0");
      ip("-n", namespace(i), "link", "set", "eth0", "up");
      ip("-n", namespace(i), "link", "set", "lo", "up");
    }
  } catch (error) {
    remove();
    throw error;
  }
  return {
    gateway: `${subnet}.1`,
    network: `${subnet}.0/24`,
    hosts: Array.from({ length: count }, (_, i) => ({ namespace: namespace(i), address: `${subnet}.${10 + i}` })),
    exec: (i) => ["ip", "netns", "exec", namespace(i)],
    cut: (i) => void ip("link", "set", hostEnd(i), "down"),
    restore: (i) => void ip("link", "set", hostEnd(i), "up"),
    remove,
  };
}
