#!/usr/bin/env bash
# Static-file benchmark: lightgate and lighttpd 1.4.69 side by side, interleaved, on the SAME config text
# (only the port differs). Needs Debian's lighttpd and wrk; builds the jar if needed, runs it through ./lightgate.
# with its default (one event loop per core) and with server.event-loops = 1, because on this 2-core box
# wrk needs a core of its own and lighttpd is single-threaded.
#   bench/static.sh [REPS=3] [DURATION_S=5] [CONNECTIONS=50]
# Prints one line per run and a summary with medians and the lightgate/lighttpd ratio.
set -euo pipefail
REPS=${1:-3}; DUR=${2:-5}; CONNS=${3:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in lighttpd wrk; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install lighttpd wrk)" >&2; exit 1; }
done
# shellcheck source=lib.sh
source "$here/bench/lib.sh"
build_lightgate_jar

start_plain_run
mkdir -p "$run/docroot"
head -c 1024 /dev/urandom > "$run/docroot/1k.bin"
head -c 1048576 /dev/urandom > "$run/docroot/1m.bin"

port_lighttpd=18084; port_lightgate=18086; port_lightgate1=18087
write_conf() { # $1 = port, $2 = name, $3 = extra line
  write_static_conf "$run/$2.conf" "$1" "$run/$2.error.log" "${3:-}"
}
write_conf $port_lighttpd lighttpd
write_conf $port_lightgate lightgate
write_conf $port_lightgate1 lightgate-1loop "server.event-loops = 1"

lighttpd -D -f "$run/lighttpd.conf" & pids+=($!)
# through the launcher (it execs java, so $! is the server), with the JVM options it gives every lightgate
"$here/lightgate" -D -f "$run/lightgate.conf" 2>/dev/null & pids+=($!)
"$here/lightgate" -D -f "$run/lightgate-1loop.conf" 2>/dev/null & pids+=($!)
for port in $port_lighttpd $port_lightgate $port_lightgate1; do
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/1k.bin" && break; sleep 0.1; done
done

# Warm the JIT (and lighttpd's caches) before measuring; these runs are not counted.
for f in 1k.bin 1m.bin; do
  wrk -t1 -c$CONNS -d5s "http://127.0.0.1:$port_lightgate/$f" >/dev/null
  wrk -t1 -c$CONNS -d5s "http://127.0.0.1:$port_lightgate1/$f" >/dev/null
  wrk -t1 -c$CONNS -d2s "http://127.0.0.1:$port_lighttpd/$f" >/dev/null
done

results="$run/results.txt"; : > "$results"
for rep in $(seq "$REPS"); do
  for f in 1k.bin 1m.bin; do
    for server in lighttpd lightgate lightgate-1loop; do
      case $server in lighttpd) port=$port_lighttpd;; lightgate) port=$port_lightgate;; *) port=$port_lightgate1;; esac
      out=$(wrk -t1 -c$CONNS -d${DUR}s --latency "http://127.0.0.1:$port/$f")
      rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
      errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
      echo "rep=$rep file=$f server=$server req/s=$rps p50=$p50 p99=$p99 ${errs}"
      echo "$rep $f $server $rps" >> "$results"
    done
  done
done

echo
echo "median req/s over $REPS runs (wrk -t1 -c$CONNS -d${DUR}s):"
python3 - "$results" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    rep, f, server, rps = line.split()
    runs[(f, server)][rep] = float(rps)
# Medians of each server, and the median of the per-round ratios: a round runs the servers back to back,
# so its ratio is robust to the drift this VM shows between rounds.
print(f"{'file':8} {'lighttpd':>9} {'lightgate':>10} {'ratio':>6} {'lightgate-1loop':>16} {'ratio':>6}")
for f in ("1k.bin", "1m.bin"):
    base = runs[(f, "lighttpd")]
    cells = []
    for server in ("lightgate", "lightgate-1loop"):
        r = runs[(f, server)]
        cells.append((statistics.median(r.values()), statistics.median(r[k] / base[k] for k in r)))
    print(f"{f:8} {statistics.median(base.values()):9.0f} {cells[0][0]:10.0f} {cells[0][1]:6.2f} "
          f"{cells[1][0]:16.0f} {cells[1][1]:6.2f}")
PY
