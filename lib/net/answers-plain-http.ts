import http from "node:http";
import { GuardedHttpAgent, type EndpointTarget } from "./guarded-agents";

/**
 * Whether `host:port` answers a plain-HTTP request. Asked only after a TLS handshake there got an
 * answer that was not TLS, so the error can say "it speaks plain HTTP" instead of blaming a
 * certificate. The request goes through the same guard as the store's own requests (a refused
 * address stays refused), and nothing of the answer is read beyond its being HTTP.
 */
export async function answersPlainHttp(target: EndpointTarget, timeoutMs = 3_000): Promise<boolean> {
  const agent = new GuardedHttpAgent({ keepAlive: false }, target);
  try {
    return await new Promise<boolean>((resolve) => {
      const request = http.request(
        {
          agent,
          host: target.host.replace(/^\[|\]$/g, ""),
          port: target.port,
          method: "HEAD",
          path: "/",
          timeout: timeoutMs,
        },
        (response) => {
          response.destroy();
          resolve(true);
        },
      );
      request.on("timeout", () => request.destroy());
      request.on("error", () => resolve(false));
      request.end();
    });
  } finally {
    agent.destroy();
  }
}
