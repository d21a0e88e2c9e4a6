# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The demo's layer 7 (sourced by demo.sh after lib_bgp.sh): be3 becomes a proxy
# node (lbagent role proxy, HAProxy) serving HTTPS on VIP 192.0.2.10:443 with a
# certificate made here, a path rule (/api/ to be1) and a default group (be1,
# be2); the LB nodes send :443 to be3 and check its health endpoint.

DEMO_L7_HOST=shop.example.com
DEMO_L7_HEALTH=8404
BGP_VIPS_EXTRA="$BGP_VIPS_EXTRA
  - name: shop443
    address: $VIP4
    port: 443
    protocol: tcp
    zones: {primary: a, secondary: b}
    health: {type: http, port: $DEMO_L7_HEALTH, path: /healthz, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}
    backends:
      - address: \"${BE4[be3]}\""

# be3's backend agent replaced by one in role proxy with the same VIPs and a proxy: section.
demo_l7_up() {
	local conf=$XLB_RUNDIR/be3-proxy.yaml
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$DEMO_L7_HOST" \
		-addext "subjectAltName=DNS:$DEMO_L7_HOST" -keyout "$XLB_RUNDIR/shop.key" \
		-out "$XLB_RUNDIR/shop.crt" 2>/dev/null || fail "openssl: the demo's certificate"
	cat "$XLB_RUNDIR/shop.crt" "$XLB_RUNDIR/shop.key" >"$XLB_RUNDIR/shop.pem"
	chmod 600 "$XLB_RUNDIR/shop.pem"
	be_config_write be3 "$conf"
	sed -i 's/^  role: backend$/  role: proxy/' "$conf"
	cat >>"$conf" <<-YAML
	  - {name: shop443, address: $VIP4, port: 443, protocol: tcp}
	proxy:
	  run_dir: $XLB_RUNDIR/run/be3-haproxy
	  health: {port: $DEMO_L7_HEALTH, path: /healthz}
	  listeners:
	    - name: shop
	      vip: shop443
	      protocol: https
	      certificates: [$XLB_RUNDIR/shop.pem]
	      rules:
	        - {host: $DEMO_L7_HOST, path: /api/, group: api}
	      default_group: web
	  groups:
	    - name: web
	      cookie: SHOPSRV
	      check: {path: /, interval: 1s, timeout: 500ms}
	      servers:
	        - {name: be1, address: ${BE4[be1]}, port: $HTTP_PORT}
	        - {name: be2, address: ${BE4[be2]}, port: $HTTP_PORT}
	    - name: api
	      check: {path: /, interval: 1s, timeout: 500ms}
	      servers:
	        - {name: be1, address: ${BE4[be1]}, port: $HTTP_PORT}
	YAML
	"$LBAGENT" --check-config "$conf" >/dev/null || fail "the demo's proxy config is refused"
	stop_pid "${AGENT_PID[be3]}"
	bg be3 "$XLB_RUNDIR/be3-agent.log.$(date +%s%N)" "$LBAGENT" -c "$conf"
	AGENT_PID[be3]=$BG_PID
	agent_wait_attached be3
}

demo_l7_show() {
	local curl=(nsx cli curl -s -m 3 --cacert "$XLB_RUNDIR/shop.crt"
		--resolve "$DEMO_L7_HOST:443:$VIP4")
	wait_for 20 "HTTPS through $VIP4:443" "${curl[@]}" -o /dev/null "https://$DEMO_L7_HOST/" ||
		fail "no HTTPS answer through $VIP4:443"
	echo "be3 runs lbagent in role proxy: HAProxy on $VIP4:443, config $XLB_RUNDIR/be3-proxy.yaml"
	printf '$ curl --http2 https://%s/        -> %s\n' "$DEMO_L7_HOST" \
		"$("${curl[@]}" --http2 -w ' (HTTP/%{http_version}, default group web)' "https://$DEMO_L7_HOST/" | tr -d '\n')"
	printf '$ curl --http2 https://%s/api/x   -> %s\n' "$DEMO_L7_HOST" \
		"$("${curl[@]}" --http2 -w ' (HTTP/%{http_version}, rule /api/ -> group api)' "https://$DEMO_L7_HOST/api/x" | tr -d '\n')"
	echo "\$ ip netns exec $(ns be3) lbctl -s $(agent_sock be3) listener list"
	lbctl be3 listener list || fail "lbctl listener list on be3 failed"
}
