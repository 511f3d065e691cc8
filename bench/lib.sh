# Shell functions shared by the benchmarks that run the portal behind nginx with signed-in users
# (bench/wallet.sh, bench/mixed.sh). Source it after `set -euo pipefail`, with these set:
#   bench_name  the benchmark's name, first word of every error (die)
#   root        the checkout, work its scratch directory under build/
# The portal and nginx started here are stopped on exit (bench_stop_all, installed as the EXIT
# trap by bench_traps), and so is anything whose pid is added to `pids`.

die() { echo "$bench_name: $*" >&2; exit 1; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# field NAME LINE: the value of NAME=value in a result line of NAME=value words
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }

# --- processes, all stopped on exit ------------------------------------------------------------

pids=()
bench_stop_all() {
	trap - EXIT INT TERM
	case ${mail_dir:-} in /dev/shm/okpay-bench-mail.*) rm -rf "$mail_dir" ;; esac
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
bench_traps() {
	trap bench_stop_all EXIT
	trap 'exit 130' INT TERM
}

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

# Mail goes to a directory in memory when there is one: on this machine's ext4, creating files
# shortly after many were deleted (an earlier run, other tests) makes the inode allocator check
# every recently freed inode (recently_deleted() in the kernel); a profile showed that taking
# over a third of the portal's CPU time, all in the mail thread's open(). That is a cost of
# dev-mode .eml files on a busy file system, not of the service (production mail goes through
# --sendmail); BENCH_MAIL_DIR=DIR puts the mail elsewhere. Sets mail_dir.
bench_mail_dir() {
	if [ -n "${BENCH_MAIL_DIR:-}" ]; then
		mail_dir=$BENCH_MAIL_DIR
	elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
		mail_dir=$(mktemp -d /dev/shm/okpay-bench-mail.XXXXXX)
	else
		mail_dir=$work/portal/mail
	fi
}

# --- the portal behind nginx -------------------------------------------------------------------

# bench_start PORTAL SITE WORKERS [PORTAL_ARGS...]: the portal (--dev, its per-address login
# limit lifted: every request of a benchmark comes from 127.0.0.1) on a fresh database in
# $work/portal, then the real nginx configuration for SITE in front of it without its POST flood
# limit (30/s per address, burst 60: the benchmark measures the service, not nginx's first
# line). Sets port, base, portal_db, sock, var, portal_pid, nginx_pid and mail_dir.
bench_start() {
	local portal_bin=$1 site=$2 workers=$3 conf
	shift 3
	bench_mail_dir
	mkdir -p "$work/portal"
	port=$(free_port)
	base=http://127.0.0.1:$port
	sock=$work/portal/okpay.sock
	portal_db=$work/portal/okpay.db
	"$portal_bin" --dev --workers "$workers" --login-limit 100000000 --db "$portal_db" --socket "$sock" \
		--mail-dir "$mail_dir" --upload-dir "$work/portal/uploads" --key "$work/portal/secret.key" \
		--log "$work/portal/portal.log" --base-url "$base" --theme "$root/theme" \
		--content "$root/content" "$@" 2>"$work/portal/stderr.log" &
	portal_pid=$!
	pids+=("$portal_pid")
	for _ in $(seq 200); do [ -S "$sock" ] && break; kill -0 "$portal_pid" 2>/dev/null || break; sleep 0.05; done
	[ -S "$sock" ] || die "okpay-portal did not start: $(cat "$work/portal/stderr.log")"

	var=$work/portal/var
	conf=$("$root/nginx/render.sh" "$port" "$site" "$var" "$sock")
	# The limit sits in the rendered okpay-server.conf (included by nginx.conf), not in $conf.
	sed -i '/limit_req zone=okpay_forms/d' "$(dirname "$conf")/okpay-server.conf"
	! grep -q 'limit_req zone=' "$(dirname "$conf")"/*.conf || die "nginx's POST limit is still on"
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
}

alive() {
	kill -0 "$portal_pid" 2>/dev/null || die "okpay-portal exited during $1; its stderr:
$(cat "$work/portal/stderr.log")"
}

# CPU seconds (user + system) used so far by the portal, and by nginx's master and workers.
ticks() { awk '{s += $14 + $15} END {print s + 0}' "$@" 2>/dev/null; }
nginx_workers() { cat /proc/"$nginx_pid"/task/*/children 2>/dev/null; }
cpu_portal() { ticks "/proc/$portal_pid/stat"; }
cpu_nginx() {
	local p files=("/proc/$nginx_pid/stat")
	for p in $(nginx_workers); do files+=("/proc/$p/stat"); done
	ticks "${files[@]}"
}
hz=$(getconf CLK_TCK)

# Wait until the portal's CPU time stops growing (queued requests, mail still going out).
settle() {
	local a b
	for _ in $(seq 120); do
		a=$(awk '{print $14 + $15}' "/proc/$portal_pid/stat")
		sleep 0.5
		b=$(awk '{print $14 + $15}' "/proc/$portal_pid/stat")
		[ $((b - a)) -le 2 ] && return
	done
}

