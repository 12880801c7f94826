#!/usr/bin/env bash
# mod_proxy benchmark (issue 4): lightgate's mod_proxy against lighttpd 1.4.69's mod_proxy and nginx, side by side,
# interleaved. lighttpd and lightgate run the SAME config text (only the port differs); nginx the equivalent
# (proxy_http_version 1.1 with Upgrade/Connection headers for /ws/). Shared backends: wsload's wsecho (an RFC 6455
# echo server) for WebSockets, and lighttpd serving a 1 KiB file for the plain GETs.
# Load generators: wsload from ../shared/tools/wsload (WSLOAD_SRC to override), built into a temp dir; wrk.
#   bench/proxy.sh [REPS=5] [DURATION_S=5]   pingpong 32 B, pingpong 4 KiB, pipeline 16 x 4 KiB (50 conns each);
#                                            GET 1 KiB through the proxy (wrk -t1 -c50)
# TARGETS (default "lighttpd nginx lightgate"; also "lightgate-1loop": server.event-loops = 1) picks the proxies, SHAPES (default "pingpong:32 pingpong:4096
# pipeline:4096 get:1k") the shapes. Prints one line per run and a summary: medians,
# and the median of the per-round ratios to lighttpd (a round runs the targets back to back, so its ratio resists
# the box's drift), with issue 4's goals.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
REPS=${1:-5}; DUR=${2:-5}
TARGETS=${TARGETS:-"lighttpd nginx lightgate"}
SHAPES=${SHAPES:-"pingpong:32 pingpong:4096 pipeline:4096 get:1k"}
WSLOAD_SRC=${WSLOAD_SRC:-$here/../shared/tools/wsload}

for tool in lighttpd wrk; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install lighttpd wrk)" >&2; exit 1; }
done
case " $TARGETS " in *" nginx "*)
  command -v nginx >/dev/null || { echo "bench: nginx missing (apt-get install nginx)" >&2; exit 1; } ;;
esac
JAVA_HOME=$("$here/bin/find-jdk"); export JAVA_HOME
case " $TARGETS " in *" lightgate"*)
  build_lightgate_jar ;;
esac
ulimit -n "$(ulimit -Hn)"

start_run proxybench
mkdir -p "$run/docroot" "$run/nginx/logs" "$run/nginx/tmp"
head -c 1024 /dev/urandom > "$run/docroot/1k.bin"

WSECHO_PORT=18190; STATIC_PORT=18194
declare -A port_of=([lighttpd]=18191 [nginx]=18192 [lightgate]=18193 [lightgate-1loop]=18195)

# The backends: wsecho, and lighttpd serving 1k.bin (the proxies open one backend connection per request).
cat > "$run/static.conf" <<CONF
server.document-root   = "$run/docroot"
server.bind            = "127.0.0.1"
server.port            = $STATIC_PORT
server.errorlog        = "$run/static.error.log"
server.max-fds         = 20000
server.listen-backlog  = 4096
mimetype.assign = ( ".bin" => "application/octet-stream" )
CONF

# lighttpd and lightgate: one config text, the port substituted.
write_conf() { # $1 = target
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
server.modules += ( "mod_proxy" )
proxy.server = ( "/ws/" => ( ( "host" => "127.0.0.1", "port" => $WSECHO_PORT ) ),
                 "/"    => ( ( "host" => "127.0.0.1", "port" => $STATIC_PORT ) ) )
proxy.header = ( "upgrade" => "enable" )
CONF
}
write_conf lighttpd
write_conf lightgate
# lightgate with one event loop, as lighttpd's one process (wsload and wsecho need the box's other core)
write_conf lightgate-1loop; echo "server.event-loops = 1" >> "$run/lightgate-1loop.conf"
# nginx: one process (master_process off) in the foreground, its own prefix in the temp dir; plain requests as
# nginx proxies them by default (HTTP/1.0 to the backend, no upstream keep-alive), as lighttpd does.
cat > "$run/nginx.conf" <<CONF
daemon off;
master_process off;
worker_rlimit_nofile 20000;
pid $run/nginx/nginx.pid;
error_log $run/nginx.error.log warn;
events { worker_connections 19900; use epoll; }
http {
    access_log off;
    client_body_temp_path $run/nginx/tmp;
    proxy_temp_path $run/nginx/tmp;
    fastcgi_temp_path $run/nginx/tmp;
    uwsgi_temp_path $run/nginx/tmp;
    scgi_temp_path $run/nginx/tmp;
    server {
        listen 127.0.0.1:${port_of[nginx]} backlog=4096;
        location /ws/ {
            proxy_pass http://127.0.0.1:$WSECHO_PORT;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host \$host;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }
        location / {
            proxy_pass http://127.0.0.1:$STATIC_PORT;
            proxy_set_header Host \$host;
        }
    }
}
CONF

get_ok() { # $1 = port: GET /1k.bin answers 200 with the file's 1024 bytes
  python3 - "$1" "$run/docroot/1k.bin" <<'PY' 2>/dev/null
import sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:%s/1k.bin" % sys.argv[1], timeout=2).read()
sys.exit(0 if body == open(sys.argv[2], "rb").read() else 1)
PY
}
wait_up() { # $1 = name in pid_of; $2 = check command
  for _ in $(seq 150); do
    kill -0 "${pid_of[$1]}" 2>/dev/null || break
    eval "$2" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up (check: $2); its logs:" >&2
  cat "$run/$1.error.log" "$run/$1.out" >&2 2>/dev/null || true
  exit 1
}
start_backends() {
  "$run/bin/wsecho" -p $WSECHO_PORT > "$run/wsecho.out" 2>&1 & pid_of[wsecho]=$!
  wait_up wsecho "\"$WSLOAD\" -q -u ws://127.0.0.1:$WSECHO_PORT/ws/ -c 1 -n 1 -s 32"
  lighttpd -D -f "$run/static.conf" > "$run/static.out" 2>&1 & pid_of[static]=$!
  wait_up static "get_ok $STATIC_PORT"
}
start_target() { # $1 = target; up once a WebSocket echo (and a GET, when measured) succeed through it
  case $1 in
    lighttpd) lighttpd -D -f "$run/$1.conf" > "$run/$1.out" 2>&1 & pid_of[$1]=$! ;;
    nginx) nginx -p "$run/nginx" -c "$run/nginx.conf" > "$run/$1.out" 2>&1 & pid_of[$1]=$! ;;
    # the launcher execs java (so $! is the server) with its JVM defaults and JAVA_OPTS: what a user runs
    *) "$here/lightgate" -D -f "$run/$1.conf" > "$run/$1.out" 2>&1 & pid_of[$1]=$! ;;
  esac
  local check="\"$WSLOAD\" -q -u ws://127.0.0.1:${port_of[$1]}/ws/ -c 1 -n 1 -s 32"
  case " $SHAPES " in *" get:1k "*) check="$check && get_ok ${port_of[$1]}" ;; esac
  wait_up "$1" "$check"
}

