# Helpers for kernel test scripts; source it:  . "$(dirname "$0")/lib.sh"
# Works inside the UML guest (uml.sh) and on a host kernel with ESP.
KTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$KTEST_DIR/../.." && pwd)
XFRMTOOL=${XFRMTOOL:-$REPO/build/rel/test/kernel/xfrmtool}
TOPO=$KTEST_DIR/topo.sh
OURS_REQID=0x49470001
OURS_REQID_DEC=$((OURS_REQID))
KTEST_FAILED=0
KTEST_TMP=$(mktemp -d)

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; KTEST_FAILED=1; }
# check NAME CMD...: PASS if CMD succeeds, else FAIL with its last lines.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -4 | tr '\n' ' ')"
	fi
}
# expect NAME REGEX TEXT: PASS if TEXT matches REGEX (grep -E).
expect() {
	if grep -qE -- "$2" <<<"$3"; then
		pass "$1"
	else
		fail "$1" "wanted /$2/, got: $(echo "$3" | tail -4 | tr '\n' ' ')"
	fi
}
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
xt() { local ns=$1; shift; ip netns exec "$ns" "$XFRMTOOL" "$@"; }
# ping_ok FROM_NS DST: one reply within 3 s (2 tries).
ping_ok() { ip netns exec "$1" ping -q -c 2 -i 0.2 -W 3 -w 4 "$2" >/dev/null 2>&1; }
# Leak guard: LAN-to-LAN traffic forwarded by a gateway without IPsec is
# dropped (and counted), so a ping that works went through ESP.
leak_guard() {
	local ns=$1 lnet=$2 rnet=$3
	in_ns "$ns" iptables-legacy -N LEAKGUARD
	in_ns "$ns" iptables-legacy -A LEAKGUARD -j DROP
	in_ns "$ns" iptables-legacy -A FORWARD -s "$lnet" -d "$rnet" -m policy --dir out --pol none -j LEAKGUARD
	in_ns "$ns" iptables-legacy -A FORWARD -s "$rnet" -d "$lnet" -m policy --dir in --pol none -j LEAKGUARD
}
leak_count() {
	in_ns "$1" iptables-legacy -L LEAKGUARD -v -x -n | awk '$3 == "DROP" { print $1 }'
}
# SA/policy lines in an ip xfrm listing that carry our test reqid.
ours_count() { ip -n "$1" xfrm "$2" | grep -c "reqid $OURS_REQID_DEC "; }
# The same, summed over several namespaces, states and policies at once.
ours_total() {
	local ns
	for ns in "$@"; do ip -n "$ns" xfrm state; ip -n "$ns" xfrm policy; done |
		grep -c "reqid $OURS_REQID_DEC "
}
ktest_done() { rm -rf "$KTEST_TMP"; exit "$KTEST_FAILED"; }
