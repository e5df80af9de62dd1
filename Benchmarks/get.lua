-- wrk script for GET runs (scripts/bench): the URL given to wrk, plus a machine-readable summary.
package.path = (debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "?.lua;" .. package.path
done = require("report").done
