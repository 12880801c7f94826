#!/usr/bin/env bash
# CGI benchmark (issue 5): lightgate's mod_cgi against lighttpd 1.4.69's, side by side, on the SAME config text
# (only the port differs) and the SAME programs, interleaved. Shapes:
#   get:cgi        requests/s for a trivial CGI responder (/bin/sh printing 6 bytes), wrk -t1 -c50 on 127.0.0.1
#   pingpong:32    WebSocket echo round trips through the CGI upgrade and examples/cgi/ws-echo.pl (one perl per
#   pingpong:4096  connection), wsload -c 50; lighttpd runs cgi.upgrade = 1
# Load generators: wrk; wsload from ../shared/tools/wsload (WSLOAD_SRC to override), built into a temp dir.
#   bench/cgi.sh [REPS=5] [DURATION_S=5]
# TARGETS (default "lighttpd lightgate lighttpd-scgi lighttpd-fcgi lightgate-scgi lightgate-fcgi") picks the
# servers, SHAPES (default "get:cgi pingpong:32 pingpong:4096") the shapes. The -scgi/-fcgi targets run the
# same programs through mod_scgi/mod_fastcgi and `lightgate scgi-cgi`/`lightgate fcgi-cgi` (bin-path); they are
# skipped while the lightgate build lacks those subcommands. lighttpd 1.4.69 has no upgrade over SCGI/FastCGI
# (1.4.74 added it), so lighttpd-scgi/-fcgi run get:cgi only; lightgate-scgi/-fcgi run every shape.
# Prints one line per run and a summary: medians, and the median of the per-round ratios to the lighttpd target
# of the same family (a round runs the targets back to back, so its ratio resists the box's drift).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
REPS=${1:-5}; DUR=${2:-5}
TARGETS=${TARGETS:-"lighttpd lightgate lighttpd-scgi lighttpd-fcgi lightgate-scgi lightgate-fcgi"}
SHAPES=${SHAPES:-"get:cgi pingpong:32 pingpong:4096"}
WSLOAD_SRC=${WSLOAD_SRC:-$here/../shared/tools/wsload}

for tool in lighttpd wrk perl curl; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install lighttpd wrk perl curl)" >&2; exit 1; }
done
JAVA_HOME=$("$here/bin/find-jdk"); export JAVA_HOME
case " $TARGETS " in *" lightgate"*|*"-scgi "*|*"-fcgi "*)
  build_lightgate_jar ;;
