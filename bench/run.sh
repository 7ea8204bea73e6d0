#!/usr/bin/env bash
# PoolScope benchmarks, each one side by side with its reference tool in the
# same run (see bench/README.md). Never part of ctest.
#
#   bench/run.sh            full: every measurement 3x, medians (about 6 minutes)
#   bench/run.sh --quick    1x, shorter runs (about a minute and a half)
#   bench/run.sh --long     full, and the long run lasts 10 minutes instead of 60 s
#   bench/run.sh bench_gui  only the named benchmarks (bench_keepalive, bench_churn,
#                           bench_memory, bench_gui, bench_long), in that order
#
# Options: --build-dir DIR (default build-bench), --no-build (use what is built),
#          --out FILE (default bench/results/latest.md).
# Prints a markdown table and writes it to the --out file.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/nginx_conf.sh
. "$ROOT/bench/nginx_conf.sh"
BUILD="$ROOT/build-bench"
OUT="$ROOT/bench/results/latest.md"
MODE=full
LONG=0
DO_BUILD=1
ONLY=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MODE=quick ;;
        --long) LONG=1 ;;
        --no-build) DO_BUILD=0 ;;
        --build-dir) BUILD=$(realpath -m "$2"); shift ;;
        --out) OUT=$(realpath -m "$2"); shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        bench_keepalive|bench_churn|bench_memory|bench_gui|bench_long) ONLY+=("$1") ;;
        *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$MODE" = quick ]; then
    REPS=1 DUR=3 CHURN_DUR=2 LONG_S=20 LONG_EVERY=2 GUI_AFTER=6
else
    REPS=3 DUR=5 CHURN_DUR=3 LONG_S=60 LONG_EVERY=5 GUI_AFTER=8
fi
[ "$LONG" = 1 ] && LONG_S=600 LONG_EVERY=10
MEM_CONNS=10000
GO=${POOLSCOPE_GO:-$(command -v go || echo /usr/lib/go-1.19/bin/go)}
[ -x "$GO" ] || GO=/usr/lib/go-1.19/bin/go

WORK=$(mktemp -d /tmp/poolscope-bench.XXXXXX)
PIDS=() # every background process this script started, killed by id at exit
cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }
die() { echo "bench/run.sh: $*" >&2; exit 1; }
for tool in wrk hey ab nginx jq ss awk; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/install-deps.sh"
done

# ---------------------------------------------------------------- build
GUI_BUILT=0
if [ "$DO_BUILD" = 1 ]; then
    log "building (Release) in $BUILD"
    configure() {
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DPOOLSCOPE_BUILD_TESTS=OFF -DPOOLSCOPE_BUILD_BENCH=ON -DPOOLSCOPE_BUILD_GUI="$1" >"$WORK/cmake.log" 2>&1
    }
    if configure ON && cmake --build "$BUILD" --target poolscope bench_long_run -j2 \
        >"$WORK/build.log" 2>&1; then
        GUI_BUILT=1
    else
        log "GUI build failed (see below); building headless instead"
        tail -5 "$WORK/build.log" >&2 || true
        configure OFF || die "cmake configure failed: $(tail -5 "$WORK/cmake.log")"
        cmake --build "$BUILD" --target poolscope bench_long_run -j2 >"$WORK/build.log" 2>&1 ||
            die "build failed: $(tail -20 "$WORK/build.log")"
    fi
else
    grep -q 'POOLSCOPE_BUILD_GUI:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null && GUI_BUILT=1
fi
PS="$BUILD/poolscope"
LONGRUN="$BUILD/bench/bench_long_run"
[ -x "$PS" ] || die "$PS not built"
[ -x "$LONGRUN" ] || die "$LONGRUN not built"

