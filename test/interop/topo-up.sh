#!/bin/bash
# The interop topology: the harness's standard one (test/kernel/topo.sh),
# plus a leak guard on both gateways and a crypto warm-up.
#
#   topo-up.sh [direct|nat]   build it (nat: gwa behind a NAT box that
#                             masquerades and forwards UDP 500/4500 to gwa)
#   topo-up.sh down           delete it
#
# Leak guard: each gateway drops forwarded LAN<->LAN packets that did not
# come out of, or are not going into, IPsec (iptables-legacy: the UML
# kernel has no nftables), so a ping between the hosts proves ESP.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
topo=$here/../kernel/topo.sh
. "$here/topo.sh"
mode=${1:-direct}

if [ "$mode" = down ]; then
	exec "$topo" down
fi
"$topo" down
if [ "$mode" = nat ]; then
	"$topo" up --nat
	# Static NAT for IKE (as a cloud gateway's public IP maps to it): gwb
	# can also initiate to gwa through the NAT box, on 500 and 4500.
	printf '%s\n' '*nat' \
		"-A PREROUTING -i outside0 -p udp --dport 500 -j DNAT --to-destination $A_WAN_NAT" \
		"-A PREROUTING -i outside0 -p udp --dport 4500 -j DNAT --to-destination $A_WAN_NAT" \
		COMMIT | ip netns exec nat iptables-legacy-restore --noflush
else
	"$topo" up
fi

guard() {
	local ns=$1 mine=$2 theirs=$3 m t
	{
		echo "*filter"
		for m in $mine; do for t in $theirs; do
			echo "-A FORWARD -s $m -d $t -m policy --dir out --pol none -j DROP"
			echo "-A FORWARD -s $t -d $m -m policy --dir in --pol none -j DROP"
		done; done
		echo "COMMIT"
	} | ip netns exec "$ns" iptables-legacy-restore --noflush
}
guard gwa "$A_LAN1 $A_LAN2" "$B_LAN1 $B_LAN2"
guard gwb "$B_LAN1 $B_LAN2" "$A_LAN1 $A_LAN2"

# Instantiate the kernel's ESP crypto templates once (gcm, cbc+hmac): the
# first use costs seconds in the UML guest, which would otherwise land in
# the middle of an IKE_AUTH exchange and cause retransmits.
warm() {
	local z i=1 alg
	printf -v z '%080d' 0
	for alg in "aead rfc4106(gcm(aes)) 0x${z:0:72} 128" \
		   "aead rfc4106(gcm(aes)) 0x${z:0:40} 128" \
		   "enc cbc(aes) 0x${z:0:64} auth-trunc hmac(sha256) 0x${z:0:64} 128" \
		   "enc cbc(aes) 0x${z:0:32} auth-trunc hmac(sha1) 0x${z:0:40} 96"; do
		echo "xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi $i mode tunnel $alg"
		echo "xfrm state del src 198.18.0.1 dst 198.18.0.2 proto esp spi $i"
		i=$((i + 1))
	done | ip -n gwa -batch - 2>/dev/null || true
}
warm
