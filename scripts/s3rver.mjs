// Runs s3rver (a local S3-compatible server) on loopback and prints one JSON line with its port.
// Must run under `node --openssl-legacy-provider`, or listings past 1,000 keys fail.
import S3rver from "s3rver";

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
