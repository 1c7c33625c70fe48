import type { Readable } from "node:stream";

/**
 * The requests a copy job makes of an object store, in the engine's own terms. The engine and
 * the operations in lib/s3 (putObject, multipartUpload, downloadObject…) depend on this alone;
 * S3Store (lib/s3/s3-store.ts) speaks S3; MemoryStore (test/support/memory-store.ts) holds
 * objects in memory for tests of the engine's decisions. ETags are bare (no quotes) unless said otherwise.
 * Transient failures are retried inside an implementation: what it throws is final.
 */
export interface ObjectStore {
  /** One PUT of a body held in memory; the store verifies it against its Content-MD5 (and SHA-256 where asked). */
  putObject(request: PutObjectRequest): Promise<{ etag: string; attempts: number }>;
  createMultipartUpload(request: CreateUploadRequest): Promise<{ uploadId: string; attempts: number }>;
  /** The part's ETag as the store gave it (quotes and all), which its completion sends back. */
  uploadPart(request: PartRequest): Promise<{ etag: string }>;
  /** The object's ETag; "" from stores that complete without one (Ceph RGW). */
  completeMultipartUpload(request: CompleteUploadRequest): Promise<{ etag: string }>;
  abortMultipartUpload(request: UploadRef): Promise<void>;
  listMultipartUploads(request: UploadsPageRequest): Promise<UploadsPage>;
  listObjectsPage(request: ObjectsPageRequest): Promise<ListPage>;
  getObject(request: GetObjectRequest): Promise<ObjectBody>;
  /** A whole small object, its bytes in memory: for the many small files of a tree, without a stream per object. */
  getSmallObject(request: ObjectRef & { ifMatch: string }): Promise<SmallObject>;
  headObject(request: ObjectRef): Promise<ObjectHead>;
  /** Server-side copy within the bucket: the store duplicates the object, no data is sent. */
  copyObject(request: CopyObjectRequest): Promise<{ etag: string }>;
}

/**
 * A body sent as it is read, `length` bytes in all. `chunks` is called afresh for each attempt;
 * each chunk it yields is written out before the next is asked for, so it may reuse one buffer.
 * An error it throws ends the request unfinished: the store never sees a complete body.
 */
export interface StreamedBody {
  length: number;
  chunks: () => AsyncIterable<Buffer>;
}

/** A body already in memory, as a streamed one. */
export function bufferBody(buffer: Buffer): StreamedBody {
  return {
    length: buffer.length,
    chunks: async function* () {
      yield buffer;
    },
  };
}

export interface ObjectRef {
  bucket: string;
  key: string;
  signal?: AbortSignal;
}

/** What an uploaded object carries besides its bytes. */
export interface NewObject extends ObjectRef {
  contentType: string;
  /** The content's SHA-256, kept as the object's sha256 metadata. */
  sha256: Buffer;
}

export interface PutObjectRequest extends NewObject {
  body: Buffer;
  /** Also send x-amz-checksum-sha256, for stores that verify it (AWS). */
  sendSha256Checksum: boolean;
}

export type CreateUploadRequest = NewObject;

export interface UploadRef extends ObjectRef {
  uploadId: string;
}

export interface PartRequest extends UploadRef {
  partNumber: number;
  body: StreamedBody;
  /** The part's SHA-256, signed as its payload hash: stores that check it refuse other bytes. */
  sha256: Buffer;
}

export interface CompleteUploadRequest extends UploadRef {
  parts: Array<{ partNumber: number; etag: string }>;
}

export interface UploadsPageRequest {
  bucket: string;
  prefix: string;
  keyMarker?: string;
  uploadIdMarker?: string;
}

export interface UploadsPage {
  uploads: Array<{ key: string; uploadId: string; initiated: Date }>;
  /** Set when more uploads follow. */
  next?: { keyMarker?: string; uploadIdMarker?: string };
}

export interface ListedObject {
  key: string;
  size: bigint;
  /** As listed, quotes and all. */
  etag: string;
  storageClass?: string;
  lastModified?: Date;
}

export interface ListPage {
  objects: ListedObject[];
  /** Set when more keys follow. */
  nextToken?: string;
}

export interface ObjectsPageRequest {
  bucket: string;
  prefix: string;
  /** Continues a listing; otherwise it starts at the first key, or after `startAfter`. */
  token?: string;
  startAfter?: string;
  /** Keys per page: 1,000 (the most S3 gives) unless a test wants many pages of few keys. */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface GetObjectRequest extends ObjectRef {
  /** Only the object with this ETag is answered: parts of two versions never mix. */
  ifMatch: string;
  range?: { offset: number; length: number };
}

export interface ObjectHead {
  etag: string;
  size: bigint;
  /** The sha256 metadata, as stored (unchecked), when the object has it. */
  sha256?: string;
}

/** What a GET's headers say of the object. */
export interface ObjectFacts {
  etag: string;
  sha256?: string;
  /** Encrypted with KMS or a customer key: its ETag is then not its MD5. */
  keyEncrypted: boolean;
}

export interface ObjectBody extends ObjectFacts {
  body: Readable;
}

export interface SmallObject extends ObjectFacts {
  data: Buffer;
}

export interface CopyObjectRequest extends NewObject {
  sourceKey: string;
}
