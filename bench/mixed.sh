#!/bin/bash
# make bench-mixed: the help center and the portal under a mix of traffic, through the real
# nginx configuration and the release okpay-portal (--workers 4), at 64 and at 256 connections.
#
# - The site: the real help center (content/, theme/) built by site-gen; nginx serves it.
# - The portal: a fresh database (WAL, synchronous=FULL as db_open sets it); BENCH_USERS users
#   (64) made through the product as in bench-wallet (bench/lib.sh: one registers over HTTP, the
#   others are copies of it in SQL, each signs in and adds ¥10,000 by test card over HTTP).
# - wrk -t C -c C -d BENCH_SECONDS (30) --timeout 60s with bench/mixed.lua, for C = 64 and 256
#   (BENCH_CONNECTIONS): 70% static pages, 20% signed-in account pages, 7% logins with the
#   right password (each verifies an argon2id hash: 80 MiB, about 0.1-0.3 s of CPU), 3% transfer
#   steps (send -> review key, then confirm -> receipt, both POSTs with the session's CSRF
#   token). The percentages are of requests, drawn per request (bench/mixed.lua says how).
# - Printed per connection count: requests/s, p50/p99/p99.9 latency of all requests (timed in
#   the Lua script; wrk's own beside them, which wrk inflates on purpose, see bench/mixed.lua)
#   and p50/p99 per kind, errors (non-2xx/3xx answers, socket errors and timeouts, and answers
#   other than the expected one: a login that does not reach the overview, a send that does not
#   reach its review), the peak resident memory (VmHWM) of okpay-portal and of the nginx
#   workers during that run (reset before it through /proc/PID/clear_refs), CPU seconds of
#   portal, nginx and wrk. Then okpay-admin audit on the database. Any error, or a failed
#   audit, fails the benchmark.
#
# Limits lifted for the benchmark, because every request comes from one address (127.0.0.1)
# and so would meet limits meant for one client, not for the whole traffic:
# - nginx's POST flood limit (limit_req zone=okpay_forms, 30/s per address, burst 60): taken out
#   of the rendered configuration, as bench-portal and bench-wallet do;
# - the portal's logins per client address (100 per 15 minutes): --login-limit 100000000;
# - the portal's queue of requests waiting for a hash thread (--hash-queue, default 64 per hash
#   thread: about 10 s of hashing): 512, its maximum. wrk's closed loop keeps nearly every
#   connection waiting on a login (each costs ~1000x a page), so at 256 connections more than
#   128 logins wait at once and the default answers the rest 503 with Retry-After, as it should
#   for real visitors; the benchmark measures the waits instead.
# Nothing else: the per-account login waits start only after wrong passwords, the transfers of
# ¥1.00 stay far under the transfer and daily limits and the two-step threshold.
#
# usage: bench/mixed.sh SITE_GEN PORTAL   (okpay-admin beside PORTAL audits the ledger after)
# env: BENCH_SECONDS (per wrk run, 30), BENCH_CONNECTIONS ("64 256"), BENCH_USERS (64),
#      BENCH_WORKERS (okpay-portal --workers, 4), BENCH_MAIL_DIR (see bench/lib.sh)
set -euo pipefail
site_gen=$(realpath "$1")
portal_bin=$(realpath "$2")
admin_bin=$(dirname "$portal_bin")/okpay-admin
seconds=${BENCH_SECONDS:-30}
conns=${BENCH_CONNECTIONS:-64 256}
nusers=${BENCH_USERS:-64}
workers=${BENCH_WORKERS:-4}
cd "$(dirname "$0")/.."
root=$(pwd)
work=$root/build/bench-mixed
bench_name=bench-mixed
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_traps
start=$(date +%s)
rm -rf "$work"
mkdir -p "$work/wrk"
echo "mixed bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the site, the portal, nginx ---------------------------------------------------------------

"$site_gen" --content "$root/content" --theme "$root/theme" --out "$work/site" --quiet ||
	die "site-gen failed"
