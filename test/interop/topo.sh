# Addresses of the interop topology, sourced before every scenario file.
# They are those of the harness's standard topology, test/kernel/topo.sh,
# which topo-up.sh builds:
#
#   hosta1 hosta2 --- gwa ======= gwb --- hostb1 hostb2       (direct)
#   hosta1 hosta2 --- gwa --- nat ======= gwb --- ...           (--nat)
#
# gwa is side A (ikegw in the interop tests), gwb side B (the peer).
# Each may be preset in the environment.
: "${A_WAN:=192.0.2.1}"		# gwa's WAN address (direct link)
: "${B_WAN:=192.0.2.2}"		# gwb's WAN address
: "${A_WAN_NAT:=198.51.100.1}"	# gwa's WAN address behind the NAT box
: "${NAT_OUTSIDE:=192.0.2.1}"	# the NAT box towards gwb: what gwb sees of gwa
: "${A_LAN1:=10.1.1.0/24}" "${A_LAN2:=10.1.2.0/24}"	# gwa .1 on lan1, lan2
: "${B_LAN1:=10.2.1.0/24}" "${B_LAN2:=10.2.2.0/24}"	# gwb .1 on lan1, lan2
# one host per LAN, each in its own namespace
: "${A_HOST1:=10.1.1.10}" "${A_HOST2:=10.1.2.10}" "${B_HOST1:=10.2.1.10}" "${B_HOST2:=10.2.2.10}"
: "${A_NS1:=hosta1}" "${A_NS2:=hosta2}" "${B_NS1:=hostb1}" "${B_NS2:=hostb2}"
