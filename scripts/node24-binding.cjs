// Preloaded (NODE_OPTIONS=--require) by the test passes on a second Node release. node_modules
// holds better-sqlite3 compiled for the Node that ran `npm ci`; another release's ABI cannot load
// it, so its loads go to the copy scripts/node24.sh compiled for the running release, when there
// is one. Keyed by the running release's version: under any other Node nothing changes.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const own = path.join(
  __dirname,
  "..",
  ".node",
  process.versions.node,
  "better-sqlite3/build/Release/better_sqlite3.node",
);
if (fs.existsSync(own)) {
  const dlopen = process.dlopen;
  process.dlopen = function (module, filename, ...rest) {
    return dlopen.call(this, module, path.basename(filename) === "better_sqlite3.node" ? own : filename, ...rest);
  };
}
