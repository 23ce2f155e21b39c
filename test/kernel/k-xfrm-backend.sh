#!/bin/bash
# The netlink backend against a real kernel with ESP (UML guest or host),
# driven by xfrmtool: manually keyed tunnels carry LAN pings through ESP
# (GCM, CBC+SHA256, 3DES+SHA1, UDP-encapsulated, through a NAT), counters
# move, teardown and remove_owned leave foreign SAs/policies alone, expire
# and acquire events arrive, a refused SA carries the kernel's reason.
. "$(dirname "$0")/lib.sh"
A=192.0.2.1 B=192.0.2.2
PAIRS=(--pair 10.1.1.0/24=10.2.1.0/24 --pair 10.1.2.0/24=10.2.2.0/24)
RPAIRS=(--pair 10.2.1.0/24=10.1.1.0/24 --pair 10.2.2.0/24=10.1.2.0/24)

# up ALG SPI_AB SPI_BA [extra args for both sides]
up() {
	local alg=$1 ab=$2 ba=$3
	shift 3
	xt gwa tunnel-up --local $A --remote $B "${PAIRS[@]}" --spi-out "$ab" \
		--spi-in "$ba" --reqid $OURS_REQID --alg "$alg" "$@" &&
	xt gwb tunnel-up --local $B --remote $A "${RPAIRS[@]}" --spi-out "$ba" \
		--spi-in "$ab" --reqid $OURS_REQID --alg "$alg" "$@"
}
down() {
	local ab=$1 ba=$2
	xt gwa tunnel-down --local $A --remote $B "${PAIRS[@]}" --spi-out "$ab" \
		--spi-in "$ba" --reqid $OURS_REQID &&
	xt gwb tunnel-down --local $B --remote $A "${RPAIRS[@]}" --spi-out "$ba" \
		--spi-in "$ab" --reqid $OURS_REQID
}
# packets on an SA as xfrmtool (GETSA) and ip -s xfrm state report them
pkts_tool() { xt "$1" counters --dst "$2" --spi "$3" | sed -nE 's/.*packets=([0-9]+).*/\1/p'; }
pkts_ip() {
	in_ns "$1" ip -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
		sed -nE 's/^[[:space:]]*([0-9]+)\(bytes\), ([0-9]+)\(packets\).*/\2/p' | head -1
}

# tunnel ALG AB BA NAME [extra]: up, ping both subnet pairs, counters, down.
tunnel() {
	local alg=$1 ab=$2 ba=$3 name=$4 n
	shift 4
	check "$name: tunnel up" up "$alg" "$ab" "$ba" "$@" || true
	check "$name: ping 10.1.1.10 -> 10.2.1.10" ping_ok hosta1 10.2.1.10
	check "$name: ping 10.1.2.10 -> 10.2.2.10" ping_ok hosta2 10.2.2.10
	n=$(pkts_tool gwa $B "$ab")
	expect "$name: xfrm_get_counters sees ESP out of gwa" '^([4-9]|[1-9][0-9]+)$' "${n:-none}"
	n=$(pkts_tool gwa $A "$ba")
	expect "$name: xfrm_get_counters sees ESP into gwa" '^([4-9]|[1-9][0-9]+)$' "${n:-none}"
	n=$(pkts_ip gwb $A $B "$ab")
	expect "$name: ip -s xfrm state agrees on gwb" '^([4-9]|[1-9][0-9]+)$' "${n:-none}"
	check "$name: tunnel down" down "$ab" "$ba"
	expect "$name: no SA or policy of ours left" '^0$' "$(ours_total gwa gwb)"
}

"$TOPO" up || { fail "topology"; ktest_done; }
# Someone else's SA and policy (reqid 7): nothing of ours may touch them.
in_ns gwa ip xfrm state add src $A dst 192.0.2.99 proto esp spi 0x999 reqid 7 mode tunnel \
	aead 'rfc4106(gcm(aes))' 0x0102030405060708091011121314151617181920 128
in_ns gwa ip xfrm policy add src 10.9.9.0/24 dst 10.8.8.0/24 dir out \
	tmpl src $A dst 192.0.2.99 proto esp reqid 7 mode tunnel
leak_guard gwa 10.1.0.0/16 10.2.0.0/16
leak_guard gwb 10.2.0.0/16 10.1.0.0/16

tunnel gcm 0x1001 0x2001 gcm
tunnel cbc-sha256 0x1002 0x2002 cbc-sha256 --replay 128
tunnel 3des-sha1 0x1003 0x2003 3des-sha1 --esn --replay 64
expect "nothing crossed in clear" '^00$' "$(leak_count gwa)$(leak_count gwb)"
# The guard is live: without a tunnel the ping is dropped (and counted).
in_ns hosta1 ping -q -c 1 -W 1 10.2.1.10 >/dev/null 2>&1 && fail "leak guard drops cleartext" "ping worked without a tunnel" ||
	expect "leak guard drops cleartext" '^[1-9]' "$(leak_count gwa)"
