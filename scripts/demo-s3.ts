// Runs the demo S3 endpoint on loopback and prints one JSON line with its port.
// Keys come from DEMO_S3_ACCESS_KEY and DEMO_S3_SECRET_KEY.
import { startS3Server } from "@/lib/demo/s3/server";

const [directory, port = "0", ...buckets] = process.argv.slice(2);
const accessKeyId = process.env.DEMO_S3_ACCESS_KEY;
const secretAccessKey = process.env.DEMO_S3_SECRET_KEY;
if (!directory || !accessKeyId || !secretAccessKey) {
  console.error("usage: DEMO_S3_ACCESS_KEY=… DEMO_S3_SECRET_KEY=… demo-s3.ts <directory> [port] [bucket ...]");
  process.exit(2);
}
const server = await startS3Server({
  directory,
  port: Number(port),
  buckets,
  credentials: [{ accessKeyId, secretAccessKey }],
});
console.log(JSON.stringify({ port: server.port }));
const stop = () => void server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
