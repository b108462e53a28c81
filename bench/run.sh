#!/usr/bin/env bash
# Runs Phoenix's benchmarks and ends with ONE markdown table of every part that ran (on stdout; progress and the
# tools' own output go to stderr, so `bench/run.sh > table.md` keeps just the table). Quote ratios, not absolute times.
#   bench/run.sh [all] [N]           everything: pipelines, executor (N runs per row, default 200), gateway
#   bench/run.sh pipelines           Phoenix resilience pipelines vs raw Polly (BenchmarkDotNet)
#   bench/run.sh executor [N]        /bin/true through the executor vs bare sandbox launches (needs root + bubblewrap)
#   bench/run.sh gateway             wrk: Phoenix gateway → instant gRPC backend, YARP → instant HTTP backend, backend direct
# --quick (any mode) is a smoke run: short BenchmarkDotNet job in process, 50 executor runs, 2 s per wrk point
# (the gateway part then takes ~30 s once built).
# Environment: GATEWAY_CONNECTIONS ("1 16 64"), GATEWAY_SECONDS (10), GATEWAY_WARMUP_SECONDS (3);
#   PHOENIX_BENCH_ARTIFACTS=<dir> builds into <dir> (dotnet --artifacts-path) instead of the projects' bin/ folders.
# Needs: dotnet, wrk and curl for the gateway part (installed with apt-get when root), bubblewrap for the executor part.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
positional=()
for arg in "$@"; do
  case $arg in
    --quick) quick=true ;;
    *) positional+=("$arg") ;;
  esac
done
what=${positional[0]:-all}
runs=${positional[1]:-$($quick && echo 50 || echo 200)}
case $what in all | pipelines | executor | gateway) ;; *) echo "bench/run.sh: unknown mode '$what' (all, pipelines, executor, gateway)" >&2; exit 2 ;; esac

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

work=$(mktemp -d /tmp/phoenix-bench.XXXXXX)
shm_dir=""   # the diagnostic gateway's data directory on tmpfs, when there is one
pids=()       # processes a part started
stop_started() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n $shm_dir ]]; then rm -rf "$shm_dir"; fi
}
trap 'stop_started; rm -rf "$work"' EXIT
rows=$work/rows.md      # rows of the final table, in order
notes=$work/notes.md    # targets and remarks printed under it
: >"$rows"; : >"$notes"

artifacts=${PHOENIX_BENCH_ARTIFACTS:-}
build() { # build <project dir>
  dotnet build -c Release "$1" -nologo -clp:ErrorsOnly -v:q ${artifacts:+--artifacts-path "$artifacts"} >&2
}
dll() { # dll <project dir>: the built assembly of a project
  local name; name=$(basename "$1")
  if [[ -n $artifacts ]]; then echo "$artifacts/bin/$name/release/$name.dll"; else echo "$1/bin/Release/net10.0/$name.dll"; fi
}
need() { # need <debian package> <command>
  command -v "$2" >/dev/null && return
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing $1"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "bench/run.sh: $2 is required: sudo apt-get install -y $1" >&2; exit 2
  fi
}

