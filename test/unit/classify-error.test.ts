import { describe, expect, it } from "vitest";
import { classifyS3Error } from "@/lib/s3/classify-error";

const sdkError = (name: string, status?: number) =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });

describe("what an S3 error means for a job", () => {
  it.each([
    ["SignatureDoesNotMatch", 403, "fatal", "credentials"],
    ["InvalidAccessKeyId", 403, "fatal", "credentials"],
    ["NoSuchBucket", 404, "fatal", "no-such-bucket"],
    ["AccessDenied", 403, "fatal", "access-denied"],
    ["SlowDown", 503, "fatal", "unreachable"],
    ["InternalError", 500, "fatal", "unreachable"],
    ["InvalidPart", 400, "per-file", "other"],
    ["EntityTooLarge", 400, "per-file", "other"],
  ])("%s (HTTP %s) is %s (%s)", (name, status, disposition, kind) => {
    expect(classifyS3Error(sdkError(name, status))).toMatchObject({ disposition, kind });
  });

  it("names the cause of network and TLS failures", () => {
    expect(classifyS3Error(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })).message).toBe(
      "the store is unreachable after retries (ECONNREFUSED)",
    );
    expect(
      classifyS3Error(Object.assign(new Error("self-signed"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" })).message,
    ).toBe("the store's TLS certificate could not be verified (DEPTH_ZERO_SELF_SIGNED_CERT)");
    expect(classifyS3Error(sdkError("SignatureDoesNotMatch", 403)).message).toBe(
      "the store rejected the credentials (SignatureDoesNotMatch)",
    );
  });

  it("tells a handshake that met no TLS from a certificate that did not verify", () => {
    const plainAnswer = Object.assign(
      new Error(
        "write EPROTO 801C0C42457F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n",
      ),
      { code: "EPROTO" },
    );
    expect(classifyS3Error(plainAnswer)).toEqual({
      disposition: "fatal",
      kind: "tls-handshake",
      message: "the store did not answer in TLS (wrong version number); it may speak plain HTTP (an http:// address)",
    });
    const refusedVersion = Object.assign(
      new Error(
        "write EPROTO 00000000:error:0A000102:SSL routines:ssl_choose_client_version:unsupported protocol:x.c:1:",
      ),
      { code: "EPROTO" },
    );
    expect(classifyS3Error(refusedVersion)).toMatchObject({
      kind: "tls-handshake",
      message: "the TLS handshake with the store failed (unsupported protocol)",
    });
  });
});
