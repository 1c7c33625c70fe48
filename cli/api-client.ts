export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorClass: string,
    description: string,
  ) {
    super(description);
  }

  description(): string {
    return this.message;
  }
}

/** Calls the REST API and returns its JSON; an error reply becomes an ApiError with the API's description. */
export async function callApi(
  host: string,
  method: string,
  path: string,
  { token, body }: { token?: string; body?: unknown } = {},
) {
  let response: Response;
  try {
    response = await fetch(new URL(path, host), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new ApiError(0, "unreachable", `cannot reach the S3 Shift server at ${host}${cause ? ` (${cause})` : ""}`);
  }
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const shaped = json as { error_class?: string; description?: string } | undefined;
    throw new ApiError(
      response.status,
      shaped?.error_class ?? "http_error",
      shaped?.description ?? `HTTP ${response.status}`,
    );
  }
  return json;
}

/** Exit codes scripts can rely on. */
export function exitCodeFor(error: ApiError): number {
  switch (error.status) {
    case 400:
      return 2;
    case 401:
    case 403:
    case 429: // too many failed sign-ins
      return 3;
    case 404:
      return 4;
    case 409:
      return 5;
    default:
      return 1;
  }
}
