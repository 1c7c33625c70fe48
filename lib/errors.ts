/**
 * One enum of error codes for the whole domain. Each maps to an HTTP status and an
 * `error_class` of the API's error shape; the description is what the user reads.
 */
export const ERROR_CODES = {
  VALIDATION: { status: 400, errorClass: "validation_error" },
  UNAUTHENTICATED: { status: 401, errorClass: "unauthenticated" },
  FORBIDDEN: { status: 403, errorClass: "forbidden" },
  NOT_FOUND: { status: 404, errorClass: "not_found" },
  CONFLICT: { status: 409, errorClass: "conflict" },
  PAYLOAD_TOO_LARGE: { status: 413, errorClass: "payload_too_large" },
  TOO_MANY_REQUESTS: { status: 429, errorClass: "too_many_requests" },
  INTERNAL: { status: 500, errorClass: "internal_error" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** The request field the error concerns, so a form can show it beside that field. */
  readonly field?: string;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.field = options.field;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get errorClass(): string {
    return ERROR_CODES[this.code].errorClass;
  }
}

export const validationError = (field: string, message: string) =>
  new AppError("VALIDATION", `${field}: ${message}`, { field });
