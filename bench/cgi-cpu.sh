#!/usr/bin/env bash
# Server CPU per SCGI or FastCGI request: lightgate and lighttpd 1.4.69 in front of ONE helper program
# (`lightgate scgi-cgi` or `fcgi-cgi`, spawned by lightgate's bin-path; lighttpd connects to the same socket),
# a trivial /bin/sh responder, wrk -t1 -c50, interleaved. Reads each server's (and the helper's) user and system
# time from /proc/PID/stat around every wrk run and divides by the requests it completed: which part of a
# request's cost is the server's, apart from the helper and the program starts that dominate the box.
#   bench/cgi-cpu.sh [REPS=4] [DURATION_S=5]
# FAMILY=scgi|fcgi (default scgi); WARM=90 seconds of load on lightgate first (the JIT sees this path ~1,000
# times a second, so it needs long); EXTRA="server.event-loops = 1" adds a line to lightgate's config.
set -euo pipefail
REPS=${1:-4}; DUR=${2:-5}; FAMILY=${FAMILY:-scgi}; WARM=${WARM:-90}
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in lighttpd wrk curl; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install lighttpd wrk curl)" >&2; exit 1; }
done
case $FAMILY in
  scgi) module=mod_scgi key=scgi.server ;;
  fcgi) module=mod_fastcgi key=fastcgi.server ;;
  *) echo "bench: FAMILY must be scgi or fcgi" >&2; exit 1 ;;
esac
# shellcheck source=lib.sh
source "$here/bench/lib.sh"
build_lightgate_jar

start_plain_run
mkdir -p "$run/docroot/cgi"
printf '#!/bin/sh\nprintf '"'"'Status: 200\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello\\n'"'"'\n' \
  > "$run/docroot/cgi/hello.sh"
chmod +x "$run/docroot/cgi/hello.sh"
common() { # $1 = port, $2 = name
  cat <<CONF
server.document-root = "$run/docroot"
server.bind          = "127.0.0.1"
server.port          = $1
server.errorlog      = "$run/$2.error.log"
server.modules      += ( "$module" )
CONF
}
# bin-path with max-procs 1 listens on "<socket>-0", lighttpd's naming, which lighttpd then reaches directly
{ common 18401 lightgate; echo "${EXTRA:-}"
  echo "$key = ( \"/cgi/\" => ( ( \"socket\" => \"$run/helper.sock\", \"bin-path\" => \"$here/lightgate $FAMILY-cgi -c 64\","
  echo "                          \"min-procs\" => 1, \"max-procs\" => 1 ) ) )"; } > "$run/lightgate.conf"
{ common 18402 lighttpd
  echo "$key = ( \"/cgi/\" => ( ( \"socket\" => \"$run/helper.sock-0\" ) ) )"; } > "$run/lighttpd.conf"

url() { echo "http://127.0.0.1:$1/cgi/hello.sh"; }
"$here/lightgate" -D -f "$run/lightgate.conf" > "$run/lightgate.out" 2>&1 & lightgate=$!; pids+=($lightgate)
for _ in $(seq 150); do [ "$(curl -s "$(url 18401)")" = hello ] && break; sleep 0.2; done
lighttpd -D -f "$run/lighttpd.conf" > "$run/lighttpd.out" 2>&1 & lighttpd=$!; pids+=($lighttpd)
for _ in $(seq 50); do [ "$(curl -s "$(url 18402)")" = hello ] && break; sleep 0.2; done
for port in 18401 18402; do
  [ "$(curl -s "$(url $port)")" = hello ] || { echo "bench: port $port does not answer; logs:" >&2;
    cat "$run"/*.error.log "$run"/*.out >&2; exit 1; }
done
helper=$(pgrep -f -- "$FAMILY-cgi -c 64" | head -1)
echo "warm-up: ${WARM} s on lightgate, 10 s on lighttpd (not counted)"
wrk -t1 -c50 -d"${WARM}"s "$(url 18401)" > /dev/null
wrk -t1 -c50 -d10s "$(url 18402)" > /dev/null

ticks=$(getconf CLK_TCK)
cpu_total() { local u s; read -r u s < <(cpu_of "$1"); echo $((u + s)); } # utime + stime, in ticks
results="$run/results.txt"; : > "$results"
for rep in $(seq "$REPS"); do
  for name in lighttpd lightgate; do
    pid=${!name}; port=18401; [ $name = lighttpd ] && port=18402
    s0=$(cpu_total "$pid"); h0=$(cpu_total "$helper")
    out=$(wrk -t1 -c50 -d"${DUR}"s "$(url $port)")
    s1=$(cpu_total "$pid"); h1=$(cpu_total "$helper")
    n=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    line=$(awk -v n="$n" -v t="$ticks" -v s=$((s1 - s0)) -v h=$((h1 - h0)) \
      'BEGIN {printf "%.1f %.1f", s / t / n * 1e6, h / t / n * 1e6}')
    echo "rep=$rep server=$name server_us/req=${line% *} helper_us/req=${line#* } req/s=$rps"
    echo "$rep $name $line $rps" >> "$results"
  done
done
echo
echo "medians over $REPS runs ($FAMILY, wrk -t1 -c50 -d${DUR}s), CPU us per request:"
python3 - "$results" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    rep, name, server, helper, rps = line.split()
    rows[name].append((float(server), float(helper), float(rps)))
for name in ("lighttpd", "lightgate"):
    r = rows[name]
    print(f"{name:10} server {statistics.median(x[0] for x in r):7.1f}  helper {statistics.median(x[1] for x in r):7.1f}"
          f"  req/s {statistics.median(x[2] for x in r):7.0f}")
PY
