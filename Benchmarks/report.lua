-- Shared by get.lua and post.lua: one machine-readable line with req/s and latency percentiles.
local M = {}
function M.done(summary, latency, requests)
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.status + e.timeout
   io.write(string.format(
      'BENCH {"requests": %d, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "p999_ms": %.3f, "max_ms": %.3f, "errors": %d, "non2xx": %d}\n',
      summary.requests, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
      latency.max / 1000, errors, e.status))
end
return M
