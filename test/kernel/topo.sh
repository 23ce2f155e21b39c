#!/bin/bash
# The standard two-gateway topology, inside the (UML or scratch) kernel.
#
#   topo.sh up [--nat]     topo.sh down
#
# Namespaces and addresses (documentation/private ranges only; nothing
# leaves the namespaces):
#   gwa   wan0 192.0.2.1/24 (plain) or 198.51.100.1/24 behind "nat" (--nat)
#         lan1 10.1.1.1/24, lan2 10.1.2.1/24
#   gwb   wan0 192.0.2.2/24; lan1 10.2.1.1/24, lan2 10.2.2.1/24
#   hosta1 10.1.1.10  hosta2 10.1.2.10  hostb1 10.2.1.10  hostb2 10.2.2.10
#         (each eth0, default route via its gateway)
# IPv6 as well (plain variant only): wan0 2001:db8::1/64 (gwa) and
# 2001:db8::2/64 (gwb); LAN N of side S is 2001:db8:S:N::/64 (gateway ::1,
# host ::10), e.g. hosta1 2001:db8:1:1::10, hostb2 2001:db8:2:2::10.
#   nat   (--nat only) inside0 198.51.100.254/24 <-> gwa, outside0
#         192.0.2.1/24 <-> gwb; iptables-legacy MASQUERADE on outside0, so
#         gwb sees gwa as 192.0.2.1 in both variants.
# Routes: nat routes 10.1.0.0/16 to gwa (so a LAN host can reach gwb's
# outside address through the NAT for a sanity check); each gateway routes the other side's LANs (10.x.0.0/16) to the
# peer, so packets reach the XFRM policy lookup.  Forwarding is on and
# rp_filter off in gwa, gwb and nat.
set -eu
hosts="hosta1:gwa:lan1:10.1.1:2001:db8:1:1 hosta2:gwa:lan2:10.1.2:2001:db8:1:2
       hostb1:gwb:lan1:10.2.1:2001:db8:2:1 hostb2:gwb:lan2:10.2.2:2001:db8:2:2"

sysctls() {
	local ns
	for ns in "$@"; do
		ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward
			echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
			echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter
			echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter'
	done
}

up() {
	local nat=${1:-} h host gw dev net b
	b=$(mktemp)
	{
		for ns in gwa gwb hosta1 hosta2 hostb1 hostb2; do echo "netns add $ns"; done
		[ -n "$nat" ] && echo "netns add nat"
		if [ -n "$nat" ]; then
			echo "link add wan0 netns gwa type veth peer name inside0 netns nat"
			echo "link add outside0 netns nat type veth peer name wan0 netns gwb"
		else
			echo "link add wan0 netns gwa type veth peer name wan0 netns gwb"
		fi
		for h in $hosts; do
			IFS=: read -r host gw dev net _ <<<"$h"
			echo "link add $dev netns $gw type veth peer name eth0 netns $host"
		done
	} > "$b"
	ip -batch "$b"
	for h in $hosts; do
		IFS=: read -r host gw dev net net6 <<<"$h"
		{
			printf 'link set lo up\nlink set eth0 up\naddr add %s.10/24 dev eth0\n' "$net"
			printf 'route add default via %s.1\n' "$net"
			if [ -z "$nat" ]; then
				printf 'addr add %s::10/64 dev eth0 nodad\n' "$net6"
				printf 'route add default via %s::1\n' "$net6"
			fi
		} | ip -n "$host" -batch -
	done
	{
		echo "link set lo up"
		echo "link set lan1 up"; echo "addr add 10.1.1.1/24 dev lan1"
		echo "link set lan2 up"; echo "addr add 10.1.2.1/24 dev lan2"
		echo "link set wan0 up"
		if [ -n "$nat" ]; then
			echo "addr add 198.51.100.1/24 dev wan0"
			echo "route add default via 198.51.100.254"
		else
			echo "addr add 192.0.2.1/24 dev wan0"
			echo "route add 10.2.0.0/16 via 192.0.2.2"
			echo "addr add 2001:db8::1/64 dev wan0 nodad"
			echo "addr add 2001:db8:1:1::1/64 dev lan1 nodad"
			echo "addr add 2001:db8:1:2::1/64 dev lan2 nodad"
			echo "route add 2001:db8:2::/48 via 2001:db8::2"
		fi
	} | ip -n gwa -batch -
	{
		echo "link set lo up"
		echo "link set lan1 up"; echo "addr add 10.2.1.1/24 dev lan1"
		echo "link set lan2 up"; echo "addr add 10.2.2.1/24 dev lan2"
		echo "link set wan0 up"; echo "addr add 192.0.2.2/24 dev wan0"
		echo "route add 10.1.0.0/16 via 192.0.2.1"
		if [ -z "$nat" ]; then
			echo "addr add 2001:db8::2/64 dev wan0 nodad"
			echo "addr add 2001:db8:2:1::1/64 dev lan1 nodad"
			echo "addr add 2001:db8:2:2::1/64 dev lan2 nodad"
			echo "route add 2001:db8:1::/48 via 2001:db8::1"
		fi
	} | ip -n gwb -batch -
	if [ -n "$nat" ]; then
		printf '%s\n' "link set lo up" "link set inside0 up" \
			"addr add 198.51.100.254/24 dev inside0" "link set outside0 up" \
			"addr add 192.0.2.1/24 dev outside0" \
			"route add 10.1.0.0/16 via 198.51.100.1" | ip -n nat -batch -
		ip netns exec nat iptables-legacy -t nat -A POSTROUTING -o outside0 -j MASQUERADE
		sysctls gwa gwb nat
	else
		sysctls gwa gwb
	fi
	rm -f "$b"
}

down() {
	local ns
	for ns in gwa gwb nat hosta1 hosta2 hostb1 hostb2; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

case "${1:-}" in
up) up "$([ "${2:-}" = --nat ] && echo nat || true)" ;;
down) down ;;
*) echo "usage: topo.sh up [--nat] | down" >&2; exit 2 ;;
esac
