#!/usr/bin/env bash
# Starts Phoenix (an executor and a gateway) with embedded defaults and shows how to call it.
# Ctrl-C stops both. Data (keys file, audit database, dev key) lives in ${PHOENIX_DATA_DIR:-./.phoenix}.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
data=${PHOENIX_DATA_DIR:-$root/.phoenix}
port=${PHOENIX_PORT:-8000}

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

command -v dotnet >/dev/null || { echo "run.sh: the .NET SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 2; }
if ! command -v bwrap >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing bubblewrap (the sandbox)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  else
    echo "run.sh: bubblewrap is required: sudo apt-get install -y bubblewrap" >&2; exit 2
  fi
fi

say "building Phoenix (Release)"
dotnet build Phoenix.slnx -c Release -nologo -clp:ErrorsOnly -v:q >&2

mkdir -p "$data"; chmod 0700 "$data"
if [[ ! -f $data/keys.json ]]; then
  key="phx_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  hash="sha256:$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
  (
    umask 077   # only for these two files: the services must not inherit it
    printf '{"keys":[{"id":"dev","name":"Development key","hash":"%s","permissions":["execute","vitals","audit","admin"],"rateLimitPerMinute":600}]}\n' "$hash" > "$data/keys.json"
    printf '%s\n' "$key" > "$data/dev-api-key"
  )
  say "created a development API key (all permissions); only its hash is in $data/keys.json"
  echo "  key: $key   (also in $data/dev-api-key, mode 0600)" >&2
fi
key=$(cat "$data/dev-api-key")

pids=()
stop() { trap - INT TERM EXIT; say "stopping Phoenix"; kill -TERM "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; exit 0; }
trap stop INT TERM EXIT

export Phoenix__Logging__Format=text
DOTNET_ENVIRONMENT=Production dotnet src/Phoenix.Executor/bin/Release/net10.0/Phoenix.Executor.dll \
  --Phoenix:Executor:Sandbox:Root="$( [[ $(id -u) -eq 0 ]] && echo /var/lib/phoenix/sandbox || echo "$data/sandbox")" \
  >"$data/executor.log" 2>&1 &
pids+=($!)
DOTNET_ENVIRONMENT=Production dotnet src/Phoenix.Gateway/bin/Release/net10.0/Phoenix.Gateway.dll \
  --Phoenix:Gateway:Listen="http://127.0.0.1:$port" --Phoenix:Gateway:DataDir="$data" \
  >"$data/gateway.log" 2>&1 &
pids+=($!)

say "waiting for the gateway and the executor"
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"SERVING"'; then break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "run.sh: a service exited; see $data/executor.log and $data/gateway.log" >&2; tail -n 20 "$data"/*.log >&2; exit 1; }; done
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/health" | grep -q '"SERVING"' || { echo "run.sh: Phoenix did not become healthy; see $data/*.log" >&2; exit 1; }

cat >&2 <<MSG

Phoenix is up: gateway http://127.0.0.1:$port  (logs: $data/gateway.log, $data/executor.log)

Try it from another terminal:

  curl -s -X POST http://127.0.0.1:$port/api/v1/execute \\
       -H 'Content-Type: application/json' -H "X-Phoenix-Api-Key: \$(cat $data/dev-api-key)" \\
       -d '{"command":"python3","args":["-c","print(6*7)"]}'

  curl -s -H "X-Phoenix-Api-Key: \$(cat $data/dev-api-key)" http://127.0.0.1:$port/api/v1/audit

Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}" || true
say "a Phoenix service exited; see $data/*.log"
