#!/usr/bin/env bash
# Runs Phoenix's benchmarks in one go. Quote ratios, not absolute times.
#   bench/run.sh                 everything: pipelines (BenchmarkDotNet) then the executor (needs root + bubblewrap)
#   bench/run.sh pipelines       Phoenix pipelines vs raw Polly
#   bench/run.sh executor [N]    /bin/true through the executor vs a bare bubblewrap loop (N runs, default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
project=bench/Phoenix.Benchmarks
dotnet build -c Release "$project" -nologo -clp:ErrorsOnly >&2
if [[ $what == all || $what == pipelines ]]; then
  dotnet run -c Release --no-build --project "$project" -- --filter '*PipelineBenchmarks*' --join --exporters github
  echo; cat BenchmarkDotNet.Artifacts/results/*PipelineBenchmarks*-report-github.md 2>/dev/null | sed -n '/^|/p'
fi
if [[ $what == all || $what == executor ]]; then
  dotnet run -c Release --no-build --project "$project" -- executor "${2:-200}"
fi
