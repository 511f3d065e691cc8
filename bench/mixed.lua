-- wrk script for `make bench-mixed`: every connection is one visitor whose requests are drawn
-- by weight, as a mix of the help center's and the portal's traffic, from shuffled decks of 100
-- (70, 20, 7 and 3 of the kinds below; a new shuffle for every 100 requests of a connection), so
-- the shares hold for every connection's 100 requests, not only on average:
--   70% static pages    GET of a help-center page (articles and index pages, zh and en)
--   20% account pages   GET of a signed-in page (overview, history, a receipt, send and
--                       add-money forms, security, activity, support tickets), zh and en
--    7% logins          POST /zh/account/login with the right password -> 303 /zh/account/
--    3% transfer steps  POST /zh/account/send -> 303 review?key=K, and at the connection's
--                       next transfer draw POST /zh/account/send/confirm -> 303 receipt
--                       (a visitor reads the review before confirming), so 1.5% of the
--                       requests complete a transfer
-- wrk's Lua has no per-connection state, so run it with as many threads as connections
-- (-t N -c N): a thread is then one connection, and its globals are that visitor's.
--
-- bench/mixed.sh passes, in the environment:
--   BENCH_USERS   one line per user: session cookie, csrf token, recipient email, receipt path
--                 (tabs); connection i is user i modulo their number and logs in as it
--   BENCH_PAGES   one static path per line
--   BENCH_LOGIN   the login body without the email: password=...&csrf=... (the csrf token of
--                 BENCH_PRE, the pre-session cookie of a fresh browser, which a successful
--                 login does not spend)
--   BENCH_PRE     okpay_pre=...
--   BENCH_ORIGIN  http://127.0.0.1:PORT
--   BENCH_UA      the User-Agent every request sends (the one the sessions were made with)
--
-- Each request is timed here (CLOCK_MONOTONIC through LuaJIT's ffi, from request() building it
-- to response() reading the whole answer) by kind, into histograms of 0.1% steps (bench/lib.lua
-- says why not lists); done() prints one line for bench/mixed.sh,
-- starting "mixed-wrk:", with the percentiles of all requests and of each kind, and wrk's own
-- beside them (not the same thing: see done()).

package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local bench = require("lib")
local now_ms, need, urlencode = bench.now_ms, bench.need, bench.urlencode

local kinds = { "static", "account", "login", "send", "confirm" }

-- --- the main state: hand each thread its connection number and user --------------------------

local users, threads = nil, {}