esac
# TARGETS for SCGI/FastCGI: only when this build has the helper program (its usage lists the subcommand).
case " $TARGETS " in *"-scgi "*|*"-fcgi "*) usage=$("$here/lightgate" -h 2>&1 || true) ;; esac
kept=""
for t in $TARGETS; do
  case $t in
    *-scgi|*-fcgi)
      sub=${t##*-}-cgi
      if ! grep -q "^ $sub" <<< "$usage"; then
        echo "bench: skipping $t: this lightgate has no '$sub' subcommand yet" >&2; continue
      fi ;;
  esac
  kept="$kept $t"
done
TARGETS=${kept# }
[ -n "$TARGETS" ] || { echo "bench: no target left" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"

start_run cgibench

# The programs: a trivial responder and the project's WebSocket echo, both run by every target.
mkdir -p "$run/docroot/cgi"
printf '#!/bin/sh\nprintf '"'"'Status: 200\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello\\n'"'"'\n' \
  > "$run/docroot/cgi/hello.sh"
cp "$here/examples/cgi/ws-echo.pl" "$run/docroot/cgi/ws-echo.pl"
chmod +x "$run/docroot/cgi/hello.sh" "$run/docroot/cgi/ws-echo.pl"

declare -A port_of=([lighttpd]=18281 [lightgate]=18282 [lighttpd-scgi]=18283 [lighttpd-fcgi]=18284
                    [lightgate-scgi]=18285 [lightgate-fcgi]=18286)
# lighttpd and lightgate of one family run ONE config text: only the port (and the backend socket) differ.
write_conf() { # $1 = target
  local family=${1#*-}; [ "$family" = "$1" ] && family=cgi
  local upgrade=1
  # lighttpd 1.4.69's mod_scgi/mod_fastcgi know no "upgrade" host option
  case $1 in lighttpd-*) upgrade=0 ;; esac
  {
    cat <<CONF
server.document-root   = "$run/docroot"
server.bind            = "127.0.0.1"
server.port            = ${port_of[$1]}
server.errorlog        = "$run/$1.error.log"
server.max-fds         = 20000
server.max-connections = 10000
server.listen-backlog  = 4096
server.max-read-idle   = 3600
server.max-write-idle  = 3600
CONF
    case $family in
      cgi) cat <<CONF
server.modules += ( "mod_cgi" )
\$HTTP["url"] =^ "/cgi/" {
    cgi.assign  = ( "" => "" )
    cgi.upgrade = 1
}
CONF
      ;;
      scgi|fcgi)
        local module=mod_scgi key=scgi.server
        [ "$family" = fcgi ] && module=mod_fastcgi key=fastcgi.server
        local up=""; [ $upgrade = 1 ] && up=', "upgrade" => 1'
        # -c 64: every WebSocket shape holds 50 upgraded requests open at once, each taking one of the helper's
        # slots for its whole life (the default 16 would leave 34 connections waiting in the backlog)
        cat <<CONF
server.modules += ( "$module" )
$key = ( "/cgi/" => ( ( "socket" => "$run/$1.sock", "bin-path" => "$here/lightgate $family-cgi -c 64",
                        "min-procs" => 1, "max-procs" => 1$up ) ) )
CONF
      ;;
    esac
  } > "$run/$1.conf"
}
for t in $TARGETS; do write_conf "$t"; done

# Which shapes a target runs: lighttpd 1.4.69 has no upgrade over SCGI/FastCGI.
runs_shape() { # $1 = target, $2 = shape
  case $1:$2 in lighttpd-*:pingpong:*) return 1 ;; esac
  return 0
}
get_ok() { # $1 = port: the responder answers "hello"
  [ "$(curl -s -m 2 "http://127.0.0.1:$1/cgi/hello.sh" 2>/dev/null)" = hello ]
}
ws_ok() { # $1 = port: one echo through ws-echo.pl
  "$WSLOAD" -q -u "ws://127.0.0.1:$1/cgi/ws-echo.pl" -c 1 -n 1 -s 32 >/dev/null 2>&1
}
start_target() { # $1 = target; up once the responder (and, when measured, one WebSocket echo) answers
  case $1 in
    lighttpd*) lighttpd -D -f "$run/$1.conf" > "$run/$1.out" 2>&1 & pid_of[$1]=$! ;;
    # the launcher execs java (so $! is the server) with its JVM defaults and JAVA_OPTS: what a user runs
    *) "$here/lightgate" -D -f "$run/$1.conf" > "$run/$1.out" 2>&1 & pid_of[$1]=$! ;;
  esac
  local check="get_ok ${port_of[$1]}"
  case " $SHAPES " in *" pingpong:"*)
    if runs_shape "$1" pingpong:32; then check="$check && ws_ok ${port_of[$1]}"; fi ;;
  esac
  for _ in $(seq 150); do
    kill -0 "${pid_of[$1]}" 2>/dev/null || break
    eval "$check" && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up (check: $check); its logs:" >&2
  cat "$run/$1.error.log" "$run/$1.out" >&2 2>/dev/null || true
  exit 1
}

