import net from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP relay on 127.0.0.1 (or `listenHost`) to `target`, whose link can be taken down and brought back: while it
 * is down no byte passes either way (the sockets stay open, as over a cable pulled out), and when
 * it comes back what was held passes on, in order, as TCP's retransmissions would.
 */
export class TcpRelay {
  private server = net.createServer((client) => this.accept(client));
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  /** What arrived while the link was down, in arrival order, with where it goes. */
  private held: Array<[net.Socket, Buffer]> = [];
  private down = false;
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenHost = "127.0.0.1",
  ) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, this.listenHost, resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  cut(): void {
    this.down = true;
  }

  restore(): void {
    this.down = false;
    for (const [to, chunk] of this.held.splice(0)) if (!to.destroyed) to.write(chunk);
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk: Buffer) => (this.down ? this.held.push([to, chunk]) : to.write(chunk)));
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  }
}
