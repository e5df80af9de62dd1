-- wrk script for the contexts scaling run (scripts/bench): GET the paths listed, one a line, in the
-- file $BENCH_PATHS (e.g. GET status of N contexts, each with its own token), in turn, plus the
-- machine-readable summary of report.lua.
package.path = (debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "?.lua;" .. package.path
done = require("report").done
local paths = {}
local counter = 0
local next_thread = 0

function setup(thread)
   thread:set("offset", next_thread)
   next_thread = next_thread + 7
end

function init(args)
   for line in io.lines(os.getenv("BENCH_PATHS")) do
      if #line > 0 then paths[#paths + 1] = line end
   end
   counter = offset or 0
end

function request()
   counter = counter + 1
   return wrk.format("GET", paths[(counter % #paths) + 1])
end