results="$run/results.jsonl"; : > "$results"
# In the WebSocket lines, tens of percent of "other" CPU mean another workload disturbed the run.
start_backends
for t in $TARGETS; do start_target "$t"; done
run_shape() { # $1 = shape, $2 = target, $3 = duration, $4 = label (empty: warm-up, not recorded)
  IFS=: read -r m s <<< "$1"
  local port=${port_of[$2]}
  if [ "$m" = get ]; then
    local out
    out=$(wrk -t1 -c50 -d"${3}s" --latency "http://127.0.0.1:$port/1k.bin" || true)
    if [ -n "$4" ]; then
      wrk_json "$4" <<< "$out" >> "$results"
      tail -1 "$results" | report_get
    fi
    return
  fi
  local extra=""; [ "$m" = pipeline ] && extra="-k 16"
  if [ -z "$4" ]; then
    "$WSLOAD" -q -u "ws://127.0.0.1:$port/ws/" -m "$m" -c 50 -s "$s" $extra -w 0 -d "$3" >/dev/null || true
  else
    "$WSLOAD" -q -u "ws://127.0.0.1:$port/ws/" -m "$m" -c 50 -s "$s" $extra -w 1 -d "$3" \
      --watch "${pid_of[$2]},${pid_of[wsecho]}" --label "$4" >> "$results" || true
    tail -1 "$results" | report_ws
  fi
}
# Warm the JIT (and the others' buffers) before measuring; these runs are not counted.
for shape in $SHAPES; do
  for t in $TARGETS; do run_shape "$shape" "$t" "${WARM:-8}" ""; done
done
for rep in $(seq "$REPS"); do
  for shape in $SHAPES; do
    IFS=: read -r m s <<< "$shape"
    for t in $TARGETS; do run_shape "$shape" "$t" "$DUR" "rep=$rep shape=$m-$s target=$t"; done
  done
done

echo
python3 - "$results" "$TARGETS" <<'PY'
import collections, json, statistics, sys
path, targets = sys.argv[1], sys.argv[2].split()
runs = collections.defaultdict(dict)   # (shape, target) -> {rep: json}
for line in open(path):
    d = json.loads(line)
    f = dict(kv.split("=", 1) for kv in d["label"].split())
    runs[(f["shape"], f["target"])][f["rep"]] = d
med = statistics.median
base = "lighttpd"
# Goals from issue 4, for lightgate: messages (requests) per second at least this many times lighttpd's.
goal = {"pingpong-32": 1.2, "pingpong-4096": 1.2, "pipeline-4096": 1.0, "get-1k": 1.0}
print("medians over rounds; WebSockets: 50 connections (pipeline: 16 in flight each), rate = msgs/s; get-1k: "
      "wrk -t1 -c50, rate = requests/s. ratio = median of per-round rate ratios to lighttpd; p99 in us")
print("%-14s %-15s %10s %9s %7s %6s %9s %7s" % ("shape", "target", "rate", "p99", "ratio", "goal", "p99 ratio",
                                               "errors"))
for shape in goal:
    for t in targets:
        r = runs.get((shape, t))
        if not r:
            continue
        rate = med(d["msgs_per_s"] for d in r.values())
        p99 = med(d["lat_us"]["p99"] for d in r.values())
        errs = sum(d["errors"]["total"] for d in r.values())
        b = runs.get((shape, base), {})
        common = [k for k in r if k in b and b[k]["msgs_per_s"] > 0 and b[k]["lat_us"]["p99"] > 0]
        ratio = p99ratio = "-"
        if t != base and common:
            ratio = "%.2f" % med(r[k]["msgs_per_s"] / b[k]["msgs_per_s"] for k in common)
            p99ratio = "%.2f" % med(r[k]["lat_us"]["p99"] / b[k]["lat_us"]["p99"] for k in common)
        print("%-14s %-15s %10.0f %9.0f %7s %6s %9s %7d" % (shape, t, rate, p99, ratio,
              "%.1fx" % goal[shape] if t.startswith("lightgate") else "-", p99ratio, errs))
PY
