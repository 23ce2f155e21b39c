#!/bin/bash
# One test per failure reason code, ikegwd <-> ikegwd in the guest kernel:
# gwa initiates (`ikegw up`), gwb responds.  Each case asserts the reason
# code, the hint (and the detail that names the setting) in
# `ikegw status --json` on BOTH sides, and that neither kernel keeps an
# SA or policy of ours.  The peer that never answers runs in its own pair
# of namespaces, in the background, because ikegwd gives up only after
# its full retransmission schedule (2+4+8+16+32+64 s = 126 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike-lib.sh"
A=192.0.2.1 B=192.0.2.2
MODPROBE_SAVED=$(cat /proc/sys/kernel/modprobe)
cleanup() {
	gw_stop gwa; gw_stop gwb; gw_stop nra; gw_stop nrb
	echo "$MODPROBE_SAVED" > /proc/sys/kernel/modprobe
	ip netns del nra 2>/dev/null
	ip netns del nrb 2>/dev/null
}
trap cleanup EXIT

# conf NS BODY: NS's config (mode 0600), connection "office", BODY as is.
conf() {
	printf '[connection office]\n%s\n' "$2" > "$KTEST_TMP/$1.conf"
	chmod 600 "$KTEST_TMP/$1.conf"
}
BASE_A="local_address = $A
remote_address = $B
local_subnets = 10.1.1.0/24
remote_subnets = 10.2.1.0/24
start = manual"
BASE_B="local_address = $B
remote_address = $A
local_subnets = 10.2.1.0/24
remote_subnets = 10.1.1.0/24
start = respond"
# Everything a case looks at, in one python run: phase1|reason|hint|detail
why() {
	ikc "$1" status office --json 2>/dev/null | python3 -c '
import json, sys
c = json.load(sys.stdin)["connections"][0]
print("|".join([c["phase1"], c["reason"], c["hint"], c["detail"]]))' 2>/dev/null
}
# wait_reason NS: until NS's status carries a reason (at most ~8 s)
wait_reason() {
	local w
	for _ in $(seq 16); do
		w=$(why "$1")
		[ -n "$(cut -d'|' -f2 <<<"$w")" ] && break
		sleep 0.5
	done
	echo "$w"
}
# run_case NAME "EXTRA_A" "EXTRA_B": start both daemons, `ikegw up` on gwa,
# then $WA / $WB hold each side's phase1|reason|hint|detail.
run_case() {
	conf gwa "$BASE_A
psk = ${PSK_A:-$PSK}
$2"
	conf gwb "$BASE_B
psk = ${PSK_B:-$PSK}
$3"
	gw_start gwb || fail "$1: ikegwd starts on gwb"
	gw_start gwa || fail "$1: ikegwd starts on gwa"
	UP_OUT=$(ikc gwa up office --timeout "${UP_TIMEOUT:-15}" 2>&1)
	UP_RC=$?
	WA=$(wait_reason gwa)
	WB=$(wait_reason gwb)
}
# both NAME REASON HINT_RE: the code and the hint on both sides
both() {
	expect "$1: gwa (initiator) reason $2" "^[a-z]+\|$2\|" "$WA"
	expect "$1: gwb (responder) reason $2" "^[a-z]+\|$2\|" "$WB"
	expect "$1: gwa hint" "^[a-z]+\|[a-z-]+\|[^|]*$3" "$WA"
	expect "$1: gwb hint" "^[a-z]+\|[a-z-]+\|[^|]*$3" "$WB"
}
# nothing_left NAME [UP_RC]: no SA or policy of ours in either kernel
# (daemons still running), `ikegw up` exited UP_RC (default 5); stop both.
# (gw_cleanup would also kill the no-response pair's daemons.)
nothing_left() {
	expect "$1: no SA or policy of ours left (gwa gwb)" '^0 0$' \
		"$(owned_count gwa) $(owned_count gwb)"
	expect "$1: ikegw up exits ${2:-5}" "^${2:-5}\$" "$UP_RC"
	grep -qE "^${2:-5}\$" <<<"$UP_RC" || echo "$UP_OUT" | sed 's/^/    up: /'
	gw_stop gwa
	gw_stop gwb
}

# --- peer not answering: started first, checked last (126 s) ---
# nra initiates to nrb, whose ikegwd runs but sees nothing: iptables
# drops UDP 500/4500 on its way in.
ip netns add nra && ip netns add nrb &&
	ip -n nra link add nrwan type veth peer name nrwan netns nrb &&
	ip -n nra addr add $A/24 dev nrwan && ip -n nrb addr add $B/24 dev nrwan &&
	ip -n nra link set nrwan up && ip -n nrb link set nrwan up &&
	ip -n nra link set lo up && ip -n nrb link set lo up ||
	fail "no-response: namespaces"
in_ns nrb iptables-legacy -A INPUT -p udp -m multiport --dports 500,4500 -j DROP
conf nra "$BASE_A
psk = $PSK"
conf nrb "$BASE_B
psk = $PSK"
gw_start nrb || fail "no-response: ikegwd starts on nrb"
gw_start nra || fail "no-response: ikegwd starts on nra"
ikc nra up office --no-wait >/dev/null 2>&1
NR_START=$SECONDS

