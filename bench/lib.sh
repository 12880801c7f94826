# Shared by the bench/*.sh scripts (sourced after they set `here`): the jar build, the run
# directory with its cleanup, wsload, and the one-line reports of wsload and wrk runs.

# Builds target/lightgate.jar when it is missing or older than the sources. lightgate runs through its launcher,
# which would rebuild a stale jar itself, and that must not happen while a target is expected up.
build_lightgate_jar() {
  local jar=$here/target/lightgate.jar
  if [ ! -f "$jar" ] || [ -n "$(find "$here/pom.xml" "$here/src/main" -newer "$jar" -print -quit)" ]; then
    (cd "$here" && ./mvnw -B -q -DskipTests package)
  fi
}

# For the scripts that track their servers in `pids` (static.sh, static-cpu.sh, cgi-cpu.sh): makes the run
# directory `run` and kills every process in `pids` and removes `run` on exit.
start_plain_run() {
  run=$(mktemp -d "${TMPDIR:-/tmp}/lightgate-bench.XXXXXX")
  declare -ga pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"' EXIT
}

# $1 = pid: its user and system time so far, in clock ticks (comm has no spaces for the processes measured here).
cpu_of() {
  awk '{print $14, $15}' "/proc/$1/stat"
}

# $1 = name: makes the run directory `run` (removed on exit, with every process in `pid_of` killed) and builds
# wsload from WSLOAD_SRC into it as `WSLOAD`.
start_run() {
  [ -f "$WSLOAD_SRC/Makefile" ] || { echo "bench: no wsload sources in $WSLOAD_SRC (set WSLOAD_SRC)" >&2; exit 1; }
  run=$(mktemp -d "${TMPDIR:-/tmp}/lightgate-$1.XXXXXX")
  declare -gA pid_of=()
  trap bench_cleanup EXIT
  make -s -C "$WSLOAD_SRC" BIN="$run/bin" >/dev/null
  WSLOAD=$run/bin/wsload
}
bench_cleanup() {
  for p in "${pid_of[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run"
}

# stdin = one wsload JSON line; prints it as one line. "other" = CPU (% of a core) used by processes not watched,
# as wsload's summarize.py derives it; $1 names that column (default "other").
report_ws() {
  python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
other = 2 * d["sys_cpu"]["busy_pct"] - sum(x["cpu_pct"] for x in d["watch"]) - 2 * d["sys_cpu"]["softirq_pct"]
cpu = " ".join("%s=%.0f%%" % (x["name"], x["cpu_pct"]) for x in d["watch"])
print("%s msgs/s=%.0f p50=%.0fus p99=%.0fus errors=%d %s %s=%.0f%% %s" % (d["label"], d["msgs_per_s"],
      d["lat_us"]["p50"], d["lat_us"]["p99"], d["errors"]["total"], cpu, sys.argv[1], other, d["first_error"]))
' "${1:-other}"
}

# wrk's text output to one JSON line in wsload's field names (msgs_per_s = requests/s, lat_us, errors.total).
wrk_json() { # $1 = label; stdin = wrk --latency output
  python3 -c '
import json, re, sys
label, text = sys.argv[1], sys.stdin.read()
def us(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]
lat = {p: us(v) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M)}
rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
errs = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errs += int(non2xx.group(1)) if non2xx else 0
print(json.dumps({"label": label, "mode": "wrk", "msgs_per_s": float(rps.group(1)) if rps else 0.0,
                  "lat_us": {"p50": lat.get("50", 0), "p99": lat.get("99", 0)}, "errors": {"total": errs}}))
' "$1"
}

# stdin = one wrk_json line; prints it as one line.
report_get() {
  python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print("%s req/s=%.0f p50=%.0fus p99=%.0fus errors=%d" % (d["label"], d["msgs_per_s"], d["lat_us"]["p50"], d["lat_us"]["p99"], d["errors"]["total"]))'
}

# The static benchmarks' one config text (perf-baseline's lighttpd-static.conf, paths and port substituted):
# $1 = config path, $2 = port, $3 = error log path, $4 = extra line. Needs `run` (the docroot is $run/docroot).
write_static_conf() {
  cat > "$1" <<CONF
server.document-root   = "$run/docroot"
server.bind            = "127.0.0.1"
server.port            = $2
server.errorlog        = "$3"
server.max-fds         = 16384
server.listen-backlog  = 4096
server.max-keep-alive-requests = 100000
mimetype.assign = ( ".bin" => "application/octet-stream", ".html" => "text/html" )
${4:-}
CONF
}
