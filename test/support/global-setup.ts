// Nothing is shared between test files: each starts its own S3 server, database and directories.
export default function setup(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
}
