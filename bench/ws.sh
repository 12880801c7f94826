#!/usr/bin/env bash
# WebSocket benchmark (issue 3): lightgate's mod_wstunnel against lighttpd 1.4.69's, side by side, on the SAME
# config text (only the port differs) and the SAME unix-socket echo backend (wsload's rawecho), interleaved.
# Load generator: wsload from ../shared/tools/wsload (WSLOAD_SRC to override), built into a temp dir.
#   bench/ws.sh [REPS=5] [DURATION_S=5]              pingpong 32 B, pingpong 4 KiB, pipeline 16 x 4 KiB; 50 conns
#   bench/ws.sh idle [CONNS=9000] [HOLD_S=30] [REPS=1]  idle tunnelled connections, RSS per connection
# TARGETS (default "lighttpd lightgate lightgate-1loop") picks the servers; lightgate-1loop runs with
# server.event-loops = 1, since wsload and rawecho need most of this 2-core box's second core.
# Prints one line per run and a summary: medians of msgs/s and p99, and the median of the per-round
# lightgate/lighttpd ratios (a round runs the targets back to back, so its ratio resists the box's drift).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
mode=ws
if [ "${1:-}" = idle ]; then mode=idle; shift; fi
if [ $mode = ws ]; then REPS=${1:-5}; DUR=${2:-5}; else CONNS=${1:-9000}; HOLD=${2:-30}; REPS=${3:-1}; fi
TARGETS=${TARGETS:-"lighttpd lightgate lightgate-1loop"}
WSLOAD_SRC=${WSLOAD_SRC:-$here/../shared/tools/wsload}

command -v lighttpd >/dev/null || { echo "bench: lighttpd missing (apt-get install lighttpd)" >&2; exit 1; }
JAVA_HOME=$("$here/bin/find-jdk"); export JAVA_HOME
case " $TARGETS " in *" lightgate"*)
  build_lightgate_jar ;;
esac
# 9,000 tunnelled connections need ~18,000 fds in the server; children inherit the raised soft limit.
ulimit -n "$(ulimit -Hn)"

start_run wsbench
mkdir -p "$run/docroot"

declare -A port_of=([lighttpd]=18081 [lightgate]=18082 [lightgate-1loop]=18083)
write_conf() { # $1 = target, $2 = extra line
  cat > "$run/$1.conf" <<CONF
server.document-root   = "$run/docroot"
server.bind            = "127.0.0.1"
server.port            = ${port_of[$1]}
server.errorlog        = "$run/$1.error.log"
server.max-fds         = 20000
server.max-connections = 10000
server.listen-backlog  = 4096
server.max-read-idle   = 3600
server.max-write-idle  = 3600
server.modules += ( "mod_wstunnel" )
wstunnel.server = ( "/ws/" => ( ( "socket" => "$run/echo.sock" ) ) )
wstunnel.frame-type = "text"
${2:-}
CONF
}
write_conf lighttpd
write_conf lightgate
write_conf lightgate-1loop "server.event-loops = 1"

wait_up() { # $1 = target; the server must answer a WebSocket handshake through the tunnel
  for _ in $(seq 150); do
    kill -0 "${pid_of[$1]}" 2>/dev/null || break
    "$WSLOAD" -q -u "ws://127.0.0.1:${port_of[$1]}/ws/" -c 1 -n 1 -s 32 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up; its error log:" >&2
  cat "$run/$1.error.log" "$run/$1.out" >&2 2>/dev/null || true
  exit 1
}
start_backend() {
  rm -f "$run/echo.sock"
  "$run/bin/rawecho" -u "$run/echo.sock" > "$run/rawecho.out" 2>&1 & pid_of[rawecho]=$!
  for _ in $(seq 50); do [ -S "$run/echo.sock" ] && return 0; sleep 0.1; done
  echo "bench: rawecho did not start" >&2; exit 1
}
start_target() { # $1 = target
  case $1 in
    lighttpd) lighttpd -D -f "$run/$1.conf" > "$run/$1.out" 2>&1 & pid_of[$1]=$! ;;
    # the launcher execs java (so $! is the server) with its JVM defaults and JAVA_OPTS
    *) "$here/lightgate" -D -f "$run/$1.conf" > "$run/$1.out" 2>&1 & pid_of[$1]=$! ;;
  esac
  wait_up "$1"
}
stop() { # $1 = name in pid_of
  local p=${pid_of[$1]:-}
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  unset "pid_of[$1]"
}

results="$run/results.jsonl"; : > "$results"
# One line per run from wsload's JSON; "other" = CPU (% of a core) used by processes not watched, as
# wsload's summarize.py derives it: tens of percent mean another workload disturbed the run.
report() {
  python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
w = {x["name"]: x for x in d["watch"]}
other = 2 * d["sys_cpu"]["busy_pct"] - sum(x["cpu_pct"] for x in d["watch"]) - 2 * d["sys_cpu"]["softirq_pct"]
cpu = " ".join("%s=%.0f%%" % (x["name"], x["cpu_pct"]) for x in d["watch"])
if d["mode"] == "idle":
    s = d["watch"][0]; n = max(d["established"], 1)
    print("%s established=%d alive=%s server RSS KiB %d -> %d -> %d (%.2f KiB/conn) errors=%d %s" % (
        d["label"], d["established"], d["idle"]["alive"], s["rss_kb_pre"], s["rss_kb_start"], s["rss_kb_end"],
        (s["rss_kb_start"] - s["rss_kb_pre"]) / n, d["errors"]["total"], d["first_error"]))
else:
    print("%s msgs/s=%.0f p50=%.0fus p99=%.0fus errors=%d %s other=%.0f%% %s" % (
        d["label"], d["msgs_per_s"], d["lat_us"]["p50"], d["lat_us"]["p99"], d["errors"]["total"], cpu, other,
        d["first_error"]))
'
}

