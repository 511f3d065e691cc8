#!/bin/sh
# Render nginx.conf.in for one run: render.sh PORT SITE_DIR VAR_DIR [FCGI_SOCKET]
# Prints the path of the rendered configuration. Paths are made absolute.
set -eu
port=$1
site=$(cd "$2" && pwd)
mkdir -p "$3"
var=$(cd "$3" && pwd)
fcgi=${4:-$var/run/okpay.sock}
conf=$(cd "$(dirname "$0")" && pwd)
out=$var/nginx
mkdir -p "$out/body" "$out/fastcgi" "$out/proxy" "$out/uwsgi" "$out/scgi" "$var/log" "$var/run"
# As root, nginx's workers would otherwise switch to a user that cannot read the checkout.
user=""
[ "$(id -u)" = 0 ] && user="user root;"
for f in nginx.conf.in okpay-maps.conf okpay-server.conf security-headers.conf portal-headers.conf fastcgi.conf mime.types; do
	sed -e "s|@PORT@|$port|g" -e "s|@SITE@|$site|g" -e "s|@VAR@|$var|g" \
	    -e "s|@CONF@|$out|g" -e "s|@FCGI@|$fcgi|g" -e "s|@USER@|$user|g" \
	    "$conf/$f" > "$out/${f%.in}"
done
echo "$out/nginx.conf"
