import http from "node:http";
import https from "node:https";
import { GuardedHttpAgent, GuardedHttpsAgent, type EndpointTarget } from "./guarded-agents";

/**
 * What an endpoint speaks, asked once a request there failed in a way that suggests the other
 * scheme, so the error can say "write http://" or "write https://" instead of blaming a certificate
 * or the network. Each question goes through the same guard as the store's own requests (a refused
 * address stays refused), and nothing of an answer is read beyond its arriving.
 */
function answers(
  target: EndpointTarget,
  scheme: "http" | "https",
  timeoutMs: number,
  done: (request: http.ClientRequest, resolve: (yes: boolean) => void) => void = () => {},
): Promise<boolean> {
  const agent =
    scheme === "http"
      ? new GuardedHttpAgent({ keepAlive: false }, target)
      : new GuardedHttpsAgent({ keepAlive: false, rejectUnauthorized: false }, target);
  const request = (scheme === "http" ? http : https).request;
  return new Promise<boolean>((resolve) => {
    const req = request({
      agent,
      host: target.host.replace(/^\[|\]$/g, ""),
      port: target.port,
      method: "HEAD",
      path: "/",
      timeout: timeoutMs,
    });
    req.on("response", (response) => {
      response.destroy();
      resolve(true);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    done(req, resolve);
    req.end();
  }).finally(() => agent.destroy());
}

/** Whether `host:port` answers a plain-HTTP request (asked after a TLS handshake there met no TLS). */
export function answersPlainHttp(target: EndpointTarget, timeoutMs = 3_000): Promise<boolean> {
  return answers(target, "http", timeoutMs);
}

/**
 * Whether `host:port` completes a TLS handshake (asked after a plain-HTTP request there got no
 * HTTP answer). The certificate is not judged, only whether TLS is spoken.
 */
export function answersTls(target: EndpointTarget, timeoutMs = 3_000): Promise<boolean> {
  return answers(target, "https", timeoutMs, (request, resolve) =>
    request.on("socket", (socket) =>
      socket.once("secureConnect", () => {
        resolve(true);
        request.destroy();
      }),
    ),
  );
}
