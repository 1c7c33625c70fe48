import { describe, expect, it } from "vitest";
import { certificateBlocks, certificateProblem } from "@/lib/replication/ca-certificate";
import { selfSignedCertificate } from "../support/certificates";

const first = selfSignedCertificate();
const second = selfSignedCertificate();
const keyBody = first.key.replace(/-----[^\n]*-----\n?/g, "");

describe("ca_certificate holds certificates and nothing else", () => {
  it("accepts one certificate, or a bundle of several", () => {
    expect(certificateProblem(first.cert)).toBeUndefined();
    expect(certificateProblem(`${first.cert}\n${second.cert}`)).toBeUndefined();
  });

  it("refuses a private key pasted after the certificate, naming its type only", () => {
    const problem = certificateProblem(`${first.cert}${first.key}`);
    expect(problem).toBe('block 2 is a PEM "PRIVATE KEY" block; only CERTIFICATE blocks are accepted');
    expect(problem).not.toContain(keyBody.slice(0, 20));
  });

  it("refuses a key pasted before the certificate, and a key alone", () => {
    expect(certificateProblem(`${first.key}${first.cert}`)).toBe(
      'block 1 is a PEM "PRIVATE KEY" block; only CERTIFICATE blocks are accepted',
    );
    expect(certificateProblem(first.key)).toBe("must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
  });

  it("refuses text outside the blocks (a bare base64 key, an unfinished block)", () => {
    expect(certificateProblem(`${first.cert}${keyBody}`)).toBe(
      "must hold only PEM CERTIFICATE blocks (it holds other text as well)",
    );
    expect(certificateProblem(`${first.cert}-----BEGIN PRIVATE KEY-----\n${keyBody}`)).toBe(
      "must hold only PEM CERTIFICATE blocks (it holds other text as well)",
    );
  });

  it("parses every block, not only the first", () => {
    const broken = second.cert.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!");
    expect(certificateProblem(`${first.cert}${broken}`)).toBe("block 2 is not a valid PEM certificate");
    expect(certificateProblem(`${first.cert}-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n`)).toBe(
      'block 2 begins as "CERTIFICATE" but ends as "PRIVATE KEY"',
    );
  });

  it("never shows a key a row stored before this check", () => {
    expect(certificateBlocks(first.cert)).toBe(first.cert);
    expect(certificateBlocks(`${first.cert}${first.key}`)).toBe(first.cert);
    expect(certificateBlocks(first.key)).toBeNull();
    expect(certificateBlocks(null)).toBeNull();
  });
});
