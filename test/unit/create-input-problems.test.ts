import { describe, expect, it } from "vitest";
import { inputProblems } from "@/lib/replication/relationship-input";
import { plainMessage } from "@/app/copies/new/plain-words";

describe("a create request's problems, every field at once", () => {
  it("names each field in error once, in the form's order, with no field's name in the message", () => {
    expect(
      inputProblems({
        local_directory_path: "",
        bucket: "",
        object_folder: "a//b",
        access_key_id: "",
        secret_access_key: "",
        object_store_address: "https://s3.example.com:9000",
        port: 70000,
        ca_certificate: "not a certificate",
      }),
    ).toEqual([
      { field: "local_directory_path", message: "must not be empty" },
      {
        field: "object_store_address",
        message: '"https://s3.example.com:9000" is not a host name (give the port in "port")',
      },
      { field: "port", message: "must be from 1 to 65535" },
      { field: "ca_certificate", message: "must be a PEM certificate (-----BEGIN CERTIFICATE-----)" },
      { field: "bucket", message: "must not be empty" },
      { field: "object_folder", message: 'must not contain "//"' },
      { field: "access_key_id", message: "must not be empty" },
      { field: "secret_access_key", message: "must not be empty" },
    ]);
  });

  it("finds nothing wrong with a valid request, and a missing field is required", () => {
    const valid = { local_directory_path: "/a", bucket: "abc", access_key_id: "K", secret_access_key: "S" };
    expect(inputProblems(valid)).toEqual([]);
    expect(inputProblems({ ...valid, secret_access_key: undefined })).toEqual([
      { field: "secret_access_key", message: "is required" },
    ]);
  });
});

describe("the Create Copy form's words", () => {
  it("speaks of fields by their labels and of copies, never of the API's names", () => {
    expect(plainMessage("bucket", "must not be empty")).toBe("Bucket Name is required.");
    expect(plainMessage("secret_access_key", "is required")).toBe("Secret Access Key is required.");
    expect(plainMessage("port", "must be from 1 to 65535")).toBe("Port must be from 1 to 65535.");
    expect(plainMessage("object_store_address", '"s3:9000" is not a host name (give the port in "port")')).toBe(
      '"s3:9000" is not a host name (give the port in Port).',
    );
    expect(
      plainMessage(
        "ca_certificate",
        "the object store's TLS certificate could not be verified (EPROTO); give the CA that signed it in ca_certificate.",
      ),
    ).toBe(
      "The object store's TLS certificate could not be verified (EPROTO); give the CA that signed it in CA Certificate.",
    );
    expect(
      plainMessage(
        "object_store_address",
        'plain http:// to "s3.example.com" is refused; use https, or set allow_plain_http to true for this relationship.',
      ),
    ).toBe(
      'Plain http:// to "s3.example.com" is refused; use https, or tick "Allow plain HTTP to a non-loopback address" for this copy.',
    );
    expect(plainMessage("local_directory_id", "no directory with inode 9 exists in the local namespace.")).toBe(
      "No directory with inode 9 exists in the local namespace.",
    );
  });
});
