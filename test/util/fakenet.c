#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakenet.h"
#include "ike/v2.h"

#define WALL_BASE 1800000000ull

static uint64_t fn_now(void *arg)
{
	struct fakenet_node *n = arg;

	return n->net->now_ms;
}

static uint64_t fn_wall(void *arg)
{
	struct fakenet_node *n = arg;

	return WALL_BASE + n->net->now_ms / 1000;
}

static bool lose(struct fakenet *net)
{
	uint64_t x = net->rng;

	if (!net->loss_pct)
		return false;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	net->rng = x;
	return x % 100 < net->loss_pct;
}

static void enqueue(struct fakenet *net, struct fakenet_pkt *p)
{
	struct fakenet_pkt **pp = &net->queue;

	while (*pp && (*pp)->at <= p->at)
		pp = &(*pp)->next;
	p->next = *pp;
	*pp = p;
}

static struct fakenet_pkt *pkt_new(unsigned from, const struct ike_addr *src,
				   uint16_t sport, const struct ike_addr *dst,
				   uint16_t dport, const uint8_t *buf, size_t len)
{
	struct fakenet_pkt *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->buf = malloc(len ? len : 1);
	if (!p->buf) {
		free(p);
		return NULL;
	}
	memcpy(p->buf, buf, len);
	p->len = len;
	p->from = from;
	p->src = *src;
	p->dst = *dst;
	p->sport = sport;
	p->dport = dport;
	return p;
}

static void capture_and_send(struct fakenet *net, struct fakenet_pkt *p)
{
	struct fakenet_pkt *c;

	p->at = net->now_ms + FAKENET_LATENCY_MS;
	p->dropped = net->node[p->from].down || lose(net) ||
		     (net->drop_fn && net->drop_fn(p, net->drop_arg));
	if (net->n_cap < FAKENET_MAX_CAPTURE) {
		c = pkt_new(p->from, &p->src, p->sport, &p->dst, p->dport,
			    p->buf, p->len);
		if (c) {
			c->dropped = p->dropped;
			c->at = p->at;
			net->cap[net->n_cap++] = c;
		}
	}
	if (p->dropped) {
		net->dropped++;
		free(p->buf);
		free(p);
		return;
	}
	enqueue(net, p);
}

static int fn_send(void *arg, const struct ike_addr *src, uint16_t sport,
		   const struct ike_addr *dst, uint16_t dport,
		   const uint8_t *buf, size_t len)
{
	struct fakenet_node *n = arg;
	struct ike_addr s = src->family ? *src : n->addr;
	struct fakenet_pkt *p = pkt_new(n->idx, &s, sport, dst, dport, buf, len);

	if (!p)
		return -ENOMEM;
	capture_and_send(n->net, p);
	return 0;
}

static int fn_route(void *arg, const struct ike_addr *dst, struct ike_addr *src)
{
	struct fakenet_node *n = arg;

	(void)dst;
	*src = n->addr;
	return 0;
}

struct fakenet *fakenet_new(void)
{
	struct fakenet *net = calloc(1, sizeof(*net));

	if (!net)
		return NULL;
	net->now_ms = 1000000;
	net->rng = 0x9e3779b97f4a7c15ull;
	net->nat_node = -1;
	return net;
}

int fakenet_add(struct fakenet *net, unsigned idx, const char *name,
		const char *addr, const char *conf_text)
{
	return fakenet_add_keylog(net, idx, name, addr, conf_text, NULL);
}

int fakenet_add_keylog(struct fakenet *net, unsigned idx, const char *name,
		       const char *addr, const char *conf_text, const char *keylog)
{
	struct fakenet_node *n = &net->node[idx];
	int r;

	n->net = net;
	n->idx = idx;
	n->name = name;
	if (!addr_parse(addr, &n->addr))
		return -EINVAL;
	r = conf_parse(name, conf_text, strlen(conf_text), &n->conf, stderr);
	if (r < 0)
		return r;
	n->xfrm = xfrm_fake_open();
	if (!n->xfrm)
		return -ENOMEM;
	n->env.send = fn_send;
	n->env.now_ms = fn_now;
	n->env.wall_s = fn_wall;
	n->env.route = fn_route;
	n->env.arg = n;
	n->env.xfrm = n->xfrm;
	n->env.keylog = keylog;
	n->ike = ike_new(&n->env, n->conf);
	return n->ike ? 0 : -ENOMEM;
}

void fakenet_set_nat(struct fakenet *net, unsigned idx, const char *public_addr)
{
	net->nat_node = (int)idx;
	addr_parse(public_addr, &net->nat_public);
}

static struct fakenet_node *node_at(struct fakenet *net, const struct ike_addr *a)
{
	for (unsigned i = 0; i < FAKENET_NODES; i++)
		if (net->node[i].ike && addr_eq(&net->node[i].addr, a))
			return &net->node[i];
	return NULL;
}

/* The NAT rewrites the source of what leaves its node and the
 * destination of what comes back to its public address. */
