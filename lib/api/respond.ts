import { type AppError } from "@/lib/errors";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** The spec's error shape. A `field` is added for forms that show the error beside its input. */
export function errorResponse(error: AppError): Response {
  return jsonResponse(
    { error_class: error.errorClass, description: error.message, ...(error.field ? { field: error.field } : {}) },
    error.status,
  );
}
