#!/bin/bash
# Interop smoke test of the peer drivers themselves, without ikegw:
# strongSwan <-> libreswan in the UML guest (real ESP), each side once as
# initiator.  Proves configs, drivers and topology before ikegwd is
# involved.  Prints PASS/FAIL lines and "# timing" lines.
#
#   test/interop/smoke.sh [PAIR...]    on the host: boots UML and runs itself there
#   PAIR: ss-ls:SCENARIO (strongSwan is side a) or ls-ss:SCENARIO
#
# Needs test/deps-interop.sh to have run.  UML_OUT=DIR keeps the logs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ -z "${IKEGW_OUT:-}" ] && [ "${INTEROP_IN_GUEST:-0}" != 1 ]; then
	exec "$repo/test/kernel/uml.sh" -t "${SMOKE_TIMEOUT:-420}" "$here/smoke.sh" "$@"
fi
. "$here/lib.sh"

pairs=${*:-"ss-ls:1-gcm-x25519 ls-ss:1-gcm-x25519 ss-ls:2-cbc-modp2048-pfs ls-ss:4-multi-subnet-split"}
W=/tmp/io
pass=0 fail=0

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
check() { local _name=$1; shift; if "$@"; then ok "$_name"; else bad "$_name"; fi; }

drv() { case $1 in ss) echo "$here/strongswan.sh" ;; ls) echo "$here/libreswan.sh" ;; esac; }

# "in out lts rts" of each CHILD line, TS lists sorted
children_of() {
	awk '$1 == "CHILD" { print $4, $5, $6, $7 }' "$1" | while read -r i o l r; do
		echo "$i $o $(echo "$l" | tr , '\n' | sort | paste -sd,) $(echo "$r" | tr , '\n' | sort | paste -sd,)"
	done
}

# every CHILD SA of A has its mirror in B: A's in = B's out, TS swapped
children_mirror() {
	local i o l r n=0
	while read -r i o l r; do
		grep -qx "$o $i $r $l" "$W/b.children" || { echo "  no mirror of $i $o $l $r in B" >&2; return 1; }
		n=$((n + 1))
	done <"$W/a.children"
	[ "$n" -eq "$(wc -l <"$W/b.children")" ]
}

count_children() { [ "$(grep -c '^CHILD .* INSTALLED ' "$1")" -eq "$2" ]; }
ike_up() { grep -q '^IKE .* ESTABLISHED ' "$1"; }

# packets of every ESP SA of NS (ip -s xfrm state), one number a line
esp_packets() {
	ip -n "$1" -s xfrm state | awk '/^src /{sa=1} /lifetime current:/{cur=1; next}
		cur && /packets/ { sub(/.*bytes\), /, ""); sub(/\(packets.*/, ""); print; cur=0 }'
}
esp_all_moved() {
	local n=0 p
	for p in $(esp_packets "$1"); do [ "$p" -gt 0 ] || return 1; n=$((n + 1)); done
	[ "$n" -ge 2 ]
}

guard_drops() {
	ip netns exec "$1" iptables-legacy -L FORWARD -v -n -x |
		awk '$3 == "DROP" { n += $1 } END { print n + 0 }'
}

ping_from() { ip netns exec "$1" ping -q -c 2 -i 0.2 -w 10 -I "$2" "$3" >/dev/null 2>&1; }

ping_ok() { ip netns exec "$1" ping -q -c 3 -i 0.2 -w 10 "$2" >/dev/null 2>&1; }

