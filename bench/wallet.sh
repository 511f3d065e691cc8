#!/bin/bash
# make bench-wallet: confirmed money transfers per second through the whole portal, against the
# same ledger postings made straight through its database module, in one run.
#
# - Portal: the release okpay-portal (--workers 4, database in WAL mode with synchronous=FULL,
#   as db_open always sets it) behind the real nginx configuration (its POST flood limit taken
#   out, as in bench-portal), with a fresh database. BENCH_USERS users (64) are made through
#   the product: the first registers over HTTP, the others are copies of it in the users table
#   (same password hash, verified), each signs in and adds ¥10,000 by test card over HTTP.
#   Then wrk (-t 64 -c 64, --latency, bench/wallet.lua) has every connection send ¥1.00 from
#   its user to the next one, each transfer the two real steps (POST /zh/account/send -> 303
#   review?key=K, POST /zh/account/send/confirm -> 303 receipt). Confirmed transfers/s counts
#   the confirms that reached the receipt; p50/p99 are of the confirm requests alone, timed in
#   the Lua script (wrk's own distribution, kept in build/bench-wallet/wrk/, mixes both steps).
# - Raw: bench/wallet-raw.c posts the same two-line balance send with db_post in a loop on a
#   fresh database, with 1 thread and with 4 threads (one connection each), and once more with
#   4 threads doing what the portal's two steps add around the posting ("flow": the review in its
#   own transaction, then the posting with the review marked and two mails queued).
# - The table shows the medians of BENCH_RUNS runs, the ratio portal / raw (raw = the better of
#   1 and 4 threads; target >= 40%), and the machine: cores, the disk under build/, and how many
#   synchronous 4 KiB writes per second it takes (dd oflag=dsync), since every commit waits
#   for one flush.
# usage: bench/wallet.sh PORTAL WALLET_RAW   (an okpay-admin beside PORTAL audits the ledger after)
# env: BENCH_SECONDS (per wrk run, default 20), BENCH_RAW_SECONDS (per raw run, default 10),
#      BENCH_RUNS (default 3), BENCH_USERS (default 64; also the wrk connections),
#      BENCH_WORKERS (okpay-portal --workers, default 4 as in bench-portal)
set -euo pipefail
portal_bin=$(realpath "$1")
raw_bin=$(realpath "$2")
admin_bin=$(dirname "$portal_bin")/okpay-admin
seconds=${BENCH_SECONDS:-20}
raw_seconds=${BENCH_RAW_SECONDS:-10}
runs=${BENCH_RUNS:-3}
nusers=${BENCH_USERS:-64}
workers=${BENCH_WORKERS:-4}
cd "$(dirname "$0")/.."
root=$(pwd)
work=$root/build/bench-wallet
rm -rf "$work"
# Mail (two per transfer) goes to a directory in memory when there is one: on this machine's
# ext4, creating files shortly after many were deleted (an earlier run, other tests) makes the
# inode allocator check every recently freed inode (recently_deleted() in the kernel); a profile
# showed that taking over a third of the portal's CPU time, all in the mail thread's open().
# That is a cost of dev-mode .eml files on a busy file system, not of transfers (production
# mail goes through --sendmail); BENCH_MAIL_DIR=DIR puts the mail elsewhere.
if [ -n "${BENCH_MAIL_DIR:-}" ]; then
	mail_dir=$BENCH_MAIL_DIR
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
	mail_dir=$(mktemp -d /dev/shm/okpay-bench-mail.XXXXXX)
else
	mail_dir=$work/portal/mail
fi
mkdir -p "$work/site" "$work/portal" "$work/raw" "$work/wrk" "$work/users"

die() { echo "bench-wallet: $*" >&2; exit 1; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# field NAME LINE: the value of NAME=value in a "wallet-...:" line
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }

# --- processes, all stopped on exit ------------------------------------------------------------

pids=()
stop_all() {
	trap - EXIT INT TERM
	case $mail_dir in /dev/shm/okpay-bench-mail.*) rm -rf "$mail_dir" ;; esac
	local p alive
	# nginx first (SIGQUIT: graceful), then the portal (SIGTERM).
	[ -z "${nginx_pid:-}" ] || kill -QUIT "$nginx_pid" 2>/dev/null || true
	[ -z "${portal_pid:-}" ] || kill -TERM "$portal_pid" 2>/dev/null || true
	for _ in $(seq 50); do
		alive=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

# --- the portal behind nginx -------------------------------------------------------------------

