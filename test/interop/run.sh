#!/bin/bash
# Run interop cases: two gateway implementations configured from one
# scenario file, in the topology of topo-up.sh, with real ESP (UML guest).
#
#   test/interop/run.sh CASE...
#   CASE = A-B:SCENARIO[:initiator|responder]
#     A, B: ikegw | strongswan | libreswan  (ss, ls for short)
#     A plays side a (gwa), B side b (gwb); the role is A's (default: the
#     scenario's ROLE).  Example: ikegw-strongswan:1-gcm-x25519:responder
#
# On the host it boots UML (test/kernel/uml.sh) and runs itself there, all
# cases in one guest.  Prints PASS/FAIL lines, "# timing" lines and a
# "N passed, N failed" summary; exit status 0 only if nothing failed.
# UML_OUT=DIR keeps the guest's files; a failing case's work directory
# (configs, daemon logs, status) is copied there.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# The guest starts with a clean environment: these travel as --env args.
FORWARD="IKEGWD IKEGW IKEGW_STRONGSWAN_ROOT IKEGW_LOG_LEVEL LS_PLUTODEBUG
	LS_RETRANSMIT_TIMEOUT SS_RETRANSMIT_TRIES"
if [ -z "${IKEGW_OUT:-}" ] && [ "${INTEROP_IN_GUEST:-0}" != 1 ]; then
	fwd=()
	for v in $FORWARD; do
		[ -n "${!v:-}" ] && fwd+=(--env "$v=${!v}")
	done
	exec "$repo/test/kernel/uml.sh" -t "${INTEROP_TIMEOUT:-900}" "$here/run.sh" \
		"${fwd[@]}" "$@"
fi
while [ "${1:-}" = --env ]; do export "${2?}"; shift 2; done
. "$here/lib.sh"

W=/tmp/io
pass=0 fail=0 case_fail=0

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); case_fail=1; }
check() { local _name=$1; shift; if "$@"; then ok "$_name"; else bad "$_name"; return 1; fi; }
timing() { now_ms; echo "# timing $CASE: $1 $((MS - T0)) ms"; }
mark() { now_ms; T0=$MS; }

impl() {
	case $1 in
	ss|strongswan) R=strongswan ;;
	ls|libreswan) R=libreswan ;;
	ikegw) R=ikegw ;;
	*) return 1 ;;
	esac
}

# ---- status helpers (files written by snap) ----

snap() { "$DA" status "$W/a" >"$W/a.status"; "$DB" status "$W/b" >"$W/b.status"; }
show() { sed 's/^/  a: /' "$W/a.status"; sed 's/^/  b: /' "$W/b.status"; }

# "in out lts rts" of each installed CHILD SA, TS lists sorted
children_of() {
	local k n st i o l r
	while read -r k n st i o l r; do
		[ "$k" = CHILD ] && [ "$st" = INSTALLED ] || continue
		l=$(tr , '\n' <<<"$l" | sort | paste -sd,)
		r=$(tr , '\n' <<<"$r" | sort | paste -sd,)
		echo "$i $o $l $r"
	done <"$1"
}

# every CHILD SA of A has its mirror in B: A's in = B's out, TS swapped
children_mirror() {
	local i o l r n=0 m
	children_of "$W/a.status" >"$W/a.children"
	children_of "$W/b.status" >"$W/b.children"
	while read -r i o l r; do
		grep -qx "$o $i $r $l" "$W/b.children" ||
			{ echo "  no mirror of $i $o $l $r in B" >&2; return 1; }
		n=$((n + 1))
	done <"$W/a.children"
	m=$(wc -l <"$W/b.children")
	[ "$n" -eq "$m" ] || { echo "  A has $n CHILD SAs, B $m" >&2; return 1; }
	[ "$n" -gt 0 ] || { echo "  no CHILD SA to compare" >&2; return 1; }
}

