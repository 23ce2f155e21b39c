#!/bin/bash
# Two ikegwd negotiate IKEv2 in the guest kernel and LAN hosts ping
# through kernel ESP: GCM/X25519 with 2x2 subnets in one SA, CBC/SHA-256/
# MODP-2048 with PFS, a host outside the subnets not tunnelled, child
# rekey under a 20 ms ping without loss, `ikegw down` removing exactly
# what ikegwd installed, SIGKILL + restart cleaning leftovers, on-traffic
# start (trap replaced in place and back), and NAT-T
# through a masquerading NAT.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike-lib.sh"
trap gw_cleanup EXIT
A=192.0.2.1 B=192.0.2.2
SUBS_A="local_subnets = 10.1.1.0/24, 10.1.2.0/24
remote_subnets = 10.2.1.0/24, 10.2.2.0/24"
SUBS_B="local_subnets = 10.2.1.0/24, 10.2.2.0/24
remote_subnets = 10.1.1.0/24, 10.1.2.0/24"

"$TOPO" up || { fail "topology"; ktest_done; }
# Someone else's SA and policy (reqid 7) must survive everything we do.
in_ns gwa ip xfrm state add src $A dst 192.0.2.99 proto esp spi 0x999 reqid 7 mode tunnel \
	aead 'rfc4106(gcm(aes))' 0x0102030405060708091011121314151617181920 128
in_ns gwa ip xfrm policy add src 10.9.9.0/24 dst 10.8.8.0/24 dir out \
	tmpl src $A dst 192.0.2.99 proto esp reqid 7 mode tunnel
foreign() { ip -n gwa xfrm state | grep -c 'reqid 7 '; ip -n gwa xfrm policy | grep -c 'reqid 7 '; }
leak_guard gwa 10.1.0.0/16 10.2.0.0/16
leak_guard gwb 10.2.0.0/16 10.1.0.0/16

# --- 1: AES-GCM-16-256 / X25519, 2x2 subnets in one CHILD SA ---
ALGS="ike_encryption = aes256gcm16
ike_integrity = sha256
ike_dh_group = 31
esp_encryption = aes256gcm16
esp_pfs = 31
esp_lifetime = 60"
gw_conf gwa office "local_address = $A
remote_address = $B
$SUBS_A
$ALGS
start = manual"
gw_conf gwb office "local_address = $B
remote_address = $A
$SUBS_B
$ALGS
start = respond"
gw_start gwb && pass "gcm: ikegwd starts on gwb" || fail "gcm: ikegwd starts on gwb"
gw_start gwa && pass "gcm: ikegwd starts on gwa" || fail "gcm: ikegwd starts on gwa"
out=$(ikc gwa up office --timeout 20 2>&1); rc=$?
expect "gcm: ikegw up exits 0 once established" "^0$" "$rc"
expect "gcm: ikegw up shows phase 1 ESTABLISHED" "phase 1 ESTABLISHED" "$out"
expect "gcm: gwa phase 1 established" '^established$' "$(jfield gwa office 'c["phase1"]')"
expect "gcm: gwb phase 1 established" '^established$' "$(jfield gwb office 'c["phase1"]')"
expect "gcm: one CHILD SA carries all four pairs" '^1 4$' \
	"$(jfield gwa office 'str(len(c["children"])) + " " + str(len(c["children"][0]["pairs"]))')"
expect "gcm: negotiated algorithms" 'aes256gcm16' "$(jfield gwa office 'c["children"][0]["algs"]')"
for src in hosta1 hosta2; do
	for dst in 10.2.1.10 10.2.2.10; do
		check "gcm: ping $src -> $dst" ping_ok $src $dst
	done
done
check "gcm: ping hostb2 -> 10.1.1.10" ping_ok hostb2 10.1.1.10
n=$(esp_packets gwa)
expect "gcm: ip -s xfrm state counts ESP packets on gwa" '^([8-9]|[1-9][0-9]+)$' "$n"
expect "gcm: ikegw status shows kernel counters" '^[1-9][0-9]*$' \
	"$(jfield gwa office 'c["children"][0]["packets_out"]')"
expect "gcm: leak guard dropped nothing" '^0 0$' "$(leak_count gwa) $(leak_count gwb)"
expect "gcm: SA in the kernel is rfc4106" 'rfc4106\(gcm\(aes\)\)' "$(ip -n gwa xfrm state)"

