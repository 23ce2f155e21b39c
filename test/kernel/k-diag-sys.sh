#!/bin/bash
# `ikegw diagnose` against a real kernel: the real diag_sys
# (xfrm/diag_sys.c) and the report, through test/kernel/diagtool, on gwa of
# the standard topology with policies as ikegw installs them; then with
# forwarding off, a missing, blackhole, unreachable and prohibit route, a
# MASQUERADE rule (and its exemption), a missing and a foreign policy, and
# strict rp_filter.  Policies only: needs no ESP.
. "$(dirname "$0")/lib.sh"
DT=${DIAGTOOL:-$REPO/build/rel/test/kernel/diagtool}
A=192.0.2.1 B=192.0.2.2
R=$OURS_REQID_DEC
dt() { in_ns gwa "$DT" "$@"; }
# every (local, remote) pair of 10.1.{1,2}.0/24 x 10.2.{1,2}.0/24
PAIRS=(--pair 10.1.1.0/24=10.2.1.0/24 --pair 10.1.1.0/24=10.2.2.0/24
       --pair 10.1.2.0/24=10.2.1.0/24 --pair 10.1.2.0/24=10.2.2.0/24)
report() { dt report --local $A --remote $B "${PAIRS[@]}"; }
# verdict NAME VERDICT CHECK TEXT-REGEX: the report has that line
verdict() {
	local out
	out=$(report)
	expect "$1" "^$2  $3  $4" "$out"
}
sysctl_gwa() { in_ns gwa sh -c "echo $2 > /proc/sys/$1"; }
pol() {	# pol DIR SRC DST TSRC TDST REQID
	in_ns gwa ip xfrm policy add src "$2" dst "$3" dir "$1" \
		tmpl src "$4" dst "$5" proto esp reqid "$6" mode tunnel
}

[ -x "$DT" ] || { fail "diagtool built" "$DT missing (make build/rel/test/kernel/diagtool)"; ktest_done; }
"$TOPO" up || { fail "topology"; ktest_done; }
for l in 1 2; do
	for r in 1 2; do
		pol out 10.1.$l.0/24 10.2.$r.0/24 $A $B $R
		pol in 10.2.$r.0/24 10.1.$l.0/24 $B $A $R
		pol fwd 10.2.$r.0/24 10.1.$l.0/24 $B $A $R
	done
done

# the ops one by one
expect "diag_sys: sysctl" '^1$' "$(dt sysctl net/ipv4/ip_forward)"
expect "diag_sys: sysctl refuses .." '^error: Invalid argument$' "$(dt sysctl ../../etc/passwd)"
expect "diag_sys: route via gateway" '^unicast dev wan0 via 192\.0\.2\.2$' "$(dt route 10.2.1.10)"
expect "diag_sys: route to a local address" '^local dev lo$' "$(dt route 10.1.1.1)"
expect "diag_sys: IPv6 route" '^unicast dev wan0 via 2001:db8::2$' "$(dt route 2001:db8:2:1::10)"
expect "diag_sys: no route" '^error: Network is unreachable$' "$(dt route 10.9.9.9)"
expect "diag_sys: policy of ours" "^reqid $R\$" "$(dt policy 10.2.1.0/24 10.1.1.0/24 fwd)"
expect "diag_sys: exact selector only" '^none$' "$(dt policy 10.2.1.0/25 10.1.1.0/24 fwd)"
expect "diag_sys: iptables-legacy-save text" '^\*nat|^$' "$(dt nat legacy | grep -E '^\*nat' | head -1)"

out=$(report); rc=$?
expect "healthy: exit 0" '^0$' "$rc"
[ "$rc" = 0 ] || echo "$out" | sed "s/^/  /"
expect "healthy: ip_forward" '^PASS  ip_forward  net\.ipv4\.ip_forward = 1$' "$out"
expect "healthy: route_peer" '^PASS  route_peer  peer 192\.0\.2\.2 dev wan0$' "$out"
expect "healthy: route" '^PASS  route  10\.2\.2\.0/24 via 192\.0\.2\.2 dev wan0$' "$out"
expect "healthy: rp_filter" '^PASS  rp_filter  rp_filter = 0 \(off\) on wan0' "$out"
expect "healthy: policies" '^PASS  xfrm_policy  12 policies present \(out, in, fwd for 4 pairs\)' "$out"
expect "healthy: coverage" '^PASS  coverage  all 4 configured subnet pairs are carried' "$out"
expect "healthy: nat" '^PASS  nat  no nat POSTROUTING rule rewrites tunnel traffic \(checked iptables-legacy-save' "$out"

sysctl_gwa net/ipv4/ip_forward 0
verdict "forwarding off" FAIL ip_forward 'net\.ipv4\.ip_forward = 0$'
expect "forwarding off: exit 1" '^1$' "$(report >/dev/null; echo $?)"
sysctl_gwa net/ipv4/ip_forward 1

in_ns gwa ip route del 10.2.0.0/16
verdict "missing route" FAIL route 'no route to 10\.2\.1\.0/24 \(looked up 10\.2\.1\.1\)$'
for t in blackhole unreachable prohibit; do
	in_ns gwa ip route add $t 10.2.1.0/24
	verdict "$t route" FAIL route "the route to 10\\.2\\.1\\.0/24 \\(looked up 10\\.2\\.1\\.1\\) is $t\$"
	in_ns gwa ip route del $t 10.2.1.0/24
done
in_ns gwa ip route add 10.2.0.0/16 via $B

in_ns gwa iptables-legacy -t nat -A POSTROUTING -o wan0 -j MASQUERADE
verdict "MASQUERADE rule" FAIL nat '`-A POSTROUTING -o wan0 -j MASQUERADE` \(iptables-legacy-save\) rewrites 10\.1\.1\.0/24 -> 10\.2\.1\.0/24 before IPsec$'
in_ns gwa iptables-legacy -t nat -I POSTROUTING -m policy --dir out --pol ipsec -j ACCEPT
verdict "MASQUERADE with the ipsec exemption" PASS nat 'no nat POSTROUTING rule'
in_ns gwa iptables-legacy -t nat -F POSTROUTING

in_ns gwa ip xfrm policy del src 10.2.2.0/24 dst 10.1.2.0/24 dir fwd
verdict "missing fwd policy" FAIL xfrm_policy '1 of 12 policies wrong: fwd 10\.2\.2\.0/24 -> 10\.1\.2\.0/24 missing$'
pol fwd 10.2.2.0/24 10.1.2.0/24 $B $A 7
verdict "foreign policy" FAIL xfrm_policy "1 of 12 policies wrong: fwd 10\\.2\\.2\\.0/24 -> 10\\.1\\.2\\.0/24 has reqid 7, not ikegw's\$"

# the peer narrowed to two of the four pairs
PAIRS=(--pair 10.1.1.0/24=10.2.1.0/24 --pair 10.1.2.0/24=10.2.2.0/24)
verdict "pairs not negotiated" FAIL coverage '2 of 4 configured subnet pairs have no phase-2 SA: 10\.1\.1\.0/24 === 10\.2\.2\.0/24, 10\.1\.2\.0/24 === 10\.2\.1\.0/24$'

sysctl_gwa net/ipv4/conf/all/rp_filter 1
verdict "strict rp_filter" WARN rp_filter 'rp_filter = 1 \(strict\) on wan0 \(all = 1, wan0 = 0\)$'
ktest_done
