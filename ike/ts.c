/* IKEv2 traffic selectors: narrowing, reply checks, pair coverage, CIDRs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "textbuf.h"
#include "ts.h"

/* ---------- address arithmetic (big-endian byte arrays) ---------- */

static int acmp(const struct ike_addr *x, const struct ike_addr *y)
{
	return memcmp(x->a, y->a, addr_len(x->family));
}

/* x + 1; false when x was all-ones (no successor). */
static bool ainc(struct ike_addr *x)
{
	for (size_t i = addr_len(x->family); i-- > 0;)
		if (++x->a[i] != 0)
			return true;
	return false;
}

static bool all_ones(const struct ike_addr *x)
{
	for (size_t i = 0; i < addr_len(x->family); i++)
		if (x->a[i] != 0xff)
			return false;
	return true;
}

static bool bit_set(const struct ike_addr *x, unsigned bit)	/* bit 0 = LSB */
{
	size_t len = addr_len(x->family);

	return x->a[len - 1 - bit / 8] >> (bit % 8) & 1;
}

/* x with its low k bits set. */
static struct ike_addr fill_low(const struct ike_addr *x, unsigned k)
{
	struct ike_addr r = *x;
	size_t len = addr_len(x->family);

	for (unsigned b = 0; b < k; b++)
		r.a[len - 1 - b / 8] |= (uint8_t)(1u << (b % 8));
	return r;
}

static int ts_family(uint8_t type)
{
	return type == IKEV2_TS_IPV4_ADDR_RANGE ? AF_INET :
	       type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 : 0;
}

/* ---------- selectors ---------- */

static bool opaque(const struct v2_ts *t)
{
	return t->port_lo == 65535 && t->port_hi == 0;
}

static bool all_ports(const struct v2_ts *t)
{
	return t->port_lo == 0 && t->port_hi == 65535;
}

bool ts_valid(const struct v2_ts *ts, const char **why)
{
	const char *w = NULL;
	int fam = ts_family(ts->type);

	if (!fam)
		w = "unknown TS type";
	else if (ts->lo.family != fam || ts->hi.family != fam)
		w = "TS address family differs from its type";
	else if (acmp(&ts->lo, &ts->hi) > 0)
		w = "TS start address above end address";
	else if (ts->port_lo > ts->port_hi && !opaque(ts))
		w = "TS start port above end port";
	if (why)
		*why = w;
	return w == NULL;
}

int ts_from_subnets(const struct ike_subnet *nets, unsigned n, struct v2_ts_set *out)
{
	memset(out, 0, sizeof(*out));
	if (n > IKE_MAX_TS)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++) {
		struct v2_ts *t = &out->ts[i];
		int fam = nets[i].addr.family;

		if (fam != AF_INET && fam != AF_INET6)
			return -EINVAL;
		t->type = fam == AF_INET ? IKEV2_TS_IPV4_ADDR_RANGE : IKEV2_TS_IPV6_ADDR_RANGE;
		t->port_lo = 0;
		t->port_hi = 65535;
		subnet_range(&nets[i], &t->lo, &t->hi);
	}
	out->n = n;
	return 0;
}

int ts_prepend_trigger(struct v2_ts_set *set, const struct ike_addr *addr,
		       uint8_t ipproto, uint16_t port)
{
	struct v2_ts t = { .ipproto = ipproto, .lo = *addr, .hi = *addr,
			   .port_lo = port, .port_hi = port ? port : 65535 };

	if (addr->family != AF_INET && addr->family != AF_INET6)
		return -EINVAL;
	if (set->n >= IKE_MAX_TS)
		return -E2BIG;
	t.type = addr->family == AF_INET ? IKEV2_TS_IPV4_ADDR_RANGE : IKEV2_TS_IPV6_ADDR_RANGE;
	memmove(&set->ts[1], &set->ts[0], set->n * sizeof(set->ts[0]));
	set->ts[0] = t;
	set->n++;
	return 0;
}

/* Does `outer` carry every packet `in` does (protocol and ports)? */
static bool carries(const struct v2_ts *outer, const struct v2_ts *in)
{
	if (outer->ipproto && outer->ipproto != in->ipproto)
		return false;
	if (all_ports(outer))
		return true;
	if (opaque(outer) || opaque(in))
		return opaque(outer) && opaque(in);
	return outer->port_lo <= in->port_lo && in->port_hi <= outer->port_hi;
}

static bool contains(const struct v2_ts *outer, const struct v2_ts *in)
{
	return outer->type == in->type && carries(outer, in) &&
	       acmp(&outer->lo, &in->lo) <= 0 && acmp(&in->hi, &outer->hi) <= 0;
}