in_ns gwa iptables-legacy -Z LEAKGUARD

# NAT-T: ESP in UDP 4500, sockets held by xfrmtool (UDP_ENCAP + bypass).
in_ns gwa "$XFRMTOOL" encap-listen 4500 120 >/dev/null & la=$!
in_ns gwb "$XFRMTOOL" encap-listen 4500 120 >/dev/null & lb=$!
sleep 0.3
tunnel gcm 0x1004 0x2004 encap --encap 4500:4500
out=$(up gcm 0x1005 0x2005 --encap 4500:4500 && in_ns gwa ip xfrm state)
expect "encap: state carries espinudp 4500" 'encap type espinudp sport 4500 dport 4500' "$out"
down 0x1005 0x2005 >/dev/null 2>&1

# Per-socket bypass: with a policy that tunnels the gateways' own
# addresses and no SA, only a bypass socket's datagram gets out.
xt gwa tunnel-up --local $A --remote $B --pair $A/32=$B/32 --no-sa --reqid $OURS_REQID
in_ns gwb "$XFRMTOOL" udp-recv 500 3 > "$KTEST_TMP/rx1" & r=$!
sleep 0.3
out=$(xt gwa udp-send $B 500 2>&1)
wait $r
expect "a plain socket's datagram is held by the tunnel policy" 'nothing received' \
	"$out / $(cat "$KTEST_TMP/rx1")"
in_ns gwb "$XFRMTOOL" udp-recv 500 3 > "$KTEST_TMP/rx2" & r=$!
sleep 0.3
xt gwa udp-send $B 500 --bypass >/dev/null 2>&1
wait $r
expect "xfrm_socket_bypass lets IKE past the tunnel policy" "received from $A" "$(cat "$KTEST_TMP/rx2")"
xt gwa remove-owned >/dev/null

# Crash: a tunnel left behind, then remove_owned from a fresh process.
up gcm 0x1006 0x2006 >/dev/null 2>&1
expect "remove_owned after a crash removes 2 SAs + 6 policies" '^removed 8$' "$(xt gwa remove-owned 2>&1)"
expect "remove_owned again finds nothing" '^removed 0$' "$(xt gwa remove-owned 2>&1)"
xt gwb remove-owned >/dev/null
out=$(in_ns gwa ip xfrm state; in_ns gwa ip xfrm policy)
expect "foreign SA survives" 'spi 0x00000999 reqid 7 ' "$out"
expect "foreign policy survives" 'src 10.9.9.0/24 dst 10.8.8.0/24' "$out"
expect "no leftovers of ours" '^0$' "$(echo "$out" | grep -c "reqid $OURS_REQID_DEC ")"

# Events.
out=$(xt gwa tunnel-up --local $A --remote $B --pair 10.1.1.0/24=10.2.1.0/24 --no-policy \
	--spi-out 0x1007 --spi-in 0x2007 --reqid $OURS_REQID --soft-secs 1 --hard-secs 60 \
	--wait-event 10 2>&1)
expect "soft expire event" "^expire soft spi=0x0000(1|2)007 dst=192\.0\.2\.[12] reqid=0x49470001$" "$out"
xt gwa remove-owned >/dev/null
xt gwa wait-event 6 > "$KTEST_TMP/acq" 2>&1 & w=$!
sleep 0.3
xt gwa tunnel-up --local $A --remote $B --pair 10.1.1.0/24=10.2.1.0/24 --no-sa --reqid $OURS_REQID
in_ns hosta1 ping -c 1 -W 1 10.2.1.10 >/dev/null 2>&1
wait $w
expect "acquire event" '^acquire src=10\.1\.1\.0/24 dst=10\.2\.1\.0/24 peer=192\.0\.2\.2 reqid=0x49470001$' \
	"$(cat "$KTEST_TMP/acq")"
# 3 policies and the SPI-0 state the acquire left (DELSA cannot name it).
expect "remove_owned clears policies and the acquire's larval SA" '^removed 4$' \
	"$(xt gwa remove-owned 2>&1)"
expect "no larval SA left" '^0$' "$(ours_count gwa state)"

# SPI allocation: a larval SA in range, removed as ours.
out=$(xt gwa alloc-spi --local $A --remote $B --reqid $OURS_REQID 2>&1)
expect "alloc_spi returns an SPI >= 0x100" '^spi=0x([0-9a-f]{5,8}|0000[1-9a-f][0-9a-f]{2})$' "$out"
expect "the larval SA is ours and removable" '^removed 1$' "$(xt gwa remove-owned 2>&1)"
# The daemon's inbound path: ALLOCSPI, then UPDSA fills in the larval SA.
out=$(xt gwa tunnel-up --local $A --remote $B --no-policy --spi-out 0x100b --alloc-in \
	--reqid $OURS_REQID --alg cbc-sha256 2>&1)
