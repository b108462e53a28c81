-- wrk script: POST /api/v1/execute with a small run request and the API key from PHOENIX_BENCH_KEY.
-- The same request goes to every target (Phoenix, YARP, the instant backend): those that do not check the key ignore it.
-- At the end prints one machine-readable line:
--   WRK <requests> <duration µs> <p50 µs> <p99 µs> <non-2xx/3xx responses> <socket errors>
wrk.method = "POST"
wrk.path = "/api/v1/execute"
wrk.body = '{"command":"python3","args":["-c","print(1)"],"env":{"LANG":"C.UTF-8"},"limits":{"timeoutMs":10000,"memoryMb":256}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Phoenix-Api-Key"] = os.getenv("PHOENIX_BENCH_KEY") or ""

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