n_children() { grep -c '^CHILD [^ ]* INSTALLED ' "$1"; }
count_children() { [ "$(n_children "$1")" -eq "$2" ]; }
ike_up() { grep -q '^IKE [^ ]* ESTABLISHED ' "$1"; }
ike_ports_4500() { awk '$1 == "IKE" && $4 ~ /:4500$/ && $5 ~ /:4500$/ { f = 1 } END { exit !f }' "$1"; }
ike_reason() { awk -v r="$2" '$1 == "IKE" && $7 == r { f = 1 } END { exit !f }' "$1"; }
ike_id() { awk '$1 == "IKE" && $3 == "ESTABLISHED" { print $6; exit }' "$1"; }
# both ends name the same IKE SA (SPI_I/SPI_R; libreswan shows no SPIs)
ike_agree() {
	local a b
	a=$(ike_id "$W/a.status") b=$(ike_id "$W/b.status")
	case "$a$b" in *"#"*) return 0 ;; esac
	[ -n "$a" ] && [ "$a" = "$b" ]
}
child_spis() { awk '$1 == "CHILD" && $3 == "INSTALLED" { print $4 }' "$1" | sort | paste -sd,; }

# ikegw's MISSING lines are exactly the pairs of EXPECT_MISSING ("L=R ...")
missing_as_expected() {
	local p n=0
	for p in $EXPECT_MISSING; do
		grep -q "^MISSING [^ ]* ${p/=/ }\$" "$W/a.status" || return 1
		n=$((n + 1))
	done
	[ "$(grep -c '^MISSING ' "$W/a.status")" -eq "$n" ]
}

wait_ike_up() { wait_for "$1" eval 'snap; ike_up "$W/a.status" && ike_up "$W/b.status"'; }
wait_children() {
	WANT=$2
	wait_for "$1" eval 'snap; count_children "$W/a.status" $WANT && count_children "$W/b.status" $WANT'
}

# ---- kernel-side helpers ----

# packets of every ESP SA of NS (ip -s xfrm state), one number a line
esp_packets() {
	ip -n "$1" -s xfrm state | awk '/lifetime current:/ { cur = 1; next }
		cur && /packets/ { sub(/.*bytes\), /, ""); sub(/\(packets.*/, ""); print; cur = 0 }'
}
esp_all_moved() {
	local n=0 p
	for p in $(esp_packets "$1"); do [ "$p" -gt 0 ] || return 1; n=$((n + 1)); done
	[ "$n" -ge 2 ]
}
esp_encap() { ip -n "$1" xfrm state | grep -q 'encap type espinudp'; }

guard_drops() {
	ip netns exec "$1" iptables-legacy -L FORWARD -v -n -x |
		awk '$3 == "DROP" { n += $1 } END { print n + 0 }'
}

ping_ok() { ip netns exec "$1" ping -q -c 3 -i 0.2 -w 10 "$2" >/dev/null 2>&1; }

# ---- the phases of a case ----

case_setup() {
	mark
	rm -rf "$W"; mkdir -p "$W"
	"$here/topo-up.sh" down
	"$here/topo-up.sh" "${TOPOLOGY:-direct}" || { bad "$CASE topology"; return 1; }
	timing "topology ${TOPOLOGY:-direct} + crypto warm-up"
	mark
	SCN_ROLE=$ROLE_A "$DA" configure "$W/a" "$FILE" a &&
		SCN_ROLE=$ROLE_A "$DB" configure "$W/b" "$FILE" b ||
		{ bad "$CASE configure"; return 1; }
	timing "configure both"
	mark
	check "$CASE start-a" "$DA" start "$W/a" gwa || return 1
	check "$CASE start-b" "$DB" start "$W/b" gwb || return 1
	timing "start both ($IA: $(cat "$W/a/timing"); $IB: $(cat "$W/b/timing"))"
	if [ "$ROLE_A" = initiator ]; then DI=$DA WI=$W/a; else DI=$DB WI=$W/b; fi
	mark
	"$DI" initiate "$WI" "${1:-30}"
	timing "initiate (all CHILD SAs)"
	snap; show
}

