#!/usr/bin/env bash
# bench/relay.sh: end-to-end relay throughput, side by side, in one run on this machine.
#
#   bench/relay.sh [-n MESSAGES] [-w WARMUP] [-r ROUNDS] [--skip-routes]
#
# The same load (Postfix's smtp-source: MESSAGES messages of 2 KB and of 100 KB, each with 1
# and with 20 sessions) is relayed by
#   ours     James with the james-routing outbound router, as `bin/james-routing server` runs
#            it (conf/ as shipped: our durable disk queue) with conf/'s OutboundRouter given
#            <smarthost> = the sink
#   ours-amq the same on James's own ActiveMQ queue (conf/queue.properties: activemq): the
#            server as it was before its own queue, "before" beside "after"
#   stock    the same James with James's own RemoteDelivery (gateway = the sink) in place of
#            the OutboundRouter mailet, on James's ActiveMQ queue: stock James's mail flow
#   postfix  a private Postfix instance (relayhost = the sink)
# into Postfix's smtp-sink on 127.0.0.1. "accept" is the rate at which smtp-source got its
# 250s; "end-to-end" counts until the last message reached the sink. "loopback" is
# smtp-source straight into smtp-sink: the ceiling of this machine. Then the latency of each:
# bench/latency/LatencyProbe.java, both client and sink (one clock), 20 sessions, 2,000
# messages of 2 KB: the p50 and p99 of the time from a message's 250 to its arrival at the
# sink (no MTA reports it; we measure it from outside).
# And the routing-table case (ours): 10,000 routes loaded, traffic spread over 100 routed
# domains, each routed to its own sink port, against the same traffic through a table of 1
# route. Peak RSS (VmHWM) of each James process is reported. The James set-ups run ROUNDS
# times (default 2), one after the other, and each figure is the best of its rounds, so that
# the order of the runs (cold caches, the other JVM's leftovers) does not decide the comparison.
# Each James is first warmed up with WARMUP messages (default 15000, 20 sessions: on 2 cores
# the JIT compiler still takes a third of the CPU after 8,000 messages and settles after about
# 15,000-30,000; a mail server runs for days, so its steady state is what is compared, and
# every James gets the same warm-up; Postfix, compiled ahead of time, gets 300).
#
# Needs root or sudo for apt (postfix: smtp-sink, smtp-source, the Postfix instance), Java 17
# and Maven (it builds the server if needed). Uses ports 2525, 2587, 1143, 8000 (the server's
# defaults: stop any other james-routing server first) and 15000-15200 (below the ephemeral port range, so no outgoing connection holds them). Everything it creates
# lives in a temporary directory, removed at the end (kept with KEEP=1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MESSAGES=1000
WARMUP=15000
LATENCY_MESSAGES=2000
ROUTES_CASE=1
ROUNDS=2
while [ $# -gt 0 ]; do
    case "$1" in
        -n) MESSAGES="$2"; shift 2 ;;
        -w) WARMUP="$2"; shift 2 ;;
        -r) ROUNDS="$2"; shift 2 ;;
        --skip-routes) ROUTES_CASE=0; shift ;;
        -h|--help) sed -n '2,34p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "relay.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ $((MESSAGES % 100)) -eq 0 ] || { echo "relay.sh: -n must be a multiple of 100" >&2; exit 2; }

SINK_PORT=15025
POSTFIX_PORT=15026
ROUTED_BASE=15100
SIZE=2048
LARGE=102400
WORK="$(mktemp -d /tmp/james-routing-bench.XXXXXX)"
chmod 755 "$WORK"   # the Postfix daemons (user postfix) walk into it
JAMES_PID=""
declare -a RESULTS=()

log() { echo "relay.sh: $*" >&2; }

