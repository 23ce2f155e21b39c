#!/bin/bash
# The body of `make demo` (test/kernel/demo.sh runs it on the host kernel
# or in the UML guest): two gateways negotiate IKEv2, a LAN host pings
# across kernel ESP, the tunnel goes down and leaves nothing behind.
# Exit status 0 only if every step worked; a failed step says which.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike-lib.sh"
PSK="demo-only key, never use it"
DEMO_FAILED=
declare -A BEFORE AFTER	# status text of each gateway before/after the ping
A=192.0.2.1 B=192.0.2.2

# demo_stop NS: stop the ikegwd we started in NS (by its PID); it removes
# what it installed.  KILL only if it has not gone after 5 s.
demo_stop() {
	local var=PID_$1
	local pid=${!var:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { echo "demo: ikegwd in $1 ignored SIGTERM" >&2; kill -KILL "$pid"; }
	{ wait "$pid"; } 2>/dev/null
	printf -v "$var" ''
}
# Stop exactly the daemons we started, then the topology.
demo_cleanup() {
	demo_stop gwa
	demo_stop gwb
	[ -n "${DEMO_TOPO:-}" ] && "$TOPO" down >/dev/null 2>&1
	rm -rf "$KTEST_TMP"
}
trap demo_cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM HUP

section() { printf '\n== %s\n' "$*"; }
# show NS CMD...: print "NS$ CMD" and its output, indented.
show() {
	local ns=$1
	shift
	printf '%s$ %s\n' "$ns" "$*"
	"$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}
# step_fail WHAT: record and say what did not work; the demo goes on
# only where later steps still make sense (the caller decides).
step_fail() {
	echo "demo: FAILED: $*" >&2
	DEMO_FAILED="${DEMO_FAILED:+$DEMO_FAILED; }$*"
}
finish() {
	local ns
	if [ -n "$DEMO_FAILED" ]; then
		for ns in gwa gwb; do
			[ -s "$KTEST_TMP/$ns.log" ] || continue
			echo "--- last lines of ikegwd's log on $ns"
			tail -8 "$KTEST_TMP/$ns.log"
		done
		printf '\ndemo failed: %s\n' "$DEMO_FAILED"
		exit 1
	fi
	printf '\ndemo: all steps worked.\n'
	exit 0
}
# ikegw_on NS ARGS...: show "[NS] $ ikegw ARGS" and run it against NS's
# daemon; its output stays in $OUT for checks.
ikegw_on() {
	local ns=$1 rc
	shift
	printf '[%s] $ ikegw %s\n' "$ns" "$*"
	OUT=$(ikc "$ns" "$@" 2>&1)
	rc=$?
	[ -n "$OUT" ] && printf '%s\n' "$OUT" | sed 's/^/    /'
	return $rc
}
# pkts_in/pkts_out TEXT: packet counters of the first phase-2 SA in a
# status text ("in 336 B / 4 pkts   out 336 B / 4 pkts").
counter_re='in ([0-9]+) B / ([0-9]+) pkts +out ([0-9]+) B / ([0-9]+) pkts'
# shellcheck disable=SC2086 # word splitting squeezes the blanks
counter_line() { [[ $1 =~ $counter_re ]] && echo ${BASH_REMATCH[0]} || echo "(no counters)"; }
pkts_in() { [[ $1 =~ $counter_re ]] && echo "${BASH_REMATCH[2]}" || echo 0; }
pkts_out() { [[ $1 =~ $counter_re ]] && echo "${BASH_REMATCH[4]}" || echo 0; }
# ikegwd's SAs (state) or policies (policy) in NS: reqids 0x49470000-0x4947ffff.
owned() {
	ip -n "$1" xfrm "$2" | awk '/reqid/ { for (i = 1; i < NF; i++) if ($i == "reqid") {
		r = $(i + 1) + 0; if (r >= 1229389824 && r <= 1229455359) n++ } } END { print n + 0 }'
}
# gw_config SIDE_NS LOCAL REMOTE LSUBS RSUBS START: the demo's ikegw.conf.
gw_config() {
	local f=$KTEST_TMP/$1.conf
	cat > "$f" <<CONF
# ikegw.conf of gateway $1 (see man ikegw.conf)
[connection office]
local_address = $2
remote_address = $3
local_subnets = $4
remote_subnets = $5
psk = $PSK
ike_encryption = aes256gcm16
ike_dh_group = 31
esp_encryption = aes256gcm16
start = $6
CONF
	chmod 600 "$f"
}

section "Topology (network namespaces; no packet leaves them)"
cat <<'PIC'
    hosta1 10.1.1.10 --+                                       +-- hostb1 10.2.1.10
                       +-- gwa 192.0.2.1 ==WAN== 192.0.2.2 gwb -+
    hosta2 10.1.2.10 --+                                       +-- hostb2 10.2.2.10
