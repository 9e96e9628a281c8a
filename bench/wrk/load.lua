-- wrk script shared by every bench row (runs inside wrk's own LuaJIT).
-- Every request carries X-User (read by the templates); BENCH_BODY_BYTES > 0 turns the
-- request into a POST with a body of that many bytes. done() prints one JSON line that
-- the harness parses (latencies in microseconds).
local body_bytes = tonumber(os.getenv("BENCH_BODY_BYTES") or "0") or 0

wrk.headers["X-User"] = "alice"
if body_bytes > 0 then
  wrk.method = "POST"
  wrk.body = string.rep("x", body_bytes)
  wrk.headers["Content-Type"] = "application/octet-stream"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%.0f,"p90":%.0f,"p99":%.0f,"max":%.0f,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
