#!/usr/bin/env bash
# Starts Phoenix (an executor and a gateway, supervised by `phoenix up`) with embedded defaults and shows how to
# call it. Ctrl-C stops both. Data (keys file, audit database, dev key, logs) lives in ${PHOENIX_DATA_DIR:-./.phoenix}.
# Options are passed to `phoenix up`: ./run.sh --port 8080
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

command -v dotnet >/dev/null || { echo "run.sh: the .NET SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 2; }
missing=()
command -v bwrap >/dev/null || missing+=(bubblewrap)       # the sandbox
command -v setpriv >/dev/null || missing+=(util-linux)     # drops each run to the sandbox uid; prlimit
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "run.sh: Phoenix needs: ${missing[*]}   install with: sudo apt-get install -y ${missing[*]}" >&2; exit 2
  fi
fi

say "building Phoenix (Release)"
dotnet build src/Phoenix.Cli -c Release -nologo -clp:ErrorsOnly -v:q >&2

# The examples `phoenix up` prints use ./phoenix, the wrapper next to this script.
export PHOENIX_CLI=./phoenix
exec dotnet src/Phoenix.Cli/bin/Release/net10.0/phoenix.dll up "$@"