# Turns the markdown tables in a tool's output into rows of the final table. Columns are found by their header:
# p50 / Median → p50, p99 → p99, …/s → throughput, Ratio → compared; a unit in a header ("p50 (ms)", "p50 ms") is
# appended to its values; other columns (except BenchmarkDotNet's StdDev, Error, RatioSD, Alloc Ratio) go to
# "compared" as "header value". Headers qualified by a parenthesis that is not a unit ("p50 ms (1)", "p50 ms (2)": one
# caller, two callers) make one row per qualifier. The first header cell names the part unless it is "Method". Lines
# after the first table that are not table lines (targets, ratios, remarks) become notes under the final table.
table_rows() { # table_rows <part> <file>
  awk -v part="$1" -v notes="$notes" '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    function cells(line, out,   n, i, raw, m) {
      n = split(line, raw, "|"); m = 0
      for (i = 2; i < n; i++) out[++m] = trim(raw[i])
      return m
    }
    function isunit(u) { return u ~ /^(ms|ns|μs|us|s)$/ }
    function unit(h,   w, n) {
      if (match(h, /\(([^)]*)\)/) && isunit(substr(h, RSTART + 1, RLENGTH - 2))) return " " substr(h, RSTART + 1, RLENGTH - 2)
      n = split(h, w, " "); return (n > 1 && isunit(w[2])) ? " " w[2] : ""
    }
    function qualifier(h,   q) {
      if (!match(h, /\(([^)]*)\)$/)) return ""
      q = substr(h, RSTART + 1, RLENGTH - 2); return isunit(q) ? "" : q
    }
    function value(v, h) { return (v ~ /×/ || v == "-" || v == "") ? v : v unit(h) }
    function add(list, item) { return list (list == "" ? "" : "; ") item }
    function header(line,   i) {
      nh = cells(line, head); nq = 0
      for (i = 2; i <= nh; i++) { q = qualifier(head[i]); if (!(q in seen)) { seen[q] = 1; quals[++nq] = q } }
      for (q in seen) delete seen[q]
    }
    function emit(line,   n, i, k, c, h, q, p50, p99, put, cmp, label, name) {
      n = cells(line, c)
      label = (head[1] == "" || head[1] == "Method") ? part : part ": " head[1]
      for (k = 1; k <= nq; k++) {
        p50 = ""; p99 = ""; put = ""; cmp = ""
        for (i = 2; i <= n; i++) {
          h = head[i]; q = qualifier(h)
          if (q != quals[k] && q != "") continue
          if (h ~ /^(StdDev|Error|RatioSD|Alloc Ratio|Gen[0-9])$/) continue
          else if (h ~ /p50|^Median$/) p50 = value(c[i], h)
          else if (h ~ /p99/)         p99 = value(c[i], h)
          else if (h ~ /\/s/)         put = add(put, c[i] ~ /×/ ? c[i] : c[i] " " (q == "" ? h : trim(substr(h, 1, index(h, "(") - 1))))
          else if (h == "Ratio")      cmp = add(cmp, c[i] "× baseline")
          else                        cmp = add(cmp, tolower(h) " " c[i])
        }
        name = quals[k] == "" ? c[1] : c[1] " (" quals[k] ")"
        printf "| %s | %s | %s | %s | %s | %s |\n", label, name, p50, p99, put, cmp
      }
    }
    /^\|/ {
      if ($0 ~ /^\|[-: |]+\|$/) { header(pending); pending = ""; tables = 1; next }   # separator: the pending line was a header
      if (pending != "") emit(pending)
      pending = $0; next
    }
    {
      if (pending != "") emit(pending)
      pending = ""
      if (tables && $0 ~ /[^ \t]/) print part ": " $0 >> notes
    }
    END { if (pending != "") emit(pending) }
  ' "$2" >>"$rows"
}