function setup(thread)
	if not users then
		users = {}
		for line in io.lines(need("BENCH_USERS")) do
			local cookie, csrf, to, receipt =
				line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
			if not cookie then error("bad line in BENCH_USERS: " .. line) end
			users[#users + 1] = { cookie = cookie, csrf = csrf, to = to, receipt = receipt }
		end
	end
	local n = #threads
	local u = users[n % #users + 1]
	threads[#threads + 1] = thread
	thread:set("conn", n)
	thread:set("user_email", string.format("bench%d@example.com", n % #users))
	thread:set("user_cookie", u.cookie)
	thread:set("user_csrf", u.csrf)
	thread:set("user_to", u.to)
	thread:set("user_receipt", u.receipt)
end

local percentile, hist_merge, hist_summary = bench.hist_percentile, bench.hist_merge, bench.hist_summary

function done(summary, latency, requests)
	local all, by, drawn, statuses, unexpected = {}, {}, {}, {}, 0
	for _, k in ipairs(kinds) do by[k], drawn[k] = {}, 0 end
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("drawn") or {}) do drawn[k] = drawn[k] + v end
		for _, k in ipairs(kinds) do
			local h = t:get("ms_" .. k) or {}
			hist_merge(by[k], h)
			hist_merge(all, h)
		end
		unexpected = unexpected + (t:get("unexpected") or 0)
		for k, v in pairs(t:get("statuses") or {}) do statuses[k] = (statuses[k] or 0) + v end
	end
	all = hist_summary(all)
	local seconds = summary.duration / 1e6
	local e = summary.errors
	local out = {
		string.format("mixed-wrk: seconds=%.2f requests=%d answered=%d rps=%.1f", seconds,
			summary.requests, all.n, all.n / seconds),
		string.format("p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f",
			percentile(all, 50), percentile(all, 99), percentile(all, 99.9), all.max),
		-- wrk's own histogram, for comparison only: wrk 4 "corrects" it for coordinated
		-- omission (stats_correct adds a sample for every interval of runtime / requests per
		-- connection that an answer took longer), so with logins taking seconds its
		-- percentiles are far above those of the answers measured above
		string.format("wrk_p50_ms=%.2f wrk_p99_ms=%.2f wrk_p999_ms=%.2f",
			latency:percentile(50) / 1000, latency:percentile(99) / 1000,
			latency:percentile(99.9) / 1000),
	}
	for _, k in ipairs(kinds) do
		local s = hist_summary(by[k])
		out[#out + 1] = string.format("%s=%d %s_drawn=%d %s_p50_ms=%.2f %s_p99_ms=%.2f " ..
			"%s_max_ms=%.2f", k, s.n, k, drawn[k], k, percentile(s, 50), k, percentile(s, 99), k,
			s.max)
	end
	local st = {}
	for k, v in pairs(statuses) do st[#st + 1] = k .. ":" .. v end
	table.sort(st)
	out[#out + 1] = string.format("transfers_per_s=%.1f non2xx3xx=%d socket_errors=%d " ..
		"timeouts=%d unexpected=%d statuses=%s", hist_summary(by.confirm).n / seconds, e.status,
		e.connect + e.read + e.write + e.timeout, e.timeout, unexpected,
		#st > 0 and table.concat(st, ",") or "-")
	io.write(table.concat(out, " "), "\n")
end

-- --- each thread: one connection, one visitor ----------------------------------------------------

ms_static, ms_account, ms_login, ms_send, ms_confirm = {}, {}, {}, {}, {}
statuses, unexpected = {}, 0
-- requests sent by kind, answered or not (the last of each connection is cut off by the end)
drawn = { static = 0, account = 0, login = 0, send = 0, confirm = 0 }
local pages, account, login_req, send_req, csrf, post_headers
local kind, key, t0

local function headers(extra)
	local h = { ["User-Agent"] = need("BENCH_UA"), ["Accept-Encoding"] = "gzip" }
	for k, v in pairs(extra or {}) do h[k] = v end
	return h
end

local deck, dealt = {}, 100
for _, k in ipairs({ { "static", 70 }, { "account", 20 }, { "login", 7 }, { "transfer", 3 } }) do
	for _ = 1, k[2] do deck[#deck + 1] = k[1] end
end

-- The next kind of request of this connection, reshuffling after every 100 (Fisher-Yates).
local function draw()
	if dealt == #deck then
		for i = #deck, 2, -1 do
			local j = math.random(i)
			deck[i], deck[j] = deck[j], deck[i]
		end
		dealt = 0
	end
	dealt = dealt + 1
	return deck[dealt]
end

function init(args)
	-- The same draws in every run with the same number of connections.
	math.randomseed(1000 + 7919 * conn)
	local get = headers()
	pages = {}
	for path in io.lines(need("BENCH_PAGES")) do pages[#pages + 1] = wrk.format("GET", path, get) end
	if #pages == 0 then error("BENCH_PAGES lists no page") end

	local signed = headers({ Cookie = user_cookie })
	account = {}
	for _, lang in ipairs({ "zh", "en" }) do
		for _, p in ipairs({ "/account/", "/account/transactions", user_receipt:sub(4),
			"/account/send", "/account/add-money", "/account/security",
			"/account/activity", "/support/tickets" }) do
			account[#account + 1] = wrk.format("GET", "/" .. lang .. p, signed)
		end
	end

	local form = { ["Content-Type"] = "application/x-www-form-urlencoded",
		Origin = need("BENCH_ORIGIN") }
	form.Cookie = need("BENCH_PRE")
	login_req = wrk.format("POST", "/zh/account/login", headers(form),
		"email=" .. urlencode(user_email) .. "&" .. need("BENCH_LOGIN"))
	form.Cookie = user_cookie
	post_headers = headers(form)
	csrf = urlencode(user_csrf)
	send_req = wrk.format("POST", "/zh/account/send", post_headers, "recipient=" ..
		urlencode(user_to) .. "&amount=1.00&note=bench&method=balance&csrf=" .. csrf)
end

function request()
	local d = draw()
	local req
	if d == "static" then
		kind, req = "static", pages[math.random(#pages)]
	elseif d == "account" then
		kind, req = "account", account[math.random(#account)]
	elseif d == "login" then
		kind, req = "login", login_req
	elseif key then
		kind = "confirm"
		req = wrk.format("POST", "/zh/account/send/confirm", post_headers,
			"key=" .. key .. "&csrf=" .. csrf)
		key = nil
	else
		kind, req = "send", send_req
	end
	drawn[kind] = drawn[kind] + 1
	t0 = now_ms()
	return req
end

function response(status, headers, body)
	local ms = now_ms() - t0
	local location = headers["Location"] or headers["location"] or ""
	local ok
	if kind == "static" or kind == "account" then
		ok = status == 200
	elseif kind == "login" then
		ok = status == 303 and location:find("/zh/account/$") ~= nil
	elseif kind == "send" then
		local k = status == 303 and location:match("/account/send/review%?key=([%w%-_%%]+)")
		if k then key = k end
		ok = k and true or false
	else
		ok = status == 303 and location:find("/account/transactions/T", 1, true) ~= nil
	end
	if ok then
		bench.hist_add(_G["ms_" .. kind], ms)
	else
		-- counted by kind and status, e.g. "login-429"
		unexpected = unexpected + 1
		statuses[kind .. "-" .. status] = (statuses[kind .. "-" .. status] or 0) + 1
	end
end
