import crypto from "node:crypto";
import { NodeSha256 } from "@/lib/s3/node-sha256";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HeaderBag, HttpRequest, QueryParameterBag } from "@smithy/types";
import { accessDenied, S3Error } from "./errors";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** The path exactly as it came on the wire (still percent-encoded): S3 signs it unnormalised. */
  rawPath: string;
  query: QueryParameterBag;
  /** Every header's values, names in lower case. */
  headers: Record<string, string[]>;
}

export interface VerifiedRequest {
  accessKeyId: string;
  /** What the body must hash to: a SHA-256 hex digest, or UNSIGNED-PAYLOAD. */
  payloadHash: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

const signatureMismatch = () =>
  new S3Error(
    403,
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
  );

/**
 * The SDK's own signer builds the canonical request and the string to sign, so the escaping
 * rules are exactly those a client used; only the comparison is done here.
 */
class CanonicalForm extends SignatureV4 {
  constructor() {
    super({
      service: "s3",
      region: "us-east-1",
      credentials: { accessKeyId: "", secretAccessKey: "" },
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
  }
  stringToSign(
    request: HttpRequest,
    headers: HeaderBag,
    payloadHash: string,
    longDate: string,
    scope: string,
  ): Promise<string> {
    return this.createStringToSign(
      longDate,
      scope,
      this.createCanonicalRequest(request, headers, payloadHash),
      ALGORITHM,
    );
  }
}

const canonicalForm = new CanonicalForm();

/**
 * Checks an AWS Signature Version 4 request, in the Authorization header form or the presigned
 * query form, against the known keys. Throws the S3 error a store would answer with.
 */
export async function verifySignature(
  request: SignedRequest,
  keys: Credentials[],
  now = new Date(),
): Promise<VerifiedRequest> {
  const header = request.headers["authorization"]?.[0];
  const presigned = typeof request.query["X-Amz-Algorithm"] === "string";
  if (header && presigned)
    throw invalid(
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified",
    );
  if (!header && !presigned)
    throw accessDenied("Anonymous access is not allowed: sign the request with the endpoint's access key");
  const parts = header ? fromHeader(header, request) : fromQuery(request);

  const [accessKeyId, shortDate, region, service, terminator, ...rest] = parts.credential.split("/");
  if (rest.length || !accessKeyId || !shortDate || !region || service !== "s3" || terminator !== "aws4_request") {
    throw invalid(`Invalid credential scope "${parts.credential}"`);
  }
  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (!key)
    throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  if (!/^\d{8}T\d{6}Z$/.test(parts.longDate) || parts.longDate.slice(0, 8) !== shortDate)
    throw invalid("X-Amz-Date does not match the credential scope's date");
  const signedAt = Date.UTC(
    +shortDate.slice(0, 4),
    +shortDate.slice(4, 6) - 1,
    +shortDate.slice(6, 8),
    +parts.longDate.slice(9, 11),
    +parts.longDate.slice(11, 13),
    +parts.longDate.slice(13, 15),
  );
  if (parts.expiresSeconds === undefined) {
    if (Math.abs(now.getTime() - signedAt) > MAX_SKEW_MS) {
      throw new S3Error(
        403,
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
      );
    }
  } else if (signedAt - now.getTime() > MAX_SKEW_MS || now.getTime() > signedAt + parts.expiresSeconds * 1000) {
    throw accessDenied("Request has expired");
  }

  if (!parts.signedHeaders.includes("host")) throw signatureMismatch();
  const canonicalHeaders: HeaderBag = {};
  for (const name of parts.signedHeaders) {
    const values = request.headers[name];
    if (!values) throw signatureMismatch();
    canonicalHeaders[name] = values.map((v) => v.trim().replace(/\s+/g, " ")).join(",");
  }
  const httpRequest: HttpRequest = {
    method: request.method,
    protocol: "http:",
    hostname: "",
    path: request.rawPath,
    query: request.query,
    headers: canonicalHeaders,
  };
  const scope = `${shortDate}/${region}/s3/aws4_request`;
  const stringToSign = await canonicalForm.stringToSign(
    httpRequest,
    canonicalHeaders,
    parts.payloadHash,
    parts.longDate,
    scope,
  );
  const expected = hmac(signingKey(key.secretAccessKey, shortDate, region), stringToSign).toString("hex");
  const given = Buffer.from(parts.signature, "utf8");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, Buffer.from(expected, "utf8")))
    throw signatureMismatch();
  return { accessKeyId, payloadHash: parts.payloadHash };
}

interface AuthParts {
  credential: string;
  signedHeaders: string[];
  signature: string;
  longDate: string;
  payloadHash: string;
  expiresSeconds?: number;
}

const invalid = (message: string) => new S3Error(400, "AuthorizationHeaderMalformed", message);

function fromHeader(header: string, request: SignedRequest): AuthParts {
  const match =
    /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([a-z0-9;-]+), *Signature=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!match) throw invalid("The authorization header is malformed; only AWS4-HMAC-SHA256 header signing is supported");
  const payloadHash = request.headers["x-amz-content-sha256"]?.[0];
  const signedHeaders = match[2]!.split(";");
  if (!payloadHash || !signedHeaders.includes("x-amz-content-sha256")) {
    throw new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  const longDate = request.headers["x-amz-date"]?.[0];
  if (!longDate || !signedHeaders.includes("x-amz-date"))
    throw accessDenied("AWS authentication requires a signed x-amz-date header");
  return { credential: match[1]!, signedHeaders, signature: match[3]!, longDate, payloadHash };
}

function fromQuery(request: SignedRequest): AuthParts {
  const q = (name: string) => {
    const value = request.query[name];
    if (typeof value !== "string") throw invalid(`The presigned URL lacks (or repeats) ${name}`);
    return value;
  };
  if (q("X-Amz-Algorithm") !== ALGORITHM) throw invalid("Only the AWS4-HMAC-SHA256 algorithm is supported");
  const expiresSeconds = Number(q("X-Amz-Expires"));
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGNED_SECONDS) {
    throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds");
  }
  const signature = q("X-Amz-Signature");
  if (!/^[0-9a-f]{64}$/.test(signature)) throw signatureMismatch();
  const signedPayload = request.query["X-Amz-Content-Sha256"];
  return {
    credential: q("X-Amz-Credential"),
    signedHeaders: q("X-Amz-SignedHeaders").split(";"),
    signature,
    longDate: q("X-Amz-Date"),
    payloadHash: typeof signedPayload === "string" ? signedPayload : "UNSIGNED-PAYLOAD",
    expiresSeconds,
  };
}

const hmac = (key: Buffer | string, data: string) => crypto.createHmac("sha256", key).update(data, "utf8").digest();

function signingKey(secret: string, shortDate: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, shortDate), region), "s3"), "aws4_request");
}
