#!/bin/bash
# Third-party check of our IKEv2 encoding and crypto: for each suite,
# build/san/test/tools/ike_pcap records one full conversation (IKE_SA_INIT,
# IKE_AUTH, CREATE_CHILD_SA child rekey with PFS, INFORMATIONAL delete,
# CREATE_CHILD_SA IKE rekey, INFORMATIONAL deletes) as a pcap plus the
# initiator's key log, and tshark decodes it with that key log.  Every
# packet must be IKEv2 with the expected exchange and flags, every SK
# payload must decrypt to the expected inner payloads with its Integrity
# Checksum Data "[correct]", and tshark must report no malformed packet
# and no expert warning or error.  Suites: gcm (AES-GCM-16-256, PRF
# SHA-256, X25519, PFS 31), cbc (AES-CBC-256, HMAC-SHA-256-128, MODP-2048,
# PFS 14) and gcm-nat (gcm with the initiator behind a NAPT: UDP 4500).
#
# Negative controls: with one key of the key log corrupted, the same
# checker must fail and tshark must call the ICV incorrect; so this test
# is proven able to fail.
set -u
cd "$(dirname "$0")/../.."
P=build/san/test/tools/ike_pcap
make -s SANITIZE=1 $P >/dev/null || { echo "FAIL build-ike_pcap"; exit 1; }
command -v tshark >/dev/null || { echo "FAIL tshark-installed (run make deps)"; exit 1; }
T=$(mktemp -d /tmp/ikegw-tshark.XXXXXX)
[ -n "${KEEP:-}" ] && echo "kept $T" || trap 'rm -rf "$T"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; fails=$((fails + 1)); }