static bool ports_meet(const struct v2_ts *a, const struct v2_ts *b, struct v2_ts *r)
{
	if (all_ports(a) || all_ports(b)) {
		const struct v2_ts *n = all_ports(a) ? b : a;

		r->port_lo = n->port_lo;
		r->port_hi = n->port_hi;
		return true;
	}
	if (opaque(a) || opaque(b)) {
		r->port_lo = 65535;
		r->port_hi = 0;
		return opaque(a) && opaque(b);
	}
	r->port_lo = a->port_lo > b->port_lo ? a->port_lo : b->port_lo;
	r->port_hi = a->port_hi < b->port_hi ? a->port_hi : b->port_hi;
	return r->port_lo <= r->port_hi;
}

static bool meet(const struct v2_ts *a, const struct v2_ts *b, struct v2_ts *r)
{
	if (a->type != b->type)
		return false;
	if (a->ipproto && b->ipproto && a->ipproto != b->ipproto)
		return false;
	r->type = a->type;
	r->ipproto = a->ipproto ? a->ipproto : b->ipproto;
	r->lo = acmp(&a->lo, &b->lo) >= 0 ? a->lo : b->lo;
	r->hi = acmp(&a->hi, &b->hi) <= 0 ? a->hi : b->hi;
	return acmp(&r->lo, &r->hi) <= 0 && ports_meet(a, b, r);
}

/* Add t unless an entry already carries it; drop entries t carries. */
static void set_add(struct v2_ts_set *s, const struct v2_ts *t)
{
	unsigned k = 0;

	for (unsigned i = 0; i < s->n; i++)
		if (contains(&s->ts[i], t))
			return;
	for (unsigned i = 0; i < s->n; i++)
		if (!contains(t, &s->ts[i]))
			s->ts[k++] = s->ts[i];
	s->n = k;
	if (s->n < IKE_MAX_TS)
		s->ts[s->n++] = *t;
}

/* Does the union of set's members carry all of t?  Walks t's range from
 * its start, jumping to the end of a member that covers the current
 * address; at most n + 1 steps. */
static bool union_covers(const struct v2_ts_set *set, const struct v2_ts *t)
{
	struct ike_addr cur = t->lo;

	for (unsigned step = 0; step <= set->n; step++) {
		const struct v2_ts *best = NULL;

		for (unsigned i = 0; i < set->n && i < IKE_MAX_TS; i++) {
			const struct v2_ts *o = &set->ts[i];

			if (o->type != t->type || !ts_valid(o, NULL) || !carries(o, t) ||
			    acmp(&o->lo, &cur) > 0 || acmp(&cur, &o->hi) > 0)
				continue;
			if (!best || acmp(&o->hi, &best->hi) > 0)
				best = o;
		}
		if (!best)
			return false;
		if (acmp(&best->hi, &t->hi) >= 0)
			return true;
		cur = best->hi;
		if (!ainc(&cur))
			return true;
	}
	return false;
}

/* ---------- responder narrowing ---------- */

static bool is_host(const struct v2_ts *t)
{
	return ts_valid(t, NULL) && acmp(&t->lo, &t->hi) == 0;
}

static bool trigger_in(const struct v2_ts_set *s)
{
	if (s->n < 2 || !is_host(&s->ts[0]))
		return false;
	for (unsigned i = 1; i < s->n && i < IKE_MAX_TS; i++)
		if (contains(&s->ts[i], &s->ts[0]))
			return true;
	return false;
}

/* Intersections of the peer's side with our subnets; narrowed is set
 * when some peer selector is not answered unchanged. */
static void narrow_side(const struct v2_ts_set *peer, unsigned from,
			const struct ike_subnet *nets, unsigned n_nets,
			struct v2_ts_set *out, bool *narrowed)
{
	struct v2_ts_set ours;

	memset(out, 0, sizeof(*out));
	if (ts_from_subnets(nets, n_nets, &ours) < 0)
		return;
	for (unsigned i = from; i < peer->n && i < IKE_MAX_TS; i++) {
		if (!ts_valid(&peer->ts[i], NULL)) {
			*narrowed = true;
			continue;
		}
		for (unsigned j = 0; j < ours.n; j++) {
			struct v2_ts r;

			if (meet(&peer->ts[i], &ours.ts[j], &r))
				set_add(out, &r);
		}
	}
	for (unsigned i = from; i < peer->n && i < IKE_MAX_TS; i++) {
		bool same = false;

		for (unsigned j = 0; j < out->n; j++)
			same |= memcmp(&out->ts[j], &peer->ts[i], sizeof(struct v2_ts)) == 0 ||
				(contains(&out->ts[j], &peer->ts[i]) &&
				 contains(&peer->ts[i], &out->ts[j]));
		if (!same)
			*narrowed = true;
	}
}