cleanup() {
    [ -n "$JAMES_PID" ] && kill "$JAMES_PID" 2>/dev/null && wait "$JAMES_PID" 2>/dev/null || true
    [ -f "$WORK/postfix/etc/main.cf" ] && postfix -c "$WORK/postfix/etc" stop >/dev/null 2>&1 || true
    pkill -f "smtp-sink -c -u nobody 127.0.0.1:15" 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

install_tools() {
    command -v smtp-sink >/dev/null && command -v smtp-source >/dev/null && command -v postfix >/dev/null && return 0
    log "installing postfix (smtp-sink, smtp-source)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postfix >/dev/null
}

now() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# A sink that counts what it receives (-c: a running counter of completed DATA commands);
# wait_sinks sees when COUNT messages have arrived. (With -M COUNT the sink would exit on the
# last message before its 250 reached the client, which then defers that message.)
start_sink() { # port count: records "pid count counter-file" in SINK_PIDS
    local counter="$WORK/sink-$1.count"
    : >"$counter"
    smtp-sink -c -u nobody "127.0.0.1:$1" 1000 >"$counter" 2>/dev/null &
    SINK_PIDS+=("$! $2 $counter")
}

# How many of the sinks in SINK_PIDS have not yet received their count: one awk over every
# counter file (the records of -c are separated by CR), so that 100 sinks cost one process per
# look, not 100.
sinks_pending() {
    local entry pid count counter spec="" files=()
    for entry in "${SINK_PIDS[@]}"; do
        read -r pid count counter <<<"$entry"
        spec+="$counter $count "
        files+=("$counter")
    done
    awk -v RS='\r' -v spec="$spec" '
        BEGIN { n = split(spec, a, " "); for (i = 1; i < n; i += 2) want[a[i]] = a[i + 1] }
        match($0, /mesg=[0-9]+/) { got[FILENAME] = substr($0, RSTART + 5, RLENGTH - 5) + 0 }
        END { pending = 0; for (f in want) if (got[f] + 0 < want[f] + 0) pending++; print pending }' "${files[@]}"
}

wait_listening() { # port
    for _ in $(seq 1 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    log "nothing listens on port $1"; return 1
}

# One measured run: LOAD (a command and its arguments) sends COUNT messages; the sinks are
# already started (their pids in SINK_PIDS). Records "name|accept/s|end-to-end/s".
measure() { # name count load...
    local name="$1" count="$2" t0 t1 t2
    shift 2
    t0="$(now)"
    "$@" || true
    t1="$(now)"
    wait_sinks 300 || { log "$name: not every message reached the sink in 300 s"; RESULTS+=("$name|$(rate "$count" "$(elapsed "$t0" "$t1")")|incomplete"); return; }
    t2="$SINKS_DONE_AT"
    RESULTS+=("$name|$(rate "$count" "$(elapsed "$t0" "$t1")")|$(rate "$count" "$(elapsed "$t0" "$t2")")")
    log "$name: $count messages, accepted in $(elapsed "$t0" "$t1") s, at the sink after $(elapsed "$t0" "$t2") s"
}

# COUNT messages of SIZE bytes (2 KB unless given) to one recipient over SESSIONS sessions into PORT.
single_load() { # port sessions count recipient [size]
    smtp-source -s "$2" -m "$3" -l "${5:-$SIZE}" -f bench@sender.bench -t "$4" "127.0.0.1:$1" 2>/dev/null
}

# COUNT messages spread over d0..d99.routed.bench, 20 sessions at a time, into James.
routed_load() { # count
    local i
    for ((i = 0; i < 100; i++)); do echo "$i"; done |
        xargs -P 20 -I{} smtp-source -s 1 -m $(($1 / 100)) -l "$SIZE" -f bench@sender.bench -t "user@d{}.routed.bench" 127.0.0.1:2525 2>/dev/null
}

SINK_PIDS=()
SINKS_DONE_AT=""
# Until every sink has its count (1 when the time is up first; the moment in SINKS_DONE_AT),
# then stop_sinks.
wait_sinks() { # timeout seconds
    local deadline=$(( $(date +%s) + $1 ))
    while [ "$(sinks_pending)" != 0 ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { stop_sinks; return 1; }
        sleep 0.02
    done
    SINKS_DONE_AT="$(now)"
    stop_sinks
}

# A moment for the sinks' last replies to reach the client (a 250 cut off by the kill would
# have the client retry that message minutes later), then stop them.
stop_sinks() {
    local entry pid count counter
    sleep 0.5
    for entry in "${SINK_PIDS[@]}"; do
        read -r pid count counter <<<"$entry"
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    done
    SINK_PIDS=()
}

# Warm-up (not measured; WARMUP messages, or the third argument) then 1 and 20 sessions
# through PORT into the sink on SINK_PORT, with 2 KB and with 100 KB messages; then the latency
# probe (its own sink on SINK_PORT).
run_cases() { # label port [warm-up]
    local warmup="${3:-$WARMUP}" size sessions label
    start_sink "$SINK_PORT" "$warmup"; wait_listening "$SINK_PORT"
    single_load "$2" 20 "$warmup" warm@remote.bench || true
    wait_sinks 120 || log "$1: warm-up incomplete (carrying on: a late warm-up message counts towards the next run)"
    for size in "$SIZE" "$LARGE"; do
        for sessions in 1 20; do
            label="$1, $sessions session(s)"
            [ "$size" = "$LARGE" ] && label="$1, 100 KB, $sessions session(s)"
            start_sink "$SINK_PORT" "$MESSAGES"; wait_listening "$SINK_PORT"
            measure "$label" "$MESSAGES" single_load "$2" "$sessions" "$MESSAGES" user@remote.bench "$size"
        done
    done
    local p p50 p99 pmax
    p="$(java "$ROOT/bench/latency/LatencyProbe.java" "$2" "$SINK_PORT" 20 "$LATENCY_MESSAGES" "$SIZE")" || p="- - -"
    read -r p50 p99 pmax <<<"$p"
    RESULTS+=("  latency 250 -> sink, p50 / p99 ms ($1)|$p50|$p99")
    log "$1: latency from 250 to the sink: p50 $p50 ms, p99 $p99 ms, max $pmax ms"
}

build_server() {
    if [ ! -f "$ROOT/mailets/target/james-routing-extension.jar" ] || [ ! -d "$ROOT/mailets/target/james-lib" ]; then
        "$ROOT/bin/james-routing" build
    fi
}

start_james() { # label conf-dir
    local home="$WORK/home-$1"
    "$ROOT/bin/james-routing" server --home "$home" --conf "$2" >"$WORK/$1-console.log" 2>&1 &
    JAMES_PID=$!
    for _ in $(seq 1 600); do
        if curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/domains 2>/dev/null | grep -q 200; then
            return 0
        fi
        kill -0 "$JAMES_PID" 2>/dev/null || { cat "$WORK/$1-console.log" >&2; log "James ($1) did not start"; exit 1; }
        sleep 0.2
    done
    log "James ($1) did not start in 120 s"; exit 1
}

stop_james() { # label
    local rss
    rss="$(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$JAMES_PID/status" 2>/dev/null || echo "?")"
    RESULTS+=("  peak RSS of the James process ($1)|$rss|")
    kill "$JAMES_PID"; wait "$JAMES_PID" 2>/dev/null || true
    JAMES_PID=""
}

conf_copy() { # dir
    mkdir -p "$1"
    cp "$ROOT"/conf/* "$1/"
}

conf_ours() { # dir
    conf_copy "$1"
    sed -i "s|<outgoingQueue>outgoing</outgoingQueue>|&\n                <smarthost>127.0.0.1:$SINK_PORT</smarthost>|" "$1/mailetcontainer.xml"
}

conf_ours_activemq() { # dir
    conf_ours "$1"
    sed -i 's/^queue.implementation=.*/queue.implementation=activemq/' "$1/queue.properties"
}

conf_stock() { # dir
    conf_copy "$1"
    sed -i 's/^queue.implementation=.*/queue.implementation=activemq/' "$1/queue.properties"
    perl -0pi -e 's|<mailet match="All" class="org\.jamesrouting\.mailets\.OutboundRouter">.*?</mailet>|<mailet match="All" class="RemoteDelivery">
                <outgoingQueue>outgoing</outgoingQueue>
                <delayTime>5m, 15m, 30m, 1h, 2h, 4h</delayTime>
                <maxRetries>6</maxRetries>
                <maxDnsProblemRetries>0</maxDnsProblemRetries>
                <deliveryThreads>8</deliveryThreads>
                <sendpartial>true</sendpartial>
                <bounceProcessor>bounces</bounceProcessor>
                <gateway>127.0.0.1</gateway>
                <gatewayPort>'"$SINK_PORT"'</gatewayPort>
            </mailet>|s' "$1/mailetcontainer.xml"
    grep -q 'class="RemoteDelivery"' "$1/mailetcontainer.xml" || { log "could not put RemoteDelivery in place"; exit 1; }
}

start_postfix() {
    local dir="$WORK/postfix"
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
    chown postfix "$dir/data"
    cat >"$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench-postfix.localdomain
mydestination =
relayhost = [127.0.0.1]:$SINK_PORT
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_tls_security_level = may
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
biff = no
EOF
    # Debian's services, without chroot (the private queue is outside /var/spool/postfix).
    cat >"$dir/etc/master.cf" <<EOF
127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
    postfix -c "$dir/etc" start >/dev/null 2>&1 || { log "Postfix did not start (see $dir/maillog)"; exit 1; }
    wait_listening "$POSTFIX_PORT"
}

routes_table() { # file, number of decoy routes
    {
        local i
        for ((i = 0; i < $2; i++)); do
            case $((i % 3)) in
                0) echo "x$i.decoy.bench 127.0.0.1:9" ;;
                1) echo "*.w$i.decoy.bench 127.0.0.1:9" ;;
                2) echo "u$i@decoy$i.bench 127.0.0.1:9" ;;
            esac
        done
        for ((i = 0; i < 100; i++)); do
            echo "d$i.routed.bench 127.0.0.1:$((ROUTED_BASE + i))"
        done
    } >"$1"
}