# check_pdml PDML SUITE: the assertions over tshark's PDML; prints one
# "  problem" line per violation, exits 1 if there is any.  SUITE gcm-nat:
# gcm through a port-translating NAT, so after IKE_SA_INIT (UDP 500)
# everything runs on 4500 behind the non-ESP marker.
check_pdml() {
	python3 - "$1" "$2" <<'EOF'
import sys
import xml.etree.ElementTree as ET

pdml, suite = sys.argv[1], sys.argv[2]
nat = suite.endswith("-nat")
suite = suite.removesuffix("-nat")
PFS = {"gcm": "31", "cbc": "14"}[suite]
ENCR = {"gcm": "AES-GCM-256", "cbc": "AES-CBC-256"}[suite]
# (exchange, response?, inner payloads that must be there, absent ones)
IDI, IDR, AUTH, SA, KE, NONCE, N, D, TSI, TSR = 35, 36, 39, 33, 34, 40, 41, 42, 44, 45
EXPECT = [
    (34, 0, None, None), (34, 1, None, None),
    (35, 0, {IDI, AUTH, SA, TSI, TSR}, set()), (35, 1, {IDR, AUTH, SA, TSI, TSR}, set()),
    # child rekey with PFS: REKEY_SA, SA, Ni, KEi, TS
    (36, 0, {N, SA, NONCE, KE, TSI, TSR}, set()), (36, 1, {SA, NONCE, KE, TSI, TSR}, set()),
    (37, 0, {D}, set()), (37, 1, {D}, set()),           # delete old child
    (36, 0, {SA, NONCE, KE}, {TSI, TSR}), (36, 1, {SA, NONCE, KE}, {TSI, TSR}),  # IKE rekey
    (37, 0, {D}, set()), (37, 1, set(), {D}),           # delete old IKE SA
    (37, 0, {D}, set()), (37, 1, set(), {D}),           # down: delete the IKE SA
]
DEL_PROTO = {6: "3", 7: "3", 10: "1", 12: "1"}     # packet index -> Delete protocol id
problems = []

def bad(i, msg):
    problems.append("frame %d: %s" % (i + 1, msg))

def fields(node, name):
    return [f for f in node.iter("field") if f.get("name") == name]

def val(node, name):
    fs = fields(node, name)
    return fs[0].get("show") if fs else None

root = ET.parse(pdml).getroot()
packets = root.findall("packet")
if len(packets) != len(EXPECT):
    problems.append("%d packets, expected %d" % (len(packets), len(EXPECT)))
hdrs = []
for i, pkt in enumerate(packets[:len(EXPECT)]):
    exch, resp, need, absent = EXPECT[i]
    protos = {p.get("name") for p in pkt.iter("proto")}
    ports = sorted(int(f.get("show")) for f in fields(pkt, "udp.srcport") + fields(pkt, "udp.dstport"))
    want = [500, 30500 if nat else 500] if i < 2 else [4500, 34500] if nat else [500, 500]
    if ports != want:
        bad(i, "UDP ports %s, expected %s" % (ports, want))
    if nat and i >= 2 and not fields(pkt, "udpencap.non_esp_marker"):
        bad(i, "no non-ESP marker on 4500")
    if "_ws.malformed" in protos:
        bad(i, "tshark: malformed packet")
    for e in fields(pkt, "_ws.expert"):
        sev = val(e, "_ws.expert.severity")
        if sev is not None and int(sev) >= 0x00600000:   # warning or error
            bad(i, "tshark expert: " + e.get("showname", ""))
    isa = [p for p in pkt.findall("proto") if p.get("name") == "isakmp"]
    if len(isa) != 1:
        bad(i, "not one ISAKMP PDU (%d)" % len(isa))
        continue
    isa = isa[0]
    if val(isa, "isakmp.version") != "0x20":
        bad(i, "not IKEv2: version %s" % val(isa, "isakmp.version"))
    got = (int(val(isa, "isakmp.exchangetype") or -1), int(val(isa, "isakmp.flag_r") in ("1", "True")))
    if got != (exch, resp):
        bad(i, "exchange/response %s, expected %s" % (got, (exch, resp)))
    hdrs.append((val(isa, "isakmp.ispi"), val(isa, "isakmp.rspi"), val(isa, "isakmp.messageid")))
    if exch == 34:
        if val(isa, "isakmp.key_exchange.dh_group") != PFS:
            bad(i, "KE group %s, expected %s" % (val(isa, "isakmp.key_exchange.dh_group"), PFS))
        if not any(ENCR.split("-")[1] in f.get("showname", "") for f in fields(isa, "isakmp.tf.id.encr")):
            bad(i, "no %s transform" % ENCR)
        continue
    enc = fields(isa, "isakmp.enc.data")
    dec = fields(isa, "isakmp.enc.decrypted")
    icd = fields(isa, "isakmp.enc.icd")
    if len(enc) != 1 or ENCR not in enc[0].get("showname", ""):
        bad(i, "SK payload not %s: %s" % (ENCR, [e.get("showname") for e in enc]))
    if len(dec) != 1:
        bad(i, "SK payload not decrypted")
        continue
    if len(icd) != 1 or not icd[0].get("showname", "").endswith("[correct]"):
        bad(i, "ICV not verified: %s" % [f.get("showname") for f in icd])
    inner = {int(f.get("show")) for f in fields(dec[0], "isakmp.typepayload")}
    if not need <= inner or inner & absent:
        bad(i, "inner payloads %s, need %s, must not have %s" % (sorted(inner), sorted(need), sorted(absent)))
    if KE in need and val(dec[0], "isakmp.key_exchange.dh_group") != PFS:
        bad(i, "inner KE group %s, expected %s" % (val(dec[0], "isakmp.key_exchange.dh_group"), PFS))
    if i in DEL_PROTO and val(dec[0], "isakmp.delete.protoid") != DEL_PROTO[i]:
        bad(i, "Delete protocol %s, expected %s" % (val(dec[0], "isakmp.delete.protoid"), DEL_PROTO[i]))
    if i == 4 and "16393" not in [f.get("show") for f in fields(dec[0], "isakmp.notify.msgtype")]:
        bad(i, "child rekey without N(REKEY_SA)")

# A response carries its request's SPIs and message ID; the IKE rekey
# moves the last exchange onto a new IKE SA.
for i in range(0, len(hdrs) - 1, 2):
    if hdrs[i + 1] != hdrs[i] and i > 0:
        bad(i + 1, "response header %s does not match request %s" % (hdrs[i + 1], hdrs[i]))
if len(hdrs) == len(EXPECT) and hdrs[12][0] == hdrs[0][0]:
    bad(12, "still on the first IKE SA after the IKE rekey")
for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)
EOF
}

