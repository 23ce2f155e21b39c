#!/bin/bash
# `ikegw diagnose` counters on real ESP (UML guest): a manually keyed
# tunnel (xfrmtool) between gwa and gwb; diagtool samples gwa's SA
# counters 2 s apart while a LAN ping runs.  Both ways: PASS.  gwb's
# outbound policy removed (replies leave unencrypted and gwa drops them):
# FAIL "the peer is not sending back".  gwa's outbound policy removed and
# the ping started on the other side: FAIL "this side is not sending".
# No traffic: WARN.
. "$(dirname "$0")/lib.sh"
DT=${DIAGTOOL:-$REPO/build/rel/test/kernel/diagtool}
A=192.0.2.1 B=192.0.2.2 AB=0x1001 BA=0x2001

counters() {	# counters: gwa's report from the counters line on (line + hint)
	in_ns gwa "$DT" report --local $A --remote $B --pair 10.1.1.0/24=10.2.1.0/24 \
		--spi-out $AB --spi-in $BA --sample 2 | sed -n '/^[A-Z]*  counters/,$p' |
		grep -v '  coverage  '
}
# with_ping FROM_NS DST CMD...: CMD while FROM_NS pings DST every 0.2 s
with_ping() {
	local ns=$1 dst=$2 pid out
	shift 2
	# ip netns exec execs ping: $! is the ping itself
	ip netns exec "$ns" ping -q -i 0.2 -c 25 "$dst" >/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	out=$("$@")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "$out"
}

[ -x "$DT" ] || { fail "diagtool built" "$DT missing"; ktest_done; }
"$TOPO" up || { fail "topology"; ktest_done; }
check "tunnel up on gwa" xt gwa tunnel-up --local $A --remote $B --pair 10.1.1.0/24=10.2.1.0/24 \
	--spi-out $AB --spi-in $BA --reqid $OURS_REQID --alg gcm
check "tunnel up on gwb" xt gwb tunnel-up --local $B --remote $A --pair 10.2.1.0/24=10.1.1.0/24 \
	--spi-out $BA --spi-in $AB --reqid $OURS_REQID --alg gcm
check "ping through the tunnel" ping_ok hosta1 10.2.1.10

expect "both ways: PASS" '^PASS  counters  in \+[1-9][0-9]* bytes \([1-9][0-9]* packets\), out \+[1-9][0-9]* bytes' \
	"$(with_ping hosta1 10.2.1.10 counters)"
expect "idle: WARN" '^WARN  counters  in \+0 bytes \(0 packets\), out \+0 bytes \(0 packets\) between the two samples$' \
	"$(counters)"

in_ns gwb ip xfrm policy del src 10.2.1.0/24 dst 10.1.1.0/24 dir out
out=$(with_ping hosta1 10.2.1.10 counters)
expect "peer not sending back: FAIL" '^FAIL  counters  in \+0 bytes \(0 packets\), out \+[1-9][0-9]* bytes' "$out"
expect "peer not sending back: hint" '^      hint: the peer is not sending back: check its routes and firewall' "$out"

in_ns gwb ip xfrm policy add src 10.2.1.0/24 dst 10.1.1.0/24 dir out \
	tmpl src $B dst $A proto esp reqid $OURS_REQID_DEC mode tunnel
in_ns gwa ip xfrm policy del src 10.1.1.0/24 dst 10.2.1.0/24 dir out
out=$(with_ping hostb1 10.1.1.10 counters)
expect "this side not sending: FAIL" '^FAIL  counters  in \+[1-9][0-9]* bytes \([1-9][0-9]* packets\), out \+0 bytes' "$out"
expect "this side not sending: hint" '^      hint: this side is not sending' "$out"
ktest_done
