/* Socket options for the IKE sockets (no netlink involved, so they live
 * apart from the netlink backend and link into every build). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include "xfrm/xfrm.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif

/* An ALLOW policy on the socket itself, for both directions: IKE packets
 * then never match a tunnel policy that covers the gateways' own
 * addresses (and are never dropped waiting for an SA). */
int xfrm_socket_bypass(int fd, int family)
{
	struct xfrm_userpolicy_info pol;
	int level, opt;
	const uint8_t dirs[] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };

	if (family == AF_INET) {
		level = IPPROTO_IP;
		opt = IP_XFRM_POLICY;
	} else if (family == AF_INET6) {
		level = IPPROTO_IPV6;
		opt = IPV6_XFRM_POLICY;
	} else {
		return -EAFNOSUPPORT;
	}
	for (size_t i = 0; i < sizeof(dirs); i++) {
		memset(&pol, 0, sizeof(pol));
		pol.sel.family = family;
		pol.lft.soft_byte_limit = XFRM_INF;
		pol.lft.hard_byte_limit = XFRM_INF;
		pol.lft.soft_packet_limit = XFRM_INF;
		pol.lft.hard_packet_limit = XFRM_INF;
		pol.dir = dirs[i];
		pol.action = XFRM_POLICY_ALLOW;
		if (setsockopt(fd, level, opt, &pol, sizeof(pol)) < 0)
			return -errno;
	}
	return 0;
}

/* Port 4500: the kernel strips the non-ESP marker logic for us and hands
 * ESP-in-UDP to xfrm; IKE packets (marker 0) still reach the socket. */
int xfrm_socket_encap(int fd)
{
	int type = UDP_ENCAP_ESPINUDP;

	if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0)
		return -errno;
	return 0;
}
