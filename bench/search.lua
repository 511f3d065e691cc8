-- bench/search.lua: wrk script of `make bench-search`. Each connection walks the benchmark's
-- queries (BENCH_QUERIES: "locale<TAB>query" lines) from its own starting point: every query as
-- /{lang}/search.json?q=...&limit=5 (what the search box's suggestions ask for), and every
-- BENCH_HTML_EVERY-th query (default 3) also as the results page /{lang}/search?q=....
-- BENCH_MODE=json or html keeps only that kind of request.

local thread_no = 0

function setup(thread)
	thread_no = thread_no + 1
	thread:set("thread_no", thread_no)
end

local function urlencode(s)
	return (s:gsub("[^%w%-_%.~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end

function init(args)
	local mode = os.getenv("BENCH_MODE") or "mixed"
	local every = tonumber(os.getenv("BENCH_HTML_EVERY") or "3")
	paths = {}
	local n = 0
	for line in io.lines(os.getenv("BENCH_QUERIES")) do
		local loc, q = line:match("^(%a%a)\t([^\t]*)")
		if loc then
			n = n + 1
			local e = urlencode(q)
			if mode ~= "html" then
				paths[#paths + 1] = "/" .. loc .. "/search.json?q=" .. e .. "&limit=5"
			end
			if mode == "html" or (mode == "mixed" and n % every == 0) then
				paths[#paths + 1] = "/" .. loc .. "/search?q=" .. e
			end
		end
	end
	-- Threads start far apart in the list; connections of a thread share its position.
	i = ((thread_no or 1) * 7919) % #paths
end

function request()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
