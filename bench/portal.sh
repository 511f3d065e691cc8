#!/bin/bash
# make bench-portal: requests/s and p99 latency of the account portal behind the real nginx,
# against a trivial FastCGI responder behind the same nginx configuration as the baseline.
# usage: bench/portal.sh PORTAL TRIVIAL_FCGI
# env: BENCH_SECONDS (per wrk run, default 10), BENCH_RUNS (default 3),
#      BENCH_TIMEOUT (wrk --timeout, default 30s; see below)
set -euo pipefail
portal_bin=$(realpath "$1")
trivial_bin=$(realpath "$2")
seconds=${BENCH_SECONDS:-10}
runs=${BENCH_RUNS:-3}
# wrk leaves requests slower than --timeout (2 s by default) out of the latency figures; the
# failed logins queue behind argon2id for several seconds, so allow far more than that.
timeout=${BENCH_TIMEOUT:-30s}
connections=64
threads=2
cd "$(dirname "$0")/.."
root=$(pwd)
work=$root/build/bench-portal
rm -rf "$work"
mkdir -p "$work/site" "$work/portal" "$work/trivial" "$work/wrk"

bench_name=bench-portal
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

# --- processes, all stopped on exit ------------------------------------------------------------

nginx_pids=()
fcgi_pids=()
stop_all() {
	trap - EXIT INT TERM
	# nginx first (SIGQUIT: graceful shutdown), then the FastCGI responders (SIGTERM).
	local p alive
	for p in "${nginx_pids[@]}"; do kill -QUIT "$p" 2>/dev/null || true; done
	for p in "${fcgi_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for _ in $(seq 50); do
		alive=0
		for p in "${nginx_pids[@]}" "${fcgi_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${nginx_pids[@]}" "${fcgi_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

wait_socket() {
	for _ in $(seq 200); do [ -S "$1" ] && return; kill -0 "$2" 2>/dev/null || break; sleep 0.05; done
	die "$3 did not start: $(cat "$4")"
}

# nginx/render.sh as the tests use it: PORT, FastCGI SOCKET, VAR directory.
start_nginx() {
	local port=$1 sock=$2 var=$3 conf
	conf=$(nginx/render.sh "$port" "$work/site" "$var" "$sock")
	# The benchmark measures the service, not nginx's flood limit on POSTs: 64 connections
	# posting logins would spend its burst at once and then measure instant 429s.
	# It sits in the rendered okpay-server.conf (included by nginx.conf), not in $conf.
	sed -i '/limit_req zone=okpay_forms/d' "$(dirname "$conf")/okpay-server.conf"
	! grep -q 'limit_req zone=' "$(dirname "$conf")"/*.conf || die "nginx's POST limit is still on"
	nginx -t -q -c "$conf" -p "$var/nginx"
	nginx -c "$conf" -p "$var/nginx" 2>>"$var/nginx-stderr.log" &
	local pid=$!
	nginx_pids+=("$pid")
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	die "nginx on $port did not start: $(cat "$var/nginx-stderr.log" "$var/log/nginx-error.log" 2>/dev/null)"
}

# The portal pages come from FastCGI; nginx only needs the generator's redirect map.
: > "$work/site/_redirects.map"

port=$(free_port)
base=http://127.0.0.1:$port
psock=$work/portal/okpay.sock
db=$work/portal/okpay.db
"$portal_bin" --dev --workers 4 --login-limit 100000000 --db "$db" --socket "$psock" --mail-dir "$work/portal/mail" \
	--upload-dir "$work/portal/uploads" \
	--key "$work/portal/secret.key" --log "$work/portal/portal.log" --base-url "$base" \
	--theme "$root/theme" --content "$root/content" 2>"$work/portal/stderr.log" &
portal_pid=$!
fcgi_pids+=("$portal_pid")
wait_socket "$psock" "$portal_pid" okpay-portal "$work/portal/stderr.log"
start_nginx "$port" "$psock" "$work/portal/var"

tport=$(free_port)
[ "$tport" != "$port" ] || tport=$(free_port)
tbase=http://127.0.0.1:$tport
tsock=$work/trivial/trivial.sock
"$trivial_bin" --socket "$tsock" --threads 4 2>"$work/trivial/stderr.log" &
trivial_pid=$!
fcgi_pids+=("$trivial_pid")
wait_socket "$tsock" "$trivial_pid" trivial-fcgi "$work/trivial/stderr.log"
start_nginx "$tport" "$tsock" "$work/trivial/var"

# --- a verified user with a session --------------------------------------------------------------

csrf_of() { grep -o 'name="csrf" value="[^"]*"' "$1" | head -1 | sed -e 's/.*value="//' -e 's/"$//'; }
email=bench@example.com
password='Quartz-lantern-orbit-7341'
jar=$work/user.jar
curl -sS -c "$jar" -b "$jar" -o "$work/register.html" "$base/zh/account/register"
code=$(curl -sS -c "$jar" -b "$jar" -o "$work/register-post.html" -w '%{http_code}' -H "Origin: $base" \
	--data-urlencode "csrf=$(csrf_of "$work/register.html")" --data-urlencode "name=Bench User" \
	--data-urlencode "email=$email" --data-urlencode "password=$password" \
	--data-urlencode "password2=$password" --data-urlencode "terms=yes" "$base/zh/account/register")
[ "$code" = 303 ] || die "register answered $code, not 303 (see $work/register-post.html)"
sqlite3 "$db" "update users set verified_at=1"
curl -sS -c "$jar" -b "$jar" -o "$work/login.html" "$base/zh/account/login"
code=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -H "Origin: $base" \
	--data-urlencode "csrf=$(csrf_of "$work/login.html")" --data-urlencode "email=$email" \
	--data-urlencode "password=$password" "$base/zh/account/login")
[ "$code" = 303 ] || die "login answered $code, not 303"
session=$(cookie_of "$jar" okpay_session)
[ -n "$session" ] || die "no okpay_session cookie after login"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: okpay_session=$session" "$base/zh/account/")
[ "$code" = 200 ] || die "overview with the session answered $code, not 200"

# The failed login: a fresh browser's pre-session cookie and the form's csrf token.
fjar=$work/failed.jar
curl -sS -c "$fjar" -o "$work/login-fresh.html" "$base/zh/account/login"
pre=$(cookie_of "$fjar" okpay_pre)
fcsrf=$(csrf_of "$work/login-fresh.html")
if [ -z "$pre" ] || [ -z "$fcsrf" ]; then die "no okpay_pre cookie or csrf token on the login page"; fi
export BENCH_ORIGIN=$base BENCH_COOKIE="okpay_pre=$pre"
BENCH_BODY="email=EMAIL&password=$(urlencode "wrong-$password")&csrf=$(urlencode "$fcsrf")"
export BENCH_BODY
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Content-Type: application/x-www-form-urlencoded" \
	-H "Origin: $BENCH_ORIGIN" -H "Cookie: $BENCH_COOKIE" --data-binary "$BENCH_BODY" "$base/zh/account/login")
[ "$code" = 401 ] || die "the failed login answered $code, not 401 (403: csrf token or cookie wrong)"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$tbase/zh/account/login")
[ "$code" = 200 ] || die "the trivial responder answered $code, not 200"

# --- measurements --------------------------------------------------------------------------------

# wrk's time with unit (us, ms, s, m, h) in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = u == "us" ? 0.001 : u == "ms" ? 1 : u == "s" ? 1000 : u == "m" ? 60000 : u == "h" ? 3600000 : -1
		if (f < 0) exit 1
		printf "%.3f", n * f }'
}

rows=()
declare -A rps_of
# bench_case KEY LABEL URL [wrk options...]
bench_case() {
	local key=$1 label=$2 url=$3
	shift 3
	local rpss=() p99s=() non2xx=0 errs=0 n0 n1 out statuses
	n0=$(wc -l < "$work/portal/portal.log")
	for i in $(seq "$runs"); do
		out=$work/wrk/$key-$i.txt
		wrk -t "$threads" -c "$connections" -d "${seconds}s" --timeout "$timeout" --latency "$@" "$url" > "$out" 2>&1 ||
			die "wrk failed for '$label': $(cat "$out")"
		rpss+=("$(awk '$1 == "Requests/sec:" {print $2}' "$out")")
		local p99 ms
		p99=$(awk '$1 == "99%" {print $2}' "$out")
		if [ -z "${rpss[-1]}" ] || [ -z "$p99" ]; then die "cannot read wrk's output for '$label': $(cat "$out")"; fi
		ms=$(to_ms "$p99") || die "unknown unit in wrk's p99 '$p99'"
		p99s+=("$ms")
		non2xx=$((non2xx + $(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out" | grep . || echo 0)))
		errs=$((errs + $(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out" | grep . || echo 0)))
		settle
		alive "$label"
	done
	n1=$(wc -l < "$work/portal/portal.log")
	statuses=$(sed -n "$((n0 + 1)),${n1}p" "$work/portal/portal.log" | awk '{c[$5]++} END {for (s in c) printf "%s%s:%d", (n++ ? " " : ""), s, c[s]}')
	local rps p99
	rps=$(printf '%s\n' "${rpss[@]}" | median)
	p99=$(printf '%s\n' "${p99s[@]}" | median)
	rps_of[$key]=$rps
	rows+=("$(printf '%-28s %10.1f %10.1f   %-26s %8d %7d   %s' "$label" "$rps" "$p99" \
		"$(printf '%.0f ' "${rpss[@]}")" "$non2xx" "$errs" "${statuses:--}")")
	printf '  %-28s done: %s req/s, p99 %s ms\n' "$label" "$(printf '%.0f ' "${rpss[@]}")" "$(printf '%s ' "${p99s[@]}")"
}

echo "portal bench: wrk -t$threads -c$connections -d${seconds}s --latency, $runs runs per case, $(nproc) cores;" \
	"okpay-portal --workers 4 behind nginx on $base, trivial-fcgi --threads 4 on $tbase"
bench_case login "GET login page" "$base/zh/account/login"
bench_case overview "GET overview (signed in)" "$base/zh/account/" -H "Cookie: okpay_session=$session"
bench_case failed "POST failed login (401)" "$base/zh/account/login" -s "$root/bench/failed-login.lua"
bench_case trivial "GET trivial FastCGI page" "$tbase/zh/account/login"

# The session must have lasted through the runs, or the overview figures measured redirects.
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: okpay_session=$session" "$base/zh/account/")
[ "$code" = 200 ] || echo "bench-portal: warning: the session ended during the runs (overview now $code)" >&2

echo
printf '%-28s %10s %10s   %-26s %8s %7s   %s\n' case "req/s" "p99 ms" "runs (req/s)" "non-2xx" errors "portal statuses"
printf '%s\n' "${rows[@]}"
echo
ratio=$(echo "${rps_of[overview]} / ${rps_of[trivial]}" | bc -l)
printf 'overview / trivial: %.2f (target >= 0.50: %s); login page / trivial: %.2f\n' "$ratio" \
	"$(echo "$ratio >= 0.5" | bc -l | sed -e 's/1/met/' -e 's/0/NOT met/')" \
	"$(echo "${rps_of[login]} / ${rps_of[trivial]}" | bc -l)"
echo "failed logins: each one verifies an argon2id hash (3 passes, 80 MiB); they are bound by that."
printf 'okpay-portal peak RSS (VmHWM): %s\n' "$(awk '/^VmHWM:/ {printf "%.1f MB", $2 / 1024}' "/proc/$portal_pid/status")"
extra=$(grep -v '^okpay-portal: [0-9]* workers on ' "$work/portal/stderr.log" || true)
[ -z "$extra" ] || printf 'okpay-portal stderr:\n%s\n' "$extra"
for v in portal trivial; do
	errs=$(grep -v '\[notice\]' "$work/$v/var/log/nginx-error.log" 2>/dev/null | head -5 || true)
	[ -z "$errs" ] || printf 'nginx (%s) error log, first lines:\n%s\n' "$v" "$errs"
done
