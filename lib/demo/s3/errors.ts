/** An answer in S3's error shape: the status, the code clients classify by, and a message for people. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const accessDenied = (message = "Access Denied") => new S3Error(403, "AccessDenied", message);
export const noSuchBucket = () => new S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
export const noSuchKey = () => new S3Error(404, "NoSuchKey", "The specified key does not exist.");
export const noSuchUpload = () =>
  new S3Error(
    404,
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
  );
export const invalidArgument = (message: string) => new S3Error(400, "InvalidArgument", message);
export const notImplemented = (
  message = "A header or query you provided implies functionality that is not implemented.",
) => new S3Error(501, "NotImplemented", message);
