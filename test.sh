#!/usr/bin/env bash
# Installs what the tests need (when missing), builds Release, runs every test project, and ends with
# one line "N passed, N failed, N skipped" summed over all projects. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# --- what the tests need ---------------------------------------------------------------------------
# Each entry: "debian-package:command-it-provides". Installed with apt-get when root, otherwise we say
# what to install and stop. Idempotent: nothing happens when the command is already there.
NEEDED=(
  "bubblewrap:bwrap"      # the executor's sandbox (tests run real sandboxes)
  "util-linux:setpriv"    # drops to the sandbox uid; prlimit sets the rlimits
  "redis-server:redis-server"  # shared rate limits across gateway replicas (tests start their own on loopback)
  "curl:curl"             # run.sh's health wait
  "prometheus:promtool"   # a real Prometheus scrapes the services; promtool checks and unit-tests the alert rules
  "nodejs:node"           # validates the Kubernetes manifests against the API schemas (npm package kubernetes-models)
  "npm:npm"
  "sqlite3:sqlite3"       # deploy/backup: online backup of the audit database
  "docker-registry:docker-registry"  # container images: a loopback registry serves the locally built base images
  "skopeo:skopeo"         # ... and pushes them into it (no container engine is needed)
  "wrk:wrk"               # the gateway benchmark's load generator (its smoke test runs the bench's wrk script)
)

missing=()
for entry in "${NEEDED[@]}"; do
  pkg=${entry%%:*}; cmd=${entry#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
# PostgreSQL for the audit store tests (each test class starts its own cluster on loopback); initdb is not on PATH.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=("postgresql")
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 2; }

# --- build and test ----------------------------------------------------------------------------------
log "building (Release)"
dotnet build Phoenix.slnx -c Release -nologo -clp:ErrorsOnly

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

log "running tests"
status=0
# -m:1: test assemblies run one after another. The executor's hostile battery asserts that no process of the
# sandbox uid survives a run, which only holds while no other assembly is running sandboxes at the same time.
dotnet test Phoenix.slnx -c Release --no-build -nologo -m:1 \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 5m -- RunConfiguration.TreatNoTestsAsError=true || status=$?

# --- one summary line over every project ---------------------------------------------------------
passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [[ -e $trx ]] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if ((files == 0)); then
  echo "test.sh: no test results were written" >&2
  failed=$((failed + 1))
fi
if ((status != 0 && failed == 0)); then
  # The runner failed without a failing test (a crash or a hang): count it so the summary is not green.
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