spi=$(sed -nE 's/^spi-in=(0x[0-9a-f]+)$/\1/p' <<<"$out")
out=$(ip -n gwa xfrm state get src $B dst $A proto esp spi "${spi:-0}" 2>&1)
expect "alloc_spi + update installs the keyed inbound SA" "enc cbc\(aes\) 0x[0-9a-f]{32}" "$out"
expect "the updated SA keeps its reqid" "reqid $OURS_REQID_DEC mode tunnel" "$out"
out=$(xt gwa counters --dst $A --spi "${spi:-0}" 2>&1)
expect "GETSA reports the add time" 'add_time=[1-9][0-9]+' "$out"
xt gwa remove-owned >/dev/null

# Refusals carry a reason: a duplicate SA, and a replay window the kernel
# cannot take (ESN needs a non-zero window).
xt gwa tunnel-up --local $A --remote $B --no-policy --spi-out 0x1008 --spi-in 0x2008 \
	--reqid $OURS_REQID >/dev/null 2>&1
out=$(xt gwa tunnel-up --local $A --remote $B --no-policy --spi-out 0x1008 --spi-in 0x2008 \
	--reqid $OURS_REQID 2>&1)
expect "duplicate SA refused with a reason" 'add SA spi 0x00001008 192\.0\.2\.1 -> 192\.0\.2\.2: .*exists' "$out"
out=$(xt gwa tunnel-up --local $A --remote $B --no-policy --spi-out 0x1009 --spi-in 0x2009 \
	--reqid $OURS_REQID --esn --replay 0 2>&1)
echo "  (kernel's answer to ESN without window: $out)"
expect "ESN without a window refused" 'add SA spi 0x00001009.*: .+' "$out"
xt gwa remove-owned >/dev/null

# IPv6 outside and inside (esp6).
check "v6: tunnel up" eval "xt gwa tunnel-up --local 2001:db8::1 --remote 2001:db8::2 \
	--pair 2001:db8:1:1::/64=2001:db8:2:1::/64 --spi-out 0x100c --spi-in 0x200c \
	--reqid $OURS_REQID --alg gcm256 &&
	xt gwb tunnel-up --local 2001:db8::2 --remote 2001:db8::1 \
	--pair 2001:db8:2:1::/64=2001:db8:1:1::/64 --spi-out 0x200c --spi-in 0x100c \
	--reqid $OURS_REQID --alg gcm256"
check "v6: ping 2001:db8:1:1::10 -> 2001:db8:2:1::10" ping_ok hosta1 2001:db8:2:1::10
n=$(pkts_tool gwa 2001:db8::2 0x100c)
expect "v6: ESP counted on gwa" '^([2-9]|[1-9][0-9]+)$' "${n:-none}"
expect "v6: remove_owned takes the v6 SAs and policies" '^removed 5$' "$(xt gwa remove-owned 2>&1)"
xt gwb remove-owned >/dev/null

# NAT variant: gwa behind a masquerading router, ESP in UDP both ways.
kill $la $lb 2>/dev/null; wait $la $lb 2>/dev/null
"$TOPO" down
"$TOPO" up --nat || { fail "NAT topology"; ktest_done; }
leak_guard gwa 10.1.0.0/16 10.2.0.0/16
leak_guard gwb 10.2.0.0/16 10.1.0.0/16
in_ns gwa "$XFRMTOOL" encap-listen 4500 60 >/dev/null & la=$!
in_ns gwb "$XFRMTOOL" encap-listen 4500 60 >/dev/null & lb=$!
sleep 0.3
check "NAT: tunnel up" eval "xt gwa tunnel-up --local 198.51.100.1 --remote $B ${PAIRS[*]} \
	--spi-out 0x100a --spi-in 0x200a --reqid $OURS_REQID --encap 4500:4500 &&
	xt gwb tunnel-up --local $B --remote 192.0.2.1 ${RPAIRS[*]} --spi-out 0x200a \
	--spi-in 0x100a --reqid $OURS_REQID --encap 4500:4500"
check "NAT: ping 10.1.1.10 -> 10.2.1.10" ping_ok hosta1 10.2.1.10
check "NAT: ping 10.2.2.10 -> 10.1.2.10" ping_ok hostb2 10.1.2.10
expect "NAT: nothing crossed in clear" '^00$' "$(leak_count gwa)$(leak_count gwb)"
n=$(pkts_tool gwb 192.0.2.1 0x200a)
expect "NAT: ESP-in-UDP counted on gwb" '^([4-9]|[1-9][0-9]+)$' "${n:-none}"
kill $la $lb 2>/dev/null; wait $la $lb 2>/dev/null
"$TOPO" down
ktest_done
