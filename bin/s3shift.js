#!/usr/bin/env node
// The s3shift command: runs the TypeScript CLI through tsx's loader.
import { register } from "tsx/esm/api";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
await import("../cli/main.ts");
