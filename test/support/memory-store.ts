import crypto from "node:crypto";
import { Readable } from "node:stream";
import { compareUtf8 } from "@/lib/engine/key-order";
import type {
  CompleteUploadRequest,
  CopyObjectRequest,
  CreateUploadRequest,
  GetObjectRequest,
  ListPage,
  ObjectBody,
  ObjectHead,
  ObjectRef,
  ObjectsPageRequest,
  ObjectStore,
  PartRequest,
  PutObjectRequest,
  SmallObject,
  UploadRef,
  UploadsPage,
  UploadsPageRequest,
} from "@/lib/s3/object-store";
import { StoreRequestError } from "@/lib/s3/store-request-error";

interface StoredObject {
  body: Buffer;
  etag: string;
  sha256: string;
  contentType: string;
  lastModified: Date;
}

interface OpenUpload {
  bucket: string;
  key: string;
  sha256: string;
  contentType: string;
  initiated: Date;
  parts: Map<number, { body: Buffer; etag: string }>;
}

type Operation = keyof ObjectStore;

/** One request the store received. */
interface Call {
  operation: Operation;
  key?: string;
  partNumber?: number;
}

const md5Hex = (data: Buffer) => crypto.createHash("md5").update(data).digest("hex");

/**
 * An object store in memory, for tests of the engine's decisions: it answers as an S3 server
 * that verifies signed payloads does (an ETag is the MD5 of a single PUT's body, a part whose
 * bytes are not its signed digest is refused), records every request, and fails the ones
 * `fault` picks. It retries nothing: what `fault` throws is what the engine meets.
 */
export class MemoryStore implements ObjectStore {
  readonly calls: Call[] = [];
  /** An error to throw instead of answering a request (after it is recorded). */
  fault?: (call: Call) => Error | undefined;
  private readonly objects = new Map<string, StoredObject>();
  private readonly uploads = new Map<string, OpenUpload>();

  count(operation: Operation, key?: string): number {
    return this.calls.filter((c) => c.operation === operation && (key === undefined || c.key === key)).length;
  }

  body(bucket: string, key: string): Buffer | undefined {
    return this.objects.get(`${bucket}/${key}`)?.body;
  }

  openUploads(): number {
    return this.uploads.size;
  }

  async putObject({ bucket, key, body, sha256, contentType }: PutObjectRequest) {
    this.receive({ operation: "putObject", key });
    const etag = md5Hex(body);
    this.objects.set(`${bucket}/${key}`, {
      body: Buffer.from(body),
      etag,
      sha256: sha256.toString("hex"),
      contentType,
      lastModified: new Date(),
    });
    return { etag, attempts: 1 };
  }

  async createMultipartUpload({ bucket, key, contentType, sha256 }: CreateUploadRequest) {
    this.receive({ operation: "createMultipartUpload", key });
    const uploadId = crypto.randomUUID();
    this.uploads.set(uploadId, {
      bucket,
      key,
      contentType,
      sha256: sha256.toString("hex"),
      initiated: new Date(),
      parts: new Map(),
    });
    return { uploadId, attempts: 1 };
  }