results="$run/results.jsonl"; : > "$results"
# In the WebSocket lines "other(CGIs)", the CPU of processes not watched, includes the CGI programs (one perl per
# connection), so it is not zero on a quiet box; compare it between targets rather than read it as disturbance.
for t in $TARGETS; do start_target "$t"; done
run_shape() { # $1 = shape, $2 = target, $3 = duration, $4 = label (empty: warm-up, not recorded)
  IFS=: read -r m s <<< "$1"
  local port=${port_of[$2]}
  if [ "$m" = get ]; then
    local out
    out=$(wrk -t1 -c50 -d"${3}s" --latency "http://127.0.0.1:$port/cgi/hello.sh" || true)
    if [ -n "$4" ]; then
      wrk_json "$4" <<< "$out" >> "$results"
      tail -1 "$results" | report_get
    fi
    return
  fi
  if [ -z "$4" ]; then
    "$WSLOAD" -q -u "ws://127.0.0.1:$port/cgi/ws-echo.pl" -m "$m" -c 50 -s "$s" -w 0 -d "$3" >/dev/null || true
  else
    "$WSLOAD" -q -u "ws://127.0.0.1:$port/cgi/ws-echo.pl" -m "$m" -c 50 -s "$s" -w 1 -d "$3" \
      --watch "${pid_of[$2]}" --label "$4" >> "$results" || true
    tail -1 "$results" | report_ws 'other(CGIs)'
  fi
}
# Warm the JIT (and the others' buffers) before measuring; these runs are not counted. A plain CGI request
# costs a process spawn (about 1,000 requests/s here), so the JIT sees the CGI path 100 times less often than
# a static file's or a WebSocket message's: measured, lightgate's server CPU per CGI request fell from 550-1,090 us
# after 20 s to 300-320 us after 60 s (C2 still compiling the first 20 s), so `get` shapes warm up longer.
for shape in $SHAPES; do
  for t in $TARGETS; do
    warm=${WARM:-8}
    case $shape in get:*) warm=${WARM_GET:-60} ;; esac
    if runs_shape "$t" "$shape"; then run_shape "$shape" "$t" "$warm" ""; fi
  done
done
for rep in $(seq "$REPS"); do
  for shape in $SHAPES; do
    IFS=: read -r m s <<< "$shape"
    for t in $TARGETS; do
      if runs_shape "$t" "$shape"; then run_shape "$shape" "$t" "$DUR" "rep=$rep shape=$m-$s target=$t"; fi
    done
  done
done

echo
python3 - "$results" "$TARGETS" "$SHAPES" <<'PY'
import collections, json, statistics, sys
path, targets, shapes = sys.argv[1], sys.argv[2].split(), [s.replace(":", "-") for s in sys.argv[3].split()]
runs = collections.defaultdict(dict)   # (shape, target) -> {rep: json}
for line in open(path):
    d = json.loads(line)
    f = dict(kv.split("=", 1) for kv in d["label"].split())
    runs[(f["shape"], f["target"])][f["rep"]] = d
med = statistics.median
def base_of(t, shape):
    # lightgate-scgi compares with lighttpd-scgi, and so on; with lighttpd (mod_cgi) where lighttpd's SCGI or
    # FastCGI cannot run the shape (upgrades)
    b = "lighttpd" + t[len("lightgate"):] if t.startswith("lightgate") else None
    return b if (shape, b) in runs else ("lighttpd" if t.startswith("lightgate") else None)
print("medians over rounds; get-cgi: wrk -t1 -c50, rate = requests/s; pingpong: 50 WebSocket connections "
      "through ws-echo.pl, rate = msgs/s. ratio = median of per-round rate ratios to the base; p99 in us")
print("%-14s %-15s %10s %9s %-14s %7s %9s %7s" % ("shape", "target", "rate", "p99", "base", "ratio", "p99 ratio",
                                                   "errors"))
for shape in shapes:
    for t in targets:
        r = runs.get((shape, t))
        if not r:
            continue
        rate = med(d["msgs_per_s"] for d in r.values())
        p99 = med(d["lat_us"]["p99"] for d in r.values())
        errs = sum(d["errors"]["total"] for d in r.values())
        base = base_of(t, shape)
        b = runs.get((shape, base), {})
        common = [k for k in r if k in b and b[k]["msgs_per_s"] > 0 and b[k]["lat_us"]["p99"] > 0]
        ratio = p99ratio = "-"
        if common:
            ratio = "%.2f" % med(r[k]["msgs_per_s"] / b[k]["msgs_per_s"] for k in common)
            p99ratio = "%.2f" % med(r[k]["lat_us"]["p99"] / b[k]["lat_us"]["p99"] for k in common)
        print("%-14s %-15s %10.0f %9.0f %-14s %7s %9s %7d" % (shape, t, rate, p99, base or "-", ratio, p99ratio,
                                                             errs))
PY
