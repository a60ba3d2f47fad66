#!/usr/bin/env bash
# bench/many-domains.sh: does the heap stay flat when mail goes to many distinct domains?
#
#   bench/many-domains.sh [-n MESSAGES]      (default 100000, one distinct domain each)
#
# Our server (as `bin/james-routing server` runs it, conf/ as shipped, no smart host) delivers
# directly to the "MX" of d1.many.bench, d2.many.bench, ... : a dnsmasq on a loopback port
# answers every name under many.bench with 127.0.0.1 (no MX: the A record is used, as RFC 5321
# says), and Postfix's smtp-sink on that address counts the mail. Every per-destination
# structure (statistics, limits, the connection pool, the DNS cache) sees a new key per
# message (the sink takes 20,000 sessions at once: the router keeps each new connection open
# for 10 s, and smtp-sink by default stops accepting at 256). The used heap after a full GC is printed after a warm-up and at each quarter.
# Ports: 15300-15301 (sink, DNS) and 15325, 15387, 15343, 15380 (the server's SMTP, submission,
# IMAP, webadmin), below the ephemeral range; a server on the default ports may run meanwhile.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MESSAGES=100000
while [ $# -gt 0 ]; do
    case "$1" in
        -n) MESSAGES="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "many-domains.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
SINK_PORT=15300
DNS_PORT=15301
WORK="$(mktemp -d /tmp/james-routing-many.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
log() { echo "many-domains.sh: $*" >&2; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

command -v smtp-sink >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null; }
command -v dnsmasq >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dnsmasq-base >/dev/null; }
[ -f "$ROOT/mailets/target/james-routing-extension.jar" ] || "$ROOT/bin/james-routing" build

dnsmasq --no-daemon --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --local=/many.bench/ --address=/many.bench/127.0.0.1 --user=root --pid-file="$WORK/dnsmasq.pid" >"$WORK/dnsmasq.log" 2>&1 &
PIDS+=($!)
smtp-sink -c -m 20000 -u nobody "127.0.0.1:$SINK_PORT" 1000 >"$WORK/sink.count" 2>/dev/null &
PIDS+=($!)

mkdir -p "$WORK/conf"
cp "$ROOT"/conf/* "$WORK/conf/"
sed -i "s|127.0.0.1:2525|127.0.0.1:15325|; s|127.0.0.1:2587|127.0.0.1:15387|" "$WORK/conf/smtpserver.xml"
sed -i "s|127.0.0.1:1143|127.0.0.1:15343|" "$WORK/conf/imapserver.xml"
sed -i "s|port=8000|port=15380|" "$WORK/conf/webadmin.properties"
sed -i "s|<dnsServers>auto</dnsServers>|<dnsServers>127.0.0.1:$DNS_PORT</dnsServers>\n                <mxPort>$SINK_PORT</mxPort>|" \
    "$WORK/conf/mailetcontainer.xml"
"$ROOT/bin/james-routing" server --home "$WORK/home" --conf "$WORK/conf" >"$WORK/console.log" 2>&1 &
JAMES=$!
PIDS+=($JAMES)
for _ in $(seq 1 600); do
    curl -s -o /dev/null http://127.0.0.1:15380/domains 2>/dev/null && break
    kill -0 "$JAMES" 2>/dev/null || { cat "$WORK/console.log" >&2; exit 1; }
    sleep 0.2
done
JAVA_PID="$(pgrep -f "working.directory=$WORK/home" | head -1)"

arrived() { awk -v RS='\r' 'match($0, /mesg=[0-9]+/) { n = substr($0, RSTART + 5, RLENGTH - 5) } END { print n + 0 }' "$WORK/sink.count"; }

# FROM..TO-1: one message to each of dFROM.many.bench .. , 10 sessions at once
send() { # from to
    python3 - "$1" "$2" <<'PY'
import smtplib, sys
from concurrent.futures import ThreadPoolExecutor
start, end = int(sys.argv[1]), int(sys.argv[2])
body = "Subject: many\r\n\r\n" + ("x" * 70 + "\r\n") * 28
def session(chunk):
    s = smtplib.SMTP("127.0.0.1", 15325)
    for i in chunk:
        s.sendmail("bench@sender.bench", ["user@d%d.many.bench" % i], body)
    s.quit()
ids = list(range(start, end))
chunks = [ids[k:k + 500] for k in range(0, len(ids), 500)]
with ThreadPoolExecutor(10) as pool:
    list(pool.map(session, chunks))
PY
}

wait_arrived() { # count
    for _ in $(seq 1 6000); do
        [ "$(arrived)" -ge "$1" ] && return 0
        sleep 0.1
    done
    log "only $(arrived) of $1 arrived"; return 1
}

heap() { # label
    jcmd "$JAVA_PID" GC.run >/dev/null
    local used
    used="$(jcmd "$JAVA_PID" GC.heap_info | awk '/garbage-first heap/ { for (i = 1; i <= NF; i++) if ($i == "used") { print $(i + 1); exit } }')"
    local destinations
    destinations="$(curl -s http://127.0.0.1:15380/routing/status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["destinations"]))')"
    printf '%-28s heap used after full GC: %8s   destinations in status: %s\n' "$1" "$used" "$destinations"
}

send 0 1000; wait_arrived 1000
heap "after 1,000 domains"
quarter=$((MESSAGES / 4))
done_count=1000
start_time=$(date +%s)
for q in 1 2 3 4; do
    target=$((q * quarter))
    send "$done_count" "$target"; wait_arrived "$target"
    done_count=$target
    heap "after $(printf "%'d" "$target") domains"
done
log "$MESSAGES messages to as many domains in $(( $(date +%s) - start_time )) s; peak RSS $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$JAVA_PID/status")"