  async uploadPart({ key, uploadId, partNumber, body, sha256 }: PartRequest) {
    this.receive({ operation: "uploadPart", key, partNumber });
    const chunks: Buffer[] = [];
    for await (const chunk of body.chunks()) chunks.push(Buffer.from(chunk));
    const bytes = Buffer.concat(chunks);
    if (!crypto.createHash("sha256").update(bytes).digest().equals(sha256)) {
      throw new StoreRequestError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
      );
    }
    const etag = `"${md5Hex(bytes)}"`;
    this.upload(uploadId).parts.set(partNumber, { body: bytes, etag });
    return { etag };
  }

  async completeMultipartUpload({ uploadId, parts }: CompleteUploadRequest) {
    this.receive({ operation: "completeMultipartUpload" });
    const upload = this.upload(uploadId);
    const bodies = parts.map(({ partNumber, etag }) => {
      const part = upload.parts.get(partNumber);
      if (!part || part.etag !== etag)
        throw new StoreRequestError("InvalidPart", `part ${partNumber} was not uploaded with that ETag`, 400);
      return part.body;
    });
    const etag = `${md5Hex(Buffer.concat(bodies.map((b) => Buffer.from(md5Hex(b), "hex"))))}-${parts.length}`;
    this.objects.set(`${upload.bucket}/${upload.key}`, {
      body: Buffer.concat(bodies),
      etag,
      sha256: upload.sha256,
      contentType: upload.contentType,
      lastModified: new Date(),
    });
    this.uploads.delete(uploadId);
    return { etag };
  }

  async abortMultipartUpload({ key, uploadId }: UploadRef) {
    this.receive({ operation: "abortMultipartUpload", key });
    this.upload(uploadId);
    this.uploads.delete(uploadId);
  }

  async listMultipartUploads({ bucket, prefix }: UploadsPageRequest): Promise<UploadsPage> {
    this.receive({ operation: "listMultipartUploads" });
    const uploads = [...this.uploads.entries()]
      .filter(([, u]) => u.bucket === bucket && u.key.startsWith(prefix))
      .map(([uploadId, u]) => ({ key: u.key, uploadId, initiated: u.initiated }));
    return { uploads };
  }

  async listObjectsPage({ bucket, prefix, token, startAfter, pageSize = 1000 }: ObjectsPageRequest): Promise<ListPage> {
    this.receive({ operation: "listObjectsPage" });
    const after = token ?? startAfter;
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/`))
      .map((k) => k.slice(bucket.length + 1))
      .filter((k) => k.startsWith(prefix) && (after === undefined || compareUtf8(k, after) > 0))
      .sort(compareUtf8);
    const page = keys.slice(0, pageSize);
    const objects = page.map((key) => {
      const o = this.objects.get(`${bucket}/${key}`)!;
      return { key, size: BigInt(o.body.length), etag: `"${o.etag}"`, lastModified: o.lastModified };
    });
    return { objects, nextToken: keys.length > pageSize ? page[page.length - 1] : undefined };
  }

  async getObject({ bucket, key, ifMatch, range }: GetObjectRequest): Promise<ObjectBody> {
    this.receive({ operation: "getObject", key });
    const object = this.object(bucket, key, "NoSuchKey");
    if (object.etag !== ifMatch)
      throw new StoreRequestError(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        412,
      );
    const bytes = range ? object.body.subarray(range.offset, range.offset + range.length) : object.body;
    return { body: Readable.from([Buffer.from(bytes)]), etag: object.etag, sha256: object.sha256, keyEncrypted: false };
  }

  async getSmallObject({ bucket, key, ifMatch }: ObjectRef & { ifMatch: string }): Promise<SmallObject> {
    const { body, ...facts } = await this.getObject({ bucket, key, ifMatch });
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { ...facts, data: Buffer.concat(chunks) };
  }

  async headObject({ bucket, key }: ObjectRef): Promise<ObjectHead> {
    this.receive({ operation: "headObject", key });
    const object = this.object(bucket, key, "NotFound");
    return { etag: object.etag, size: BigInt(object.body.length), sha256: object.sha256 };
  }

  async copyObject({ bucket, key, sourceKey, contentType, sha256 }: CopyObjectRequest) {
    this.receive({ operation: "copyObject", key });
    const source = this.object(bucket, sourceKey, "NoSuchKey");
    this.objects.set(`${bucket}/${key}`, {
      ...source,
      contentType,
      sha256: sha256.toString("hex"),
      lastModified: new Date(),
    });
    return { etag: source.etag };
  }

  private receive(call: Call): void {
    this.calls.push(call);
    const error = this.fault?.(call);
    if (error) throw error;
  }

  private upload(uploadId: string): OpenUpload {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new StoreRequestError("NoSuchUpload", "The specified upload does not exist.", 404);
    return upload;
  }

  private object(bucket: string, key: string, missing: string): StoredObject {
    const object = this.objects.get(`${bucket}/${key}`);
    if (!object) throw new StoreRequestError(missing, "The specified key does not exist.", 404);
    return object;
  }
}
