import type { Disposition } from "./disposition";
import { NOT_S3_ANSWER } from "./s3-answer";

/**
 * What an S3 failure means for a job. The SDK has already retried transient failures
 * (5xx, throttling, resets) with backoff by the time an error reaches this point.
 */
export interface ClassifiedError {
  disposition: Exclude<Disposition, "retry">;
  kind:
    | "credentials"
    | "access-denied"
    | "no-such-bucket"
    | "unreachable"
    | "tls"
    | "tls-handshake"
    | "endpoint-refused"
    | "not-s3"
    | "aborted"
    | "other";
  message: string;
}

/** The store's certificate did not verify: trusting its CA (ca_certificate) is the cure. */
const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
]);

/**
 * The handshake itself failed before any certificate was seen: no CA can cure it. OpenSSL's
 * "wrong version number" is what a TLS client reads when the answer is not TLS at all (a
 * plain-HTTP server answers the ClientHello with "HTTP/1.1 400").
 */
const TLS_HANDSHAKE_CODES = new Set(["EPROTO", "ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"]);

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "TimeoutError",
  "RequestTimeout",
]);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

function errorCode(error: SdkLikeError): string | undefined {
  return error.code ?? error.Code ?? (error.cause as SdkLikeError | undefined)?.code ?? error.name;
}

/** The store's (or the network's) error code of a failed request, e.g. "NoSuchKey" or "ECONNRESET". */
export function s3ErrorCode(error: unknown): string | undefined {
  return error && typeof error === "object" ? errorCode(error as SdkLikeError) : undefined;
}

/** OpenSSL's reason for a failed handshake ("wrong version number"), read from Node's message. */
export function tlsFailureReason(error: unknown): string | undefined {
  const message = (error as SdkLikeError | undefined)?.message ?? "";
  return /:SSL routines:[^:]*:([^:]+):/.exec(message)?.[1];
}

/** Whether a failed handshake means the endpoint did not answer in TLS (it may speak plain HTTP). */
export function isNotTlsAnswer(error: unknown): boolean {
  const code = s3ErrorCode(error);
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG") return true;
  const reason = tlsFailureReason(error);
  return code === "EPROTO" && (reason === "wrong version number" || reason === "packet length too long");
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkLikeError)?.$metadata?.httpStatusCode;
}

export function classifyS3Error(error: unknown): ClassifiedError {
  const e = (error ?? {}) as SdkLikeError;
  const code = errorCode(e) ?? "";
  const detail = e.message && e.message !== code ? `${code}: ${e.message}` : code || String(error);
  if (e.name === "AbortError" || code === "AbortError") {
    return { disposition: "fatal", kind: "aborted", message: "the job was stopped" };
  }
  if (code === "EndpointRefused") {
    return {
      disposition: "fatal",
      kind: "endpoint-refused",
      message: `the object store's address is not allowed: ${e.message}`,
    };
  }
  if (code === NOT_S3_ANSWER) {
    const status = httpStatusOf(error);
    // A 5xx page from a proxy in front of a store that is restarting is an outage, not a wrong endpoint.
    if (status !== undefined && (status >= 500 || status === 429)) {
      return {
        disposition: "fatal",
        kind: "unreachable",
        message: `the store kept failing after retries (HTTP ${status}, not an S3 answer)`,
      };
    }
    return {
      disposition: "fatal",
      kind: "not-s3",
      message: e.message ?? `the endpoint did not answer as an S3 server`,
    };
  }
  if (
    code === "InvalidAccessKeyId" ||
    code === "SignatureDoesNotMatch" ||
    code === "InvalidToken" ||
    code === "ExpiredToken"
  ) {
    return { disposition: "fatal", kind: "credentials", message: `the store rejected the credentials (${code})` };
  }
  if (code === "NoSuchBucket") {
    return { disposition: "fatal", kind: "no-such-bucket", message: "the bucket does not exist (NoSuchBucket)" };
  }
  if (code === "AccessDenied" || code === "AllAccessDisabled") {
    return { disposition: "fatal", kind: "access-denied", message: `access denied by the store (${detail})` };
  }
  if (TLS_CODES.has(code)) {
    return {
      disposition: "fatal",
      kind: "tls",
      message: `the store's TLS certificate could not be verified (${code})`,
    };
  }
  if (TLS_HANDSHAKE_CODES.has(code)) {
    const reason = tlsFailureReason(error) ?? code;
    return {
      disposition: "fatal",
      kind: "tls-handshake",
      message: isNotTlsAnswer(error)
        ? `the store did not answer in TLS (${reason}); it may speak plain HTTP (an http:// address)`
        : `the TLS handshake with the store failed (${reason})`,
    };
  }
  if (NETWORK_CODES.has(code)) {
    return { disposition: "fatal", kind: "unreachable", message: `the store is unreachable after retries (${code})` };
  }
  const status = httpStatusOf(error);
  if (status !== undefined && (status >= 500 || status === 429)) {
    return {
      disposition: "fatal",
      kind: "unreachable",
      message: `the store kept failing after retries (HTTP ${status}, ${detail})`,
    };
  }
  return { disposition: "per-file", kind: "other", message: detail };
}