: > "$work/site/_redirects.map"
port=$(free_port)
base=http://127.0.0.1:$port
sock=$work/portal/okpay.sock
db=$work/portal/okpay.db
"$portal_bin" --dev --workers "$workers" --login-limit 100000000 --db "$db" --socket "$sock" \
	--mail-dir "$mail_dir" --key "$work/portal/secret.key" --log "$work/portal/portal.log" \
	--base-url "$base" --theme "$root/theme" --content "$root/content" 2>"$work/portal/stderr.log" &
portal_pid=$!
pids+=("$portal_pid")
for _ in $(seq 200); do [ -S "$sock" ] && break; kill -0 "$portal_pid" 2>/dev/null || break; sleep 0.05; done
[ -S "$sock" ] || die "okpay-portal did not start: $(cat "$work/portal/stderr.log")"

var=$work/portal/var
conf=$(nginx/render.sh "$port" "$work/site" "$var" "$sock")
# The benchmark measures the service, not nginx's flood limit on POSTs (30/s per address).
sed -i '/limit_req zone=okpay_forms/d' "$conf"
nginx -t -q -c "$conf" -p "$var/nginx"
nginx -c "$conf" -p "$var/nginx" 2>>"$var/nginx-stderr.log" &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 200); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	kill -0 "$nginx_pid" 2>/dev/null || break
	sleep 0.05
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
	die "nginx did not start: $(cat "$var/nginx-stderr.log" "$var/log/nginx-error.log" 2>/dev/null)"

alive() {
	kill -0 "$portal_pid" 2>/dev/null || die "okpay-portal exited during $1; its stderr:
$(cat "$work/portal/stderr.log")"
}

# CPU seconds (user + system) used so far by the portal, and by nginx's master and workers.
ticks() { awk '{s += $14 + $15} END {print s + 0}' "$@" 2>/dev/null; }
cpu_portal() { ticks "/proc/$portal_pid/stat"; }
cpu_nginx() {
	local p files=("/proc/$nginx_pid/stat")
	for p in $(cat /proc/"$nginx_pid"/task/*/children 2>/dev/null); do files+=("/proc/$p/stat"); done
	ticks "${files[@]}"
}
hz=$(getconf CLK_TCK)

# --- users with sessions and money, made through the product -------------------------------------

# The value of the input named $2 in the HTML file $1, whatever the order of its attributes.
input_of() {
	grep -o "<input[^>]*name=\"$2\"[^>]*>" "$1" | head -1 | grep -o 'value="[^"]*"' |
		sed -e 's/^value="//' -e 's/"$//' -e 's/&amp;/\&/g'
}
cookie_of() { awk -v n="$2" '$6 == n {print $7}' "$1" | tail -1; }
sql() { sqlite3 -cmd '.timeout 10000' "$db" "$@"; }

password='Quartz-lantern-orbit-7341'
d=$work/users
curl -sS -c "$d/0.jar" -b "$d/0.jar" -o "$d/register.html" "$base/zh/account/register"
code=$(curl -sS -c "$d/0.jar" -b "$d/0.jar" -o "$d/register-post.html" -w '%{http_code}' \
	-H "Origin: $base" --data-urlencode "csrf=$(input_of "$d/register.html" csrf)" \
	--data-urlencode "name=Bench User" --data-urlencode "email=bench0@example.com" \
	--data-urlencode "password=$password" --data-urlencode "password2=$password" \
	--data-urlencode "terms=yes" "$base/zh/account/register")
[ "$code" = 303 ] || die "register answered $code, not 303 (see $d/register-post.html)"
# The other users: the same password hash (one argon2id hash, not 64), all verified.
now=$(date +%s)
sql "BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $nusers - 1)
INSERT INTO users (email, email_key, name, password_hash, locale, created_at)
SELECT 'bench' || i || '@example.com', 'bench' || i || '@example.com', 'Bench User ' || i,
       (SELECT password_hash FROM users WHERE email_key = 'bench0@example.com'), 'zh', $now FROM n;
UPDATE users SET verified_at = $now WHERE verified_at = 0;
COMMIT;"

# prepare_user I: sign in, add money by card, read the send form; writes $d/I.line
# (session cookie, csrf token, recipient) or $d/I.error.
prepare_user() {
	local i=$1 jar=$d/$1.jar code session csrf key loc
	local to="bench$(((i + 1) % nusers))@example.com"
	fail() { echo "user $i: $*" > "$d/$i.error"; }
	curl -sS -c "$jar" -b "$jar" -o "$d/$i-login.html" "$base/zh/account/login"
	code=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -H "Origin: $base" \
		--data-urlencode "csrf=$(input_of "$d/$i-login.html" csrf)" \
		--data-urlencode "email=bench$i@example.com" --data-urlencode "password=$password" \
		"$base/zh/account/login")
	[ "$code" = 303 ] || { fail "login answered $code, not 303"; return; }
	session=$(cookie_of "$jar" okpay_session)
	[ -n "$session" ] || { fail "no okpay_session cookie after login"; return; }
	code=$(curl -sS -b "$jar" -o "$d/$i-add.html" -w '%{http_code}' "$base/zh/account/add-money")
	[ "$code" = 200 ] || { fail "GET add-money answered $code, not 200"; return; }
	csrf=$(input_of "$d/$i-add.html" csrf)
	key=$(input_of "$d/$i-add.html" key)
	[ -n "$csrf" ] && [ -n "$key" ] || { fail "no csrf or key input on the add-money form"; return; }
	loc=$(curl -sS -b "$jar" -o "$d/$i-add-post.html" -w '%{http_code} %{redirect_url}' \
		-H "Origin: $base" --data-urlencode "csrf=$csrf" --data-urlencode "key=$key" \
		--data-urlencode "amount=10000.00" --data-urlencode "method=card" \
		--data-urlencode "card_number=4242 4242 4242 4242" --data-urlencode "card_expiry=12/$(( 10#$(date +%y) + 3 ))" \
		--data-urlencode "card_cvc=123" "$base/zh/account/add-money")
	[[ $loc == 303\ */account/transactions/T* ]] ||
		{ fail "add money by card answered '$loc', not 303 to a receipt (see $d/$i-add-post.html)"; return; }
	code=$(curl -sS -b "$jar" -o "$d/$i-send.html" -w '%{http_code}' "$base/zh/account/send")
	[ "$code" = 200 ] || { fail "GET send answered $code, not 200"; return; }
	csrf=$(input_of "$d/$i-send.html" csrf)
	[ -n "$csrf" ] || { fail "no csrf input on the send form"; return; }
	printf 'okpay_session=%s\t%s\t%s\n' "$session" "$csrf" "$to" > "$d/$i.line"
}

