import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { md5Base64, SHA256_METADATA_KEY } from "./checksums";
import { normaliseEtag } from "./etag";
import type { LeanS3 } from "./lean-s3";
import { parseListPage } from "./list-page";
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
  SmallObject,
  PutObjectRequest,
  UploadRef,
  UploadsPage,
  UploadsPageRequest,
} from "./object-store";

/**
 * An S3 server, reached two ways over the same guarded sockets: the requests a copy makes by the
 * thousand (small PUTs, parts, listing pages) go the lean signed path (see LeanS3), every other
 * one through the SDK's client. Both retry with the SDK client's strategy.
 */
export class S3Store implements ObjectStore {
  constructor(
    readonly sdk: S3Client,
    readonly lean: LeanS3,
  ) {}

  async putObject({ bucket, key, body, sha256, contentType, sendSha256Checksum, signal }: PutObjectRequest) {
    const headers: Record<string, string> = {
      "content-md5": md5Base64(body),
      "content-type": contentType,
      [`x-amz-meta-${SHA256_METADATA_KEY}`]: sha256.toString("hex"),
    };
    if (sendSha256Checksum) headers["x-amz-checksum-sha256"] = sha256.toString("base64");
    const reply = await this.lean.request({
      method: "PUT",
      bucket,
      key,
      body,
      sha256Hex: sha256.toString("hex"),
      headers,
      signal,
    });
    return { etag: normaliseEtag(String(reply.headers.etag ?? "")), attempts: reply.attempts };
  }

  async createMultipartUpload({ bucket, key, contentType, sha256, signal }: CreateUploadRequest) {
    const created = await this.sdk.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: contentType,
        Metadata: { [SHA256_METADATA_KEY]: sha256.toString("hex") },
      }),
      { abortSignal: signal },
    );
    return { uploadId: created.UploadId!, attempts: created.$metadata.attempts ?? 1 };
  }

  /**
   * The part's SHA-256 from the first read is signed as the payload hash, which the store
   * verifies (SPEC: "SHA-256 where the store supports it"); that one hash replaces both
   * Content-MD5 (which costs twice as much CPU as SHA-256 here) and a hash of the bytes as they
   * are sent, so the part streams from the file.
   */
  async uploadPart({ bucket, key, uploadId, partNumber, body, sha256, signal }: PartRequest) {
    const query = { partNumber: String(partNumber), uploadId };
    const reply = await this.lean.request({
      method: "PUT",
      bucket,
      key,
      query,
      body,
      sha256Hex: sha256.toString("hex"),
      signal,
    });
    return { etag: String(reply.headers.etag ?? "") };
  }

  async completeMultipartUpload({ bucket, key, uploadId, parts, signal }: CompleteUploadRequest) {
    const done = await this.sdk.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
      { abortSignal: signal },
    );
    return { etag: normaliseEtag(done.ETag) };
  }

  async abortMultipartUpload({ bucket, key, uploadId, signal }: UploadRef): Promise<void> {
    await this.sdk.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), {
      abortSignal: signal,
    });
  }

  async listMultipartUploads({ bucket, prefix, keyMarker, uploadIdMarker }: UploadsPageRequest): Promise<UploadsPage> {
    const page = await this.sdk.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    const uploads: UploadsPage["uploads"] = [];
    for (const upload of page.Uploads ?? []) {
      if (upload.Key !== undefined && upload.UploadId && upload.Initiated)
        uploads.push({ key: upload.Key, uploadId: upload.UploadId, initiated: upload.Initiated });
    }
    return {
      uploads,
      next: page.IsTruncated ? { keyMarker: page.NextKeyMarker, uploadIdMarker: page.NextUploadIdMarker } : undefined,
    };
  }

  async listObjectsPage({
    bucket,
    prefix,
    token,
    startAfter,
    pageSize = 1000,
    signal,
  }: ObjectsPageRequest): Promise<ListPage> {
    const query: Record<string, string> = { "list-type": "2", prefix, "max-keys": String(pageSize) };
    if (token) query["continuation-token"] = token;
    else if (startAfter) query["start-after"] = startAfter;
    const reply = await this.lean.request({ method: "GET", bucket, query, signal });
    return parseListPage(reply.body.toString("utf8"));
  }

  async getObject({ bucket, key, ifMatch, range, signal }: GetObjectRequest): Promise<ObjectBody> {
    const reply = await this.sdk.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
        IfMatch: `"${ifMatch}"`,
      }),
      { abortSignal: signal },
    );
    return {
      body: reply.Body as Readable,
      etag: normaliseEtag(reply.ETag),
      sha256: reply.Metadata?.[SHA256_METADATA_KEY],
      keyEncrypted: !!reply.SSECustomerAlgorithm || !!reply.ServerSideEncryption?.startsWith("aws:kms"),
    };
  }

  /**
   * The lean path for a whole small object: the SDK's middleware and response stream cost more CPU
   * than such an object's bytes. A refusal (412 when the ETag moved on, 404) becomes an error shaped
   * like the SDK's, classified alike.
   */
  async getSmallObject({ bucket, key, ifMatch, signal }: ObjectRef & { ifMatch: string }): Promise<SmallObject> {
    const reply = await this.lean.request({
      method: "GET",
      bucket,
      key,
      headers: { "if-match": `"${ifMatch}"` },
      signal,
    });
    const header = (name: string) => {
      const value = reply.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    return {
      data: reply.body,
      etag: normaliseEtag(header("etag")),
      sha256: header(`x-amz-meta-${SHA256_METADATA_KEY}`),
      keyEncrypted:
        !!header("x-amz-server-side-encryption-customer-algorithm") ||
        !!header("x-amz-server-side-encryption")?.startsWith("aws:kms"),
    };
  }

  async headObject({ bucket, key, signal }: ObjectRef): Promise<ObjectHead> {
    const reply = await this.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return {
      sha256: reply.Metadata?.[SHA256_METADATA_KEY],
      etag: normaliseEtag(reply.ETag),
      size: BigInt(reply.ContentLength ?? 0),
    };
  }

  async copyObject({ bucket, key, sourceKey, contentType, sha256, signal }: CopyObjectRequest) {
    const reply = await this.sdk.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: `${bucket}/${encodeURIComponent(sourceKey).replace(/%2F/g, "/")}`,
        // The copy gets its own Content-Type (its name may differ) and the same sha256.
        MetadataDirective: "REPLACE",
        ContentType: contentType,
        Metadata: { [SHA256_METADATA_KEY]: sha256.toString("hex") },
      }),
      { abortSignal: signal },
    );
    return { etag: normaliseEtag(reply.CopyObjectResult?.ETag) };
  }

  destroy(): void {
    this.sdk.destroy();
  }
}