# The sinks of the routed domains: one for all (one), or one per domain (many), each
# exiting when its share of COUNT messages has arrived.
route_sinks() { # one|many, count
    local i
    SINK_PIDS=()
    if [ "$1" = one ]; then
        start_sink "$ROUTED_BASE" "$2"
    else
        for ((i = 0; i < 100; i++)); do
            start_sink $((ROUTED_BASE + i)) $(($2 / 100))
        done
    fi
    wait_listening "$ROUTED_BASE"
}

routes_case() { # label, decoys, one|many (sinks), short label
    local conf="$WORK/conf-routes-$2"
    conf_ours "$conf"
    if [ "$3" = one ]; then
        echo "*.routed.bench 127.0.0.1:$ROUTED_BASE" >"$conf/routes.conf"
    else
        routes_table "$conf/routes.conf" "$2"
    fi
    start_james "routes-$2" "$conf"
    # warm-up over the same routes
    route_sinks "$3" "$WARMUP"
    routed_load "$WARMUP" || true
    wait_sinks 300 || log "$1: warm-up incomplete"
    route_sinks "$3" "$MESSAGES"
    measure "$1" "$MESSAGES" routed_load "$MESSAGES"
    stop_james "$4"
}

main() {
    install_tools
    build_server
    log "work directory $WORK; $MESSAGES messages of $SIZE bytes per run, warm-up $WARMUP"

    start_sink "$SINK_PORT" "$MESSAGES"; wait_listening "$SINK_PORT"
    measure "loopback: smtp-source into smtp-sink, 20 sessions" "$MESSAGES" single_load "$SINK_PORT" 20 "$MESSAGES" user@remote.bench

    conf_ours "$WORK/conf-ours"
    conf_ours_activemq "$WORK/conf-ours-amq"
    conf_stock "$WORK/conf-stock"
    local round
    for ((round = 1; round <= ROUNDS; round++)); do
        log "round $round of $ROUNDS"
        rm -rf "$WORK/home-ours" "$WORK/home-ours-amq" "$WORK/home-stock" "$WORK"/home-routes-*
        start_james ours "$WORK/conf-ours"
        run_cases "ours (james-routing)" 2525
        stop_james "ours"
        start_james ours-amq "$WORK/conf-ours-amq"
        run_cases "ours on James's ActiveMQ queue (before)" 2525
        stop_james "ours on ActiveMQ"
        start_james stock "$WORK/conf-stock"
        run_cases "stock James RemoteDelivery" 2525
        stop_james "stock"
        if [ "$ROUTES_CASE" = 1 ]; then
            routes_case "ours, 1 route: 100 domains -> 1 sink, 20 sessions" 0 one "1 route"
            routes_case "ours, 10k routes: 100 domains -> 100 sinks, 20 sessions" 9900 many "10k routes"
        fi
    done

    # Postfix has no JIT to warm up: 300 messages start its processes
    start_postfix
    run_cases "Postfix relayhost" "$POSTFIX_PORT" 300
    postfix -c "$WORK/postfix/etc" stop >/dev/null 2>&1 || true

    best
    echo
    echo "relay benchmark $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, $MESSAGES messages of $SIZE bytes per run, James: best of $ROUNDS rounds"
    printf '%-72s %12s %12s\n' "case" "accept/s" "end-to-end/s"
    local line name accept e2e
    for line in "${RESULTS[@]}"; do
        IFS='|' read -r name accept e2e <<<"$line"
        printf '%-72s %12s %12s\n' "$name" "$accept" "$e2e"
    done
    ratios
}

