import http from "node:http";

/**
 * POST /v1/session/login from a given loopback address (any 127.x.y.z reaches a server on
 * 127.0.0.1), as a client on another machine would.
 */
export function signInFrom(
  baseUrl: string,
  address: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  const body = JSON.stringify({ username, password });
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const request = http.request(
      `${baseUrl}/v1/session/login`,
      {
        method: "POST",
        localAddress: address,
        agent: false,
        headers: { "content-type": "application/json", ...headers },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