# --- child rekey under a continuous 20 ms ping: make-before-break ---
spi0=$(jfield gwa office 'c["children"][0]["spi_out"]')
in_ns hosta1 ping -i 0.02 -w 75 10.2.1.10 > "$KTEST_TMP/rekey-ping" 2>&1 &
PING=$!
rekeyed=
for _ in $(seq 75); do
	sleep 1
	spi=$(jfield gwa office 'c["children"][0]["spi_out"] if c["children"] else ""')
	[ -n "$spi" ] && [ "$spi" != "$spi0" ] && { rekeyed=1; break; }
done
sleep 2
kill -INT $PING 2>/dev/null; wait $PING 2>/dev/null
[ -n "$rekeyed" ] && pass "rekey: child SA rekeyed (SPI $spi0 -> $spi)" ||
	fail "rekey: child SA rekeyed" "SPI still $spi0"
# Every echo must be answered, except the last one sent: it may still be
# in flight when the SIGINT (or the -w deadline) ends ping.
lost=$(awk '/packets transmitted/ { tx = $1 }
	/ bytes from .*icmp_seq=/ { s = $0; sub(/.*icmp_seq=/, "", s); sub(/ .*/, "", s); seen[s] = 1 }
	END { if (tx < 100) { print "only " tx + 0 " sent"; exit }
		for (i = 1; i < tx; i++) if (!(i in seen)) l = l " " i
		print l == "" ? 0 : "icmp_seq" l }' "$KTEST_TMP/rekey-ping")
if [ "$lost" = 0 ]; then
	pass "rekey: no packet lost during the rekey"
else
	fail "rekey: no packet lost during the rekey" \
		"$lost lost; $(grep 'packets transmitted' "$KTEST_TMP/rekey-ping")"
fi

# the side that answered the rekey held its new outbound SA until the
# initiator deleted the old one (the initiator had the new one by then)
expect "rekey: the answering side's outbound SA went in on the peer's Delete" \
	'outbound SA [0-9a-f]+ installed \(the old SA is deleted\)' \
	"$(cat "$KTEST_TMP/gwa.log" "$KTEST_TMP/gwb.log" 2>/dev/null)"

# --- ikegw down removes exactly what ikegwd installed ---
check "down: ikegw down" ikc gwa down office
sleep 1
expect "down: nothing of ours left on gwa" '^0$' "$(owned_count gwa)"
expect "down: nothing of ours left on gwb" '^0$' "$(owned_count gwb)"
expect "down: the foreign SA and policy survive" '^1 1$' "$(foreign | tr '\n' ' ' | sed 's/ $//')"

# --- SIGKILL, restart: leftovers cleaned, tunnel back ---
ikc gwa up office --timeout 20 >/dev/null 2>&1
before=$(owned_count gwa)
gw_kill9 gwa
expect "crash: SAs and policies left behind after SIGKILL" '^[1-9][0-9]*$' "$(owned_count gwa)"
gw_start gwa && pass "crash: ikegwd restarts" || fail "crash: ikegwd restarts"
expect "crash: restart removed the leftovers" 'removed [0-9]+ SAs and policies left by a previous run' \
	"$(cat "$KTEST_TMP/gwa.log")"
out=$(ikc gwa up office --timeout 20 2>&1)
expect "crash: tunnel back up" '^established$' "$(jfield gwa office 'c["phase1"]')"
check "crash: ping after restart" ping_ok hosta1 10.2.1.10
expect "crash: as many of ours as before (no duplicates)" "^$before\$" "$(owned_count gwa)"
gw_cleanup
expect "stop: SIGTERM removed everything of ours" '^0 0$' "$(owned_count gwa) $(owned_count gwb)"
expect "stop: the foreign SA and policy survive" '^1 1$' "$(foreign | tr '\n' ' ' | sed 's/ $//')"

# --- 2: AES-CBC-256 / SHA-256 / MODP-2048 + PFS 14, one pair ---
ALGS="ike_encryption = aes256
ike_integrity = sha256
ike_dh_group = 14
esp_encryption = aes256
esp_integrity = sha256
esp_pfs = 14"
gw_conf gwa office "local_address = $A
remote_address = $B
local_subnets = 10.1.1.0/24
remote_subnets = 10.2.1.0/24
$ALGS
start = immediate"
gw_conf gwb office "local_address = $B
remote_address = $A
local_subnets = 10.2.1.0/24
remote_subnets = 10.1.1.0/24
$ALGS
start = respond"
gw_start gwb; gw_start gwa
out=$(ikc gwa up office --timeout 20 2>&1)
expect "cbc: established (start = immediate)" '^established$' "$(jfield gwa office 'c["phase1"]')"
expect "cbc: algorithms" 'aes256-sha256-modp2048' "$(jfield gwa office 'c["algs"]')"
check "cbc: ping hosta1 -> hostb1" ping_ok hosta1 10.2.1.10
expect "cbc: SA in the kernel is cbc(aes) + hmac(sha256)" 'hmac\(sha256\).*' "$(ip -n gwa xfrm state)"
l0=$(leak_count gwa)
ping_ok hosta2 10.2.2.10 && fail "cbc: a host outside the subnets is not tunnelled" "ping passed" ||
	pass "cbc: a host outside the subnets is not tunnelled"
expect "cbc: ... the leak guard dropped it in clear" "^[1-9]" "$(( $(leak_count gwa) - l0 ))"
gw_cleanup

# --- 4: on-traffic: a trap out policy, the first packet brings the tunnel
# up, the CHILD SA's out policy replaces the trap in place (UPDPOLICY) ---
gw_conf gwa office "local_address = $A
remote_address = $B
local_subnets = 10.1.1.0/24
remote_subnets = 10.2.1.0/24
start = on-traffic"
gw_conf gwb office "local_address = $B
remote_address = $A
local_subnets = 10.2.1.0/24
remote_subnets = 10.1.1.0/24
start = respond"
gw_start gwb; gw_start gwa
outpol() { ip -n gwa xfrm policy list src 10.1.1.0/24 dst 10.2.1.0/24 dir out; }
our_states() { ip -n gwa xfrm state | awk '/reqid/ { for (i = 1; i < NF; i++)
	if ($i == "reqid") { r = $(i + 1) + 0; if (r >= 1229389824 && r <= 1229455359) n++ } }
	END { print n + 0 }'; }
expect "on-traffic: a trap out policy before any traffic" "tmpl src $A dst $B" "$(outpol)"
expect "on-traffic: no SA yet" '^0$' "$(our_states)"
l0=$(leak_count gwa)
up=
for _ in $(seq 20); do ping_ok hosta1 10.2.1.10 && { up=1; break; }; sleep 0.5; done
[ -n "$up" ] && pass "on-traffic: traffic brings the tunnel up" ||
	fail "on-traffic: traffic brings the tunnel up" "$(tail -5 "$KTEST_TMP/gwa.log")"
expect "on-traffic: established" '^established$' "$(jfield gwa office 'c["phase1"]')"
expect "on-traffic: one out policy for the pair" '^1$' "$(outpol | grep -c '^src')"
rq=$(ip -n gwa xfrm state list dst $B | awk '{ for (i = 1; i < NF; i++) if ($i == "reqid") print $(i + 1) }' | head -1)
expect "on-traffic: ... carrying the CHILD SA's reqid" "reqid $rq mode tunnel" "$(outpol)"
expect "on-traffic: the ACQUIRE state was consumed (two SAs of ours)" '^2$' "$(our_states)"
expect "on-traffic: nothing forwarded in the clear" "^$l0\$" "$(leak_count gwa)"
check "on-traffic: the peer closes the tunnel" ikc gwb down office
sleep 1
expect "on-traffic: the trap is back in place, no SA" '^1 0$' \
	"$(outpol | grep -c '^src') $(our_states)"
expect "on-traffic: ... with the trap's reqid" "reqid 1229389825 mode tunnel" "$(outpol)"
up=
for _ in $(seq 10); do ping_ok hosta1 10.2.1.10 && { up=1; break; }; sleep 0.5; done
[ -n "$up" ] && pass "on-traffic: the next packet brings it up again" ||
	fail "on-traffic: the next packet brings it up again" "$(tail -5 "$KTEST_TMP/gwa.log")"
gw_cleanup
expect "on-traffic: stop removes the trap" '^0$' "$(owned_count gwa)"

# --- 3: NAT between the gateways: NAT-T on UDP 4500 ---
"$TOPO" down; "$TOPO" up --nat || { fail "nat topology"; ktest_done; }
gw_conf gwa office "local_address = 198.51.100.1
remote_address = $B
$SUBS_A
start = manual"
gw_conf gwb office "local_address = $B
remote_address = $A
$SUBS_B
start = respond"
gw_start gwb; gw_start gwa
out=$(ikc gwa up office --timeout 20 2>&1)
expect "nat: established through the NAT" '^established$' "$(jfield gwa office 'c["phase1"]')"
expect "nat: gwa reports NAT-T" '^True$' "$(jfield gwa office 'c["nat_t"]')"
expect "nat: gwb reports NAT-T" '^True$' "$(jfield gwb office 'c["nat_t"]')"
expect "nat: ESP is UDP-encapsulated" 'encap type espinudp sport 4500' "$(ip -n gwa xfrm state)"
check "nat: ping hosta1 -> hostb1" ping_ok hosta1 10.2.1.10
check "nat: ping hostb2 -> hosta2" ping_ok hostb2 10.1.2.10
gw_cleanup
ktest_done
