-- Helpers shared by the wrk scripts of the benchmarks (bench/wallet.lua, bench/mixed.lua).
-- Load it from a script with:
--   package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
--   local bench = require("lib")
-- wrk loads a script once for its setup and once per thread; each loads this too.
local bench = {}

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } okpay_timespec;
int clock_gettime(int clock, okpay_timespec *ts);
]]
local ts = ffi.new("okpay_timespec")

-- Milliseconds on CLOCK_MONOTONIC, through LuaJIT's ffi (wrk's Lua has no clock finer than 1 s).
function bench.now_ms()
	ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- The value of environment variable NAME; an error when it is unset or empty.
function bench.need(name)
	local v = os.getenv(name)
	if not v or v == "" then error(name .. " is not set") end
	return v
end

-- S percent-encoded for a form body: all but the unreserved characters of RFC 3986.
function bench.urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- The P-th percentile (nearest rank) of the sorted list SORTED; 0 when it is empty.
function bench.percentile(sorted, p)
	if #sorted == 0 then return 0 end
	local i = math.ceil(#sorted * p / 100)
	if i < 1 then i = 1 end
	return sorted[i]
end

-- Latency samples as a histogram: milliseconds rounded to 3 significant digits -> count.
-- wrk copies every thread's tables into the main Lua state for done() (thread:get); with a raw
-- list of every answer, LuaJIT crashed in the main thread at 256 threads (general protection
-- fault in libluajit, 2.1.0~beta3 of Debian 12). A histogram stays a few thousand entries
-- whatever the rate, and 0.1% is finer than any difference these benchmarks show.
function bench.hist_add(h, ms)
	local k = 0
	if ms > 0 then
		local e = 10 ^ (math.floor(math.log10(ms)) - 2)
		k = math.floor(ms / e + 0.5) * e
	end
	h[k] = (h[k] or 0) + 1
end

-- Add the counts of histogram SRC to DST.
function bench.hist_merge(dst, src)
	for k, n in pairs(src) do dst[k] = (dst[k] or 0) + n end
end

-- A histogram made ready for percentiles: { h = H, keys = sorted values, n = count, max = }.
function bench.hist_summary(h)
	local keys, n = {}, 0
	for k, c in pairs(h) do
		keys[#keys + 1] = k
		n = n + c
	end
	table.sort(keys)
	return { h = h, keys = keys, n = n, max = keys[#keys] or 0 }
end

-- The P-th percentile (nearest rank) of a hist_summary; 0 when it is empty.
function bench.hist_percentile(s, p)
	if s.n == 0 then return 0 end
	local rank, seen = math.max(1, math.ceil(s.n * p / 100)), 0
	for _, k in ipairs(s.keys) do
		seen = seen + s.h[k]
		if seen >= rank then return k end
	end
	return s.max
end

return bench
