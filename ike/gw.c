#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gw.h"
#include "limits.h"
#include "log.h"
#include "net.h"

struct gw {
	struct loop *loop;
	struct net net;
	struct xfrm *xfrm;
	struct ike *ike;
	uint8_t buf[IKE_MAX_MSG + 1];	/* one more: oversize shows as such */
};

static int gw_send(void *arg, const struct ike_addr *src, uint16_t sport,
		   const struct ike_addr *dst, uint16_t dport,
		   const uint8_t *buf, size_t len)
{
	struct gw *g = arg;

	return net_send(&g->net, src, sport, dst, dport, buf, len);
}

static uint64_t gw_now_ms(void *arg)
{
	(void)arg;
	return loop_now_ms();
}

static uint64_t gw_wall_s(void *arg)
{
	(void)arg;
	return (uint64_t)time(NULL);
}

/* The source address the routing table picks towards dst: connect() on
 * a UDP socket resolves the route without sending anything. */
static int gw_route(void *arg, const struct ike_addr *dst, struct ike_addr *src)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, r = 0;

	(void)arg;
	if (dst->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(500);
		memcpy(&s4->sin_addr, dst->a, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(500);
		memcpy(&s6->sin6_addr, dst->a, 16);
		sl = sizeof(*s6);
	}
	fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		r = -errno;
	} else {
		memset(src, 0, sizeof(*src));
		src->family = dst->family;
		if (dst->family == AF_INET)
			memcpy(src->a, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		else
			memcpy(src->a, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	}
	close(fd);
	return r;
}

static void on_udp(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct gw *g = arg;
	struct net_dgram d;
	int i;

	(void)l;
	(void)events;
	for (i = 0; i < NET_NSOCK && g->net.fd[i] != fd; i++)
		;
	if (i == NET_NSOCK)
		return;
	/* Bounded: a flood yields to the rest of the loop after 64. */
	for (int n = 0; n < 64; n++) {
		int r = net_recv(&g->net, i, g->buf, sizeof(g->buf), &d);

		if (r == -EAGAIN || r == -EWOULDBLOCK)
			break;
		if (r < 0 || d.len > IKE_MAX_MSG)
			continue;	/* oversized or truncated: not IKE we take */
		ike_recv(g->ike, g->buf, d.len, &d.src, d.sport, &d.dst, d.dport);
	}
}

static void on_xfrm_event(const struct xfrm_event *ev, void *arg)
{
	ike_xfrm_event(arg, ev);
}

static void on_xfrm(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct gw *g = arg;

	(void)l;
	(void)fd;
	(void)events;
	xfrm_read_events(g->xfrm, on_xfrm_event, g->ike);
}

static uint64_t next_timer(void *arg)
{
	return ike_next_timer(arg);
}

static void run_timers(void *arg)
{
	ike_run_timers(arg);
}

static int open_kernel(struct gw *g)
{
	unsigned n = 0;
	int r;

	g->xfrm = xfrm_nl_open(&r);
	if (!g->xfrm) {
		log_err("cannot open netlink XFRM: %s (ikegwd needs CAP_NET_ADMIN)",
			strerror(-r));
		return r;
	}
	r = xfrm_remove_owned(g->xfrm, &n);
	if (r < 0)
		log_warn("cannot remove leftovers of a previous run: %s",
			 xfrm_last_error(g->xfrm));
	else if (n)
		log_info("removed %u SAs and policies left by a previous run", n);
	return 0;
}

static int watch(struct gw *g)
{
	int r = 0;

	for (int i = 0; i < NET_NSOCK && r == 0; i++)
		if (g->net.fd[i] >= 0)
			r = loop_add_fd(g->loop, g->net.fd[i], EPOLLIN, on_udp, g);
	if (r == 0 && xfrm_event_fd(g->xfrm) >= 0)
		r = loop_add_fd(g->loop, xfrm_event_fd(g->xfrm), EPOLLIN, on_xfrm, g);
	if (r == 0)
		r = loop_add_deadline(g->loop, next_timer, run_timers, g->ike);
	return r;
}

int gw_start(struct gw **out, struct loop *l, const struct conf *conf,
	     const char *keylog)
{
	struct gw *g = calloc(1, sizeof(*g));
	struct ike_env env;
	int r = -ENOMEM;

	if (!g)
		return r;
	g->loop = l;
	for (int i = 0; i < NET_NSOCK; i++)
		g->net.fd[i] = -1;
	r = open_kernel(g);
	if (r < 0)
		goto fail;
	r = net_open(&g->net, 500, 4500);
	if (r < 0)
		goto fail;
	env = (struct ike_env){
		.send = gw_send, .now_ms = gw_now_ms, .wall_s = gw_wall_s,
		.route = gw_route, .arg = g, .xfrm = g->xfrm, .keylog = keylog,
	};
	for (unsigned i = 0; i < conf->n_conns; i++)
		if (conf->conns[i].ike_version == 1)
			log_warn("%s: IKEv1 is not implemented in this version; the "
				 "connection will not be negotiated", conf->conns[i].name);
	g->ike = ike_new(&env, conf);
	r = g->ike ? watch(g) : -ENOMEM;
	if (r < 0)
		goto fail;
	*out = g;
	return 0;
fail:
	gw_stop(g);
	return r;
}

struct ike *gw_engine(struct gw *g)
{
	return g ? g->ike : NULL;
}

void gw_stop(struct gw *g)
{
	if (!g)
		return;
	if (g->ike) {
		loop_del_deadline(g->loop, g->ike);
		ike_free(g->ike);
	}
	if (g->xfrm) {
		unsigned n = 0;

		/* What the engine deleted is gone; what remains in our reqid
		 * range is the kernel's own doing for our policies (larval
		 * states of an acquire), ours to clear all the same. */
		if (xfrm_remove_owned(g->xfrm, &n) == 0 && n)
			log_debug("removed %u acquire states of our policies", n);
	}
	for (int i = 0; i < NET_NSOCK; i++)
		if (g->net.fd[i] >= 0)
			loop_del_fd(g->loop, g->net.fd[i]);
	net_close(&g->net);
	if (g->xfrm) {
		if (xfrm_event_fd(g->xfrm) >= 0)
			loop_del_fd(g->loop, xfrm_event_fd(g->xfrm));
		xfrm_close(g->xfrm);
	}
	free(g);
}
