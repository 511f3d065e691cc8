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
# - Mail (two per transfer) goes to a directory in memory: see bench_mail_dir in bench/lib.sh,
#   which also holds the start of the portal and nginx and the making of the users.
# usage: bench/wallet.sh PORTAL WALLET_RAW   (an okpay-admin beside PORTAL audits the ledger after)
# env: BENCH_SECONDS (per wrk run, default 20), BENCH_RAW_SECONDS (per raw run, default 10),
#      BENCH_RUNS (default 3), BENCH_USERS (default 64; also the wrk connections),
#      BENCH_WORKERS (okpay-portal --workers, default 4 as in bench-portal), BENCH_MAIL_DIR
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
bench_name=bench-wallet
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_traps
rm -rf "$work"
mkdir -p "$work/site" "$work/raw" "$work/wrk"

# --- the portal behind nginx, users with sessions and money ------------------------------------

: > "$work/site/_redirects.map"
bench_start "$portal_bin" "$work/site" "$workers"
bench_users "$nusers" "$work/users"
bench_check_transfer "$work/users/users.tsv" "$work/users"

# --- measurements --------------------------------------------------------------------------------

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
	BENCH_USERS=$work/users/users.tsv BENCH_ORIGIN=$base /usr/bin/time -f '%U %S' -o "$out.time" \
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
statuses=$(log_statuses "$n0" "$n1")
echo "portal log statuses during the runs: ${statuses:--}"

echo "machine: $(bench_machine); mail written to $mail_dir ($(df --output=fstype "$mail_dir" | tail -1))"
printf 'okpay-portal peak RSS (VmHWM): %s MB\n' "$(vmhwm_mb "$portal_pid")"

# The ledger after it all.
transfers=$(sql "SELECT count(*) FROM transfers WHERE kind = 'send'")
echo "sends in the portal's ledger: $transfers"
if [ -x "$admin_bin" ]; then
	"$admin_bin" --db "$portal_db" audit || die "okpay-admin audit found problems (database: $portal_db)"
fi
extra=$(grep -v '^okpay-portal: [0-9]* workers on ' "$work/portal/stderr.log" || true)
[ -z "$extra" ] || printf 'okpay-portal stderr:\n%s\n' "$extra" | head -20
errs=$(grep -v '\[notice\]' "$var/log/nginx-error.log" 2>/dev/null | head -5 || true)
[ -z "$errs" ] || printf 'nginx error log, first lines:\n%s\n' "$errs"
