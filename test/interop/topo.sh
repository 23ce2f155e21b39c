# Addresses of the interop topology, sourced before every scenario file.
# Each may be preset in the environment to fit the kernel harness.
#
#   hosta --- gwa ======= gwb --- hostb         (direct WAN link)
#   hosta --- gwa --- nat ======= gwb --- hostb (scenario 6: gwa behind NAT)
#
# gwa is side A (ikegw in the interop tests), gwb side B (the peer).
: "${A_WAN:=192.0.2.1}"		# gwa's WAN address (direct link)
: "${B_WAN:=192.0.2.2}"		# gwb's WAN address
: "${A_WAN_NAT:=172.30.0.1}"	# gwa's WAN address behind the NAT box
: "${NAT_INSIDE:=172.30.0.254}"	# NAT box, gwa's side
: "${NAT_OUTSIDE:=192.0.2.254}"	# NAT box, gwb's side: what gwb sees of gwa
: "${A_LAN1:=10.1.0.0/24}"	# gwa 10.1.0.1, hosta 10.1.0.10
: "${A_LAN2:=10.1.1.0/24}"	# gwa 10.1.1.1, hosta 10.1.1.10
: "${B_LAN1:=10.2.0.0/24}"	# gwb 10.2.0.1, hostb 10.2.0.10
: "${B_LAN2:=10.2.1.0/24}"	# gwb 10.2.1.1, hostb 10.2.1.10
: "${A_HOST1:=10.1.0.10}" "${A_HOST2:=10.1.1.10}"
: "${B_HOST1:=10.2.0.10}" "${B_HOST2:=10.2.1.10}"
