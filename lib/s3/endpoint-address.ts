/** An object store's address and port as a relationship holds them (no Node.js module: the console's list uses it too). */
export interface StoreAddress {
  objectStoreAddress: string;
  port: number;
}

/** `object_store_address` is a host name, optionally prefixed with `https://` or `http://`. */
export function parseAddress(address: string): { scheme: "http" | "https"; host: string } {
  // A scheme is case-insensitive (RFC 3986): "HTTP://" is http.
  const match = /^(?:(https?):\/\/)?([^/:\s]+|\[[0-9a-fA-F:]+\])\/?$/i.exec(address.trim());
  if (!match) throw new Error(`"${address}" is not a host name (give the port in "port")`);
  return { scheme: (match[1]?.toLowerCase() as "http" | "https" | undefined) ?? "https", host: match[2]! };
}

/** Where requests go: `https://s3.example.com:443`. */
export function endpointUrl({ objectStoreAddress, port }: StoreAddress): string {
  const { scheme, host } = parseAddress(objectStoreAddress);
  return `${scheme}://${host}:${port}`;
}