PIC
DEMO_TOPO=1
"$TOPO" up >/dev/null || { step_fail "building the topology (topo.sh up)"; finish; }

section "Configuration of gateway A (gateway B's mirrors it; PSK masked)"
gw_config gwa $A $B "10.1.1.0/24, 10.1.2.0/24" "10.2.1.0/24, 10.2.2.0/24" manual
gw_config gwb $B $A "10.2.1.0/24, 10.2.2.0/24" "10.1.1.0/24, 10.1.2.0/24" respond
echo '[gwa] $ cat gwa.conf'
sed -E 's/^(psk *= *).*/\1********  (a demo key)/' "$KTEST_TMP/gwa.conf" | sed 's/^/    /'
printf '[gwa] $ ikegw check-config -c gwa.conf\n'
"$IKEGW" check-config -c "$KTEST_TMP/gwa.conf" 2>&1 | tail -1 | sed "s|$KTEST_TMP/||; s/^/    /"
[ "${PIPESTATUS[0]}" -eq 0 ] || step_fail "ikegw check-config refused gateway A's file"

section "Start ikegwd on both gateways"
for ns in gwb gwa; do
	if gw_start $ns; then
		pid=PID_$ns
		echo "[$ns] \$ ikegwd -f -c $ns.conf &    (pid ${!pid})"
	else
		log=$(tail -3 "$KTEST_TMP/$ns.log" | tr '\n' ' ')
		step_fail "ikegwd did not start on $ns: ${log:-it printed nothing}"
		finish
	fi
done

section "Gateway A brings the tunnel up (IKEv2 with gateway B)"
ikegw_on gwa up office --timeout 20 || step_fail "ikegw up office did not establish"

section "Status on both sides"
for ns in gwa gwb; do
	ikegw_on $ns status office
	[[ $OUT =~ "phase 1 ESTABLISHED" ]] || step_fail "phase 1 not established on $ns"
	[[ $OUT =~ "phase 2 SA #1 ESTABLISHED" ]] || step_fail "phase 2 not established on $ns"
	BEFORE[$ns]=$OUT
done
[ -n "$DEMO_FAILED" ] && finish

section "A host behind A pings a host behind B, through kernel ESP"
echo '[hosta1] $ ping -c 4 -i 0.2 10.2.1.10'
out=$(in_ns hosta1 ping -c 4 -i 0.2 -W 3 10.2.1.10 2>&1)
echo "$out" | sed 's/^/    /'
grep -q ' 0% packet loss' <<<"$out" || step_fail "the ping across the tunnel lost packets"

section "The counters of the ESP SA rose (read from the kernel)"
ikegw_on gwb status office >/dev/null
AFTER[gwb]=$OUT
ikegw_on gwa status office
AFTER[gwa]=$OUT
for ns in gwa gwb; do
	b=${BEFORE[$ns]} a=${AFTER[$ns]}
	printf '    %s before the ping: %s\n    %s after the ping:  %s\n' \
		$ns "$(counter_line "$b")" $ns "$(counter_line "$a")"
	din=$(( $(pkts_in "$a") - $(pkts_in "$b") )) dout=$(( $(pkts_out "$a") - $(pkts_out "$b") ))
	if [ $din -ge 4 ] && [ $dout -ge 4 ]; then
		echo "    counters risen on $ns: $dout ESP packets out, $din in"
	else
		step_fail "$ns's ESP counters did not rise by the 4 pings (out +$dout, in +$din)"
	fi
done
printf '    in the kernel now: gwa %s SAs + %s policies, gwb %s SAs + %s policies of ikegwd\n' \
	"$(owned gwa state)" "$(owned gwa policy)" "$(owned gwb state)" "$(owned gwb policy)"

section "Gateway A takes the tunnel down"
ikegw_on gwa down office || step_fail "ikegw down office failed"
# gwb removes its side when A's delete arrives
for _ in $(seq 30); do
	[ "$(owned gwa state)$(owned gwa policy)$(owned gwb state)$(owned gwb policy)" = 0000 ] && break
	sleep 0.1
done
ikegw_on gwa status office
ikegw_on gwb status office
for ns in gwa gwb; do
	echo "[$ns] \$ ip xfrm state"
	out=$(ip -n $ns xfrm state)
	echo "    ${out:-(no SA)}"
done
left="gwa $(owned gwa state) SAs + $(owned gwa policy) policies, gwb $(owned gwb state) SAs + $(owned gwb policy) policies"
echo "    left in the kernel by ikegwd: $left"
[ "$left" = "gwa 0 SAs + 0 policies, gwb 0 SAs + 0 policies" ] ||
	step_fail "SAs or policies left after ikegw down: $left"

section "Stop the daemons, remove the namespaces"
for ns in gwa gwb; do
	demo_stop $ns
	echo "[$ns] ikegwd stopped"
done
finish