# The pages a reader opens: articles and index pages of both languages, as the links name them
# (a directory's index.html as the directory).
(cd "$work/site" && find zh en -name '*.html' ! -name '404.html') |
	sed -e 's|^|/|' -e 's|/index\.html$|/|' | sort > "$work/pages.txt"
[ "$(wc -l < "$work/pages.txt")" -ge 10 ] || die "the built site has too few pages: $work/pages.txt"
bench_start "$portal_bin" "$work/site" "$workers" --hash-queue 512
while read -r p; do
	code=$(curl -sS -o /dev/null -w '%{http_code}' "$base$p")
	[ "$code" = 200 ] || die "static page $p answered $code, not 200"
done < "$work/pages.txt"

# --- users, and what a login posts ---------------------------------------------------------------

export BENCH_UA='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
t=$(date +%s.%N)
bench_users "$nusers" "$work/users"
bench_check_transfer "$work/users/users.tsv" "$work/users"
printf 'preparation: %d users signed in with ¥10,000 each in %.1f s\n' "$nusers" \
	"$(echo "$(date +%s.%N) - $t" | bc -l)"

# A fresh browser's pre-session cookie and the login form's csrf token: a successful login
# starts a session and clears the cookie in the browser, but the token stays valid for it.
jar=$work/login.jar
bcurl -c "$jar" -o "$work/login.html" "$base/zh/account/login"
pre=$(cookie_of "$jar" okpay_pre)
lcsrf=$(input_of "$work/login.html" csrf)
if [ -z "$pre" ] || [ -z "$lcsrf" ]; then die "no okpay_pre cookie or csrf token on the login page"; fi
export BENCH_PRE="okpay_pre=$pre" BENCH_ORIGIN=$base BENCH_USERS=$work/users/users.tsv \
	BENCH_PAGES=$work/pages.txt
BENCH_LOGIN="password=$(urlencode "$bench_password")&csrf=$(urlencode "$lcsrf")"
export BENCH_LOGIN
for _ in 1 2; do
	loc=$(bcurl -o /dev/null -w '%{http_code} %{redirect_url}' -H "Origin: $base" -H "Cookie: $BENCH_PRE" \
		-H "Content-Type: application/x-www-form-urlencoded" \
		--data-binary "email=bench0%40example.com&$BENCH_LOGIN" "$base/zh/account/login")
	[[ $loc == 303\ */zh/account/ ]] || die "the login of the mix answered '$loc', not 303 to the overview"
done

# --- the runs ------------------------------------------------------------------------------------

# nginx's workers, summed: peak resident memory of each since the reset, in MB.
nginx_hwm() {
	local p s=0
	for p in $(nginx_workers); do s=$(echo "$s + $(vmhwm_mb "$p")" | bc -l); done
	echo "$s"
}
reset_hwm() {
	local p
	for p in "$portal_pid" $(nginx_workers); do echo 5 > "/proc/$p/clear_refs" 2>/dev/null || true; done
}

