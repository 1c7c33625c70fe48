#!/usr/bin/env bash
# Installs the Debian packages the test suites use (Chromium for the console tests, btrfs-progs
# for the snapshot tests, openssl for test certificates, Ceph's monitor, OSD and RADOS Gateway
# for the tests on a real S3 server), when missing. Needs root for apt-get.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in chromium btrfs-progs openssl ceph-mon ceph-osd radosgw ceph-common curl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "the tests need these Debian packages: ${need[*]} (run: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
