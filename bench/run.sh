#!/usr/bin/env bash
# Runs the benchmarks in one go and prints one table. Pass BenchmarkDotNet arguments to narrow it,
# e.g. `bench/run.sh --filter '*Pipeline*'`. Quote ratios (the Ratio column), not absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
((${#args[@]})) || args=(--filter '*')
dotnet run -c Release --project bench/Phoenix.Benchmarks -- "${args[@]}" --join --exporters github
echo
echo "Report: BenchmarkDotNet.Artifacts/results/ (markdown table)"
