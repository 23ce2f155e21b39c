/* The IKE sockets: UDP 500 and 4500 (NAT-T), IPv4 and IPv6.
 *
 * Each socket learns the local address of every datagram (IP_PKTINFO)
 * so replies leave from the address the peer used, and carries a
 * per-socket XFRM bypass policy so a wide tunnel policy never captures
 * IKE itself.  The 4500 socket is marked UDP_ENCAP_ESPINUDP: the kernel
 * takes ESP from it and hands us only datagrams with the non-ESP marker.
 */
#ifndef IKEGW_NET_H
#define IKEGW_NET_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum { NET_V4_IKE, NET_V4_NATT, NET_V6_IKE, NET_V6_NATT, NET_NSOCK };

struct net {
	int fd[NET_NSOCK];		/* -1 when not open */
	uint16_t port[NET_NSOCK];
};

struct net_dgram {
	struct ike_addr src, dst;
	uint16_t sport, dport;
	size_t len;
};

/* Open what can be opened; IPv6 is optional (no error when the host has
 * none).  Ports are normally 500 and 4500. */
int net_open(struct net *n, uint16_t ike_port, uint16_t natt_port);
void net_close(struct net *n);
/* Read one datagram from fd[i] into buf; -EAGAIN when none is pending. */
int net_recv(struct net *n, int i, uint8_t *buf, size_t bufsz, struct net_dgram *d);
int net_send(struct net *n, const struct ike_addr *src, uint16_t sport,
	     const struct ike_addr *dst, uint16_t dport,
	     const uint8_t *buf, size_t len);

#endif