# One line per case, in first-run order: the best end-to-end rate of its rounds (with that
# round's accept rate); peak RSS: the highest.
best() {
    local merged
    merged="$(printf '%s\n' "${RESULTS[@]}" | awk -F'|' '
        !($1 in seen) { seen[$1] = 1; order[++n] = $1 }
        $1 ~ /peak RSS/ { v = $2 + 0; if (!($1 in rss) || v > rss[$1]) rss[$1] = v; next }
        $1 ~ /latency/ { if (!($1 in e2e) || e2e[$1] == "-" || ($3 != "-" && $3 + 0 < e2e[$1] + 0)) { e2e[$1] = $3; acc[$1] = $2 }; next }
        $3 == "incomplete" { if (!($1 in e2e)) { e2e[$1] = "incomplete"; acc[$1] = $2 }; next }
        !($1 in e2e) || e2e[$1] == "incomplete" || $3 + 0 > e2e[$1] + 0 { e2e[$1] = $3; acc[$1] = $2 }
        END { for (i = 1; i <= n; i++) { k = order[i]; if (k in rss) print k "|" rss[k] " MB|"; else print k "|" acc[k] "|" e2e[k] } }')"
    mapfile -t RESULTS <<<"$merged"
}

# ours/stock, ours/Postfix and ours/ours-before (ActiveMQ), end to end, per size and session count.
ratios() {
    local sessions size ours before stock pf line name accept e2e
    echo
    for size in "" "100 KB, "; do
        for sessions in 1 20; do
            ours=""; before=""; stock=""; pf=""
            for line in "${RESULTS[@]}"; do
                IFS='|' read -r name accept e2e <<<"$line"
                case "$name" in
                    "ours (james-routing), $size$sessions session"*) ours="$e2e" ;;
                    "ours on James's ActiveMQ queue (before), $size$sessions session"*) before="$e2e" ;;
                    "stock James RemoteDelivery, $size$sessions session"*) stock="$e2e" ;;
                    "Postfix relayhost, $size$sessions session"*) pf="$e2e" ;;
                esac
            done
            awk -v s="$sessions" -v z="${size:-2 KB, }" -v o="$ours" -v b="$before" -v k="$stock" -v p="$pf" 'BEGIN {
                printf "%s%s session(s), end to end: ours/Postfix = %s, ours/stock James = %s, ours/ours before (ActiveMQ) = %s\n", z, s,
                    (p > 0 ? sprintf("%.2f", o / p) : "n/a"), (k > 0 ? sprintf("%.2f", o / k) : "n/a"), (b > 0 ? sprintf("%.2f", o / b) : "n/a") }'
        done
    done
}

main
