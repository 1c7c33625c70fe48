import https from "node:https";
import { GuardedHttpsAgent, type EndpointTarget } from "./guarded-agents";

/**
 * Whether `host:port` completes a TLS handshake. Asked only after a plain-HTTP request there got
 * no HTTP answer, so the error can say "it speaks HTTPS" instead of "could not be reached". The
 * certificate is not judged (only whether TLS is spoken); the connection goes through the same
 * guard as the store's own, and is closed once the handshake is done (a HEAD / may have left by then; nothing of an answer is read).
 */
export async function answersTls(target: EndpointTarget, timeoutMs = 3_000): Promise<boolean> {
  const agent = new GuardedHttpsAgent({ keepAlive: false, rejectUnauthorized: false }, target);
  try {
    return await new Promise<boolean>((resolve) => {
      const request = https.request({
        agent,
        host: target.host.replace(/^\[|\]$/g, ""),
        port: target.port,
        method: "HEAD",
        path: "/",
        timeout: timeoutMs,
      });
      request.on("socket", (socket) =>
        socket.once("secureConnect", () => {
          resolve(true);
          request.destroy();
        }),
      );
      request.on("timeout", () => request.destroy());
      request.on("error", () => resolve(false));
      request.on("response", (response) => {
        response.destroy();
        resolve(true);
      });
      request.end();
    });
  } finally {
    agent.destroy();
  }
}