static void nat_translate(struct fakenet *net, struct fakenet_pkt *p)
{
	struct fakenet_node *nn;

	if (net->nat_node < 0)
		return;
	nn = &net->node[net->nat_node];
	if ((int)p->from == net->nat_node && addr_eq(&p->src, &nn->addr)) {
		p->src = net->nat_public;
		if (!net->nat_1to1)
			p->sport = (uint16_t)(p->sport + FAKENET_NAT_PORT_SHIFT);
	} else if (addr_eq(&p->dst, &net->nat_public) &&
		   (net->nat_1to1 || p->dport > FAKENET_NAT_PORT_SHIFT)) {
		p->dst = nn->addr;
		if (!net->nat_1to1)
			p->dport = (uint16_t)(p->dport - FAKENET_NAT_PORT_SHIFT);
	}
}

const char *fakenet_active = "";

static void deliver(struct fakenet *net, struct fakenet_pkt *p)
{
	struct fakenet_node *to;

	nat_translate(net, p);
	to = node_at(net, &p->dst);
	if (!to || to->down) {
		net->dropped++;
		return;
	}
	net->delivered++;
	fakenet_active = to->name;
	ike_recv(to->ike, p->buf, p->len, &p->src, p->sport, &p->dst, p->dport);
}

static uint64_t next_timer(struct fakenet *net)
{
	uint64_t t = UINT64_MAX, u;

	for (unsigned i = 0; i < FAKENET_NODES; i++) {
		if (!net->node[i].ike)
			continue;
		u = ike_next_timer(net->node[i].ike);
		if (u < t)
			t = u;
	}
	return t;
}

void fakenet_run(struct fakenet *net, uint64_t ms)
{
	uint64_t end = net->now_ms + ms, t;
	unsigned guard = 0;

	while (guard++ < 1000000) {
		t = next_timer(net);
		if (net->queue && net->queue->at <= t)
			t = net->queue->at;
		if (t > end)
			break;
		if (t > net->now_ms)
			net->now_ms = t;
		if (net->queue && net->queue->at <= net->now_ms) {
			struct fakenet_pkt *p = net->queue;

			net->queue = p->next;
			deliver(net, p);
			free(p->buf);
			free(p);
			continue;
		}
		for (unsigned i = 0; i < FAKENET_NODES; i++)
			if (net->node[i].ike &&
			    ike_next_timer(net->node[i].ike) <= net->now_ms) {
				fakenet_active = net->node[i].name;
				ike_run_timers(net->node[i].ike);
			}
	}
	if (net->now_ms < end)
		net->now_ms = end;
}

void fakenet_replay(struct fakenet *net, unsigned cap_idx)
{
	struct fakenet_pkt *c, *p;

	if (cap_idx >= net->n_cap)
		return;
	c = net->cap[cap_idx];
	p = pkt_new(c->from, &c->src, c->sport, &c->dst, c->dport, c->buf, c->len);
	if (p) {
		p->at = net->now_ms + FAKENET_LATENCY_MS;
		enqueue(net, p);
	}
}

/* The IKE header, behind the non-ESP marker on 4500. */
static const uint8_t *ike_hdr(const struct fakenet_pkt *p)
{
	size_t off = p->dport == 4500 || p->sport == 4500 ? 4 : 0;

	if (p->len < off + IKEV2_HDR_LEN)
		return NULL;
	return p->buf + off;
}

static bool match(const struct fakenet_pkt *p, unsigned from, uint8_t exch,
		  bool response)
{
	const uint8_t *h = ike_hdr(p);

	return h && p->from == from && (!exch || h[18] == exch) &&
	       !!(h[19] & IKEV2_FLAG_RESPONSE) == response;
}

int fakenet_find(const struct fakenet *net, unsigned from, uint8_t exch,
		 bool response, unsigned nth)
{
	for (unsigned i = 0; i < net->n_cap; i++)
		if (match(net->cap[i], from, exch, response) && nth-- == 0)
			return (int)i;
	return -1;
}

unsigned fakenet_count(const struct fakenet *net, unsigned from, uint8_t exch,
		       bool response)
{
	unsigned n = 0;

	for (unsigned i = 0; i < net->n_cap; i++)
		n += match(net->cap[i], from, exch, response);
	return n;
}

void fakenet_free(struct fakenet *net)
{
	struct fakenet_pkt *p;

	if (!net)
		return;
	for (unsigned i = 0; i < FAKENET_NODES; i++) {
		struct fakenet_node *n = &net->node[i];

		if (n->ike)
			ike_free(n->ike);
		if (n->xfrm)
			xfrm_close(n->xfrm);
		if (n->conf)
			conf_free(n->conf);
	}
	while ((p = net->queue)) {
		net->queue = p->next;
		free(p->buf);
		free(p);
	}
	fakenet_clear_capture(net);
	free(net);
}

void fakenet_clear_capture(struct fakenet *net)
{
	for (unsigned i = 0; i < net->n_cap; i++) {
		free(net->cap[i]->buf);
		free(net->cap[i]);
	}
	net->n_cap = 0;
}