log "building the Go reference client offline"
GOCLIENT="$WORK/goclient"
(cd "$ROOT/bench/goclient" && GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" GOFLAGS=-mod=mod \
    GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 "$GO" build -o "$GOCLIENT" .) ||
    die "cannot build bench/goclient with $GO"

# ---------------------------------------------------------------- helpers
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
# paired_ratio "A1 A2 .." "B1 B2 ..": median of Ai/Bi. Runs i were made seconds
# apart, so on a noisy machine this is steadier than a ratio of two medians.
paired_ratio() {
    local a=($1) b=($2) i out=()
    for i in "${!a[@]}"; do out+=("$(ratio "${a[$i]}" "${b[$i]:-nan}")"); done
    echo "${out[*]}" | tr ' ' '\n' | { grep -v nan || true; } | tr '\n' ' ' | median | awk '{if ($1 == "nan") print "nan"; else printf "%.2f", $1}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b+0 == 0 || a == "nan" || b == "nan") print "nan"; else printf "%.2f", a/b}'; }
fmt() { awk -v a="$1" 'BEGIN {if (a == "nan") print "n/a"; else printf "%.0f", a}'; }
# verdict RATIO OP GOAL: OP is ge (ratio must be >= goal) or le.
verdict() {
    awk -v r="$1" -v op="$2" -v g="$3" 'BEGIN {
        if (r == "nan") {print "not measured"; exit}
        ok = (op == "ge") ? (r+0 >= g+0) : (r+0 <= g+0)
        print ok ? "met" : "**missed**" }'
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
free_port() {
    local p i
    for i in $(seq 1 100); do
        p=$((20000 + RANDOM % 10000)) # below the ephemeral range (32768+)
        if [ -z "$(ss -Htln "sport = :$p")" ]; then echo "$p"; return 0; fi
    done
    die "no free port found"
}
tw_count() { ss -Htan state time-wait "$1" | wc -l; }

ROWS=()
NOTES=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
note() { NOTES+=("- $*"); log "$*"; }

# ---------------------------------------------------------------- nginx target
start_nginx() {
    local port conf try
    mkdir -p "$WORK/nginx"
    for try in 1 2 3; do
        port=$(free_port)
        conf="$WORK/nginx/nginx.conf"
        nginx_conf "$WORK/nginx" "$port" >"$conf"
        nginx -p "$WORK/nginx" -c "$conf" 2>>"$WORK/nginx/stderr" &
        NGINX_PID=$!
        PIDS+=("$NGINX_PID")
        for _ in $(seq 1 50); do
            if [ -n "$(ss -Htln "sport = :$port")" ]; then
                NGINX_PORT=$port
                NGINX_URL="http://127.0.0.1:$port/"
                return 0
            fi
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$NGINX_PID" 2>/dev/null || true
    done
    die "nginx did not start: $(cat "$WORK/nginx/stderr" "$WORK/nginx/error.log" 2>/dev/null)"
}

wrk_rps() { wrk -t1 -c"$1" -d"${2}s" "$NGINX_URL" | awk '/^Requests\/sec:/ {print $2}'; }
hey_rps() { hey "${@:3}" -c "$1" -z "${2}s" "$NGINX_URL" | awk '/Requests\/sec:/ {print $2}'; }
ab_rps() { ab -q -c "$1" -t "$2" -n 100000000 "$NGINX_URL" 2>/dev/null | awk '/^Requests per second:/ {print $4}'; }
# ps_run ARGS...: one `poolscope run` against nginx; prints its JSON line.
ps_run() { "$PS" run --url "$NGINX_URL" --json --quiet "$@"; }
# Keep-alive runs keep all 64 connections: with Go's default MaxIdleConnsPerHost
# of 2, 64 closed-loop workers churn connections exactly as Go would (the
# TIME_WAIT storm PoolScope demonstrates). hey sets MaxIdleConnsPerHost to its
# concurrency, wrk never closes: the same here, so all three measure keep-alive.
KA_FLAGS=(--workers 64 --max-idle-conns-per-host 64)

# ---------------------------------------------------------------- 1 + 2: keep-alive throughput
bench_keepalive() {
    local r wrk_v=() hey_v=() ps_v=() ev_v=() ev_rate=() dials=() nk_v=() j ev
    log "1/2: keep-alive throughput, 64 connections, ${DUR}s x $REPS"
    for r in $(seq 1 "$REPS"); do
        wrk_v+=("$(wrk_rps 64 "$DUR")")
        j=$(ps_run "${KA_FLAGS[@]}" --duration "${DUR}s")
        ps_v+=("$(jq .rps <<<"$j")")
        dials+=("$(jq .dials <<<"$j")")
        [ "$(jq .errors <<<"$j")" = 0 ] || note "keep-alive run $r: $(jq .errors <<<"$j") errors"
        hey_v+=("$(hey_rps 64 "$DUR")")
        ev="$WORK/events.ndjson"
        j=$(ps_run "${KA_FLAGS[@]}" --duration "${DUR}s" --events "$ev")
        ev_v+=("$(jq .rps <<<"$j")")
        ev_rate+=("$(awk -v n="$(wc -l <"$ev")" -v s="$(jq .duration_s <<<"$j")" 'BEGIN {printf "%.0f", n/s}')")
        rm -f "$ev"
        if [ "$MODE" = full ]; then
            nk_v+=("$(ps_run "${KA_FLAGS[@]}" --duration "${DUR}s" --no-kernel | jq .rps)")
        fi
    done
    WRK=$(echo "${wrk_v[*]}" | median)
    HEY=$(echo "${hey_v[*]}" | median)
    KA=$(echo "${ps_v[*]}" | median)
    EV=$(echo "${ev_v[*]}" | median)
    note "keep-alive req/s per run: wrk ${wrk_v[*]}; hey ${hey_v[*]}; poolscope ${ps_v[*]}; poolscope --events ${ev_v[*]} (events/s written: ${ev_rate[*]}); poolscope dials per run: ${dials[*]}"
    local rw rh re
    rw=$(paired_ratio "${ps_v[*]}" "${wrk_v[*]}")
    rh=$(paired_ratio "${ps_v[*]}" "${hey_v[*]}")
    re=$(paired_ratio "${ev_v[*]}" "${wrk_v[*]}")
    row "1. keep-alive req/s, 64 workers/conns, ${DUR}s" "wrk -t1 -c64: $(fmt "$WRK")" "$(fmt "$KA")" "$rw" ">= 0.8" "$(verdict "$rw" ge 0.8)"
    row "1. keep-alive req/s, 64 workers/conns, ${DUR}s" "hey -c 64: $(fmt "$HEY")" "$(fmt "$KA")" "$rh" ">= 2.5" "$(verdict "$rh" ge 2.5)"
    row "2. same, every event to a file (--events)" "wrk -t1 -c64: $(fmt "$WRK")" "$(fmt "$EV")" "$re" ">= 0.6" "$(verdict "$re" ge 0.6)"
    if [ "$MODE" = full ]; then
        local NK rn
        NK=$(echo "${nk_v[*]}" | median); rn=$(paired_ratio "${nk_v[*]}" "${wrk_v[*]}")
        note "keep-alive with --no-kernel (no sock_diag sampling) req/s: ${nk_v[*]}"
        row "1b. keep-alive, kernel view off (--no-kernel)" "wrk -t1 -c64: $(fmt "$WRK")" "$(fmt "$NK")" "$rn" "info" "-"
    fi
}

# ---------------------------------------------------------------- 3: churn
bench_churn() {
    local r hey_v=() ab_v=() ps_v=() j tw0c tw0s
    log "3: churn (no keep-alive), 8 workers, ${CHURN_DUR}s x $REPS"
    tw0c=$(tw_count "dport = :$NGINX_PORT"); tw0s=$(tw_count "sport = :$NGINX_PORT")
    for r in $(seq 1 "$REPS"); do
        hey_v+=("$(hey_rps 8 "$CHURN_DUR" -disable-keepalive)")
        j=$(ps_run --workers 8 --duration "${CHURN_DUR}s" --disable-keep-alives)
        ps_v+=("$(jq .rps <<<"$j")")
        [ "$(jq .errors <<<"$j")" = 0 ] || note "churn run $r: poolscope $(jq .errors <<<"$j") errors: $(jq -r '.last_error // ""' <<<"$j")"
        ab_v+=("$(ab_rps 8 "$CHURN_DUR")")
    done
    HEYC=$(echo "${hey_v[*]}" | median)
    ABC=$(echo "${ab_v[*]}" | median)
    CH=$(echo "${ps_v[*]}" | median)
    note "churn req/s per run: hey ${hey_v[*]}; ab ${ab_v[*]}; poolscope ${ps_v[*]}"
    note "TIME_WAIT toward nginx before/after churn: client side $tw0c -> $(tw_count "dport = :$NGINX_PORT"), server side $tw0s -> $(tw_count "sport = :$NGINX_PORT") (net.ipv4.tcp_tw_reuse=$(cat /proc/sys/net/ipv4/tcp_tw_reuse), ports $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range))"
    local rh ra
    rh=$(paired_ratio "${ps_v[*]}" "${hey_v[*]}"); ra=$(paired_ratio "${ps_v[*]}" "${ab_v[*]}")
    row "3. churn req/s, keep-alives off, 8 workers, ${CHURN_DUR}s" "hey -disable-keepalive -c 8: $(fmt "$HEYC")" "$(fmt "$CH")" "$rh" ">= 1.0" "$(verdict "$rh" ge 1.0)"
    row "3. churn req/s, keep-alives off, 8 workers, ${CHURN_DUR}s" "ab -c 8 (no -k): $(fmt "$ABC")" "$(fmt "$CH")" "$ra" "info" "-"
}

# ---------------------------------------------------------------- 4: memory per idle connection
# hold_rss NAME MARKER CMD...: runs CMD in the background (stderr to a file),
# waits until MARKER appears on its stderr (load done, pool lingering), then
# samples VmRSS; sets HOLD_RSS (KiB, median of 3 samples) and HOLD_N (client
# connections ESTABLISHED toward the server at that moment).
hold_rss() {
    local name=$1 marker=$2 pid i s samples=()
    shift 2
    HOLD_RSS=nan
    HOLD_N=0
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    pid=$!
    PIDS+=("$pid")
    for i in $(seq 1 600); do
        grep -qE "$marker" "$WORK/$name.err" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -qE "$marker" "$WORK/$name.err"; then
        note "memory: $name never reached '$marker': $(tail -2 "$WORK/$name.err" | tr '\n' ' ')"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        return
    fi
    sleep 0.5
    for s in 1 2 3; do samples+=("$(rss_kib "$pid")"); sleep 0.3; done
    HOLD_N=$(ss -Htn state established "dport = :$MEM_PORT" | wc -l)
    HOLD_RSS=$(echo "${samples[*]}" | median)
    wait "$pid" 2>/dev/null || true
}

bench_memory() {
    log "4: memory per idle pooled connection, $MEM_CONNS connections x $REPS"
    local need=$((MEM_CONNS + 500))
    if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need" ]; then
        ulimit -Hn "$need" 2>/dev/null || true
    fi
    ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
        note "memory: RLIMIT_NOFILE is $(ulimit -n) < $need and cannot be raised (not root?)"
        row "4. RSS per idle pooled connection" "Go: not measured" "not measured" "nan" "<= 8 KiB, < Go" "not measured (ulimit -n $(ulimit -n))"
        return
    fi
    # The server holds the other 10k sockets: its own process, not measured.
    "$PS" serve >"$WORK/serve.out" 2>"$WORK/serve.err" &
    local spid=$!
    PIDS+=("$spid")
    local i
    for i in $(seq 1 50); do grep -q 'listening on' "$WORK/serve.out" && break; sleep 0.1; done
    local surl
    surl=$(awk '/listening on/ {print $3; exit}' "$WORK/serve.out")
    [ -n "$surl" ] || die "poolscope serve did not start: $(cat "$WORK/serve.err")"
    MEM_PORT=$(sed -E 's#.*:([0-9]+)/?$#\1#' <<<"$surl")
    local common=(--requests 1 --max-idle-conns 0 --max-idle-conns-per-host "$MEM_CONNS" --idle-conn-timeout 0 --linger 6s)
    local gocommon=(-requests 1 -max-idle-conns 0 -max-idle-conns-per-host "$MEM_CONNS" -idle-conn-timeout 0 -linger 4s)
    local r ps_pc=() go_pc=() ps1 psn go1 gon h1 hn
    for r in $(seq 1 "$REPS"); do
        # Each figure is (RSS holding N - RSS holding 1) / (N - 1): same binary,
        # same flags, so only what the connections cost remains.
        hold_rss ps1 " idle 1 dialing 0 " "$PS" run --url "$surl" --workers 1 "${common[@]}"
        ps1=$HOLD_RSS h1=$HOLD_N
        hold_rss psn " idle $MEM_CONNS dialing 0 " "$PS" run --url "$surl" --workers "$MEM_CONNS" "${common[@]}"
        psn=$HOLD_RSS hn=$HOLD_N
        ps_pc+=("$(awk -v a="$psn" -v b="$ps1" -v n="$hn" 'BEGIN {if (a=="nan"||b=="nan"||n<2) print "nan"; else printf "%.2f", (a-b)/(n-1)}')")
        note "memory run $r poolscope: RSS ${ps1} KiB holding $h1, ${psn} KiB holding $hn connections"
        hold_rss go1 "load done" "$GOCLIENT" -url "$surl" -workers 1 "${gocommon[@]}"
        go1=$HOLD_RSS h1=$HOLD_N
        hold_rss gon "load done" "$GOCLIENT" -url "$surl" -workers "$MEM_CONNS" "${gocommon[@]}"
        gon=$HOLD_RSS hn=$HOLD_N
        go_pc+=("$(awk -v a="$gon" -v b="$go1" -v n="$hn" 'BEGIN {if (a=="nan"||b=="nan"||n<2) print "nan"; else printf "%.2f", (a-b)/(n-1)}')")
        note "memory run $r Go: RSS ${go1} KiB holding $h1, ${gon} KiB holding $hn connections"
    done
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    local PSM GOM rg verdict_s
    PSM=$(echo "${ps_pc[*]}" | median); GOM=$(echo "${go_pc[*]}" | median)
    rg=$(ratio "$PSM" "$GOM")
    verdict_s=$(awk -v p="$PSM" -v g="$GOM" 'BEGIN {if (p=="nan"||g=="nan") print "not measured"; else if (p+0 <= 8 && p+0 < g+0) print "met"; else print "**missed**"}')
    row "4. RSS per idle pooled connection (KiB), $MEM_CONNS conns" "Go net/http client: ${GOM}" "${PSM}" "$rg" "<= 8 KiB, < Go" "$verdict_s"
}

# ---------------------------------------------------------------- 5: GUI cost
# Requests nginx has served so far (stub_status), so that the GUI's rate is
# measured from outside the app, and the headless rate the same way.
nginx_requests() { nginx_status | awk 'NR == 3 {print $3}'; }
nginx_status() {
    # bash's /dev/tcp: no curl needed on a fresh machine.
    exec 9<>"/dev/tcp/127.0.0.1/$NGINX_PORT"
    printf 'GET /nginx_status HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&9
    sed -n '/^\r*$/,$p' <&9 | tail -n +2
    exec 9<&-
}
# window_rate PID: req/s nginx served from 2 s after PID started until 1 s before
# GUI_AFTER; the process must still be running at the end of the window.
window_rate() {
    local pid=$1 a b
    sleep 2
    a=$(nginx_requests)
    sleep $((GUI_AFTER - 3))
    b=$(nginx_requests)
    kill -0 "$pid" 2>/dev/null || { echo nan; return; }
    awk -v a="$a" -v b="$b" -v s=$((GUI_AFTER - 3)) 'BEGIN {printf "%.0f", (b - a - 1) / s}'
}
bench_gui() {
    log "5: GUI cost, ${GUI_AFTER}s x $REPS"
    local what="5. engine req/s, 64 workers, main window open with live charts (offscreen)"
    if [ "$GUI_BUILT" != 1 ]; then
        row "$what" "headless" "-" "nan" ">= 0.9" "not measured: GUI not built"
        return
    fi
    if ! "$PS" --help 2>&1 | grep -q -- '--screenshot'; then
        row "$what" "headless" "-" "nan" ">= 0.9" "not measured: no --screenshot automation in the GUI"
        return
    fi
    local scen="$WORK/gui-scenario.json"
    printf '{"format": "poolscope-scenario", "version": 1, "id": "bench-gui", "title": "GUI cost",
  "explanation": "bench/run.sh: GUI cost benchmark",
  "transport": {"MaxIdleConnsPerHost": 64},
  "load": {"url": "%s", "workers": 64, "duration": "%ds"}}\n' "$NGINX_URL" $((GUI_AFTER + 10)) >"$scen"
    # A 1920x1080 screen for the offscreen platform (its default is 800x600, where the
    # window opened at 792x764 with charts 380 px wide): the window opens at the size
    # it picks for a desktop, with every dock open (settings and Go code by default,
    # connections and the lab by --show).
    local screen="$WORK/screen-1920x1080.json"
    printf '{"screens": [{"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}\n' >"$screen"
    local r pid head_v=() gui_v=() rc
    for r in $(seq 1 "$REPS"); do
        "$PS" run --url "$NGINX_URL" "${KA_FLAGS[@]}" --duration "$((GUI_AFTER))s" --json --quiet >"$WORK/head.json" &
        pid=$!; PIDS+=("$pid")
        head_v+=("$(window_rate "$pid")")
        wait "$pid" || true
        POOLSCOPE_BENCH_REPORT="$WORK/gui-report-$r.json" QT_QPA_PLATFORM="offscreen:configfile=$screen" \
            "$PS" --scenario "$scen" --start --show connections,lab --screenshot "$WORK/gui.png" \
            --after "${GUI_AFTER}s" >"$WORK/gui.out" 2>"$WORK/gui.err" &
        pid=$!; PIDS+=("$pid")
        gui_v+=("$(window_rate "$pid")")
        rc=0; wait "$pid" || rc=$?
        [ "$rc" = 0 ] || note "GUI run $r exited with $rc: $(tail -2 "$WORK/gui.err" | tr '\n' ' ')"
    done
    local H G rg
    H=$(echo "${head_v[*]}" | median); G=$(echo "${gui_v[*]}" | median)
    note "GUI cost req/s per run (nginx stub_status, t=2s..$((GUI_AFTER - 1))s): headless ${head_v[*]}; GUI ${gui_v[*]}"
    rg=$(paired_ratio "${gui_v[*]}" "${head_v[*]}")
    row "$what" "headless poolscope run: $(fmt "$H")" "$(fmt "$G")" "$rg" ">= 0.9" "$(verdict "$rg" ge 0.9)"
    # The app measures each 10 Hz frame itself (series update + the paints it
    # causes) and writes the histogram at exit (POOLSCOPE_BENCH_REPORT).
    local f frame_v=() cpu_v=()
    for f in "$WORK"/gui-report-*.json; do
        [ -f "$f" ] && frame_v+=("$(jq -r '.frame_ms.p99' "$f")") && cpu_v+=("$(jq -r '.frame_cpu_ms.p99' "$f")")
    done
    if [ ${#frame_v[@]} -eq 0 ]; then
        row "5. chart frame time p99 at 10 Hz" "-" "not measured" "-" "<= 8 ms" "not measured: no report from the GUI"
    else
        local F
        F=$(echo "${frame_v[*]}" | median)
        note "chart frame time p99 per run (ms, wall): ${frame_v[*]}; UI-thread CPU time p99 (ms): ${cpu_v[*]}"
        row "5. chart frame time p99 at 10 Hz" "-" "$(printf '%.1f ms' "$F")" "-" "<= 8 ms" \
            "$(awk -v f="$F" 'BEGIN {print (f + 0 <= 8) ? "met" : "**missed**"}')"
    fi
}

# ---------------------------------------------------------------- 6: long run
bench_long() {
    log "6: long run ${LONG_S}s, events into the bounded ring, RSS every ${LONG_EVERY}s"
    local j
    j=$("$LONGRUN" --url "$NGINX_URL" --workers 64 --idle-per-host 64 --seconds "$LONG_S" --sample "$LONG_EVERY")
    # "after the first part": skip samples in the first minute (first sixth of shorter runs).
    local skip=$((LONG_S >= 300 ? 60 : LONG_S / 6))
    local range first last rps
    range=$(jq --argjson skip "$skip" '[ [.t_s, .rss_kib] | transpose[] | select(.[0] >= $skip) | .[1] ] | (max - min) / 1024 * 100 | round / 100' <<<"$j")
    first=$(jq '.rss_kib[0] / 1024 | round' <<<"$j")
    last=$(jq '.rss_kib[-1] / 1024 | round' <<<"$j")
    rps=$(jq .rps <<<"$j")
    note "long run: $(jq -c '{requests, errors, rps, dials, events_taken, events_dropped, events_dropped_engine}' <<<"$j"); RSS KiB at t=$(jq -c '.t_s | map(. | round)' <<<"$j"): $(jq -c .rss_kib <<<"$j")"
    local v
    v=$(awk -v r="$range" 'BEGIN {print (r+0 <= 10) ? "met" : "**missed**"}')
    row "6. long run ${LONG_S}s at full rate, events in ring: RSS spread after ${skip}s (MiB)" "-" "${range} MiB (start ${first}, end ${last} MiB; $(fmt "$rps") req/s, $(jq .dials <<<"$j") dials)" "-" "<= 10 MiB" "$v"
}

# ---------------------------------------------------------------- run
start_nginx
log "nginx on $NGINX_URL (pid $NGINX_PID)"
T0=$(date +%s)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
for b in bench_keepalive bench_churn bench_memory bench_gui bench_long; do
    if [ ${#ONLY[@]} -eq 0 ] || [[ " ${ONLY[*]} " == *" $b "* ]]; then
        "$b"
    fi
done
ELAPSED=$(($(date +%s) - T0))

{
    echo "## PoolScope benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC') ($MODE mode, $REPS run(s) per figure)"
    echo
    echo "Reference and PoolScope columns are medians; a rate ratio is the median of the per-repetition ratios (runs made seconds apart)."
    echo
    echo "| benchmark | reference | PoolScope | ratio | goal | verdict |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r), load average before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other builds: figures are noisy, ratios come from interleaved runs)."
    echo "Tools: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), hey $(dpkg-query -W -f='${Version}' hey 2>/dev/null || echo '?') (Debian), $(ab -V | head -1 | sed 's/This is //; s/,.*//'), $(nginx -v 2>&1 | sed 's/nginx version: //'), Go $("$GO" version | cut -d' ' -f3), Qt $(dpkg-query -W -f='${Version}' libqt6core6 2>/dev/null || echo '?'), $("$PS" --version) (the binary's own commit: with --no-build it may be older than the tree)."
    echo "Target: nginx, 1 worker process, \`return 200\` with a 16-byte body, keepalive_requests 1000000, on 127.0.0.1."
    echo "Took ${ELAPSED}s."
    echo
    echo "Raw figures:"
    printf '%s\n' "${NOTES[@]}"
} >"$WORK/table.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/table.md" "$OUT"
cat "$WORK/table.md"
