#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# HTTPS on the proxies: two certificates on one listener, each chosen by SNI;
# HTTP/2 negotiated by ALPN; the HTTP listener redirects to HTTPS; an inserted
# cookie keeps a client on one origin across 50 requests; the origin learns
# X-Forwarded-Proto https; a certificate replaced under the same name is served
# after a reload while a 4 MB HTTPS download in flight completes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_l7.sh"

e2e_init
# Certificates made here, private keys readable by root only (--check-config refuses others).
for site in a b; do
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$site.example.com" \
		-addext "subjectAltName=DNS:$site.example.com" -keyout "$XLB_RUNDIR/$site.key" \
		-out "$XLB_RUNDIR/$site.crt" 2>/dev/null || fail "openssl: certificate for $site"
	cat "$XLB_RUNDIR/$site.crt" "$XLB_RUNDIR/$site.key" >"$XLB_RUNDIR/$site.pem"
	chmod 600 "$XLB_RUNDIR/$site.pem"
done
L7_VIPS="  - {name: tls4, address: $VIP4, port: $HTTPS_PORT, protocol: tcp}"
L7_WWW_EXTRA="      redirect_https: $HTTPS_PORT"
L7_LISTENERS="    - name: secure
      vip: tls4
      protocol: https
      certificates: [$XLB_RUNDIR/a.pem, $XLB_RUNDIR/b.pem]
      default_group: app"
L7_LB_EXTRA="tls4 $VIP4 $HTTPS_PORT tcp be1=100 be2=100"
l7_up

# https_get SITE [CURL ARGS]: through the VIP, SNI and Host SITE.example.com, verified against its cert.
https_get() {
	local site=$1
	shift
	nsx cli curl -sS --max-time 3 --resolve "$site.example.com:$HTTPS_PORT:$VIP4" \
		--cacert "$XLB_RUNDIR/$site.crt" "$@" "https://$site.example.com/"
}
wait_for 10 "HTTPS through $VIP4" https_get a || fail "no HTTPS answer: $(https_get a 2>&1)"

for site in a b; do
	subject=$(https_get "$site" -v -o /dev/null 2>&1 | sed -n 's/^\*  subject: //p')
	[ "$subject" = "CN=$site.example.com" ] || fail "SNI $site.example.com got certificate '$subject'"
done
log "two certificates on one listener, each chosen by SNI"

version=$(https_get a --http2 -o /dev/null -w '%{http_version}')
[ "$version" = 2 ] || fail "curl --http2 negotiated HTTP/$version"
version=$(https_get a --http1.1 -o /dev/null -w '%{http_version}')
[ "$version" = 1.1 ] || fail "curl --http1.1 got HTTP/$version"
log "HTTP/2 by ALPN (and HTTP/1.1 still served)"

out=$(nsx cli curl -s --max-time 3 -o /dev/null -w '%{http_code} %{redirect_url}' \
	-H "Host: a.example.com" "http://$VIP4/some/path?q=1")
[ "$out" = "301 https://a.example.com/some/path?q=1" ] || fail "the HTTP listener answered '$out'"
log "HTTP redirected to HTTPS: $out"

rm -f "$XLB_RUNDIR/jar"
declare -A got=()
for _ in $(seq 50); do
	body=$(https_get a -b "$XLB_RUNDIR/jar" -c "$XLB_RUNDIR/jar") || fail "HTTPS request with the cookie failed"
	body=${body%% *}
	got[$body]=1
done
[ "${#got[@]}" = 1 ] || fail "50 requests with the cookie reached: ${!got[*]}"
grep -q XLBSRV "$XLB_RUNDIR/jar" || fail "no persistence cookie in the jar"
declare -A fresh=()
for _ in $(seq 20); do
	body=$(https_get a) || fail "HTTPS request failed"
	fresh[${body%% *}]=1
done
[ "${#fresh[@]}" = 2 ] || fail "20 requests without the cookie reached only ${!fresh[*]}: persistence proves nothing"
log "cookie persistence: 50 requests on ${!got[*]}; without the cookie both origins answer"

grep -q "xff=\"$CLI4\" proto=\"https\" host=a.example.com" "$XLB_RUNDIR"/origin-app*/access.log ||
	fail "no origin log line with X-Forwarded-Proto https from $CLI4"
log "the origin sees X-Forwarded-For $CLI4 and X-Forwarded-Proto https"

# --- a certificate rotated: replaced under the same name, a reload, no connection dropped -------------
served_fingerprint() { # SITE: the certificate the VIP serves for SNI SITE.example.com
	nsx cli timeout 5 openssl s_client -connect "$VIP4:$HTTPS_PORT" -servername "$1.example.com" \
		</dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256
}
old=$(served_fingerprint a)
[ -n "$old" ] || fail "no certificate served for a.example.com"
reloads=$(proxy_field be1 reloads)
bg cli "$XLB_RUNDIR/download.log" curl -sS --max-time 30 -o "$XLB_RUNDIR/download.bin" \
	--resolve "a.example.com:$HTTPS_PORT:$VIP4" --cacert "$XLB_RUNDIR/a.crt" \
	"https://a.example.com/files/big.bin"
download=$BG_PID
sleep 1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=a.example.com" \
	-addext "subjectAltName=DNS:a.example.com" -keyout "$XLB_RUNDIR/a2.key" \
	-out "$XLB_RUNDIR/a2.crt" 2>/dev/null || fail "openssl: the new certificate"
cat "$XLB_RUNDIR/a2.crt" "$XLB_RUNDIR/a2.key" >"$XLB_RUNDIR/a2.pem"
chmod 600 "$XLB_RUNDIR/a2.pem"
mv "$XLB_RUNDIR/a2.pem" "$XLB_RUNDIR/a.pem"
new=$(openssl x509 -noout -fingerprint -sha256 -in "$XLB_RUNDIR/a2.crt")
for be in $PROXIES; do
	out=$(lbctl "$be" reload 2>&1) || fail "reload after the rotation refused on $be: $out"
done
[ "$(proxy_field be1 reloads)" = $((reloads + 1)) ] || fail "a rotated certificate did not reload HAProxy"
pid_alive "$download" || fail "the HTTPS download ended before the rotation was over"
for _ in 1 2 3 4; do # both proxies, whichever the LB picks
	[ "$(served_fingerprint a)" = "$new" ] || fail "the old certificate is still served after the reload"
done
[ "$old" != "$new" ] || fail "the rotation test made the same certificate twice"
wait "$download" || fail "the HTTPS download failed across the rotation: $(cat "$XLB_RUNDIR/download.log")"
cmp -s "$XLB_RUNDIR/download.bin" "$XLB_RUNDIR/big.bin" ||
	fail "the HTTPS download across the rotation differs ($(stat -c %s "$XLB_RUNDIR/download.bin") bytes)"
log "certificate rotated by a seamless reload; the 4 MB HTTPS download in flight completed byte for byte"