"$TOPO" up || { fail "topology"; ktest_done; }

# --- psk-mismatch: AUTH does not verify ---
PSK_A="$PSK" PSK_B="a different pre-shared key, same length!" run_case psk "" ""
both psk psk-mismatch 'Check `psk` here and on the peer'
expect "psk: gwb says the AUTH did not verify" 'AUTH from the peer did not verify' "$WB"
expect "psk: gwa says the peer answered AUTHENTICATION_FAILED" \
	"$B answered AUTHENTICATION_FAILED" "$WA"
expect "psk: phase 1 failed on gwa" '^failed\|' "$WA"
nothing_left psk

# --- id-mismatch: gwa's remote_id is not what gwb calls itself ---
run_case id "remote_id = fqdn:gwb.example" ""
both id id-mismatch 'Check `local_id`/`remote_id`'
expect "id: gwa shows ours vs what the peer sent" \
	'remote_id: ours fqdn:gwb.example; peer sent 192.0.2.2' "$WA"
expect "id: gwb knows the keys match and its identity was refused" \
	'refused our identity 192.0.2.2' "$WB"
nothing_left id

# --- id-mismatch the other way: gwb's remote_id is not gwa's identity.
# gwb compares and knows; gwa only hears AUTHENTICATION_FAILED, which a
# PSK mismatch also gives, so it says psk-mismatch and names local_id in
# the detail.
run_case id-resp "" "remote_id = fqdn:gwa.example"
expect "id-resp: gwb (responder) reason id-mismatch" '^[a-z]+\|id-mismatch\|' "$WB"
expect "id-resp: gwb hint" 'Check `local_id`/`remote_id`' "$WB"
expect "id-resp: gwb shows ours vs what the peer sent" \
	'remote_id: ours fqdn:gwa.example; peer sent 192.0.2.1' "$WB"
expect "id-resp: gwa (initiator) cannot tell: psk-mismatch naming local_id" \
	'^failed\|psk-mismatch\|.*or the peer does not accept local_id' "$WA"
nothing_left id-resp

# --- phase 1 proposals: one transform type at a time ---
run_case ike-enc "ike_encryption = aes256" "ike_encryption = aes128"
both ike-enc proposal-mismatch 'Check `ike_encryption`/`ike_integrity`/`ike_dh_group`'
expect "ike-enc: gwb names the clause" 'ike_encryption: ours aes128; peer offered aes256' "$WB"
expect "ike-enc: gwa shows what it offered" 'peer accepted none of our IKE proposals: we offered aes256' "$WA"
nothing_left ike-enc

run_case ike-integ "ike_integrity = sha256" "ike_integrity = sha1"
both ike-integ proposal-mismatch 'Check `ike_encryption`/`ike_integrity`/`ike_dh_group`'
expect "ike-integ: gwb names the clause" 'ike_integrity: ours sha1; peer offered sha256' "$WB"
nothing_left ike-integ

# DH: no common group is a proposal-mismatch with the ike_dh_group clause
# (INVALID_KE_PAYLOAD only happens when a common group exists; ikegw then
# retries with it; dh-mismatch is for a peer asking for a group not offered).
run_case ike-dh "ike_dh_group = 14" "ike_dh_group = 19"
both ike-dh proposal-mismatch 'ike_dh_group'
expect "ike-dh: gwb names the clause" 'ike_dh_group: ours 19; peer offered 14' "$WB"
nothing_left ike-dh

# ... while a common group that is not the initiator's first choice is
# no failure: INVALID_KE_PAYLOAD names it and gwa retries with it.
conf gwa "$BASE_A
psk = $PSK
ike_dh_group = 14, 19"
conf gwb "$BASE_B
psk = $PSK
ike_dh_group = 19"
gw_start gwb && gw_start gwa || fail "ike-dh-retry: daemons start"
ikc gwa up office --timeout 15 >/dev/null 2>&1
expect "ike-dh-retry: established after INVALID_KE_PAYLOAD" '^established\|\|' "$(why gwa)"
expect "ike-dh-retry: gwa retried with the group gwb asked for" \
	'IKE_SA_INIT: peer wants DH group 19' "$(cat "$KTEST_TMP/gwa.log")"
gw_stop gwa
gw_stop gwb

# --- phase 2 encryption ---
run_case esp-enc "esp_encryption = aes256" "esp_encryption = aes128"
both esp-enc proposal-mismatch '`esp_\*` for phase 2'
expect "esp-enc: gwb names the clause" 'esp_encryption: ours aes128; peer offered aes256' "$WB"
expect "esp-enc: gwa shows what it offered" 'peer accepted none of our ESP proposals: we offered' "$WA"
nothing_left esp-enc

