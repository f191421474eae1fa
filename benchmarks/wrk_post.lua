-- wrk script used by benchmarks/run.py: POST a JSON body, report a JSON summary.
--
-- Environment (set by run.py):
--   BENCH_BODY_FILE  path of the request body (JSON) to POST
--   BENCH_AUTH       value of the Authorization header (default "Bearer sk-test")
--
-- Besides wrk's usual text report, done() writes one line
--   WRK_JSON {...}
-- with the totals and latency percentiles in microseconds, which run.py parses.

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file == nil then
  error("BENCH_BODY_FILE is not set")
end
local f = assert(io.open(body_file, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH") or "Bearer sk-test"

done = function(summary, latency, requests)
  local e = summary.errors
  local out = string.format(
    '{"duration_us": %d, "requests": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"min": %d, "max": %d, "mean": %.2f, "stdev": %.2f, '
      .. '"p50": %d, "p90": %d, "p99": %d, "p999": %d}}',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)
  )
  io.write("WRK_JSON " .. out .. "\n")
end