run_pair() {
	local da=${1%%:*} scn=${1#*:} a b sa sb t0 t1 name role_a init dinit n tp
	now_ms; tp=$MS
	case $da in ss-ls) a=ss b=ls ;; ls-ss) a=ls b=ss ;; *) bad "$1" "bad pair"; return ;; esac
	name="$da-$scn"
	local file=$here/scenarios/$scn.scn
	sa=$(drv $a) sb=$(drv $b)
	rm -rf "$W"; mkdir -p "$W"
	"$here/topo-up.sh" down
	now_ms; t0=$MS
	"$here/topo-up.sh" direct || { bad "$name topology"; return; }
	now_ms
	echo "# timing $name: topology + crypto warm-up $((MS - t0)) ms"
	scn_load "$file" a
	role_a=$C_ROLE n=$EXPECT_CHILDREN
	now_ms; t0=$MS
	"$sa" configure "$W/a" "$file" a && "$sb" configure "$W/b" "$file" b ||
		{ bad "$name configure"; return; }
	now_ms
	echo "# timing $name: configure both $((MS - t0)) ms"
	now_ms; t0=$MS
	check "$name start-a" "$sa" start "$W/a" gwa
	check "$name start-b" "$sb" start "$W/b" gwb
	now_ms; t1=$MS
	echo "# timing $name: start both ${a}+${b} $((t1 - t0)) ms; a: $(cat "$W/a/timing" 2>/dev/null); b: $(cat "$W/b/timing" 2>/dev/null)"
	if [ "$role_a" = initiator ]; then init=$sa dinit=$W/a; else init=$sb dinit=$W/b; fi
	now_ms; t0=$MS
	"$init" initiate "$dinit" 30; now_ms; t1=$MS
	echo "# timing $name: initiate (all CHILD SAs) $((t1 - t0)) ms"
	now_ms; t0=$MS
	"$sa" status "$W/a" >"$W/a.status"; "$sb" status "$W/b" >"$W/b.status"
	now_ms
	echo "# timing $name: status both $((MS - t0)) ms"
	sed 's/^/  a: /' "$W/a.status"; sed 's/^/  b: /' "$W/b.status"
	children_of "$W/a.status" >"$W/a.children"; children_of "$W/b.status" >"$W/b.children"
	check "$name ike-established" eval 'ike_up "$W/a.status" && ike_up "$W/b.status"'
	check "$name $n-child-sas" eval 'count_children "$W/a.status" $n && count_children "$W/b.status" $n'
	check "$name status-agree" children_mirror
	now_ms; t0=$MS
	check "$name ping-a-to-b" ping_ok hosta "$B_HOST1"
	now_ms; t1=$MS
	echo "# timing $name: first ping (3 echoes at 0.2 s) $((t1 - t0)) ms"
	check "$name ping-b-to-a" ping_ok hostb "$A_HOST1"
	if [ "$n" -gt 1 ]; then	# every pair, so that every SA carries traffic
		check "$name ping-pairs" eval 'ping_from hosta "$A_HOST1" "$B_HOST2" &&
			ping_from hosta "$A_HOST2" "$B_HOST1" && ping_from hosta "$A_HOST2" "$B_HOST2"'
	fi
	check "$name esp-counters-gwa" esp_all_moved gwa
	check "$name esp-counters-gwb" esp_all_moved gwb
	now_ms; t0=$MS
	check "$name stop-a" "$sa" stop "$W/a"
	now_ms; t1=$MS
	check "$name stop-b" "$sb" stop "$W/b"
	now_ms
	echo "# timing $name: stop a $((t1 - t0)) ms, stop b $((MS - t1)) ms"
	# with the daemons gone the leak guard must stop the same ping
	# With the daemons gone (and their policies), the same ping must be
	# dropped by the leak guard: its DROP counter on gwa has to rise.
	local d0 d1
	d0=$(guard_drops gwa)
	ip netns exec hosta ping -q -c 1 -w 2 "$B_HOST1" >/dev/null 2>&1 &&
		bad "$name leak-guard" "ping passed without IPsec"
	d1=$(guard_drops gwa)
	check "$name leak-guard" test "$d1" -gt "$d0"
	now_ms
	echo "# timing $name: whole pair $((MS - tp)) ms"
	if [ "$fail" -gt 0 ] && [ -n "${IKEGW_OUT:-}" ]; then
		mkdir -p "$IKEGW_OUT/$name" && cp -r "$W/." "$IKEGW_OUT/$name/" 2>/dev/null
	fi
}

for p in $pairs; do run_pair "$p"; done
"$here/topo-up.sh" down
echo "smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
