#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "xfrm/xfrm.h"

static int open_one(int family, uint16_t port, bool natt)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, on = 1;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0)
			goto fail;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0)
			goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	if (xfrm_socket_bypass(fd, family) < 0)
		log_warn("no XFRM bypass policy on the IKE socket (port %u): %s",
			 port, strerror(errno));
	if (natt && xfrm_socket_encap(fd) < 0)
		log_warn("cannot mark port %u for UDP-encapsulated ESP: %s",
			 port, strerror(errno));
	return fd;
fail:
	{
		int err = -errno;

		close(fd);
		return err;
	}
}

int net_open(struct net *n, uint16_t ike_port, uint16_t natt_port)
{
	static const int fam[NET_NSOCK] = { AF_INET, AF_INET, AF_INET6, AF_INET6 };
	int r;

	for (int i = 0; i < NET_NSOCK; i++) {
		n->fd[i] = -1;
		n->port[i] = (i == NET_V4_NATT || i == NET_V6_NATT) ? natt_port : ike_port;
	}
	for (int i = 0; i < NET_NSOCK; i++) {
		r = open_one(fam[i], n->port[i], i == NET_V4_NATT || i == NET_V6_NATT);
		if (r < 0 && fam[i] == AF_INET6 &&
		    (r == -EAFNOSUPPORT || r == -EADDRNOTAVAIL))
			continue;	/* no IPv6 here: fine */
		if (r < 0) {
			log_err("cannot open UDP port %u: %s", n->port[i], strerror(-r));
			net_close(n);
			return r;
		}
		n->fd[i] = r;
	}
	return 0;
}

void net_close(struct net *n)
{
	for (int i = 0; i < NET_NSOCK; i++) {
		if (n->fd[i] >= 0)
			close(n->fd[i]);
		n->fd[i] = -1;
	}
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct ike_addr *a,
			  uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		a->family = AF_INET;
		memcpy(a->a, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		a->family = AF_INET6;
		memcpy(a->a, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	}
}

static void local_addr(struct msghdr *mh, struct ike_addr *dst)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->family = AF_INET;
			memcpy(dst->a, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->family = AF_INET6;
			memcpy(dst->a, &pi.ipi6_addr, 16);
		}
	}
}

int net_recv(struct net *n, int i, uint8_t *buf, size_t bufsz, struct net_dgram *d)
{
	struct sockaddr_storage ss;
	union { char b[256]; struct cmsghdr align; } cbuf;
	struct iovec iov = { buf, bufsz };
	struct msghdr mh = {
		.msg_name = &ss, .msg_namelen = sizeof(ss),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	ssize_t r;

	memset(d, 0, sizeof(*d));
	r = recvmsg(n->fd[i], &mh, MSG_DONTWAIT);
	if (r < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;	/* over our buffer: not a message we take */
	from_sockaddr(&ss, &d->src, &d->sport);
	local_addr(&mh, &d->dst);
	d->dport = n->port[i];
	d->len = (size_t)r;
	return 0;
}

static int pick(const struct net *n, int family, uint16_t sport)
{
	for (int i = 0; i < NET_NSOCK; i++) {
		bool v4 = i == NET_V4_IKE || i == NET_V4_NATT;

		if (n->fd[i] >= 0 && n->port[i] == sport &&
		    (family == AF_INET) == v4)
			return n->fd[i];
	}
	return -1;
}

int net_send(struct net *n, const struct ike_addr *src, uint16_t sport,
	     const struct ike_addr *dst, uint16_t dport,
	     const uint8_t *buf, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	union { char b[128]; struct cmsghdr align; } cbuf;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = pick(n, dst->family, sport);

	if (fd < 0)
		return -EAFNOSUPPORT;
	memset(&cbuf, 0, sizeof(cbuf));
	if (dst->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		struct in_pktinfo pi = { 0 };
		struct cmsghdr *c;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(dport);
		memcpy(&s4->sin_addr, dst->a, 4);
		mh.msg_namelen = sizeof(*s4);
		if (src && src->family == AF_INET) {
			memcpy(&pi.ipi_spec_dst, src->a, 4);
			mh.msg_control = cbuf.b;
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		}
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		struct in6_pktinfo pi = { 0 };
		struct cmsghdr *c;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(dport);
		memcpy(&s6->sin6_addr, dst->a, 16);
		mh.msg_namelen = sizeof(*s6);
		if (src && src->family == AF_INET6) {
			memcpy(&pi.ipi6_addr, src->a, 16);
			mh.msg_control = cbuf.b;
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		}
	}
	if (sendmsg(fd, &mh, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}