rows=()
failed=0
n0=$(wc -l < "$work/portal/portal.log")
for c in $conns; do
	out=$work/wrk/c$c.txt
	reset_hwm
	c0=$(cpu_portal) g0=$(cpu_nginx)
	/usr/bin/time -f '%U %S' -o "$out.time" \
		wrk -t "$c" -c "$c" -d "${seconds}s" --timeout 60s -s "$root/bench/mixed.lua" "$base" \
		> "$out" 2>&1 || die "wrk failed: $(cat "$out")"
	c1=$(cpu_portal) g1=$(cpu_nginx)
	line=$(grep '^mixed-wrk:' "$out") || die "no result line from wrk: $(cat "$out")"
	phwm=$(vmhwm_mb "$portal_pid")
	nhwm=$(nginx_hwm)
	backlog=$(sql "SELECT count(*) FROM outbox WHERE sent_at = 0")
	settle
	alive "the run with $c connections"
	f() { field "$1" "$line"; }
	errs=$(($(f non2xx3xx) + $(f socket_errors) + $(f unexpected)))
	[ "$errs" = 0 ] || failed=1
	rows+=("$(printf '%5d %9.1f %8.1f %8.1f %9.1f %7d %10.1f %10.1f' "$c" "$(f rps)" "$(f p50_ms)" \
		"$(f p99_ms)" "$(f p999_ms)" "$errs" "$phwm" "$nhwm")")
	printf '\n%d connections: %s requests/s, p50 %s ms, p99 %s ms, p99.9 %s ms (wrk: %s / %s / %s ms), max %s ms\n' \
		"$c" "$(f rps)" "$(f p50_ms)" "$(f p99_ms)" "$(f p999_ms)" "$(f wrk_p50_ms)" \
		"$(f wrk_p99_ms)" "$(f wrk_p999_ms)" "$(f max_ms)"
	drawn=0
	for k in static account login send confirm; do drawn=$((drawn + $(f "${k}_drawn"))); done
	for k in static account login send confirm; do
		printf '  %-8s %7d answers (%4.1f%% of them; %4.1f%% of the requests sent), p50 %8s ms, p99 %8s ms, max %8s ms\n' \
			"$k" "$(f "$k")" "$(echo "100 * $(f "$k") / $(f answered)" | bc -l)" \
			"$(echo "100 * $(f "${k}_drawn") / $drawn" | bc -l)" "$(f "${k}_p50_ms")" \
			"$(f "${k}_p99_ms")" "$(f "${k}_max_ms")"
	done
	printf '  transfers confirmed: %s/s; logins: %.1f/s\n' "$(f transfers_per_s)" \
		"$(echo "$(f login) / $(f seconds)" | bc -l)"
	printf '  errors: non-2xx/3xx %s, socket %s (timeouts %s), unexpected answers %s (%s)\n' \
		"$(f non2xx3xx)" "$(f socket_errors)" "$(f timeouts)" "$(f unexpected)" "$(f statuses)"
	printf '  peak memory (VmHWM) during the run: okpay-portal %s MB, nginx workers %s MB together\n' \
		"$phwm" "$nhwm"
	printf '  CPU seconds (%d cores x %ss = %ss available): portal %.1f, nginx %.1f, wrk %.1f;' \
		"$(nproc)" "$seconds" "$(( $(nproc) * seconds ))" "$(echo "($c1 - $c0) / $hz" | bc -l)" \
		"$(echo "($g1 - $g0) / $hz" | bc -l)" "$(awk '{print $1 + $2}' "$out.time")"
	printf ' %d mails unsent when wrk stopped\n' "$backlog"
done
n1=$(wc -l < "$work/portal/portal.log")

echo
printf '%5s %9s %8s %8s %9s %7s %10s %10s\n' conns "req/s" "p50 ms" "p99 ms" "p99.9 ms" errors \
	"portal MB" "nginx MB"
printf '%s\n' "${rows[@]}"
echo
echo "portal log statuses during the runs: $(log_statuses "$n0" "$n1")"
echo "machine: $(bench_machine); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sends in the ledger: $(sql "SELECT count(*) FROM transfers WHERE kind = 'send'")," \
	"sessions: $(sql "SELECT count(*) FROM sessions")"
"$admin_bin" --db "$portal_db" audit || die "okpay-admin audit found problems (database: $portal_db)"
extra=$(grep -v '^okpay-portal: [0-9]* workers on ' "$work/portal/stderr.log" || true)
[ -z "$extra" ] || printf 'okpay-portal stderr:\n%s\n' "$extra" | head -20
errs=$(grep -v '\[notice\]' "$var/log/nginx-error.log" 2>/dev/null | head -5 || true)
[ -z "$errs" ] || printf 'nginx error log, first lines:\n%s\n' "$errs"
echo "bench-mixed took $(($(date +%s) - start)) s"
[ "$failed" = 0 ] || die "errors during the runs (see above and $work/wrk/)"
