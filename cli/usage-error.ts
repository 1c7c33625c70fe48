/**
 * Input the command cannot go on without, or cannot accept: it exits 2, like input the API
 * refuses, and its message says what to do instead.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
