import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import { restrictedRange, type RestrictedRange } from "./address-ranges";
import { ALLOWED_ENDPOINTS_VARIABLE, allowedEndpoints, normaliseHost } from "./allowed-endpoints";

/** A connection the service refused to open: its address is restricted and the operator did not allow it. */
export class EndpointRefusedError extends Error {
  readonly code = "EndpointRefused";
  constructor(message: string) {
    super(message);
    this.name = "EndpointRefused";
  }
}

/** The endpoint as the relationship gives it: host-name entries of the allow list are matched against it. */
export interface EndpointTarget {
  host: string;
  port: number;
}

const ARTICLE: Record<RestrictedRange, string> = {
  loopback: "a",
  "link-local": "a",
  private: "a",
  unspecified: "an",
  multicast: "a",
  reserved: "a",
};

/** Why a connection to `address` for `target` is refused, or undefined when it may go ahead. */
export function connectionRefusal(target: EndpointTarget, address: string): EndpointRefusedError | undefined {
  const range = restrictedRange(address);
  if (!range) return undefined;
  try {
    if (allowedEndpoints().allows({ host: target.host, port: target.port, address })) return undefined;
  } catch (error) {
    return new EndpointRefusedError((error as Error).message);
  }
  const host = normaliseHost(target.host);
  // The address a name resolves to is not repeated: it would map the host's private DNS for whoever asks.
  const subject = net.isIP(host) ? `${host} is` : `"${host}" resolves to`;
  return new EndpointRefusedError(
    `${subject} ${ARTICLE[range]} ${range} address, refused unless ${ALLOWED_ENDPOINTS_VARIABLE} allows it`,
  );
}

/** dns.lookup, refusing when any address of the answer is refused (checked on each connection, so a later answer cannot rebind). */
function guardedLookup(target: EndpointTarget): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      for (const { address } of addresses) {
        const refusal = connectionRefusal(target, address);
        if (refusal) return callback(refusal, "");
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
      callback(null, first.address, first.family);
    });
  };
}

type Connect = (
  options: http.ClientRequestArgs,
  callback?: (err: Error | null, stream: Duplex) => void,
) => Duplex | null | undefined;

/**
 * Every new socket is checked where it is made: an IP address before connecting, a name by the
 * lookup that feeds the connection itself, so the address checked is the address connected to.
 */
function guardedConnect(target: EndpointTarget, connect: Connect): Connect {
  return (options, callback) => {
    const host = normaliseHost(options.host ?? options.hostname ?? "localhost");
    if (net.isIP(host)) {
      const refusal = connectionRefusal(target, host);
      if (refusal) {
        callback?.(refusal, undefined as unknown as Duplex);
        return undefined;
      }
      return connect(options, callback);
    }
    return connect({ ...options, lookup: guardedLookup(target) }, callback);
  };
}

export class GuardedHttpAgent extends http.Agent {
  constructor(
    options: http.AgentOptions,
    private readonly target: EndpointTarget,
  ) {
    super(options);
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    return guardedConnect(this.target, (o, cb) => super.createConnection(o, cb))(options, callback);
  }
}

export class GuardedHttpsAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly target: EndpointTarget,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    return guardedConnect(this.target, (o, cb) => super.createConnection(o as https.RequestOptions, cb))(
      options,
      callback,
    );
  }
}
