#!/bin/bash
# Serve the generated site (and, once it exists, the portal) on 127.0.0.1:PORT until Ctrl-C
# or SIGTERM, to this script or to the make that started it; then stop all it started.
set -euo pipefail
port=${1:-8080}
parent=$PPID
cd "$(dirname "$0")/.."
mkdir -p var/log var/run var/mail
rm -f var/run/okpay.sock
conf=$(nginx/render.sh "$port" build/site var)
nginx -t -q -c "$conf" -p var/nginx
pids=()
stop() {
	trap - INT TERM EXIT
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "okpay: stopped"
}
trap stop INT TERM EXIT
# The portal in dev mode: plain-HTTP loopback cookies, /_dev/mail, mail as .eml in var/mail.
"${PORTAL:-build/release/bin/okpay-portal}" --dev --db var/okpay.db --socket var/run/okpay.sock \
	--mail-dir var/mail --key var/secret.key --log var/log/portal.log \
	--base-url "http://127.0.0.1:$port" &
pids+=($!)
for _ in $(seq 100); do [ -S var/run/okpay.sock ] && break; sleep 0.05; done
nginx -c "$conf" -p var/nginx &
pids+=($!)
echo "okpay: help center and portal at http://127.0.0.1:$port/ (Ctrl-C stops)"
echo "okpay: register at http://127.0.0.1:$port/zh/account/register, read mail at http://127.0.0.1:$port/_dev/mail"
# make does not pass SIGTERM on to its children: notice when it is gone.
while kill -0 "$parent" 2>/dev/null; do
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || { echo "okpay: process $p exited"; exit 1; }
	done
	sleep 0.5 &
	wait $! || true
done