if [ $mode = ws ]; then
  start_backend
  for t in $TARGETS; do start_target "$t"; done
  SHAPES="pingpong:32 pingpong:4096 pipeline:4096"
  # Warm the JIT (and lighttpd's buffers) before measuring; these runs are not counted. C2 keeps compiling for
  # about 10 s of load, so each shape warms WARM seconds (default 8) per target.
  for shape in $SHAPES; do
    IFS=: read -r m s <<< "$shape"
    extra=""; [ "$m" = pipeline ] && extra="-k 16"
    for t in $TARGETS; do
      "$WSLOAD" -q -u "ws://127.0.0.1:${port_of[$t]}/ws/" -m "$m" -c 50 -s "$s" $extra -w 0 -d "${WARM:-8}" >/dev/null || true
    done
  done
  for rep in $(seq "$REPS"); do
    for shape in $SHAPES; do
      IFS=: read -r m s <<< "$shape"
      extra=""; [ "$m" = pipeline ] && extra="-k 16"
      for t in $TARGETS; do
        "$WSLOAD" -q -u "ws://127.0.0.1:${port_of[$t]}/ws/" -m "$m" -c 50 -s "$s" $extra -w 1 -d "$DUR" \
          --watch "${pid_of[$t]},${pid_of[rawecho]}" --label "rep=$rep shape=$m-$s target=$t" >> "$results" || true
        tail -1 "$results" | report
      done
    done
  done
else
  for rep in $(seq "$REPS"); do
    for t in $TARGETS; do
      # A fresh server and backend per run, so RSS before/after is this run's alone.
      start_backend; start_target "$t"; sleep 1
      "$WSLOAD" -q -u "ws://127.0.0.1:${port_of[$t]}/ws/" -m idle -c "$CONNS" --hold "$HOLD" \
        --src 127.0.0.2-127.0.0.50 --pending 256 --watch "${pid_of[$t]},${pid_of[rawecho]}" \
        --label "rep=$rep shape=idle-$CONNS target=$t" >> "$results" || true
      tail -1 "$results" | report
      stop "$t"; stop rawecho
    done
  done
fi

echo
python3 - "$results" "$TARGETS" "$mode" <<'PY'
import collections, json, statistics, sys
path, targets, mode = sys.argv[1], sys.argv[2].split(), sys.argv[3]
runs = collections.defaultdict(dict)   # (shape, target) -> {rep: json}
for line in open(path):
    d = json.loads(line)
    f = dict(kv.split("=", 1) for kv in d["label"].split())
    runs[(f["shape"], f["target"])][f["rep"]] = d
med = statistics.median
base = "lighttpd"
if mode == "ws":
    # Goals from issue 3: msgs/s at least this many times lighttpd's, p99 no worse.
    goal = {"pingpong-32": 1.3, "pingpong-4096": 2.5, "pipeline-4096": 3.0}
    print("medians over rounds, 50 connections (pipeline: 16 in flight each); ratio = median of per-round "
          "msgs/s ratios to lighttpd (goal: at least goal); p99 in us, p99 ratio likewise (goal: at most 1.00)")
    print("%-14s %-16s %10s %9s %7s %6s %9s %7s" % ("shape", "target", "msgs/s", "p99", "ratio", "goal",
                                                   "p99 ratio", "errors"))
    for shape in goal:
        for t in targets:
            r = runs.get((shape, t))
            if not r:
                continue
            rate = med(d["msgs_per_s"] for d in r.values())
            p99 = med(d["lat_us"]["p99"] for d in r.values())
            errs = sum(d["errors"]["total"] for d in r.values())
            b = runs.get((shape, base), {})
            common = [k for k in r if k in b and b[k]["msgs_per_s"] > 0]
            ratio = p99ratio = "-"
            if t != base and common:
                ratio = "%.2f" % med(r[k]["msgs_per_s"] / b[k]["msgs_per_s"] for k in common)
                # p99 goal: at most lighttpd's, i.e. a ratio of 1.00 or less
                p99ratio = "%.2f" % med(r[k]["lat_us"]["p99"] / b[k]["lat_us"]["p99"] for k in common)
            print("%-14s %-16s %10.0f %9.0f %7s %6s %9s %7d" % (shape, t, rate, p99, ratio,
                  "-" if t == base else "%.1fx" % goal[shape], p99ratio, errs))
else:
    # Goal from issue 3: all alive, at most 8 KiB resident per connection (lighttpd measured 13.8 KiB).
    print("idle: medians over rounds; KiB/conn = (server RSS with all open - RSS before) / established")
    print("%-16s %12s %8s %9s %7s" % ("target", "established", "alive", "KiB/conn", "errors"))
    for (shape, t), r in sorted(runs.items(), key=lambda kv: targets.index(kv[0][1])):
        est = med(d["established"] for d in r.values())
        alive = med(d["idle"]["alive"] for d in r.values())
        kib = med((d["watch"][0]["rss_kb_start"] - d["watch"][0]["rss_kb_pre"]) / max(d["established"], 1)
                  for d in r.values())
        print("%-16s %12.0f %8.0f %9.2f %7d" % (t, est, alive, kib, sum(d["errors"]["total"] for d in r.values())))
PY
