#!/bin/bash
# `ikegw diagnose` against a real ikegwd <-> ikegwd tunnel in the guest
# kernel: all checks pass while a ping flows; then, one at a time on gwa,
# IP forwarding off (FAIL ip_forward), the route to the remote subnet
# removed (FAIL route), and ESP coming back dropped by iptables so only
# the outbound counter rises (FAIL counters: the peer is not sending back).
# Each asserts the FAIL line with its evidence, the hint, and exit 5.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike-lib.sh"
trap gw_cleanup EXIT
A=192.0.2.1 B=192.0.2.2

# diag [ARGS]: gwa's diagnose report in $OUT, exit status in $RC
diag() { OUT=$(ikc gwa diagnose office "$@" 2>&1); RC=$?; }
# diag_ping ARGS: the same while hosta1 pings hostb1 every 0.2 s
diag_ping() {
	local pid
	ip netns exec hosta1 ping -q -i 0.2 -c 40 10.2.1.10 >/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	diag "$@"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
show() { echo "$OUT" | sed 's/^/    /'; }

"$TOPO" up || { fail "topology"; ktest_done; }
gw_conf gwa office "local_address = $A
remote_address = $B
local_subnets = 10.1.1.0/24
remote_subnets = 10.2.1.0/24
start = manual"
gw_conf gwb office "local_address = $B
remote_address = $A
local_subnets = 10.2.1.0/24
remote_subnets = 10.1.1.0/24
start = respond"
gw_start gwb || fail "ikegwd starts on gwb"
gw_start gwa || fail "ikegwd starts on gwa"
ikc gwa up office --timeout 20 >/dev/null 2>&1
expect "tunnel established" '^established$' "$(jfield gwa office 'c["phase1"]')"
check "ping through the tunnel" ping_ok hosta1 10.2.1.10

# --- healthy: every check passes, the counters rise both ways ---
diag_ping --interval 2
expect "healthy: exit 0" '^0$' "$RC"
expect "healthy: two samples 2 s apart" '^counters compared over [23] s$' "$OUT"
expect "healthy: PASS ip_forward" '^PASS  ip_forward  net.ipv4.ip_forward = 1$' "$OUT"
expect "healthy: PASS route" "^PASS  route +10.2.1.0/24 via $B dev wan0$" "$OUT"
expect "healthy: PASS xfrm_policy" '^PASS  xfrm_policy 3 policies present \(out, in, fwd for 1 pair\)' "$OUT"
expect "healthy: PASS counters" '^PASS  counters +in \+[1-9][0-9]* bytes \([1-9][0-9]* packets\), out \+[1-9][0-9]* bytes' "$OUT"
expect "healthy: no FAIL" '^office: [0-9]+ checks: 0 failed' "$OUT"
[ "$RC" = 0 ] || show

# --- IP forwarding off on gwa ---
in_ns gwa sysctl -qw net.ipv4.ip_forward=0
diag --interval 0
in_ns gwa sysctl -qw net.ipv4.ip_forward=1
expect "forwarding off: exit 5" '^5$' "$RC"
expect "forwarding off: FAIL ip_forward with the value" \
	'^FAIL  ip_forward  net.ipv4.ip_forward = 0$' "$OUT"
expect "forwarding off: hint says how to fix it" \
	'^      hint: this gateway does not forward .*`sysctl -w net.ipv4.ip_forward=1`' "$OUT"
expect "forwarding off: one failure" '^office: [0-9]+ checks: 1 failed' "$OUT"

# --- no route to the remote subnet on gwa ---
in_ns gwa ip route del 10.2.0.0/16 via $B
diag --interval 0
in_ns gwa ip route add 10.2.0.0/16 via $B
expect "no route: exit 5" '^5$' "$RC"
expect "no route: FAIL route with the address looked up" \
	'^FAIL  route +no route to 10.2.1.0/24 \(looked up 10.2.1.1\)$' "$OUT"
expect "no route: hint names the route to add" \
	'^      hint: packets for this remote subnet are dropped .*`ip route add 10.2.1.0/24 dev wan0`' "$OUT"
expect "no route: the route to the peer itself is fine" "^PASS  route_peer  peer $B dev wan0$" "$OUT"

# --- one-way traffic: gwa drops the ESP coming back ---
in_ns gwa iptables-legacy -I INPUT -p esp -s $B -j DROP
diag_ping --interval 2
in_ns gwa iptables-legacy -D INPUT -p esp -s $B -j DROP
expect "one way: exit 5" '^5$' "$RC"
expect "one way: FAIL counters, out rises, in does not" \
	'^FAIL  counters +in \+0 bytes \(0 packets\), out \+[1-9][0-9]* bytes \([1-9][0-9]* packets\) between the two samples$' "$OUT"
expect "one way: hint says the peer is not sending back" \
	'^      hint: the peer is not sending back: check its routes and firewall' "$OUT"
expect "one way: the rest still passes" '^PASS  xfrm_policy' "$OUT"
[ "$RC" = 5 ] || show

# --- usage ---
OUT=$(ikc gwa diagnose nosuch --interval 0 2>&1); RC=$?
expect "unknown connection: exit 2" '^2$' "$RC"
gw_cleanup
ktest_done
