#!/usr/bin/env bash
# Starts Phoenix with embedded defaults and shows how to call it.
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "run.sh: the .NET SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 2; }

dotnet build Phoenix.slnx -c Release -nologo -clp:ErrorsOnly >&2

cat >&2 <<'MSG'

Phoenix is not runnable yet: this checkout has the foundation (Phoenix.Resilience, Phoenix.Hosting)
and its tests, which build and pass (./test.sh). The executor, the gateway and the `phoenix up`
command that this script will start are the next issues; see README.md, "Status".
MSG
exit 0