case_up() {
	local n=$EXPECT_CHILDREN d0 d1
	wait_ike_up 5
	check "$CASE ike-established" eval 'ike_up "$W/a.status" && ike_up "$W/b.status"'
	# a responder may still be installing the last CHILD SA
	wait_children 5 "$n"
	check "$CASE $n-child-sas" eval 'count_children "$W/a.status" $n && count_children "$W/b.status" $n'
	check "$CASE status-agree" eval 'ike_agree && children_mirror'
	if [ "${EXPECT_NAT:-no}" = yes ]; then
		check "$CASE nat-t-ports" eval 'ike_ports_4500 "$W/a.status" && ike_ports_4500 "$W/b.status"'
		check "$CASE esp-in-udp" eval 'esp_encap gwa && esp_encap gwb'
	fi
	if [ -n "$EXPECT_MISSING" ] && [ "$IA" = ikegw ]; then
		check "$CASE missing-reported" missing_as_expected
	fi
	mark
	check "$CASE ping-a-to-b" ping_ok "$A_NS1" "$B_HOST1"
	timing "first ping (3 echoes, 0.2 s apart)"
	check "$CASE ping-b-to-a" ping_ok "$B_NS1" "$A_HOST1"
	if [ "$n" -gt 1 ]; then	# every pair, so that every SA carries traffic
		check "$CASE ping-pairs" eval 'ping_ok "$A_NS1" "$B_HOST2" &&
			ping_ok "$A_NS2" "$B_HOST1" && ping_ok "$A_NS2" "$B_HOST2"'
	fi
	check "$CASE esp-counters-gwa" esp_all_moved gwa
	check "$CASE esp-counters-gwb" esp_all_moved gwb
}

# Scenario 7: the peer (B) rekeys CHILD and IKE SA under a continuous ping.
case_rekey() {
	local dur=$EXPECT_DURATION iv=$PING_INTERVAL c0 c1 i0 i1 d0 d1 sent recv out mid tail min
	c0=$(child_spis "$W/b.status") i0=$(ike_id "$W/b.status")
	mark
	# dur seconds of wall time: a UML guest sends a 20 ms ping ~1.5x
	# slower than asked, so a count would stretch the case
	ip netns exec "$A_NS1" ping -D -i "$iv" -w "$dur" "$B_HOST1" >"$W/ping.out" 2>&1
	timing "continuous ping ($dur s, every $iv s)"
	sent=$(awk '/packets transmitted/ { print $1 }' "$W/ping.out")
	recv=$(awk '/packets transmitted/ { print $4 }' "$W/ping.out")
	echo "  ping: $sent sent, $recv received"
	# echoes lost before the last answered one, and about when (to match
	# with the daemons' logs); after it only the one in flight when the
	# deadline stopped ping may be missing
	out=$(awk -v n="${sent:-0}" -v iv="$iv" '/icmp_seq=/ { t = $1; gsub(/[][]/, "", t)
			s = $0; sub(/.*icmp_seq=/, "", s); sub(/ .*/, "", s); s += 0
			seen[s] = 1; if (!t0) t0 = t - iv * s; if (s > m) m = s }
		END { for (i = 1; i <= m; i++) if (!(i in seen)) {
				lost++; printf "  lost icmp_seq=%d at about %.3f (epoch)\n", i, t0 + iv * i }
			print "loss", lost + 0, n - m }' "$W/ping.out")
	echo "$out" | grep -v '^loss '
	read -r _ mid tail <<<"$(echo "$out" | grep '^loss ')"
	min=$(awk -v d="$dur" -v i="$iv" 'BEGIN { print int(d / i / 4) }')
	if [ "$IA" = ikegw ]; then
		# ikegw, answering the peer's rekeys, moves its traffic to the
		# new outbound SA when the peer deletes the old one (which shows
		# the peer has the new one); 5 s later without a Delete
		d0=$(grep -c 'installed (the old SA is deleted)' "$W/a/ikegwd.log")
		d1=$(grep -c 'installed (no Delete' "$W/a/ikegwd.log")
		echo "  ikegw: outbound SA installed on the peer's Delete: $d0, without one: $d1"
		check "$CASE outbound-after-peer-delete" test "$d0" -ge 1 -a "$d1" -eq 0
	fi
	# a quarter of the echoes asked for went out (at least), none lost mid-stream
	check "$CASE no-loss-during-rekey" eval '[ "${sent:-0}" -ge "$min" ] &&
		[ "${mid:-1}" -eq 0 ] && [ "${tail:-2}" -le 1 ]'
	# a rekey may be under way right now: wait for both sides to settle
	wait_for 10 eval 'snap; ike_agree && children_mirror 2>/dev/null'
	show
	c1=$(child_spis "$W/b.status") i1=$(ike_id "$W/b.status")
	check "$CASE child-rekeyed" eval '[ -n "$c1" ] && [ "$c1" != "$c0" ]'
	check "$CASE ike-rekeyed" eval '[ -n "$i1" ] && [ "$i1" != "$i0" ]'
	check "$CASE status-agree-after-rekey" eval 'ike_agree && children_mirror'
}

