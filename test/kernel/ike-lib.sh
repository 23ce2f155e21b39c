# Helpers for end-to-end tests with two ikegwd (sourced after lib.sh).
IKEGWD=${IKEGWD:-$REPO/build/rel/ikegwd}
IKEGW=${IKEGW:-$REPO/build/rel/ikegw}
PSK="ikegw end-to-end test key 0123456789"

# gw_conf NS NAME BODY: write NS's config (mode 0600), one connection.
gw_conf() {
	local f=$KTEST_TMP/$1.conf
	printf '[connection %s]\n%s\npsk = %s\n' "$2" "$3" "$PSK" > "$f"
	chmod 600 "$f"
}
# gw_start NS [ARGS]: run ikegwd in NS in the foreground (background job).
gw_start() {
	local ns=$1
	shift
	ip netns exec "$ns" "$IKEGWD" -f -c "$KTEST_TMP/$ns.conf" -s "$KTEST_TMP/$ns.sock" \
		"$@" >>"$KTEST_TMP/$ns.log" 2>&1 &
	eval "PID_$ns=$!"
	# ready when the control socket answers
	for _ in $(seq 50); do
		ikc "$ns" status >/dev/null 2>&1; [ $? -ne 3 ] && return 0
		sleep 0.1
	done
	return 1
}
gw_stop() {
	local pid
	eval "pid=\${PID_$1:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "PID_$1="
}
gw_kill9() {
	local pid
	eval "pid=\${PID_$1:-}"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "PID_$1="
}
ikc() { local ns=$1; shift; ip netns exec "$ns" "$IKEGW" -s "$KTEST_TMP/$ns.sock" "$@"; }
# jfield NS CONN PYEXPR: evaluate PYEXPR over the connection's JSON (c).
jfield() {
	ikc "$1" status "$2" --json 2>/dev/null | python3 -c '
import json, sys
c = json.load(sys.stdin)["connections"][0]
print(eval(sys.argv[1]))' "$3"
}
# Our SAs/policies: reqid in 0x49470000..0x4947ffff.
owned_count() {
	{ ip -n "$1" xfrm state; ip -n "$1" xfrm policy; } |
		awk '/reqid/ { for (i = 1; i < NF; i++) if ($i == "reqid") { r = $(i + 1) + 0;
			if (r >= 1229389824 && r <= 1229455359) n++ } } END { print n + 0 }'
}
# Packets through our ESP SAs in NS, summed (ip -s xfrm state).
esp_packets() {
	ip -s -n "$1" xfrm state | awk '
		/^src/ { ours = 0 }
		/reqid/ { for (i = 1; i < NF; i++) if ($i == "reqid") { r = $(i + 1) + 0;
			ours = (r >= 1229389824 && r <= 1229455359) } }
		/\(packets\)/ && ours { sub(/\(packets\).*/, ""); n += $NF } END { print n + 0 }'
}
gw_cleanup() {
	local ns
	for ns in gwa gwb; do gw_stop $ns; done
	# a daemon started where its PID was not recorded must not outlive us
	pkill -TERM -x ikegwd 2>/dev/null && sleep 1
	pkill -KILL -x ikegwd 2>/dev/null
	rm -f "$KTEST_TMP"/*.log
}
