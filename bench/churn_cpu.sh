#!/usr/bin/env bash
# CPU time and syscalls per churned request (keep-alives off, 8 workers), `ab -c 8` next to
# one or more poolscope binaries, interleaved, against a loopback nginx (bench/README.md,
# "Churn against ab -c 8"). A fixed number of requests, so the figures do not depend on how
# busy the shared machine is the way req/s do.
#
#   bench/churn_cpu.sh [--requests N] [--reps R] [--strace] POOLSCOPE_BIN...
#
# Prints, per repetition and tool, user and system CPU in microseconds per request
# (/usr/bin/time); with --strace also `strace -c -f` syscalls per request over 2,000
# requests. Never part of ctest.
set -euo pipefail
# shellcheck source=bench/nginx_conf.sh
. "$(cd "$(dirname "$0")" && pwd)/nginx_conf.sh"
N=40000 REPS=3 STRACE=0
while [ $# -gt 0 ]; do
    case $1 in
    --requests) N=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --strace) STRACE=1; shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--requests N] [--reps R] [--strace] POOLSCOPE_BIN..." >&2; exit 2; }
W=$(mktemp -d)
NG=
trap '[ -n "$NG" ] && kill "$NG" 2>/dev/null; rm -rf "$W"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nginx_conf "$W" "$PORT" >"$W/nginx.conf"
nginx -p "$W" -c "$W/nginx.conf" 2>"$W/nginx.err" &
NG=$!
for _ in $(seq 1 50); do [ -n "$(ss -Htln "sport = :$PORT")" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/"
per_req() { awk -v n="$1" '{printf "user %5.1f  sys %5.1f us/req", $1 * 1e6 / n, $2 * 1e6 / n}'; }
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1; }
ps_args() { echo run --url "$URL" --workers 8 --requests $(($1 / 8)) --disable-keep-alives --no-kernel; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$REPS"); do
    echo "rep $r  ab -c 8 -n $N:  $(cpu ab -q -c 8 -n "$N" "$URL" | per_req "$N")"
    for b in "$@"; do
        # shellcheck disable=SC2046
        echo "rep $r  $b:  $(cpu "$b" $(ps_args "$N") | per_req "$N")"
    done
done
if [ "$STRACE" = 1 ]; then
    M=2000
    calls() { awk -v n=$M '$NF == "total" {printf "%.1f syscalls/req", $4 / n}' "$1"; }
    strace -c -f -o "$W/ab.st" ab -q -c 8 -n $M "$URL" >/dev/null 2>&1
    echo "strace ab -c 8 -n $M: $(calls "$W/ab.st")"
    for b in "$@"; do
        # shellcheck disable=SC2046
        strace -c -f -o "$W/ps.st" "$b" $(ps_args $M) >/dev/null 2>&1
        echo "strace $b: $(calls "$W/ps.st")"
    done
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
