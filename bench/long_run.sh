#!/usr/bin/env bash
# Long run against misbehaving servers (issue 16): `poolscope run` at full rate for
# MINUTES against one `poolscope serve --hostile MODE` per hostile mode (all at once,
# --url repeated) and, beside it, a second `poolscope run` against nginx. Every minute
# the resident memory and open descriptors of both clients and of the servers are
# sampled; each run's JSON says whether the books balanced at every snapshot (books).
# Never part of ctest. Needs nginx and ss; loopback only.
#
#   bench/long_run.sh [--minutes N (10)] [--workers N (32)] [--bin PATH (build/poolscope)]
#
# Writes bench/results/long_run.tsv (the samples) and prints a summary table.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/nginx_conf.sh
. "$ROOT/bench/nginx_conf.sh"
MINUTES=10
WORKERS=32
BIN="$ROOT/build/poolscope"
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) MINUTES=$2; shift ;;
        --workers) WORKERS=$2; shift ;;
        --bin) BIN=$(realpath -m "$2"); shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "bench/long_run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$BIN" ] || { echo "bench/long_run.sh: $BIN is not built" >&2; exit 2; }
for tool in nginx ss; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done

WORK=$(mktemp -d /tmp/poolscope-long.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Every mode that ends a request by itself or by the client's 1 s timeout.
MODES=(garbage truncated-head truncated-body length-longer length-shorter bad-chunk-size
    huge-headers trickle-head trickle-body reset reset-mid-body never-answer 1xx-storm
    length-and-chunked two-lengths)
URLS=()
SERVER_PIDS=()
for m in "${MODES[@]}"; do
    "$BIN" serve --hostile "$m" >"$WORK/serve-$m.out" 2>"$WORK/serve-$m.err" &
    pid=$!
    PIDS+=("$pid")
    SERVER_PIDS+=("$pid")
    for _ in $(seq 1 100); do
        url=$(sed -n 's/^listening on //p' "$WORK/serve-$m.out")
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "serve --hostile $m did not start" >&2; exit 1; }
    URLS+=(--url "$url")
done

port=
for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 10000))
    if [ -z "$(ss -Htln "sport = :$p")" ]; then port=$p; break; fi
done
mkdir -p "$WORK/nginx"
nginx_conf "$WORK/nginx" "$port" >"$WORK/nginx/nginx.conf"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/stderr" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for _ in $(seq 1 50); do [ -n "$(ss -Htln "sport = :$port")" ] && break; sleep 0.1; done

common=(run --json --no-kernel --quiet --workers "$WORKERS" --duration "${MINUTES}m" --record-events)
"$BIN" "${common[@]}" --timeout 1s "${URLS[@]}" >"$WORK/hostile.json" 2>"$WORK/hostile.err" &
HOSTILE_PID=$!
PIDS+=("$HOSTILE_PID")
"$BIN" "${common[@]}" --url "http://127.0.0.1:$port/" >"$WORK/nginx.json" 2>"$WORK/nginx.err" &
NGINX_RUN_PID=$!
PIDS+=("$NGINX_RUN_PID")

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
servers_rss() { local t=0 p; for p in "${SERVER_PIDS[@]}"; do t=$((t + $(rss "$p"))); done; echo "$t"; }
servers_fds() { local t=0 p; for p in "${SERVER_PIDS[@]}"; do t=$((t + $(fds "$p"))); done; echo "$t"; }

OUT="$ROOT/bench/results/long_run.tsv"
mkdir -p "$(dirname "$OUT")"
printf 'minute\thostile_client_rss_kib\thostile_client_fds\tservers_rss_kib\tservers_fds\tnginx_client_rss_kib\tnginx_client_fds\n' >"$OUT"
sample() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$(rss "$HOSTILE_PID")" "$(fds "$HOSTILE_PID")" \
        "$(servers_rss)" "$(servers_fds)" "$(rss "$NGINX_RUN_PID")" "$(fds "$NGINX_RUN_PID")" >>"$OUT"
}
sleep 5
sample 0
for minute in $(seq 1 "$MINUTES"); do
    sleep 60
    kill -0 "$HOSTILE_PID" 2>/dev/null || break
    sample "$minute"
done
wait "$HOSTILE_PID" || true
wait "$NGINX_RUN_PID" || true
crashed=0
for p in "${SERVER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || crashed=$((crashed + 1)); done

summary() { # NAME JSON
    jq -r --arg n "$1" '"| \($n) | \(.requests) | \(.rps | floor) | \(.errors) | \(.dials) | \(.closed) | \(.open_at_end) | \(.books.snapshots) | \(.books.unbalanced) | \(.errors_by_kind | to_entries | map("\(.key) \(.value)") | join(", ")) |"' "$2"
}
echo "| run | requests | req/s | errors | dials | closed | open at end | snapshots | unbalanced | errors by kind |"
echo "|---|---|---|---|---|---|---|---|---|---|"
summary "hostile (${#MODES[@]} servers)" "$WORK/hostile.json"
summary nginx "$WORK/nginx.json"
echo
echo "hostile servers still running at the end: $(( ${#SERVER_PIDS[@]} - crashed )) of ${#SERVER_PIDS[@]}"
echo "samples (KiB, descriptors) in $OUT:"
cat "$OUT"