struct ike_result ts_narrow(const struct conf_conn *c,
			    const struct v2_ts_set *peer_tsi,
			    const struct v2_ts_set *peer_tsr,
			    struct ts_narrowed *out)
{
	unsigned from;

	memset(out, 0, sizeof(*out));
	if (peer_tsi->n == 0 || peer_tsr->n == 0 ||
	    peer_tsi->n > IKE_MAX_TS || peer_tsr->n > IKE_MAX_TS)
		return ike_notify(IKEV2_N_INVALID_SYNTAX, "empty or oversized TS set");
	out->had_trigger = trigger_in(peer_tsi) && trigger_in(peer_tsr);
	from = out->had_trigger ? 1 : 0;
	narrow_side(peer_tsi, from, c->remote_subnets, c->n_remote_subnets,
		    &out->remote, &out->narrowed);
	narrow_side(peer_tsr, from, c->local_subnets, c->n_local_subnets,
		    &out->local, &out->narrowed);
	if (out->remote.n == 0 || out->local.n == 0)
		return ike_notify(IKEV2_N_TS_UNACCEPTABLE, "traffic selectors do not intersect ours");
	if (out->had_trigger)
		out->trigger_covered = union_covers(&out->remote, &peer_tsi->ts[0]) &&
				       union_covers(&out->local, &peer_tsr->ts[0]);
	return IKE_RESULT_OK;
}

/* ---------- initiator ---------- */

static bool set_within(const struct v2_ts_set *offered, const struct v2_ts_set *reply)
{
	if (reply->n == 0 || reply->n > IKE_MAX_TS)
		return false;
	for (unsigned i = 0; i < reply->n; i++)
		if (!ts_valid(&reply->ts[i], NULL) || !union_covers(offered, &reply->ts[i]))
			return false;
	return true;
}

struct ike_result ts_check_reply(const struct v2_ts_set *offered_i,
				 const struct v2_ts_set *offered_r,
				 const struct v2_ts_set *reply_i,
				 const struct v2_ts_set *reply_r)
{
	if (!set_within(offered_i, reply_i))
		return ike_notify(IKEV2_N_TS_UNACCEPTABLE, "peer's TSi is not within what we offered");
	if (!set_within(offered_r, reply_r))
		return ike_notify(IKEV2_N_TS_UNACCEPTABLE, "peer's TSr is not within what we offered");
	return IKE_RESULT_OK;
}

/* ---------- pairs ---------- */

static bool subnet_in(const struct ike_subnet *net, const struct v2_ts_set *set)
{
	struct v2_ts_set one;

	if (ts_from_subnets(net, 1, &one) < 0)
		return false;
	return union_covers(set, &one.ts[0]);
}

unsigned ts_covered_pairs(const struct conf_conn *c,
			  const struct v2_ts_set *local,
			  const struct v2_ts_set *remote,
			  bool covered[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS])
{
	bool rok[CONF_MAX_SUBNETS];
	unsigned n = 0;

	memset(covered, 0, sizeof(bool[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS]));
	for (unsigned r = 0; r < c->n_remote_subnets && r < CONF_MAX_SUBNETS; r++)
		rok[r] = subnet_in(&c->remote_subnets[r], remote);
	for (unsigned l = 0; l < c->n_local_subnets && l < CONF_MAX_SUBNETS; l++) {
		bool lok = subnet_in(&c->local_subnets[l], local);

		for (unsigned r = 0; r < c->n_remote_subnets && r < CONF_MAX_SUBNETS; r++) {
			covered[l][r] = lok && rok[r];
			n += covered[l][r];
		}
	}
	return n;
}

unsigned ts_uncovered_pairs(const struct conf_conn *c,
			    const bool covered[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS],
			    struct ts_pair *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned l = 0; l < c->n_local_subnets && l < CONF_MAX_SUBNETS; l++)
		for (unsigned r = 0; r < c->n_remote_subnets && r < CONF_MAX_SUBNETS; r++)
			if (!covered[l][r] && n < max)
				out[n++] = (struct ts_pair){ (uint8_t)l, (uint8_t)r };
	return n;
}

int ts_for_pair(const struct conf_conn *c, struct ts_pair p,
		struct v2_ts_set *local, struct v2_ts_set *remote)
{
	int err;

	if (p.l >= c->n_local_subnets || p.r >= c->n_remote_subnets ||
	    p.l >= CONF_MAX_SUBNETS || p.r >= CONF_MAX_SUBNETS)
		return -EINVAL;
	err = ts_from_subnets(&c->local_subnets[p.l], 1, local);
	if (err == 0)
		err = ts_from_subnets(&c->remote_subnets[p.r], 1, remote);
	return err;
}

