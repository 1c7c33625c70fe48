/** An S3 error answer (or a network failure), shaped like the SDK's errors so that one classifier reads both. */
export class StoreRequestError extends Error {
  readonly $metadata: { httpStatusCode?: number; attempts?: number };
  constructor(
    readonly code: string,
    message: string,
    status?: number,
  ) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}