# --- PFS: IKE_AUTH's child has no KE, so it comes up; pfs_check rekeys
# at once with esp_pfs and finds the mismatch ---
run_case pfs "esp_pfs = 14
pfs_check = yes" "esp_pfs = none"
both pfs pfs-mismatch 'Set `esp_pfs` to the same value on both gateways'
expect "pfs: gwa says the rekey with PFS was refused" 'CHILD SA rekey: peer refused' "$WA"
expect "pfs: phase 1 failed on gwa" '^failed\|' "$WA"
# `ikegw up` may or may not see the first child (no KE) up before the
# check's rekey fails, so it exits 0 or 5
nothing_left pfs '(0|5)'

# pfs_check when both agree: the check's rekey with KE verifies PFS at once
conf gwa "$BASE_A
psk = $PSK
esp_pfs = 14
pfs_check = yes"
conf gwb "$BASE_B
psk = $PSK
esp_pfs = 14"
gw_start gwb && gw_start gwa || fail "pfs-ok: daemons start"
ikc gwa up office --timeout 15 >/dev/null 2>&1
for _ in $(seq 16); do
	v=$(jfield gwa office '[ch["pfs_verified"] for ch in c["children"]] == [True]')
	[ "$v" = True ] && break
	sleep 0.5
done
expect "pfs-ok: pfs_check verified PFS right after set-up" '^True$' "$v"
expect "pfs-ok: the rekeyed child uses group 14" '^14$' \
	"$(jfield gwa office 'c["children"][0]["pfs_group"]')"
expect "pfs-ok: gwb agrees" '^True$' \
	"$(jfield gwb office '[ch["pfs_verified"] for ch in c["children"]] == [True]')"
gw_stop gwa
gw_stop gwb

# --- subnets ---
BASE_B_SAVED=$BASE_B
BASE_B=${BASE_B/local_subnets = 10.2.1.0\/24/local_subnets = 10.2.2.0\/24}
run_case ts "" ""
BASE_B=$BASE_B_SAVED
both ts ts-mismatch 'Check `local_subnets`/`remote_subnets`'
expect "ts: gwb shows ours vs the peer's" 'local_subnets: ours 10.2.2.0/24; peer offered 10.2.1.0/24' "$WB"
expect "ts: gwa shows the pairs it offered" 'peer refused the pairs 10.1.1.0/24 === 10.2.1.0/24' "$WA"
nothing_left ts

# --- the kernel refuses the SA: 3DES with module autoloading made to fail ---
# Both gateways share one kernel, so both refuse.
echo /bin/false > /proc/sys/kernel/modprobe
rmmod des_generic 2>/dev/null
if grep -q des3_ede /proc/crypto; then
	fail "kernel: des3_ede still in the kernel" "cannot provoke the refusal"
else
	run_case kernel "esp_encryption = 3des" "esp_encryption = 3des"
	both kernel kernel-error 'Check that the kernel has ESP support'
	# gwb (responder) installs first and is refused; gwa only hears
	# TEMPORARY_FAILURE from it
	expect "kernel: gwa says the peer could not install the first CHILD SA" \
		'the peer answered TEMPORARY_FAILURE to the first CHILD SA' "$WA"
	expect "kernel: gwb shows the kernel's words" \
		'installing a CHILD SA: .*(not implemented|not found|not supported|algorithm)' "$WB"
	echo "kernel: gwb's detail: $(cut -d'|' -f4 <<<"$WB")"
	nothing_left kernel
fi
echo "$MODPROBE_SAVED" > /proc/sys/kernel/modprobe

# --- NAT between the gateways, nat_traversal = no on both ---
"$TOPO" down; "$TOPO" up --nat || { fail "nat topology"; ktest_done; }
BASE_A=${BASE_A/local_address = $A/local_address = 198.51.100.1}
run_case nat "nat_traversal = no" "nat_traversal = no"
both nat nat-t-disabled 'set `nat_traversal = yes`'
expect "nat: gwa says where the NAT is" 'NAT detected \(in front of us\) but nat_traversal = no' "$WA"
expect "nat: gwb says where the NAT is" 'NAT detected \(in front of the peer\) but nat_traversal = no' "$WB"
nothing_left nat

# --- no-response: wait out the retransmissions ---
for _ in $(seq 150); do
	w=$(ikc nra status office --json 2>/dev/null | grep -c '"no-response"')
	[ "$w" = 1 ] && break
	sleep 1
done
WA=$(why nra)
WB=$(why nrb)
expect "no-response: initiator reason and the address:port tried" \
	"^failed\|no-response\|Check that the peer is reachable, UDP 500/4500 pass firewalls, and \`nat_traversal\`\.\|.*no answer from $B:500 after 6 tries" "$WA"
echo "no-response: gave up after $((SECONDS - NR_START)) s"
# The silent peer's daemon never received anything: it can only say it is
# down, with no reason and no attempt counted.
expect "no-response: the silent peer shows down, no reason" '^down\|\|\|$' "$WB"
expect "no-response: no SA or policy of ours left (both)" '^0 0$' \
	"$(owned_count nra) $(owned_count nrb)"
ktest_done
