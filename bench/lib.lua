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

return bench