# Scenario 8: B deletes the CHILD SA, then the IKE SA; A must notice.
case_delete() {
	local first
	first=$(head -1 "$W/b/children")
	mark
	"$DB" terminate "$W/b" "$first" >/dev/null 2>&1
	check "$CASE child-delete-seen" wait_for 10 eval 'snap; [ "$(n_children "$W/a.status")" -eq $((EXPECT_CHILDREN - 1)) ]'
	timing "CHILD delete seen by A"
	mark
	"$DB" terminate "$W/b" ike >/dev/null 2>&1
	check "$CASE ike-delete-seen" wait_for 10 eval 'snap; ! ike_up "$W/a.status"'
	timing "IKE delete seen by A"
	show
	check "$CASE no-child-after-delete" eval '[ "$(n_children "$W/a.status")" -eq 0 ]'
}

case_fail() {
	wait_for 5 eval 'snap; false'	# give a failing exchange time to finish
	snap; show
	check "$CASE no-child-sa" eval '[ "$(n_children "$W/a.status")" -eq 0 ] && [ "$(n_children "$W/b.status")" -eq 0 ]'
	if [ -n "$EXPECT_REASON" ] && [ "$IA" = ikegw ]; then
		check "$CASE reason-$EXPECT_REASON" ike_reason "$W/a.status" "$EXPECT_REASON"
	fi
}

case_teardown() {
	local d0 d1
	mark
	check "$CASE stop-a" "$DA" stop "$W/a"
	check "$CASE stop-b" "$DB" stop "$W/b"
	timing "stop both"
	# With the daemons (and their policies) gone the leak guard must drop
	# the same ping: its DROP counter on gwa has to rise.
	d0=$(guard_drops gwa)
	ip netns exec "$A_NS1" ping -q -c 1 -w 2 "$B_HOST1" >/dev/null 2>&1 &&
		bad "$CASE leak-guard" "ping passed without IPsec"
	d1=$(guard_drops gwa)
	check "$CASE leak-guard" test "$d1" -gt "$d0"
	check "$CASE kernel-clean" eval '[ -z "$(ip -n gwa xfrm state)$(ip -n gwb xfrm state)" ]'
}

run_case() {
	local spec=$1 pair scn role tp
	CASE=${spec//:/-} case_fail=0
	pair=${spec%%:*}; scn=${spec#*:}
	role=; case $scn in *:*) role=${scn#*:}; scn=${scn%%:*} ;; esac
	impl "${pair%%-*}" && IA=$R && impl "${pair#*-}" && IB=$R ||
		{ bad "$CASE" "bad case (A-B:SCENARIO[:ROLE])"; return; }
	FILE=$here/scenarios/$scn.scn
	[ -r "$FILE" ] || { bad "$CASE" "no scenario $FILE"; return; }
	DA=$here/$IA.sh DB=$here/$IB.sh
	SCN_ROLE=$role scn_load "$FILE" a
	ROLE_A=$C_ROLE
	case " $PEERS " in
	*" $IA "*|*" $IB "*) ;;
	*) [ "$IA" = ikegw ] || [ "$IB" = ikegw ] ||
		echo "# note $CASE: scenario is meant for peers: $PEERS" ;;
	esac
	[ -n "$NOTE" ] && echo "# note $CASE: $NOTE"
	now_ms; tp=$MS
	# ikegw up waits for every pair; with EXPECT_MISSING one never comes
	# (the peer refused it at once), so do not wait the full 30 s for it.
	if case_setup "$([ "$EXPECT" = fail ] && echo 15 || { [ -n "$EXPECT_MISSING" ] && echo 8; } || echo 30)"; then
		if [ "$EXPECT" = fail ]; then
			case_fail
		else
			case_up
			[ -n "${EXPECT_DURATION:-}" ] && case_rekey
			[ -n "${EXPECT_AFTER_DELETE:-}" ] && case_delete
		fi
	fi
	case_teardown
	now_ms; echo "# timing $CASE: whole case $((MS - tp)) ms"
	if [ "$case_fail" = 1 ] && [ -n "${IKEGW_OUT:-}" ]; then
		mkdir -p "$IKEGW_OUT/$CASE" && cp -r "$W/." "$IKEGW_OUT/$CASE/" 2>/dev/null
	fi
}

[ $# -ge 1 ] || die "usage: run.sh A-B:SCENARIO[:ROLE]..."
for c in "$@"; do run_case "$c"; done
"$here/topo-up.sh" down
echo "interop: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