# Statuses in the portal's log after line N0 up to line N1, as "200:n 303:n ...".
log_statuses() {
	sed -n "$(($1 + 1)),${2}p" "$work/portal/portal.log" |
		awk '{c[$5]++} END {for (s in c) printf "%s%s:%d", (n++ ? " " : ""), s, c[s]}'
}

# --- users with sessions and money, made through the product -------------------------------------

# The value of the input named $2 in the HTML file $1, whatever the order of its attributes.
input_of() {
	grep -o "<input[^>]*name=\"$2\"[^>]*>" "$1" | head -1 | grep -o 'value="[^"]*"' |
		sed -e 's/^value="//' -e 's/"$//' -e 's/&amp;/\&/g'
}
cookie_of() { awk -v n="$2" '$6 == n {print $7}' "$1" | tail -1; }
# $1 percent-encoded for a form body: all but the unreserved characters of RFC 3986.
urlencode() {
	local LC_ALL=C s=$1 out="" c h i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[a-zA-Z0-9.~_-]) out+=$c ;;
		*) printf -v h '%%%02X' "'$c"; out+=$h ;;
		esac
	done
	echo "$out"
}
sql() { sqlite3 -cmd '.timeout 10000' "$portal_db" "$@"; }

bench_password='Quartz-lantern-orbit-7341'
# Every curl of the preparation; BENCH_UA names a browser when the benchmark sends one too.
bcurl() { curl -sS ${BENCH_UA:+-A "$BENCH_UA"} "$@"; }