/* ---------- ranges to CIDRs ---------- */

int ts_range_to_subnets(const struct ike_addr *lo, const struct ike_addr *hi,
			struct ike_subnet *out, unsigned max)
{
	struct ike_addr cur = *lo;
	unsigned bits = (unsigned)addr_len(lo->family) * 8, n = 0;

	if (!bits || hi->family != lo->family || acmp(lo, hi) > 0)
		return -EINVAL;
	for (;;) {
		unsigned k = 0;
		struct ike_addr end = cur;

		/* the largest aligned block at cur that ends by hi */
		while (k < bits && !bit_set(&cur, k)) {
			struct ike_addr e = fill_low(&cur, k + 1);

			if (acmp(&e, hi) > 0)
				break;
			end = e;
			k++;
		}
		if (n >= max)
			return -E2BIG;
		out[n].addr = cur;
		out[n].plen = (uint8_t)(bits - k);
		n++;
		if (acmp(&end, hi) >= 0 || all_ones(&end))
			return (int)n;
		cur = end;
		ainc(&cur);
	}
}

/* ---------- formatting ---------- */

static void put_ts(struct textbuf *o, const struct v2_ts *ts)
{
	struct ike_subnet one;
	char a[IKE_SUBNETSTRLEN], b[IKE_ADDRSTRLEN];

	if (!ts_valid(ts, NULL)) {
		textbuf_put(o, "(invalid selector)");
		return;
	}
	if (ts_range_to_subnets(&ts->lo, &ts->hi, &one, 1) == 1)
		textbuf_put(o, "%s", subnet_fmt(&one, a));
	else
		textbuf_put(o, "%s-%s", addr_fmt(&ts->lo, a), addr_fmt(&ts->hi, b));
	if (ts->ipproto)
		textbuf_put(o, " proto %u", ts->ipproto);
	if (opaque(ts))
		textbuf_put(o, " port opaque");
	else if (ts->port_lo == ts->port_hi)
		textbuf_put(o, " port %u", ts->port_lo);
	else if (!all_ports(ts))
		textbuf_put(o, " port %u-%u", ts->port_lo, ts->port_hi);
}

size_t ts_fmt(const struct v2_ts *ts, char *buf, size_t bufsz)
{
	struct textbuf o = { buf, bufsz, 0 };

	if (bufsz)
		buf[0] = '\0';
	put_ts(&o, ts);
	return o.len;
}

static void put_set(struct textbuf *o, const struct v2_ts_set *set)
{
	if (set->n == 0)
		textbuf_put(o, "none");
	for (unsigned i = 0; i < set->n && i < IKE_MAX_TS; i++) {
		textbuf_put(o, "%s", i ? ", " : "");
		put_ts(o, &set->ts[i]);
	}
}

size_t ts_set_fmt(const struct v2_ts_set *set, char *buf, size_t bufsz)
{
	struct textbuf o = { buf, bufsz, 0 };

	if (bufsz)
		buf[0] = '\0';
	put_set(&o, set);
	return o.len;
}

static bool side_meets(const struct v2_ts_set *peer, const struct v2_ts_set *ours)
{
	for (unsigned i = 0; i < peer->n && i < IKE_MAX_TS; i++) {
		struct v2_ts r;

		if (!ts_valid(&peer->ts[i], NULL))
			continue;
		for (unsigned j = 0; j < ours->n; j++)
			if (meet(&peer->ts[i], &ours->ts[j], &r))
				return true;
	}
	return false;
}

size_t ts_mismatch_fmt(const struct conf_conn *c,
		       const struct v2_ts_set *peer_local,
		       const struct v2_ts_set *peer_remote,
		       char *buf, size_t bufsz)
{
	struct textbuf o = { buf, bufsz, 0 };
	struct v2_ts_set ol, orm;
	bool lok, rok;

	if (bufsz)
		buf[0] = '\0';
	if (ts_from_subnets(c->local_subnets, c->n_local_subnets, &ol) < 0 ||
	    ts_from_subnets(c->remote_subnets, c->n_remote_subnets, &orm) < 0)
		return 0;
	lok = side_meets(peer_local, &ol);
	rok = side_meets(peer_remote, &orm);
	if (lok && rok)
		lok = rok = false;	/* no side at fault alone: show both */
	if (!lok) {
		textbuf_put(&o, "local_subnets: ours ");
		put_set(&o, &ol);
		textbuf_put(&o, "; peer offered ");
		put_set(&o, peer_local);
	}
	if (!rok) {
		textbuf_put(&o, "%sremote_subnets: ours ", lok ? "" : "; ");
		put_set(&o, &orm);
		textbuf_put(&o, "; peer offered ");
		put_set(&o, peer_remote);
	}
	return o.len;
}
