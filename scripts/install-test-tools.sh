#!/usr/bin/env bash
# Installs the Debian packages the test suites use (Chromium for the console tests, btrfs-progs
# for the snapshot tests, openssl for test certificates, Ceph's monitor, OSD and RADOS Gateway
# for the tests on a real S3 server, PostgreSQL for the suites run on it), when missing. Needs root for apt-get.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in chromium btrfs-progs openssl ceph-mon ceph-osd radosgw ceph-common curl postgresql; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "the tests need these Debian packages: ${need[*]} (run: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
# The tests start their own PostgreSQL clusters; the package need not make and start one of its own.
if [[ " ${need[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