# --- resilience: BenchmarkDotNet, Phoenix pipelines vs raw Polly ----------------------------------------------------
run_pipelines() {
  local project=bench/Phoenix.Benchmarks
  build "$project"
  say "resilience pipelines vs raw Polly (BenchmarkDotNet)"
  local extra=()
  if $quick; then extra=(--job short --inProcess); fi
  dotnet run -c Release --no-build --project "$project" ${artifacts:+--artifacts-path "$artifacts"} -- \
    --filter '*PipelineBenchmarks*' --join --exporters github --artifacts "$work/bdn" "${extra[@]}" >&2
  cat "$work"/bdn/results/*-report-github.md | sed -n '/^|/p' >"$work/pipelines.md"
  table_rows resilience "$work/pipelines.md"
  echo "resilience: Target: Phoenix pipelines at most 1.1× raw Polly (Ratio), no extra allocation." >>"$notes"
}

# --- executor: /bin/true through gRPC Execute vs bare launches (ExecutorBenchmark) ----------------------------------
run_executor() {
  local project=bench/Phoenix.Benchmarks
  build "$project"
  say "executor: /bin/true, $runs runs per row"
  dotnet run -c Release --no-build --project "$project" ${artifacts:+--artifacts-path "$artifacts"} -- executor "$runs" | tee "$work/executor.out" >&2
  table_rows executor "$work/executor.out"
}

# --- gateway: wrk against Phoenix, YARP and the instant backend directly ---------------------------------------------
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))   # below the kernel's ephemeral range
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
wait_for() { # wait_for <what> <pid> <command…>: polls the command for up to 60 s while the process lives
  local what=$1 pid=$2; shift 2
  for _ in $(seq 1 240); do
    "$@" >/dev/null 2>&1 && return
    kill -0 "$pid" 2>/dev/null || { echo "bench/run.sh: $what exited; its log:" >&2; tail -n 30 "$work/$what.log" >&2; exit 1; }
    sleep 0.25
  done
  echo "bench/run.sh: $what did not become ready; its log:" >&2; tail -n 30 "$work/$what.log" >&2; exit 1
}

start_gateway() { # start_gateway <name> <port> <data dir> <executor gRPC port>
  # As run.sh starts it (Production, text logs), with every feature on: API key, per-key rate limit, schema
  # validation, SQLite audit (WAL; the finished row flushed before the answer); the only executor is the instant backend.
  DOTNET_ENVIRONMENT=Production Phoenix__Logging__Format=text dotnet "$(dll src/Phoenix.Gateway)" \
    --Phoenix:Gateway:Listen="http://127.0.0.1:$2" --Phoenix:Gateway:DataDir="$3" \
    --Phoenix:Gateway:RateLimit:PermitsPerMinute=1000000 \
    --Phoenix:Gateway:Forwarding:Executors:0:Name=instant-0 \
    --Phoenix:Gateway:Forwarding:Executors:0:Address="http://127.0.0.1:$4" >"$work/$1.log" 2>&1 &
  pids+=($!)
  server_pid[$1]=$!
  wait_for "$1" $! bash -c "curl -fsS http://127.0.0.1:$2/health | grep -q '\"SERVING\"'"
}

# CPU time (user + system, ms) a process has used so far: each wrk point reads it before and after, so the table
# shows what one request costs the process that serves it, which throughput on a shared 2-core machine hides.
cpu_ms() { # cpu_ms <pid>
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}
declare -A server_pid=()

run_gateway() {
  need wrk wrk
  need curl curl
  local instant=bench/Phoenix.Bench.InstantExecutor yarp=bench/Phoenix.Bench.Yarp
  build src/Phoenix.Gateway; build "$instant"; build "$yarp"
  local conns=${GATEWAY_CONNECTIONS:-$($quick && echo "1 64" || echo "1 16 64")}
  local seconds=${GATEWAY_SECONDS:-$($quick && echo 2 || echo 10)}
  local warmup=${GATEWAY_WARMUP_SECONDS:-$($quick && echo 1 || echo 3)}
  local grpc_port http_port yarp_port gw_port shm_port
  grpc_port=$(free_port); http_port=$(free_port); yarp_port=$(free_port); gw_port=$(free_port); shm_port=$(free_port)

  # An API key with only what the benchmark needs; its rate limit (and the default one) raised out of the way.
  local data=$work/data key hash
  mkdir -p "$data"; chmod 0700 "$data"
  key="phx_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  hash="sha256:$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
  (umask 077; printf '{"keys":[{"id":"bench","name":"Benchmark","hash":"%s","permissions":["execute","audit"],"rateLimitPerMinute":1000000}]}\n' "$hash" >"$data/keys.json")

  say "gateway: starting the instant backend, YARP and the Phoenix gateway"
  dotnet "$(dll "$instant")" --grpc-port="$grpc_port" --http-port="$http_port" >"$work/instant.log" 2>&1 &
  pids+=($!)
  server_pid[instant]=$!
  wait_for instant $! grep -q '^http ' "$work/instant.log"
  dotnet "$(dll "$yarp")" --port="$yarp_port" --destination="http://127.0.0.1:$http_port" >"$work/yarp.log" 2>&1 &
  pids+=($!)
  server_pid[yarp]=$!
  wait_for yarp $! grep -q '^yarp ' "$work/yarp.log"
  start_gateway gateway "$gw_port" "$data" "$grpc_port"

  local targets="phoenix yarp direct"
  local -A url=([phoenix]="http://127.0.0.1:$gw_port" [yarp]="http://127.0.0.1:$yarp_port" [direct]="http://127.0.0.1:$http_port")
  local -A name=([phoenix]="Phoenix → instant gRPC" [yarp]="YARP → instant HTTP" [direct]="instant HTTP, direct"
                 [phoenix_shm]="Phoenix, audit on tmpfs (diagnostic)")
  # Diagnostic (full runs): a second gateway whose audit database is on tmpfs, where fsync costs nothing. The gap
  # between the two Phoenix rows is the disk's share; the rest is the gateway's own work.
  if ! $quick && [[ -d /dev/shm && -w /dev/shm ]]; then
    shm_dir=$(mktemp -d /dev/shm/phoenix-bench.XXXXXX)
    cp -p "$data/keys.json" "$shm_dir/"
    start_gateway gateway-shm "$shm_port" "$shm_dir" "$grpc_port"
    url[phoenix_shm]="http://127.0.0.1:$shm_port"
    targets="phoenix phoenix_shm yarp direct"
  fi

  local target answer
  for target in $targets; do   # each answers a succeeded run
    answer=$(curl -fsS -X POST "${url[$target]}/api/v1/execute" -H 'Content-Type: application/json' -H "X-Phoenix-Api-Key: $key" \
      -d '{"command":"python3","args":["-c","print(1)"]}') || { echo "bench/run.sh: $target did not answer 200" >&2; exit 1; }
    grep -q '"status":"succeeded"' <<<"$answer" || { echo "bench/run.sh: $target answered $answer" >&2; exit 1; }
  done
  curl -fsS "${url[phoenix]}/api/v1/audit?limit=1" -H "X-Phoenix-Api-Key: $key" | grep -q '"status":"succeeded"' \
    || { echo "bench/run.sh: the gateway did not audit the run" >&2; exit 1; }

  # JIT warm-up (tiered compilation and PGO settle only after thousands of requests), then interleaved points, so that
  # noise of the shared machine hits every target alike.
  for target in $targets; do
    say "gateway: warming up $target"
    PHOENIX_BENCH_KEY=$key wrk -t2 -c16 -d"$((warmup * 3))s" -s bench/gateway/execute.lua "${url[$target]}" >/dev/null
  done
  local c threads line before after
  local -A result=() cpu=()
  local -A serves=([phoenix]=gateway [phoenix_shm]=gateway-shm [yarp]=yarp [direct]=instant)
  for c in $conns; do
    threads=$((c < 2 ? c : 2))
    for target in $targets; do
      say "gateway: wrk $target, $c connection(s), ${seconds}s"
      PHOENIX_BENCH_KEY=$key wrk -t"$threads" -c"$c" -d"${warmup}s" -s bench/gateway/execute.lua "${url[$target]}" >/dev/null
      before=$(cpu_ms "${server_pid[${serves[$target]}]}")
      line=$(PHOENIX_BENCH_KEY=$key wrk -t"$threads" -c"$c" -d"${seconds}s" -s bench/gateway/execute.lua "${url[$target]}" | tee -a "$work/wrk.out" | grep '^WRK ')
      after=$(cpu_ms "${server_pid[${serves[$target]}]}")
      result[$target,$c]=${line#WRK }
      cpu[$target,$c]=$(awk -v b="$before" -v a="$after" -v r="${line#WRK }" 'BEGIN { split(r, f, " "); printf "%.3f", (a - b) / f[1] }')
    done
  done

  # requests, duration µs, p50 µs, p99 µs, non-2xx, socket errors → rows, with Phoenix compared to YARP and to direct.
  for c in $conns; do
    for target in $targets; do
      awk -v name="${name[$target]}, $c conn" -v target="$target" -v r="${result[$target,$c]}" \
          -v y="${result[yarp,$c]}" -v d="${result[direct,$c]}" -v cpu="${cpu[$target,$c]}" '
        function rps(s,   f) { split(s, f, " "); return f[1] / (f[2] / 1e6) }
        function p50(s,   f) { split(s, f, " "); return f[3] / 1000 }
        BEGIN {
          split(r, f, " ")
          cmp = ""
          if (target ~ /^phoenix/) cmp = sprintf("%.2f× YARP req/s; p50 +%.2f ms over direct", rps(r) / rps(y), p50(r) - p50(d))
          if (target == "yarp")    cmp = sprintf("%.2f× direct req/s; p50 +%.2f ms over direct", rps(r) / rps(d), p50(r) - p50(d))
          cmp = cmp (cmp == "" ? "" : "; ") sprintf("server CPU %.3f ms/req", cpu)
          if (f[5] + f[6] > 0)     cmp = cmp sprintf("; %d non-2xx, %d socket errors", f[5], f[6])
          printf "| gateway | %s | %.2f ms | %.2f ms | %.0f req/s | %s |\n", name, f[3] / 1000, f[4] / 1000, rps(r), cmp
        }' >>"$rows"
    done
  done
  echo "gateway: Targets: Phoenix ≥ 0.5× YARP's throughput; Phoenix's added p50 over direct ≤ 1 ms (read at 1 connection: more connections than cores measure queueing)." >>"$notes"
}

# Each part runs in a subshell that stops what it started; a part that fails gets a row saying so and the others
# still run (the exit status is then non-zero).
failed=()
part() { # part <name>
  local status
  set +e
  (set -e; trap stop_started EXIT; "run_$1")
  status=$?
  set -e
  if ((status != 0)); then
    echo "| $1 | FAILED (exit $status), see its output above | | | | |" >>"$rows"
    failed+=("$1")
  fi
}
case $what in
  all) part pipelines; part executor; part gateway ;;
  *) part "$what" ;;
esac

cores=$(nproc); kernel=$(uname -r); dotnet_version=$(dotnet --version)
echo
echo "Phoenix benchmarks ($what$($quick && echo ", quick"); $cores cores, kernel $kernel, .NET SDK $dotnet_version)"
echo
echo "| part | case | p50 | p99 | throughput | compared |"
echo "|---|---|---:|---:|---:|---|"
cat "$rows"
if [[ -s $notes ]]; then echo; cat "$notes"; fi
((${#failed[@]} == 0))
