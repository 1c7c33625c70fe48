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

/** A download: never rendered by a browser, never cached. */
export function downloadResponse({
  filename,
  contentType,
  body,
}: {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array> | string | null;
}): Response {
  return new Response(body ?? "", {
    headers: {
      "content-type": contentType,
      "content-disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
