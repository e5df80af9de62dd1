-- wrk script for the interleaved status slices (scripts/bench): report.lua's summary line, then the
-- latency histogram wrk computed those percentiles from, as "HIST value:count ..." (microseconds).
-- In wrk 4.1 `#latency` is the number of distinct values and `latency(i)` the i-th of them with its
-- count; the histogram is the one wrk corrects for coordinated omission before its percentiles.
package.path = (debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "?.lua;" .. package.path
local report = require("report")
done = function(summary, latency, requests)
   report.done(summary, latency, requests)
   local parts = {}
   for i = 1, #latency do
      local value, count = latency(i)
      parts[#parts + 1] = string.format("%d:%d", value, count)
   end
   io.write("HIST " .. table.concat(parts, " ") .. "\n")
end
