#!/bin/bash
# Serve the generated site (and, once it exists, the portal) on 127.0.0.1:PORT until
# Ctrl-C or SIGTERM, then stop everything this script started.
set -euo pipefail
port=${1:-8080}
cd "$(dirname "$0")/.."
conf=$(nginx/render.sh "$port" build/site var)
nginx -t -q -c "$conf" -p var/nginx
pids=()
stop() {
	trap - INT TERM EXIT
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "stopped"
}
trap stop INT TERM EXIT
nginx -c "$conf" -p var/nginx &
pids+=($!)
echo "OKpay help center: http://127.0.0.1:$port/  (Ctrl-C stops)"
wait -n
