#!/usr/bin/env bash
# A one-node Ceph cluster with a RADOS Gateway serving S3 on 127.0.0.1, for the tests that need
# what s3rver lacks (ListMultipartUploads, AbortMultipartUpload, Content-MD5 checks) and for the
# benchmarks. Plain daemons under one directory; no systemd.
#
#   scripts/ceph.sh up      start a fresh cluster (or keep the running one) and print its settings
#   scripts/ceph.sh down    stop the daemons named by the pid files, then delete the directory
#
# Settings (environment):
#   CEPH_DIR       data, config, logs and pid files (default /tmp/s3shift-ceph)
#   CEPH_MON_PORT  monitor port, msgr2; msgr1 uses the next one (default 3300)
#   RGW_PORT       S3 port (default 7480)
#   CEPH_BACKEND   memstore (RAM; default) or bluestore (a sparse file in CEPH_DIR)
#   CEPH_SIZE_GB   OSD capacity (default 8 for memstore, 32 for bluestore)
#   S3_ACCESS_KEY, S3_SECRET_KEY   the S3 user's keys (default s3shift-test / s3shift-test-secret)
# The daemons write to files only, so a caller reading this script's output sees it end.
# Packages: ceph-mon ceph-osd radosgw ceph-common (scripts/install-test-tools.sh installs them).
set -euo pipefail

DIR=${CEPH_DIR:-/tmp/s3shift-ceph}
MON_PORT=${CEPH_MON_PORT:-3300}
RGW_PORT=${RGW_PORT:-7480}
BACKEND=${CEPH_BACKEND:-memstore}
ACCESS=${S3_ACCESS_KEY:-s3shift-test}
SECRET=${S3_SECRET_KEY:-s3shift-test-secret}
CONF=$DIR/ceph.conf
DAEMONS=(client.rgw.a:radosgw osd.0:ceph-osd mon.a:ceph-mon)

fail() { echo "ceph.sh: $*" >&2; exit 1; }
ceph_() { timeout 60 ceph -c "$CONF" "$@"; }

# True when NAME's pid file names a live process running COMMAND, so a reused pid is never ours.
running() {
  local pidfile=$DIR/run/$1.pid
  [ -s "$pidfile" ] && [ "$(ps -o comm= -p "$(cat "$pidfile")" 2>/dev/null)" = "$2" ]
}

await() {
  local what=$1 deadline=$(( $(date +%s) + 120 ))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "no $what after 120 s (logs in $DIR/log)"
    sleep 0.3
  done
}

down() {
  local entry name command pid
  for entry in "${DAEMONS[@]}"; do
    name=${entry%%:*} command=${entry#*:}
    if running "$name" "$command"; then
      pid=$(cat "$DIR/run/$name.pid")
      kill -TERM "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$DIR"
}

write_config() {
  local bytes
  case "$BACKEND" in
    memstore) bytes=$(( ${CEPH_SIZE_GB:-8} << 30 )) ;;
    bluestore) bytes=$(( ${CEPH_SIZE_GB:-32} << 30 )) ;;
    *) fail "CEPH_BACKEND must be memstore or bluestore" ;;
  esac
  cat >"$CONF" <<EOF
[global]
fsid = $(cat /proc/sys/kernel/random/uuid)
mon host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$((MON_PORT + 1))]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
run dir = $DIR/run
crash dir = $DIR/crash
log file = $DIR/log/\$name.log
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
keyring = $DIR/keyring
# One OSD holds one copy of everything.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1

[mon]
mon data = $DIR/mon.\$id
mon cluster log file = $DIR/log/cluster.log

[osd]
osd data = $DIR/osd\$id
keyring = $DIR/osd\$id/keyring
osd objectstore = $BACKEND
memstore device bytes = $bytes
bluestore block path = $DIR/osd\$id/block.file
bluestore block create = true
bluestore block size = $bytes
osd memory target = 1073741824

[client.rgw.a]
keyring = $DIR/rgw.a/keyring
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $DIR/rgw.a
# Deleted data is freed soon, which matters when the OSD keeps it in RAM.
rgw gc obj min wait = 30
rgw gc processor period = 30
EOF
}

up() {
  for command in ceph-mon ceph-osd radosgw radosgw-admin ceph-authtool monmaptool; do
    command -v "$command" >/dev/null || fail "$command is missing: apt-get install ceph-mon ceph-osd radosgw ceph-common"
  done
  if running mon.a ceph-mon && running osd.0 ceph-osd && running client.rgw.a radosgw; then
    print_settings
    return
  fi
  # A half-running or stopped cluster is rebuilt: memstore keeps nothing across a stop anyway.
  down
  mkdir -p "$DIR"/{run,log,crash,mon.a,osd0,rgw.a}
  write_config

  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --fsid "$(awk '/^fsid/ {print $3}' "$CONF")" \
    --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$((MON_PORT + 1))]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
  ceph-mon -c "$CONF" -i a <&- >>"$DIR/log/daemons.log" 2>&1
  await "monitor" ceph_ -s

  local osd_uuid osd_key
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_key=$(ceph-authtool --gen-print-key)
  printf '{"cephx_secret": "%s"}\n' "$osd_key" >"$DIR/osd0/new.json"
  [ "$(ceph_ osd new "$osd_uuid" -i "$DIR/osd0/new.json")" = 0 ] || fail "the OSD did not get id 0"
  ceph-osd -c "$CONF" -i 0 --mkfs --key "$osd_key" --osd-uuid "$osd_uuid" >"$DIR/log/osd-mkfs.log" 2>&1 \
    || fail "ceph-osd --mkfs failed (see $DIR/log/osd-mkfs.log)"
  printf '[osd.0]\n\tkey = %s\n' "$osd_key" >"$DIR/osd0/keyring"
  ceph-osd -c "$CONF" -i 0 <&- >>"$DIR/log/daemons.log" 2>&1
  await "OSD" sh -c "ceph -c '$CONF' osd dump | grep -q '^osd.0 up'"

  ceph_ auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' -o "$DIR/rgw.a/keyring"
  radosgw -c "$CONF" -n client.rgw.a <&- >>"$DIR/log/daemons.log" 2>&1
  await "S3 answer on port $RGW_PORT" curl -sf "http://127.0.0.1:$RGW_PORT/"
  radosgw-admin -c "$CONF" -n client.admin user create --uid=s3shift --display-name="S3 Shift tests" \
    --access-key="$ACCESS" --secret-key="$SECRET" >/dev/null
  # The new user's keys take a moment to reach the gateway; a signed ListBuckets proves they have.
  await "signed S3 answer" curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS:$SECRET" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "http://127.0.0.1:$RGW_PORT/"
  print_settings
}

print_settings() {
  echo "S3_ENDPOINT=http://127.0.0.1:$RGW_PORT"
  echo "S3_ACCESS_KEY=$ACCESS"
  echo "S3_SECRET_KEY=$SECRET"
  echo "RGW_PID=$(cat "$DIR/run/client.rgw.a.pid")"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: scripts/ceph.sh up|down" >&2; exit 2 ;;
esac
