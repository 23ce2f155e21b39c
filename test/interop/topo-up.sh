#!/bin/bash
# Build the interop topology (topo.sh) in network namespaces; for the UML
# guest (ESP works there) or any kernel with ESP.
#
#   topo-up.sh [direct|nat]   create gwa gwb hosta hostb [nat]
#   topo-up.sh down           delete them
#
# Leak guard: each gateway drops forwarded LAN<->LAN packets that did not
# come out of, or are not going into, IPsec (iptables-legacy: the UML
# kernel has no nftables), so a ping between the hosts proves ESP.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/topo.sh"
mode=${1:-direct}
NSES="gwa gwb hosta hostb nat"

if [ "$mode" = down ]; then
	for n in $NSES; do ip netns del "$n" 2>/dev/null || true; done
	exit 0
fi

a_wan=$A_WAN
[ "$mode" = nat ] && a_wan=$A_WAN_NAT
gw_of() { R=${1%/*}; R=${R%.*}.1; }	# 10.1.0.0/24 -> 10.1.0.1 (no fork)
gw_of "$A_LAN1"; ga1=$R; gw_of "$A_LAN2"; ga2=$R
gw_of "$B_LAN1"; gb1=$R; gw_of "$B_LAN2"; gb2=$R

b=$(mktemp)
{
	for n in gwa gwb hosta hostb; do echo "netns add $n"; done
	[ "$mode" = nat ] && echo "netns add nat"
	# LANs: gw*-lan <-> host*'s eth0, two subnets on each
	echo "link add lan0 netns gwa type veth peer name eth0 netns hosta"
	echo "link add lan0 netns gwb type veth peer name eth0 netns hostb"
	if [ "$mode" = nat ]; then
		echo "link add wan0 netns gwa type veth peer name inside0 netns nat"
		echo "link add outside0 netns nat type veth peer name wan0 netns gwb"
	else
		echo "link add wan0 netns gwa type veth peer name wan0 netns gwb"
	fi
} >"$b"
ip -batch "$b"
rm -f "$b"

nsb() { local n=$1; shift; printf '%s\n' "$@" | ip -n "$n" -batch -; }
nsb gwa "link set lo up" "link set lan0 up" "link set wan0 up" \
	"addr add $ga1/24 dev lan0" "addr add $ga2/24 dev lan0" \
	"addr add $a_wan/24 dev wan0"
nsb gwb "link set lo up" "link set lan0 up" "link set wan0 up" \
	"addr add $gb1/24 dev lan0" "addr add $gb2/24 dev lan0" \
	"addr add $B_WAN/24 dev wan0"
nsb hosta "link set lo up" "link set eth0 up" \
	"addr add $A_HOST1/24 dev eth0" "addr add $A_HOST2/24 dev eth0" \
	"route add default via $ga1"
nsb hostb "link set lo up" "link set eth0 up" \
	"addr add $B_HOST1/24 dev eth0" "addr add $B_HOST2/24 dev eth0" \
	"route add default via $gb1"
if [ "$mode" = nat ]; then
	nsb nat "link set lo up" "link set inside0 up" "link set outside0 up" \
		"addr add $NAT_INSIDE/24 dev inside0" "addr add $NAT_OUTSIDE/24 dev outside0"
	nsb gwa "route add default via $NAT_INSIDE"
	printf '*nat\n-A POSTROUTING -o outside0 -j MASQUERADE\nCOMMIT\n' |
		ip netns exec nat sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward
			exec iptables-legacy-restore --noflush'
	nsb gwb "route add $A_LAN1 via $NAT_OUTSIDE" "route add $A_LAN2 via $NAT_OUTSIDE"
else
	nsb gwa "route add $B_LAN1 via $B_WAN" "route add $B_LAN2 via $B_WAN"
	nsb gwb "route add $A_LAN1 via $A_WAN" "route add $A_LAN2 via $A_WAN"
fi

# forwarding on, rp_filter off, and the leak guard, in one exec per gateway
guard() {
	local ns=$1 mine=$2 theirs=$3 m t
	{
		echo "*filter"
		for m in $mine; do for t in $theirs; do
			echo "-A FORWARD -s $m -d $t -m policy --dir out --pol none -j DROP"
			echo "-A FORWARD -s $t -d $m -m policy --dir in --pol none -j DROP"
		done; done
		echo "COMMIT"
	} | ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward
		for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >$f; done
		exec iptables-legacy-restore --noflush'
}
guard gwa "$A_LAN1 $A_LAN2" "$B_LAN1 $B_LAN2"
guard gwb "$B_LAN1 $B_LAN2" "$A_LAN1 $A_LAN2"

# Instantiate the kernel's ESP crypto templates once (gcm, cbc+hmac): the
# first use costs seconds in the UML guest, which would otherwise land in
# the middle of an IKE_AUTH exchange and cause retransmits.
warm() {
	local k16=0x$(printf '%032d' 0) k20=0x$(printf '%040d' 0) k32=0x$(printf '%064d' 0)
	local k36=0x$(printf '%072d' 0) i=1 alg
	for alg in "aead rfc4106(gcm(aes)) $k36 128" "aead rfc4106(gcm(aes)) 0x$(printf '%040d' 0) 128" \
		   "enc cbc(aes) $k32 auth-trunc hmac(sha256) $k32 128" \
		   "enc cbc(aes) $k16 auth-trunc hmac(sha1) $k20 96"; do
		echo "xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi $i mode tunnel $alg"
		echo "xfrm state del src 198.18.0.1 dst 198.18.0.2 proto esp spi $i"
		i=$((i + 1))
	done | ip netns exec gwa ip -batch - 2>/dev/null || true
}
warm
