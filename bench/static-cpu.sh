#!/usr/bin/env bash
# CPU per request of a static 1 KiB file: lighttpd 1.4.69 and lightgate (server.event-loops = 1) on the same
# config text, interleaved. Reads each server's user and system time from /proc/PID/stat around a wrk run and
# divides by the requests wrk completed: a measure this VM's drift moves much less than requests/s.
#   bench/static-cpu.sh [REPS=5] [DURATION_S=4] [CONNECTIONS=50] [FILE=1k.bin]
# Extra lightgate variants: VARIANTS="name=JAVA_OPTS;name2=JAVA_OPTS2" (e.g. "pargc=-XX:+UseParallelGC").
set -euo pipefail
REPS=${1:-5}; DUR=${2:-4}; CONNS=${3:-50}; FILE=${4:-1k.bin}
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in lighttpd wrk; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install lighttpd wrk)" >&2; exit 1; }
done
# shellcheck source=lib.sh
source "$here/bench/lib.sh"
build_lightgate_jar

start_plain_run
declare -a names=() ports=()
mkdir -p "$run/docroot"
head -c 1024 /dev/urandom > "$run/docroot/1k.bin"
head -c 1048576 /dev/urandom > "$run/docroot/1m.bin"
write_conf() { # $1 = name, $2 = port, $3 = extra line
  write_static_conf "$run/$1.conf" "$2" "$run/$1.error.log" "${3:-}"
}
port=18094
write_conf lighttpd $port
lighttpd -D -f "$run/lighttpd.conf" & pids+=($!); names+=(lighttpd); ports+=($port)
IFS=';' read -r -a variants <<<"lightgate-1loop=;${VARIANTS:-}"
for v in "${variants[@]}"; do
  [ -n "$v" ] || continue
  name=${v%%=*}; opts=${v#*=}; port=$((port + 1))
  write_conf "$name" $port "server.event-loops = 1"
  JAVA_OPTS=$opts "$here/lightgate" -D -f "$run/$name.conf" 2>/dev/null & pids+=($!); names+=("$name"); ports+=($port)
done
for i in "${!names[@]}"; do
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:${ports[$i]}/$FILE" && break; sleep 0.1; done
  wrk -t1 -c"$CONNS" -d10s "http://127.0.0.1:${ports[$i]}/$FILE" >/dev/null # JIT warm-up, not counted
done

ticks=$(getconf CLK_TCK)
results="$run/results.txt"; : > "$results"
for rep in $(seq "$REPS"); do
  for i in "${!names[@]}"; do
    read -r u0 s0 < <(cpu_of "${pids[$i]}")
    out=$(wrk -t1 -c"$CONNS" -d"${DUR}"s "http://127.0.0.1:${ports[$i]}/$FILE")
    read -r u1 s1 < <(cpu_of "${pids[$i]}")
    n=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    line=$(awk -v n="$n" -v t="$ticks" -v u=$((u1 - u0)) -v s=$((s1 - s0)) \
      'BEGIN {printf "%.2f %.2f %.2f", (u + s) / t / n * 1e6, u / t / n * 1e6, s / t / n * 1e6}')
    echo "rep=$rep server=${names[$i]} cpu_us_per_req(total user sys)=$line req/s=$rps"
    echo "$rep ${names[$i]} $line $rps" >> "$results"
  done
done
echo
echo "medians over $REPS runs (wrk -t1 -c$CONNS -d${DUR}s, $FILE), CPU µs per request:"
python3 - "$results" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    rep, name, total, user, system, rps = line.split()
    rows[name].append((float(total), float(user), float(system), float(rps)))
print(f"{'server':18} {'total':>7} {'user':>6} {'system':>7} {'req/s':>8}")
for name, r in rows.items():
    print(f"{name:18} {statistics.median(x[0] for x in r):7.2f} {statistics.median(x[1] for x in r):6.2f} "
          f"{statistics.median(x[2] for x in r):7.2f} {statistics.median(x[3] for x in r):8.0f}")
PY