# corrupt_key SRC DST FIELD: copy key log SRC to DST with the first IKE
# SA's key in column FIELD (3 SK_ei, 6 SK_ai) changed in its first digit.
corrupt_key() {
	mkdir -p "$2"
	cp "$1"/esp_sa "$2"/
	awk -F, -v f="$3" 'BEGIN { OFS = "," }
		NR == 1 { c = substr($f, 1, 1); $f = (c == "0" ? "1" : "0") substr($f, 2) }
		{ print }' "$1"/ikev2_decryption_table >"$2"/ikev2_decryption_table
	! cmp -s "$1"/ikev2_decryption_table "$2"/ikev2_decryption_table
}

# pdml_of CONFHOME PCAP OUT: tshark's PDML of PCAP with the key log in
# CONFHOME/wireshark (Wireshark's per-user UAT files).
pdml_of() {
	XDG_CONFIG_HOME=$1 HOME=$1 tshark -n -r "$2" -T pdml \
		-o esp.enable_encryption_decode:TRUE >"$3" 2>"$3.err"
}

# negative SUITE WHO COLUMN FRAMES: with COLUMN of the key log corrupted,
# the checker fails and tshark finds an incorrect ICV in exactly FRAMES.
negative() {
	local d=$T/$1 name=$1-negative-control-$2 out got
	rm -rf "$d/bad"
	if ! corrupt_key "$d/good/wireshark" "$d/bad/wireshark" $3; then
		fail $name "could not corrupt the key log"
		return
	fi
	pdml_of "$d/bad" "$d/ike.pcap" "$d/bad.pdml"
	if out=$(check_pdml "$d/bad.pdml" $1); then
		fail $name "the checker passed with a corrupted key"
		return
	fi
	got=$(grep -E '^  frame [0-9]+: ICV not verified:.*incorrect, should be' <<<"$out" |
		sed -E 's/^  frame ([0-9]+):.*/\1/' | tr '\n' ' ')
	[ "$got" = "$4 " ] && pass $name ||
		fail $name "ICV incorrect in frames '$got', expected '$4'" "$out"
}

for suite in gcm cbc gcm-nat; do
	d=$T/$suite
	mkdir -p "$d/good/wireshark"
	[ $suite = gcm-nat ] && args="--suite gcm --nat" || args="--suite $suite"
	if ! out=$($P $args --pcap "$d/ike.pcap" --keylog "$d/good/wireshark" 2>&1); then
		fail "$suite-exchange-recorded" "$out"
		continue
	fi
	pass "$suite-exchange-recorded"
	if ! pdml_of "$d/good" "$d/ike.pcap" "$d/good.pdml"; then
		fail "$suite-tshark-runs" "$(head -5 "$d/good.pdml.err")"
		continue
	fi
	out=$(check_pdml "$d/good.pdml" $suite) && pass "$suite-tshark-decodes-decrypts-verifies" ||
		fail "$suite-tshark-decodes-decrypts-verifies" "$out"

	# Negative controls: one key of the first IKE SA off by one digit
	# (the key that guards the ICV: SK_e* for GCM, SK_a* for CBC+HMAC).
	# Exactly the messages that key protects must fail their ICV: the
	# initiator's (frames 3 5 7 9 11) or the responder's (4 6 8 10 12)
	# on the first IKE SA; the rekeyed IKE SA's frames stay correct.
	[ $suite = cbc ] && cols="6 7" || cols="3 4"
	set -- $cols
	negative $suite i $1 "3 5 7 9 11"
	negative $suite r $2 "4 6 8 10 12"
done
[ $fails = 0 ]
