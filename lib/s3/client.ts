import tls from "node:tls";
import { S3Client } from "@aws-sdk/client-s3";
import { GuardedHttpAgent, GuardedHttpsAgent } from "@/lib/net/guarded-agents";
import { endpointUrl, parseAddress, type S3Location } from "./endpoint";
import { LeanS3 } from "./lean-s3";
import { refuseNonS3Answers } from "./s3-answer";
import { S3Store } from "./s3-store";

export interface S3Settings extends S3Location {
  region: string;
  bucketStyle: "BUCKET_STYLE_VIRTUAL_HOSTED" | "BUCKET_STYLE_PATH";
  caCertificate: string | null;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ClientOptions {
  /** Sockets kept open to the store; one per parallel transfer. */
  maxSockets?: number;
  /** Attempts per request, first included (the SDK's standard retry with backoff and jitter). */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  /** Socket inactivity after which a request is abandoned (and retried). */
  requestTimeoutMs?: number;
}

/** The SDK's client alone, for requests outside a copy job (the bucket probe when a relationship is made). */
export function createS3Client(settings: S3Settings, options: ClientOptions = {}): S3Client {
  return connect(settings, options).sdk;
}

/** The object store a job copies to or from (see S3Store). */
export function createObjectStore(settings: S3Settings, options: ClientOptions = {}): S3Store {
  const { sdk, endpoint, agent, connectionTimeout, socketTimeout } = connect(settings, options);
  const lean = new LeanS3({
    endpoint,
    region: settings.region,
    pathStyle: settings.bucketStyle === "BUCKET_STYLE_PATH",
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    agent,
    connectionTimeoutMs: connectionTimeout,
    socketTimeoutMs: socketTimeout,
    retryStrategy: sdk.config.retryStrategy,
  });
  return new S3Store(sdk, lean);
}

function connect(settings: S3Settings, options: ClientOptions) {
  const maxSockets = options.maxSockets ?? 64;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  // Both request paths (the SDK's and LeanS3) connect only through these agents, which refuse
  // restricted addresses on every new connection (see lib/net/guarded-agents.ts).
  const target = { host: parseAddress(settings.objectStoreAddress).host, port: settings.port };
  const httpAgent = new GuardedHttpAgent(agentOptions, target);
  const httpsAgent = new GuardedHttpsAgent(
    {
      ...agentOptions,
      // A given CA is trusted in addition to the system's; verification is never turned off.
      ca: settings.caCertificate ? [...tls.rootCertificates, settings.caCertificate] : undefined,
    },
    target,
  );
  const endpoint = endpointUrl(settings);
  const connectionTimeout = options.connectionTimeoutMs ?? 10_000;
  // Inactivity, not total time (a 5 GiB part may take long): a store that stops answering
  // fails the request, which is then retried. (The handler's requestTimeout only logs.)
  const socketTimeout = options.requestTimeoutMs ?? 120_000;
  const sdk = new S3Client({
    endpoint,
    region: settings.region,
    forcePathStyle: settings.bucketStyle === "BUCKET_STYLE_PATH",
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // Checksums are chosen and sent explicitly (Content-MD5 and sha256): the SDK's default
    // CRC32 streaming trailers are refused or mangled by several S3-compatible stores.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: options.maxAttempts ?? 6,
    retryMode: "standard",
    requestHandler: { httpAgent, httpsAgent, connectionTimeout, socketTimeout },
  });
  refuseNonS3Answers(sdk);
  return {
    sdk,
    endpoint,
    agent: endpoint.startsWith("https:") ? httpsAgent : httpAgent,
    connectionTimeout,
    socketTimeout,
  };
}
