import {
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { validationError } from "@/lib/errors";
import { answersPlainHttp, answersTls } from "@/lib/net/endpoint-speaks";
import { classifyS3Error, httpStatusOf, isNotTlsAnswer, s3ErrorCode, tlsFailureReason } from "./classify-error";
import { isLoopbackHost } from "./endpoint";

export interface ProbeInput {
  client: S3Client;
  bucket: string;
  objectFolder: string;
  checkObjectLock: boolean;
}

/**
 * Proves, before anything is stored, that the bucket exists and the credentials work:
 * HeadBucket, then a one-key listing of the folder; for copies into the bucket, refuses a
 * bucket whose Object Lock has a default retention (every upload would become undeletable).
 */
export async function probeBucket({ client, bucket, objectFolder, checkObjectLock }: ProbeInput): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // HeadBucket answers without a body: a 403 cannot tell wrong keys from missing rights, and
    // any web server answers a HEAD with 404; ask a listing, whose error document names the
    // cause. Only a failure with no answer at all (network, TLS, a refused address) ends here.
    if (httpStatusOf(error) === undefined) throw await probeFailure(error, client, bucket);
  }
  let listing;
  try {
    listing = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: objectFolder, MaxKeys: 1 }));
  } catch (error) {
    throw await probeFailure(error, client, bucket);
  }
  // Any web server answers 200 to a GET; a listing without the bucket's name in it was not
  // written by an S3 server.
  if (listing.Name === undefined) {
    throw validationError(
      "object_store_address",
      `the endpoint did not answer as an S3 server (HTTP ${listing.$metadata.httpStatusCode ?? "?"}).`,
    );
  }
  if (checkObjectLock) await refuseDefaultRetention(client, bucket);
}

async function refuseDefaultRetention(client: S3Client, bucket: string): Promise<void> {
  let retention;
  try {
    const reply = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    retention = reply.ObjectLockConfiguration?.Rule?.DefaultRetention;
  } catch {
    // No configuration, or a store without Object Lock: nothing forces retention on uploads.
    return;
  }
  if (retention && (retention.Days || retention.Years)) {
    const span = retention.Days ? `${retention.Days} days` : `${retention.Years} years`;
    throw validationError(
      "bucket",
      `bucket "${bucket}" has Object Lock default retention (${retention.Mode ?? "unknown mode"}, ${span}); copying into it is refused because every object written would be locked.`,
    );
  }
}

function noSuchBucket(bucket: string) {
  return validationError("bucket", `bucket "${bucket}" does not exist at this object store.`);
}

async function probeFailure(error: unknown, client: S3Client, bucket: string) {
  if (s3ErrorCode(error)?.startsWith("HPE_")) return notHttpAnswer(await endpointOf(client));
  const classified = classifyS3Error(error);
  switch (classified.kind) {
    case "no-such-bucket":
      return noSuchBucket(bucket);
    case "credentials":
      return credentialsFailure(error);
    case "access-denied":
      return validationError("access_key_id", `these credentials may not list bucket "${bucket}" (AccessDenied).`);
    case "tls":
      return validationError(
        "ca_certificate",
        `the object store's TLS certificate could not be verified (${codeOf(classified.message)}); give the CA that signed it in ca_certificate.`,
      );
    case "tls-handshake":
      return handshakeFailure(error, await endpointOf(client));
    case "endpoint-refused":
      // The field is named already: the refusal itself ("x" resolves to a private address, …) says the rest.
      return validationError("object_store_address", `${(error as Error).message}.`);
    case "not-s3":
      return validationError("object_store_address", `${classified.message}.`);
    case "unreachable":
      return unreachable(codeOf(classified.message), await endpointOf(client));
    default:
      return validationError("bucket", `the object store refused to list bucket "${bucket}" (${classified.message}).`);
  }
}

/** Each key has its own field: a wrong secret is not a wrong access key. */
function credentialsFailure(error: unknown) {
  const code = s3ErrorCode(error);
  if (code === "SignatureDoesNotMatch")
    return validationError("secret_access_key", `Secret Access Key is wrong for this access key (${code}).`);
  if (code === "InvalidAccessKeyId")
    return validationError("access_key_id", `the store does not know this Access Key ID (${code}).`);
  return validationError("access_key_id", `the object store rejected the access key or secret (${code}).`);
}

interface Endpoint {
  /** As written in a URL: an IPv6 address in brackets. */
  host: string;
  port: number;
  /** "http:" or "https:". */
  protocol: string;
}

/**
 * A handshake that met no TLS at all is, nearly always, an endpoint speaking plain HTTP on that
 * port; one plain-HTTP request there tells it apart from some other service before the message
 * says so. No CA can cure a handshake failure, so the address is the field in error either way.
 */
async function handshakeFailure(error: unknown, endpoint: Endpoint | undefined) {
  const where = endpoint ? `${endpoint.host}:${endpoint.port}` : "the object store";
  if (endpoint && isNotTlsAnswer(error) && (await answersPlainHttp(endpoint))) {
    const hint = isLoopbackHost(endpoint.host)
      ? "(and allow plain HTTP if it is not on this host)"
      : "and allow plain HTTP (it is not on this host: the data would cross the network unencrypted)";
    return validationError(
      "object_store_address",
      `${where} answers in plain HTTP; write http://${endpoint.host} in Object store address ${hint}.`,
    );
  }
  const reason = tlsFailureReason(error) ?? s3ErrorCode(error) ?? "no reason given";
  return validationError(
    "object_store_address",
    `the TLS handshake with ${where} failed (${reason}); check that the store speaks HTTPS on that port.`,
  );
}

/** Codes that mean nothing is listening or the name is unknown: no other protocol is worth trying there. */
const NOTHING_THERE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]);

/**
 * An http:// address whose port hung up or answered garbage often has an HTTPS store behind it
 * (port 443, a TLS-only gateway); one TLS handshake there tells it apart before the message says so.
 */
async function unreachable(code: string, endpoint: Endpoint | undefined) {
  if (endpoint?.protocol === "http:" && !NOTHING_THERE.has(code) && (await answersTls(endpoint))) {
    return speaksHttps(endpoint);
  }
  return validationError("object_store_address", `the object store could not be reached (${code}).`);
}

/** Whatever answered at the address is not an HTTP server: an HTTPS store, or another service altogether. */
async function notHttpAnswer(endpoint: Endpoint | undefined) {
  if (endpoint?.protocol === "http:" && (await answersTls(endpoint))) return speaksHttps(endpoint);
  const where = endpoint ? `${endpoint.host}:${endpoint.port}` : "the object store";
  return validationError(
    "object_store_address",
    `${where} does not answer in HTTP; check the address and port (is it the object store's?).`,
  );
}

function speaksHttps(endpoint: Endpoint) {
  return validationError(
    "object_store_address",
    `${endpoint.host}:${endpoint.port} answers in HTTPS, not plain HTTP; write https://${endpoint.host} in Object store address.`,
  );
}

async function endpointOf(client: S3Client): Promise<Endpoint | undefined> {
  const endpoint = await client.config.endpoint?.();
  if (!endpoint) return undefined;
  const host =
    endpoint.hostname.includes(":") && !endpoint.hostname.startsWith("[")
      ? `[${endpoint.hostname}]`
      : endpoint.hostname;
  return { host, port: endpoint.port ?? (endpoint.protocol === "http:" ? 80 : 443), protocol: endpoint.protocol };
}

function codeOf(message: string): string {
  return /\(([^)]*)\)\s*$/.exec(message)?.[1] ?? message;
}
