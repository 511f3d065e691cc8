-- wrk script for `make bench-portal`: a login with a wrong password (the portal answers 401
-- after one argon2id verification). bench/portal.sh passes the request in the environment:
-- BENCH_BODY (urlencoded email, password and csrf), BENCH_COOKIE (okpay_pre=...), BENCH_ORIGIN.
local function need(name)
	local v = os.getenv(name)
	if not v or v == "" then error(name .. " is not set") end
	return v
end

wrk.method = "POST"
-- Every request names another address (EMAIL in the body), so the per-address login waits,
-- which start after five failures, never apply: each request costs a full password check.
local body = need("BENCH_BODY")
local n = 0
request = function()
	n = n + 1
	return wrk.format(nil, nil, nil, (body:gsub("EMAIL", "bench" .. n .. "%%40example.com")))
end
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = need("BENCH_ORIGIN")
wrk.headers["Cookie"] = need("BENCH_COOKIE")