# Four at a time: each login verifies an argon2id hash, the portal has four workers.
batch=()
for i in $(seq 0 $((nusers - 1))); do
	prepare_user "$i" &
	batch+=($!)
	if [ ${#batch[@]} = 4 ]; then wait "${batch[@]}" || true; batch=(); fi
done
[ ${#batch[@]} = 0 ] || wait "${batch[@]}" || true
alive "the preparation"
if ls "$d"/*.error >/dev/null 2>&1; then die "$(cat "$d"/*.error | head -5)"; fi
for i in $(seq 0 $((nusers - 1))); do [ -s "$d/$i.line" ] || die "user $i: preparation failed"; done
for i in $(seq 0 $((nusers - 1))); do cat "$d/$i.line"; done > "$work/users.tsv"

# One transfer by hand first, so that a broken step is named here and not as wrk's status counts.
IFS=$'\t' read -r cookie csrf to < <(head -1 "$work/users.tsv")
loc=$(curl -sS -o "$d/check-send.html" -w '%{http_code} %{redirect_url}' -H "Origin: $base" \
	-H "Cookie: $cookie" --data-urlencode "recipient=$to" --data-urlencode "amount=1.00" \
	--data-urlencode "note=bench" --data-urlencode "method=balance" --data-urlencode "csrf=$csrf" \
	"$base/zh/account/send")
[[ $loc == 303\ *"/account/send/review?key="* ]] || die "POST send answered '$loc' (see $d/check-send.html)"
key=${loc##*key=}
code=$(curl -sS -o "$d/check-review.html" -w '%{http_code}' -H "Cookie: $cookie" "$base/zh/account/send/review?key=$key")
[ "$code" = 200 ] || die "GET review answered $code, not 200"
loc=$(curl -sS -o "$d/check-confirm.html" -w '%{http_code} %{redirect_url}' -H "Origin: $base" \
	-H "Cookie: $cookie" --data-urlencode "key=$key" --data-urlencode "csrf=$csrf" \
	"$base/zh/account/send/confirm")
[[ $loc == 303\ */account/transactions/T* ]] || die "POST confirm answered '$loc' (see $d/check-confirm.html)"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "${loc#* }")
[ "$code" = 200 ] || die "the receipt answered $code, not 200"

# --- measurements --------------------------------------------------------------------------------

# Wait until the portal's CPU time stops growing (mails of the last transfers are still going out).
settle() {
	local a b
	for _ in $(seq 120); do
		a=$(awk '{print $14 + $15}' "/proc/$portal_pid/stat")
		sleep 0.5
		b=$(awk '{print $14 + $15}' "/proc/$portal_pid/stat")
		[ $((b - a)) -le 2 ] && return
	done
}

raw_run() { # raw_run NAME RUN ARGS...: one wallet-raw run, its line on stdout
	local name=$1 r=$2
	shift 2
	"$raw_bin" --db "$work/raw/$name-$r.db" --seconds "$raw_seconds" --users "$nusers" "$@" \
		> "$work/raw/$name-$r.txt" 2>&1 || die "wallet-raw $name failed: $(cat "$work/raw/$name-$r.txt")"
	grep '^wallet-raw: threads=' "$work/raw/$name-$r.txt"
	grep -v '^wallet-raw: threads=' "$work/raw/$name-$r.txt" | sed "s/^/    ($name) /" >&2 || true
	rm -f "$work/raw/$name-$r.db" "$work/raw/$name-$r.db-wal" "$work/raw/$name-$r.db-shm"
}

echo "wallet bench: $runs runs; portal: wrk -t$nusers -c$nusers -d${seconds}s, okpay-portal --workers $workers" \
	"behind nginx on $base; raw: wallet-raw ${raw_seconds}s per case"
declare -A vals
n0=$(wc -l < "$work/portal/portal.log")
for r in $(seq "$runs"); do
	# The raw cases first, while the portal is idle; then the portal.
	for c in "raw1:--threads 1" "raw4:--threads 4" "flow4:--threads 4 --flow"; do
		name=${c%%:*}
		line=$(raw_run "$name" "$r" ${c#*:})
		vals[$name-tps]+="$(field tps "$line") "
		vals[$name-p99]+="$(field p99_ms "$line") "
		vals[$name-max]+="$(field max_ms "$line") "
		vals[$name-err]+="$(field errors "$line") "
		printf '  run %d %-6s %s\n' "$r" "$name" "${line#wallet-raw: }"
	done
	out=$work/wrk/run-$r.txt
	c0=$(cpu_portal) g0=$(cpu_nginx)
	BENCH_USERS=$work/users.tsv BENCH_ORIGIN=$base /usr/bin/time -f '%U %S' -o "$out.time" \
		wrk -t "$nusers" -c "$nusers" -d "${seconds}s" --timeout 30s --latency \
		-s "$root/bench/wallet.lua" "$base" > "$out" 2>&1 || die "wrk failed: $(cat "$out")"
	c1=$(cpu_portal) g1=$(cpu_nginx)
	vals[cpu-portal]+="$(echo "($c1 - $c0) / $hz" | bc -l) "
	vals[cpu-nginx]+="$(echo "($g1 - $g0) / $hz" | bc -l) "
	vals[cpu-wrk]+="$(awk '{print $1 + $2}' "$out.time") "
	line=$(grep '^wallet-wrk:' "$out") || die "no result line from wrk: $(cat "$out")"
	for k in tps confirm_p50_ms confirm_p99_ms confirm_max_ms send_p99_ms non2xx3xx socket_errors unexpected; do
		vals[portal-$k]+="$(field "$k" "$line") "
	done
	# The mails of the transfers go out from one thread after the commit (outbox): how far behind.
	backlog=$(sql "SELECT count(*) FROM outbox WHERE sent_at = 0")
	t=$(date +%s.%N)
	settle
	t=$(echo "$(date +%s.%N) - $t" | bc -l)
	vals[backlog]+="$backlog "
	printf '  run %d portal %s\n  run %d portal: %d mails unsent when wrk stopped, drained in %.1f s\n' \
		"$r" "${line#wallet-wrk: }" "$r" "$backlog" "$t"
	alive "wrk run $r"
done
n1=$(wc -l < "$work/portal/portal.log")

med() { tr ' ' '\n' <<<"${vals[$1]}" | grep . | median; }
sum() { tr ' ' '\n' <<<"${vals[$1]}" | grep . | awk '{s += $1} END {print s + 0}'; }
raw1=$(med raw1-tps)
raw4=$(med raw4-tps)
raw=$(echo "if ($raw1 > $raw4) $raw1 else $raw4" | bc -l)
portal=$(med portal-tps)
ratio=$(echo "100 * $portal / $raw" | bc -l)

echo
printf '%-46s %12s %9s %9s   %s\n' case "transfers/s" "p99 ms" "max ms" "runs (transfers/s)"
printf '%-46s %12.1f %9.2f %9.1f   %s\n' "raw db_post, 1 thread" "$raw1" "$(med raw1-p99)" \
	"$(med raw1-max)" "${vals[raw1-tps]}"
printf '%-46s %12.1f %9.2f %9.1f   %s\n' "raw db_post, 4 threads" "$raw4" "$(med raw4-p99)" \
	"$(med raw4-max)" "${vals[raw4-tps]}"
printf '%-46s %12.1f %9.2f %9.1f   %s\n' "raw review + db_post + 2 mails, 4 threads" \
	"$(med flow4-tps)" "$(med flow4-p99)" "$(med flow4-max)" "${vals[flow4-tps]}"
printf '%-46s %12.1f %9.2f %9.1f   %s\n' "portal via nginx, confirmed (times: confirm)" \
	"$portal" "$(med portal-confirm_p99_ms)" "$(med portal-confirm_max_ms)" "${vals[portal-tps]}"
echo
echo "(raw: one transfer in a closed loop per thread; portal: the confirm request alone, from wrk's 64 connections)"
printf 'portal / raw: %.1f%% (raw = the better of 1 and 4 threads; target >= 40%%: %s)\n' "$ratio" \
	"$(echo "$ratio >= 40" | bc -l | sed -e 's/1/met/' -e 's/0/NOT met/')"
printf 'confirm p50 %s ms, p99 %s ms; send step p99 %s ms (medians of the runs)\n' \
	"$(med portal-confirm_p50_ms)" "$(med portal-confirm_p99_ms)" "$(med portal-send_p99_ms)"
printf 'errors: non-2xx/3xx %d, socket %d, unexpected answers %d (all runs); raw posting errors %d\n' \
	"$(sum portal-non2xx3xx)" "$(sum portal-socket_errors)" "$(sum portal-unexpected)" \
	"$(( $(sum raw1-err) + $(sum raw4-err) + $(sum flow4-err) ))"
printf 'CPU seconds per wrk run (medians; %d cores x %ss = %ss available): portal %.1f, nginx %.1f, wrk %.1f\n' \
	"$(nproc)" "$seconds" "$(( $(nproc) * seconds ))" "$(med cpu-portal)" "$(med cpu-nginx)" "$(med cpu-wrk)"
statuses=$(sed -n "$((n0 + 1)),${n1}p" "$work/portal/portal.log" | awk '{c[$5]++} END {for (s in c) printf "%s%s:%d", (n++ ? " " : ""), s, c[s]}')
echo "portal log statuses during the runs: ${statuses:--}"

# The machine: what bounds a durable commit is the flush of the disk under the database.
dev=$(df --output=source "$work" | tail -1)
fstype=$(df --output=fstype "$work" | tail -1)
blk=$(lsblk -no PKNAME "$dev" 2>/dev/null | head -1)
[ -n "$blk" ] || blk=$(basename "$dev")
rota=$(cat "/sys/block/$blk/queue/rotational" 2>/dev/null || echo '?')
model=$(lsblk -dno MODEL "/dev/$blk" 2>/dev/null | sed 's/ *$//')
dsync=$(dd if=/dev/zero of="$work/dsync.probe" bs=4k count=300 oflag=dsync 2>&1 |
	awk '/copied/ {for (i = 1; i < NF; i++) if ($(i+1) ~ /^s,?$/) t = $i} END {if (t > 0) printf "%.0f", 300 / t}')
rm -f "$work/dsync.probe"
echo "machine: $(nproc) cores; database on $dev ($fstype, /sys/block/$blk rotational=$rota${model:+, $model})," \
	"${dsync:-?} synchronous 4 KiB writes/s (dd oflag=dsync); mail written to $mail_dir" \
	"($(df --output=fstype "$mail_dir" | tail -1))"
printf 'okpay-portal peak RSS (VmHWM): %s\n' "$(awk '/^VmHWM:/ {printf "%.1f MB", $2 / 1024}' "/proc/$portal_pid/status")"

# The ledger after it all.
transfers=$(sql "SELECT count(*) FROM transfers WHERE kind = 'send'")
echo "sends in the portal's ledger: $transfers"
if [ -x "$admin_bin" ]; then
	"$admin_bin" --db "$db" audit || die "okpay-admin audit found problems (database: $db)"
fi
extra=$(grep -v '^okpay-portal: [0-9]* workers on ' "$work/portal/stderr.log" || true)
[ -z "$extra" ] || printf 'okpay-portal stderr:\n%s\n' "$extra" | head -20
errs=$(grep -v '\[notice\]' "$var/log/nginx-error.log" 2>/dev/null | head -5 || true)
[ -z "$errs" ] || printf 'nginx error log, first lines:\n%s\n' "$errs"
