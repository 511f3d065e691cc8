-- wrk script for `make bench-wallet`: every connection is one signed-in user who sends money to
-- the next user again and again, each transfer the real two steps of the portal:
--   POST /zh/account/send (recipient, amount, note, method=balance, csrf)
--     -> 303 /zh/account/send/review?key=K
--   POST /zh/account/send/confirm (key, csrf) -> 303 /zh/account/transactions/T...?done=1
-- wrk's Lua has no per-connection state, so run it with as many threads as connections
-- (-t 64 -c 64): a thread is then one connection and one user, and its globals are that user's.
--
-- bench/wallet.sh passes, in the environment: BENCH_USERS (a file with one line per user:
-- session cookie, csrf token and the recipient's email, separated by tabs), BENCH_ORIGIN.
--
-- wrk's own latency figures mix both kinds of request, so this script times each request
-- itself (CLOCK_MONOTONIC through LuaJIT's ffi, from request() building it to response()
-- reading the whole answer, close to what wrk measures) and keeps the confirms' times apart.
-- done() prints one line for bench/wallet.sh to read, starting "wallet-wrk:".

package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local bench = require("lib")
local now_ms, need, urlencode = bench.now_ms, bench.need, bench.urlencode

-- --- the main state: hand each thread its user, gather the figures at the end ---------------

local users, threads = nil, {}

function setup(thread)
	if not users then
		users = {}
		for line in io.lines(need("BENCH_USERS")) do
			local cookie, csrf, to = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)")
			if not cookie then error("bad line in BENCH_USERS: " .. line) end
			users[#users + 1] = { cookie = cookie, csrf = csrf, to = to }
		end
	end
	local u = users[#threads % #users + 1]
	threads[#threads + 1] = thread
	thread:set("user_cookie", u.cookie)
	thread:set("user_csrf", u.csrf)
	thread:set("user_to", u.to)
	thread:set("origin", need("BENCH_ORIGIN"))
end

local percentile = bench.percentile

function done(summary, latency, requests)
	local confirms, sends = {}, {}
	local confirmed, reviews, unexpected, statuses = 0, 0, 0, {}
	for _, t in ipairs(threads) do
		for _, v in ipairs(t:get("confirm_ms") or {}) do confirms[#confirms + 1] = v end
		for _, v in ipairs(t:get("send_ms") or {}) do sends[#sends + 1] = v end
		confirmed = confirmed + (t:get("confirmed") or 0)
		reviews = reviews + (t:get("reviews") or 0)
		unexpected = unexpected + (t:get("unexpected") or 0)
		for k, v in pairs(t:get("statuses") or {}) do statuses[k] = (statuses[k] or 0) + v end
	end
	table.sort(confirms)
	table.sort(sends)
	local seconds = summary.duration / 1e6
	local st = {}
	for k, v in pairs(statuses) do st[#st + 1] = k .. ":" .. v end
	table.sort(st)
	local e = summary.errors
	io.write(string.format(
		"wallet-wrk: seconds=%.2f confirmed=%d reviews=%d tps=%.1f confirm_p50_ms=%.2f " ..
		"confirm_p90_ms=%.2f confirm_p99_ms=%.2f confirm_max_ms=%.2f send_p50_ms=%.2f " ..
		"send_p99_ms=%.2f requests=%d non2xx3xx=%d socket_errors=%d unexpected=%d statuses=%s\n",
		seconds, confirmed, reviews, confirmed / seconds, percentile(confirms, 50),
		percentile(confirms, 90), percentile(confirms, 99), confirms[#confirms] or 0,
		percentile(sends, 50), percentile(sends, 99), summary.requests, e.status,
		e.connect + e.read + e.write + e.timeout, unexpected,
		#st > 0 and table.concat(st, ",") or "-"))
end

-- --- each thread: one connection, one user -----------------------------------------------------

confirm_ms, send_ms, statuses = {}, {}, {}
confirmed, reviews, unexpected = 0, 0, 0
local key, t0, send_body, csrf

function init(args)
	csrf = urlencode(user_csrf)
	send_body = "recipient=" .. urlencode(user_to) .. "&amount=1.00&note=bench&method=balance" ..
		"&csrf=" .. csrf
	wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
	wrk.headers["Origin"] = origin
	wrk.headers["Cookie"] = user_cookie
end

function request()
	t0 = now_ms()
	if key then
		return wrk.format("POST", "/zh/account/send/confirm", nil, "key=" .. key .. "&csrf=" .. csrf)
	end
	return wrk.format("POST", "/zh/account/send", nil, send_body)
end

local function odd(status, what)
	unexpected = unexpected + 1
	local k = what .. "-" .. status
	statuses[k] = (statuses[k] or 0) + 1
end

function response(status, headers, body)
	local ms = now_ms() - t0
	local location = headers["Location"] or headers["location"] or ""
	if key then
		-- The confirm: done when it sends us to the receipt (REPLAYED looks the same, and
		-- happens only if wrk had to reconnect and sent the same confirm again).
		key = nil
		if status == 303 and location:find("/account/transactions/T", 1, true) then
			confirmed = confirmed + 1
			confirm_ms[#confirm_ms + 1] = ms
		else
			odd(status, "confirm")
		end
	else
		local k = status == 303 and location:match("/account/send/review%?key=([%w%-_%%]+)")
		if k then
			key = k
			reviews = reviews + 1
			send_ms[#send_ms + 1] = ms
		else
			odd(status, "send")
		end
	end
end
