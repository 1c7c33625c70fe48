// Runs s3rver (a local S3-compatible server) on loopback and prints one JSON line with its port.
// Must run under `node --openssl-legacy-provider`, or listings past 1,000 keys fail.
import fs from "node:fs/promises";
import path from "node:path";
import S3rver from "s3rver";
import FilesystemStore from "s3rver/lib/stores/filesystem.js";

// s3rver answers a PUT (object or part) once the body has gone through its hashing stream, not
// once its file is written: on a busy machine, a GET or a CompleteMultipartUpload right after
// read the file short (a test saw a resumed upload complete with a garbled part). Each answer
// waits here until the file holds every byte, as a real store's would.
async function untilWritten(file, size) {
  for (let waited = 0; waited < 10_000; waited += 5) {
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && stat.size >= size) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const { putObject, putPart } = FilesystemStore.prototype;
FilesystemStore.prototype.putObject = async function (object) {
  const result = await putObject.call(this, object);
  await untilWritten(this.getResourcePath(object.bucket, object.key, "object"), result.size);
  return result;
};
FilesystemStore.prototype.putPart = async function (bucket, uploadId, partNumber, content) {
  const result = await putPart.call(this, bucket, uploadId, partNumber, content);
  await untilWritten(
    path.join(this.getResourcePath(bucket, undefined, "uploads"), uploadId, String(partNumber)),
    result.size,
  );
  return result;
};

const [directory, port = "0", ...buckets] = process.argv.slice(2);
if (!directory) {
  console.error("usage: s3rver.mjs <directory> [port] [bucket ...]");
  process.exit(2);
}
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
const { port: bound } = await server.run();
console.log(JSON.stringify({ port: bound }));
// close() waits for open connections; a client that vanished mid-response must not hold it forever.
const stop = () => {
  setTimeout(() => process.exit(0), 2_000).unref();
  server.close().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