# bench_users N DIR: users bench0..bench(N-1)@example.com with ¥10,000 each, signed in; writes
# DIR/users.tsv, one line per user: session cookie, csrf token of the session, the next user's
# email (the recipient), the path of the top-up's receipt. The first registers over HTTP, the
# others are copies of it in the users table (same password hash, verified: one argon2id hash,
# not N); each signs in and adds money by test card over HTTP, four at a time (each login
# verifies a hash).
bench_users() {
	local nusers=$1 d=$2 code now i batch=()
	mkdir -p "$d"
	bcurl -c "$d/0.jar" -b "$d/0.jar" -o "$d/register.html" "$base/zh/account/register"
	code=$(bcurl -c "$d/0.jar" -b "$d/0.jar" -o "$d/register-post.html" -w '%{http_code}' \
		-H "Origin: $base" --data-urlencode "csrf=$(input_of "$d/register.html" csrf)" \
		--data-urlencode "name=Bench User" --data-urlencode "email=bench0@example.com" \
		--data-urlencode "password=$bench_password" --data-urlencode "password2=$bench_password" \
		--data-urlencode "terms=yes" "$base/zh/account/register")
	[ "$code" = 303 ] || die "register answered $code, not 303 (see $d/register-post.html)"
	now=$(date +%s)
	sql "BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $nusers - 1)
INSERT INTO users (email, email_key, name, password_hash, locale, created_at)
SELECT 'bench' || i || '@example.com', 'bench' || i || '@example.com', 'Bench User ' || i,
       (SELECT password_hash FROM users WHERE email_key = 'bench0@example.com'), 'zh', $now FROM n;
UPDATE users SET verified_at = $now WHERE verified_at = 0;
COMMIT;"
	for i in $(seq 0 $((nusers - 1))); do
		S_prepare_user "$i" "$nusers" "$d" &
		batch+=($!)
		if [ ${#batch[@]} = 4 ]; then wait "${batch[@]}" || true; batch=(); fi
	done
	[ ${#batch[@]} = 0 ] || wait "${batch[@]}" || true
	alive "the preparation"
	if ls "$d"/*.error >/dev/null 2>&1; then die "$(cat "$d"/*.error | head -5)"; fi
	for i in $(seq 0 $((nusers - 1))); do [ -s "$d/$i.line" ] || die "user $i: preparation failed"; done
	for i in $(seq 0 $((nusers - 1))); do cat "$d/$i.line"; done > "$d/users.tsv"
}

# S_prepare_user I N DIR: sign in, add money by card, read the send form; writes DIR/I.line
# or DIR/I.error.
S_prepare_user() {
	local i=$1 d=$3 jar=$3/$1.jar code session csrf key loc
	local to="bench$(((i + 1) % $2))@example.com"
	fail() { echo "user $i: $*" > "$d/$i.error"; }
	bcurl -c "$jar" -b "$jar" -o "$d/$i-login.html" "$base/zh/account/login"
	code=$(bcurl -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -H "Origin: $base" \
		--data-urlencode "csrf=$(input_of "$d/$i-login.html" csrf)" \
		--data-urlencode "email=bench$i@example.com" --data-urlencode "password=$bench_password" \
		"$base/zh/account/login")
	[ "$code" = 303 ] || { fail "login answered $code, not 303"; return; }
	session=$(cookie_of "$jar" okpay_session)
	[ -n "$session" ] || { fail "no okpay_session cookie after login"; return; }
	code=$(bcurl -b "$jar" -o "$d/$i-add.html" -w '%{http_code}' "$base/zh/account/add-money")
	[ "$code" = 200 ] || { fail "GET add-money answered $code, not 200"; return; }
	csrf=$(input_of "$d/$i-add.html" csrf)
	key=$(input_of "$d/$i-add.html" key)
	[ -n "$csrf" ] && [ -n "$key" ] || { fail "no csrf or key input on the add-money form"; return; }
	loc=$(bcurl -b "$jar" -o "$d/$i-add-post.html" -w '%{http_code} %{redirect_url}' \
		-H "Origin: $base" --data-urlencode "csrf=$csrf" --data-urlencode "key=$key" \
		--data-urlencode "amount=10000.00" --data-urlencode "method=card" \
		--data-urlencode "card_number=4242 4242 4242 4242" --data-urlencode "card_expiry=12/$(( 10#$(date +%y) + 3 ))" \
		--data-urlencode "card_cvc=123" "$base/zh/account/add-money")
	[[ $loc == 303\ */account/transactions/T* ]] ||
		{ fail "add money by card answered '$loc', not 303 to a receipt (see $d/$i-add-post.html)"; return; }
	local receipt=${loc#* }
	receipt=/${receipt#*://*/}
	receipt=${receipt%%\?*}
	code=$(bcurl -b "$jar" -o "$d/$i-send.html" -w '%{http_code}' "$base/zh/account/send")
	[ "$code" = 200 ] || { fail "GET send answered $code, not 200"; return; }
	csrf=$(input_of "$d/$i-send.html" csrf)
	[ -n "$csrf" ] || { fail "no csrf input on the send form"; return; }
	printf 'okpay_session=%s\t%s\t%s\t%s\n' "$session" "$csrf" "$to" "$receipt" > "$d/$i.line"
}

# bench_check_transfer USERS_TSV DIR: one transfer by hand with the first user, so that a broken
# step is named here and not as wrk's status counts.
bench_check_transfer() {
	local d=$2 cookie csrf to loc key code
	IFS=$'\t' read -r cookie csrf to _ < <(head -1 "$1")
	loc=$(bcurl -o "$d/check-send.html" -w '%{http_code} %{redirect_url}' -H "Origin: $base" \
		-H "Cookie: $cookie" --data-urlencode "recipient=$to" --data-urlencode "amount=1.00" \
		--data-urlencode "note=bench" --data-urlencode "method=balance" --data-urlencode "csrf=$csrf" \
		"$base/zh/account/send")
	[[ $loc == 303\ *"/account/send/review?key="* ]] || die "POST send answered '$loc' (see $d/check-send.html)"
	key=${loc##*key=}
	code=$(bcurl -o "$d/check-review.html" -w '%{http_code}' -H "Cookie: $cookie" "$base/zh/account/send/review?key=$key")
	[ "$code" = 200 ] || die "GET review answered $code, not 200"
	loc=$(bcurl -o "$d/check-confirm.html" -w '%{http_code} %{redirect_url}' -H "Origin: $base" \
		-H "Cookie: $cookie" --data-urlencode "key=$key" --data-urlencode "csrf=$csrf" \
		"$base/zh/account/send/confirm")
	[[ $loc == 303\ */account/transactions/T* ]] || die "POST confirm answered '$loc' (see $d/check-confirm.html)"
	code=$(bcurl -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "${loc#* }")
	[ "$code" = 200 ] || die "the receipt answered $code, not 200"
}

# --- the machine ---------------------------------------------------------------------------------

# One line: cores, and the disk under $work with how many synchronous 4 KiB writes per second it
# takes (dd oflag=dsync): what bounds a durable commit is the flush of the disk under the database.
bench_machine() {
	local dev fstype blk rota model dsync
	dev=$(df --output=source "$work" | tail -1)
	fstype=$(df --output=fstype "$work" | tail -1)
	blk=$(lsblk -no PKNAME "$dev" 2>/dev/null | head -1)
	[ -n "$blk" ] || blk=$(basename "$dev")
	rota=$(cat "/sys/block/$blk/queue/rotational" 2>/dev/null || echo '?')
	model=$(lsblk -dno MODEL "/dev/$blk" 2>/dev/null | sed 's/ *$//')
	dsync=$(dd if=/dev/zero of="$work/dsync.probe" bs=4k count=300 oflag=dsync 2>&1 |
		awk '/copied/ {for (i = 1; i < NF; i++) if ($(i+1) ~ /^s,?$/) t = $i} END {if (t > 0) printf "%.0f", 300 / t}')
	rm -f "$work/dsync.probe"
	echo "$(nproc) cores; database on $dev ($fstype, /sys/block/$blk rotational=$rota${model:+, $model})," \
		"${dsync:-?} synchronous 4 KiB writes/s (dd oflag=dsync)"
}

# Peak resident memory (VmHWM) of process $1 in MB.
vmhwm_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
