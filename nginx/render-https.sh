#!/bin/sh
# Render the production site file: render-https.sh SITE_FILE SNIPPET_DIR
# Writes okpay-https.conf.in to SITE_FILE and the snippets it includes (okpay-maps.conf,
# okpay-server.conf, the headers, fastcgi.conf) into SNIPPET_DIR. Settings from the
# environment, with what make install uses by default:
#   OKPAY_SERVER_NAME  help.okpay.example      OKPAY_SITE   /usr/local/share/okpay/site
#   OKPAY_SNIPPETS     /etc/nginx/snippets/okpay (where SNIPPET_DIR will be in the end)
#   OKPAY_FCGI         /run/okpay/portal.sock  OKPAY_NGINX_LOG_DIR  /var/log/nginx/okpay
#   OKPAY_CERT         /etc/ssl/certs/ssl-cert-snakeoil.pem
#   OKPAY_CERT_KEY     /etc/ssl/private/ssl-cert-snakeoil.key
#   OKPAY_LISTEN_HTTP  "80 [::]:80"            OKPAY_LISTEN_HTTPS  "443 [::]:443"
set -eu
site_file=$1
snippets_out=$2
conf=$(cd "$(dirname "$0")" && pwd)
name=${OKPAY_SERVER_NAME:-help.okpay.example}
site=${OKPAY_SITE:-/usr/local/share/okpay/site}
snippets=${OKPAY_SNIPPETS:-/etc/nginx/snippets/okpay}
fcgi=${OKPAY_FCGI:-/run/okpay/portal.sock}
logs=${OKPAY_NGINX_LOG_DIR:-/var/log/nginx/okpay}
cert=${OKPAY_CERT:-/etc/ssl/certs/ssl-cert-snakeoil.pem}
key=${OKPAY_CERT_KEY:-/etc/ssl/private/ssl-cert-snakeoil.key}
listen_http=${OKPAY_LISTEN_HTTP:-80 [::]:80}
listen_https=${OKPAY_LISTEN_HTTPS:-443 [::]:443}
# The redirect names the HTTPS port unless it is 443.
port=${listen_https%% *}
port=${port##*:}
[ "$port" = 443 ] && port="" || port=":$port"
lines() { # one listen directive per address, on one line: nginx does not mind
	out=""
	for a in $1; do out="$out${out:+ }listen $a$2;"; done
	printf '%s' "$out"
}
mkdir -p "$(dirname "$site_file")" "$snippets_out"
subst() {
	sed -e "s|@SERVER_NAME@|$name|g" -e "s|@SITE@|$site|g" -e "s|@CONF@|$snippets|g" \
	    -e "s|@FCGI@|$fcgi|g" -e "s|@LOG_DIR@|$logs|g" -e "s|@CERT@|$cert|g" \
	    -e "s|@CERT_KEY@|$key|g" -e "s|@HTTPS_PORT@|$port|g" \
	    -e "s|@LISTEN_HTTP@|$(lines "$listen_http" "")|g" \
	    -e "s|@LISTEN_HTTPS@|$(lines "$listen_https" " ssl http2")|g" "$1"
}
subst "$conf/okpay-https.conf.in" > "$site_file"
for f in okpay-maps.conf okpay-server.conf security-headers.conf portal-headers.conf fastcgi.conf; do
	subst "$conf/$f" > "$snippets_out/$f"
done
