/* `ikegw diagnose`: the checks (see diag.h for the list and order). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"

struct dctx {
	const struct conf_conn *c;
	const struct conn_status *now, *before;
	const struct diag_sys *sys;
	struct diag_report *out;
	int family;			/* of the subnets */
	bool peer_rt_ok;
	struct diag_route peer_rt;
	char rt_oif[CONF_MAX_SUBNETS][DIAG_IFNAMSIZ];	/* per remote subnet */
};

static struct diag_check *add(struct dctx *d, const char *name, enum diag_verdict v)
{
	struct diag_report *r = d->out;
	struct diag_check *k;

	if (r->n_checks == DIAG_MAX_CHECKS)
		k = &r->checks[DIAG_MAX_CHECKS - 1];	/* keep the last word */
	else
		k = &r->checks[r->n_checks++];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->verdict = v;
	return k;
}

__attribute__((format(printf, 2, 3)))
static void ev(struct diag_check *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->evidence, sizeof(k->evidence), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void hint(struct diag_check *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->hint, sizeof(k->hint), fmt, ap);
	va_end(ap);
}

/* Append to a bounded text, ", "-separated. */
__attribute__((format(printf, 3, 4)))
static void cat(char *buf, size_t sz, const char *fmt, ...)
{
	size_t len = strnlen(buf, sz);
	va_list ap;

	if (len + 1 >= sz)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, sz - len, fmt, ap);
	va_end(ap);
}

static bool child_up(const struct child_status *ch)
{
	return ch->state == P2_ESTABLISHED || ch->state == P2_REKEYING;
}

static unsigned children_up(const struct conn_status *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->n_children && i < STATUS_MAX_CHILDREN; i++)
		n += child_up(&s->children[i]);
	return n;
}

/* ---- tunnel ---- */

static void check_tunnel(struct dctx *d)
{
	const struct conn_status *s = d->now;
	unsigned up = children_up(s);
	struct diag_check *k;

	if (s->p1 != P1_ESTABLISHED && s->p1 != P1_REKEYING) {
		k = add(d, "tunnel", DIAG_FAIL);
		ev(k, "phase 1 is %s%s%s%s", p1_state_name(s->p1),
		   s->reason[0] ? " (" : "", s->reason, s->reason[0] ? ")" : "");
		hint(k, "%s", s->hint[0] ? s->hint : "diagnose checks an established "
		     "tunnel; `ikegw status` says why phase 1 is not up");
		return;
	}
	if (!up) {
		k = add(d, "tunnel", DIAG_FAIL);
		ev(k, "phase 1 is established but no phase-2 SA is");
		hint(k, "`ikegw status` shows why phase 2 failed (proposal, PFS or "
		     "subnet mismatch)");
		return;
	}
	k = add(d, "tunnel", DIAG_PASS);
	ev(k, "phase 1 established, %u phase-2 SA%s established", up, up == 1 ? "" : "s");
}

/* ---- ip_forward ---- */

static bool is_this_host(const struct dctx *d, const struct ike_subnet *s)
{
	size_t bits = 8 * addr_len(s->addr.family);

	if (s->plen != bits)
		return false;
	return addr_eq(&s->addr, &d->now->local) || addr_eq(&s->addr, &d->c->local_addr);
}

static void check_forward(struct dctx *d)
{
	const char *path = d->family == AF_INET6 ? "net/ipv6/conf/all/forwarding" :
			   "net/ipv4/ip_forward";
	const char *name = d->family == AF_INET6 ? "net.ipv6.conf.all.forwarding" :
			   "net.ipv4.ip_forward";
	bool hosts = d->c->n_local_subnets > 0;
	struct diag_check *k;
	long v;
	int err;

	for (unsigned i = 0; i < d->c->n_local_subnets && i < CONF_MAX_SUBNETS; i++)
		hosts &= is_this_host(d, &d->c->local_subnets[i]);
	if (hosts) {
		k = add(d, "ip_forward", DIAG_SKIP);
		ev(k, "local_subnets is this host's own address: nothing is forwarded");
		return;
	}
	err = d->sys->read_sysctl(d->sys->ctx, path, &v);
	if (err) {
		k = add(d, "ip_forward", DIAG_SKIP);
		ev(k, "could not read %s: %s", name, strerror(-err));
		return;
	}
	k = add(d, "ip_forward", v ? DIAG_PASS : DIAG_FAIL);
	ev(k, "%s = %ld", name, v);
	if (!v)
		hint(k, "this gateway does not forward packets between its LAN and the "
		     "tunnel: run `sysctl -w %s=1` and make it permanent in "
		     "/etc/sysctl.d/", name);
}

/* ---- routes ---- */

static const char *rt_type_name(enum diag_rt_type t)
{
	static const char *const n[] = { "unicast", "local", "unreachable",
					 "blackhole", "prohibit", "not usable" };

	return (unsigned)t < sizeof(n) / sizeof(n[0]) ? n[t] : "not usable";
}

static void rt_fmt(const struct diag_route *rt, char *buf, size_t sz)
{
	char a[IKE_ADDRSTRLEN];

	buf[0] = 0;
	if (rt->gw.family)
		cat(buf, sz, "via %s ", addr_fmt(&rt->gw, a));
	cat(buf, sz, "dev %s", rt->oif[0] ? rt->oif : "?");
}

static void check_route_peer(struct dctx *d)
{
	const struct ike_addr *peer = d->now->remote.family ? &d->now->remote :
				      &d->c->remote_addr;
	char a[IKE_ADDRSTRLEN], via[96];
	struct diag_check *k;
	int err = d->sys->route_get(d->sys->ctx, peer, &d->peer_rt);

	addr_fmt(peer, a);
	if (err == -ENETUNREACH || err == -EHOSTUNREACH) {
		k = add(d, "route_peer", DIAG_FAIL);
		ev(k, "no route to the peer %s", a);
		hint(k, "IKE and ESP packets cannot reach the peer: add a default "
		     "route or a route to %s", a);
	} else if (err) {
		k = add(d, "route_peer", DIAG_SKIP);
		ev(k, "route lookup for the peer %s failed: %s", a, strerror(-err));
	} else if (d->peer_rt.type != DIAG_RT_UNICAST) {
		k = add(d, "route_peer", DIAG_FAIL);
		ev(k, "the route to the peer %s is %s", a, rt_type_name(d->peer_rt.type));
		hint(k, "remove that route or add a more specific one toward the peer");
	} else {
		d->peer_rt_ok = true;
		rt_fmt(&d->peer_rt, via, sizeof(via));
		k = add(d, "route_peer", DIAG_PASS);
		ev(k, "peer %s %s", a, via);
	}
}

/* A host inside the subnet: its network address is often special. */
static struct ike_addr probe_addr(const struct ike_subnet *s)
{
	struct ike_addr a = s->addr;
	size_t len = addr_len(a.family);

	if (len && (size_t)s->plen + 1 < 8 * len)
		a.a[len - 1] |= 1;
	return a;
}

static void route_verdict(struct dctx *d, unsigned i, const struct diag_route *rt,
			  const char *net, const char *probe)
{
	struct diag_check *k;
	char via[96];

	if (rt->type == DIAG_RT_LOCAL) {
		k = add(d, "route", DIAG_FAIL);
		ev(k, "%s (looked up %s) is an address of this host", net, probe);
		hint(k, "remote_subnets overlaps this gateway's own addresses: the "
		     "packets are delivered here instead of the tunnel");
		return;
	}
	if (rt->type != DIAG_RT_UNICAST) {
		k = add(d, "route", DIAG_FAIL);
		ev(k, "the route to %s (looked up %s) is %s", net, probe,
		   rt_type_name(rt->type));
		hint(k, "the kernel drops these packets before IPsec sees them: remove "
		     "that route or add `ip route add %s dev %s`", net,
		     d->peer_rt_ok && d->peer_rt.oif[0] ? d->peer_rt.oif : "IFACE");
		return;
	}
	snprintf(d->rt_oif[i], sizeof(d->rt_oif[i]), "%s", rt->oif);
	rt_fmt(rt, via, sizeof(via));
	if (d->peer_rt_ok && rt->oif[0] && strcmp(rt->oif, d->peer_rt.oif) != 0) {
		k = add(d, "route", DIAG_WARN);
		ev(k, "%s %s, but the peer is reached by dev %s", net, via, d->peer_rt.oif);
		hint(k, "the IPsec policy still catches these packets, but a firewall "
		     "or rp_filter on %s may not expect them, and if %s is a LAN the "
		     "subnets overlap; the usual route is `ip route add %s dev %s`",
		     rt->oif, rt->oif, net, d->peer_rt.oif);
		return;
	}
	k = add(d, "route", DIAG_PASS);
	ev(k, "%s %s", net, via);
}

static void check_routes(struct dctx *d)
{
	for (unsigned i = 0; i < d->c->n_remote_subnets && i < CONF_MAX_SUBNETS; i++) {
		const struct ike_subnet *s = &d->c->remote_subnets[i];
		struct ike_addr p = probe_addr(s);
		char net[IKE_SUBNETSTRLEN], probe[IKE_ADDRSTRLEN];
		struct diag_route rt = { 0 };
		struct diag_check *k;
		int err;

		subnet_fmt(s, net);
		addr_fmt(&p, probe);
		err = d->sys->route_get(d->sys->ctx, &p, &rt);
		if (err == -ENETUNREACH || err == -EHOSTUNREACH) {
			k = add(d, "route", DIAG_FAIL);
			ev(k, "no route to %s (looked up %s)", net, probe);
			hint(k, "packets for this remote subnet are dropped before IPsec "
			     "sees them: add a route, e.g. `ip route add %s dev %s`", net,
			     d->peer_rt_ok && d->peer_rt.oif[0] ? d->peer_rt.oif : "IFACE");
		} else if (err) {
			k = add(d, "route", DIAG_SKIP);
			ev(k, "route lookup for %s failed: %s", net, strerror(-err));
		} else {
			route_verdict(d, i, &rt, net, probe);
		}
	}
}

/* ---- rp_filter ---- */

static bool ifname_ok(const char *s)
{
	if (!s[0] || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return strchr(s, '/') == NULL;
}

static void check_rp_filter(struct dctx *d)
{
	const char *ifc = d->peer_rt.oif;
	char path[64];
	long all, dev;
	struct diag_check *k;
	int err;

	if (d->family == AF_INET6) {
		k = add(d, "rp_filter", DIAG_SKIP);
		ev(k, "IPv6 has no rp_filter setting");
		return;
	}
	if (!d->peer_rt_ok || !ifname_ok(ifc)) {
		k = add(d, "rp_filter", DIAG_SKIP);
		ev(k, "the interface toward the peer is not known");
		return;
	}
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", ifc);
	err = d->sys->read_sysctl(d->sys->ctx, "net/ipv4/conf/all/rp_filter", &all);
	if (!err)
		err = d->sys->read_sysctl(d->sys->ctx, path, &dev);
	if (err) {
		k = add(d, "rp_filter", DIAG_SKIP);
		ev(k, "could not read rp_filter for %s: %s", ifc, strerror(-err));
		return;
	}
	/* the kernel uses the larger of conf/all and conf/IFACE */
	long eff = all > dev ? all : dev;

	k = add(d, "rp_filter", eff == 1 ? DIAG_WARN : DIAG_PASS);
	ev(k, "rp_filter = %ld (%s) on %s (all = %ld, %s = %ld)", eff,
	   eff == 1 ? "strict" : eff == 2 ? "loose" : eff == 0 ? "off" : "unknown",
	   ifc, all, ifc, dev);
	if (eff == 1)
		hint(k, "decrypted packets from the remote subnets arrive on %s; strict "
		     "reverse-path filtering drops them unless the route back to their "
		     "source leaves by %s: `sysctl -w net.ipv4.conf.all.rp_filter=2 "
		     "net.ipv4.conf.%s.rp_filter=2` (loose)", ifc, ifc, ifc);
}

/* ---- xfrm_policy ---- */

struct pol_tally {
	unsigned expected, ok, missing, foreign;
	int err;
	char detail[DIAG_TEXT_LEN];
	unsigned n_detail;
};

static void pol_one(struct dctx *d, struct pol_tally *t, const struct ike_subnet *src,
		    const struct ike_subnet *dst, enum xfrm_dir dir)
{
	static const char *const dn[] = { "in", "out", "fwd" };
	char s[IKE_SUBNETSTRLEN], ds[IKE_SUBNETSTRLEN];
	uint32_t reqid = 0;
	int err = d->sys->policy_get(d->sys->ctx, src, dst, dir, &reqid);

	t->expected++;
	if (err && err != -ENOENT) {
		t->err = t->err ? t->err : err;
		return;
	}
	if (!err && reqid >= XFRM_REQID_MIN && reqid <= XFRM_REQID_MAX) {
		t->ok++;
		return;
	}
	if (err)
		t->missing++;
	else
		t->foreign++;
	if (t->n_detail++ >= 3)
		return;
	cat(t->detail, sizeof(t->detail), "%s%s %s -> %s", t->n_detail > 1 ? ", " : "",
	    dn[dir], subnet_fmt(src, s), subnet_fmt(dst, ds));
	if (!err)
		cat(t->detail, sizeof(t->detail), " has reqid %u, not ikegw's", reqid);
	else
		cat(t->detail, sizeof(t->detail), " missing");
}

static void pol_report(struct dctx *d, const struct pol_tally *t, unsigned pairs)
{
	struct diag_check *k;

	if (t->err && !t->ok && !t->missing && !t->foreign) {
		k = add(d, "xfrm_policy", DIAG_SKIP);
		ev(k, "policy lookup failed: %s", strerror(-t->err));
		return;
	}
	if (!t->missing && !t->foreign && !t->err) {
		k = add(d, "xfrm_policy", DIAG_PASS);
		ev(k, "%u policies present (out, in, fwd for %u pair%s) with ikegw reqids",
		   t->ok, pairs, pairs == 1 ? "" : "s");
		return;
	}
	k = add(d, "xfrm_policy", DIAG_FAIL);
	ev(k, "%u of %u policies wrong: %s%s", t->missing + t->foreign, t->expected,
	   t->detail, t->n_detail > 3 ? ", ..." : "");
	if (t->foreign)
		hint(k, "another IPsec daemon or a manual `ip xfrm policy` owns these "
		     "selectors: stop it or delete its policies, then `ikegw down` and "
		     "`ikegw up` this connection");
	else
		hint(k, "without the policy the kernel sends these packets unencrypted "
		     "or drops them: `ikegw down` and `ikegw up` this connection "
		     "reinstalls them; the daemon log names any kernel-error");
}

static void check_policies(struct dctx *d)
{
	struct pol_tally t = { 0 };
	unsigned pairs = 0;

	for (unsigned i = 0; i < d->now->n_children && i < STATUS_MAX_CHILDREN; i++) {
		const struct child_status *ch = &d->now->children[i];

		if (!child_up(ch))
			continue;
		for (unsigned j = 0; j < ch->n_pairs && j < STATUS_MAX_PAIRS; j++) {
			const struct ike_subnet *l = &ch->pairs[j].local, *r = &ch->pairs[j].remote;

			pairs++;
			pol_one(d, &t, l, r, XFRM_DIR_OUT_);
			pol_one(d, &t, r, l, XFRM_DIR_IN_);
			pol_one(d, &t, r, l, XFRM_DIR_FWD_);
		}
	}
	if (!pairs) {
		struct diag_check *k = add(d, "xfrm_policy", DIAG_SKIP);

		ev(k, "no established phase-2 SA carries a subnet pair");
		return;
	}
	pol_report(d, &t, pairs);
}

/* ---- nat ---- */

struct nat_state {
	char *buf;
	char tools[128];	/* checked */
	char rule[256];
	const char *hit_tool;
	unsigned hit_l, hit_r;
	bool deep;
};

static int nat_tool(struct dctx *d, struct nat_state *ns, enum diag_nat_tool t)
{
	int len = d->sys->nat_read(d->sys->ctx, t, d->family, ns->buf, DIAG_NAT_MAX);

	if (len < 0)
		return len;
	if (len >= DIAG_NAT_MAX)
		len = DIAG_NAT_MAX - 1;
	cat(ns->tools, sizeof(ns->tools), "%s%s", ns->tools[0] ? ", " : "",
	    diag_nat_tool_name(t, d->family));
	for (unsigned l = 0; l < d->c->n_local_subnets && l < CONF_MAX_SUBNETS; l++)
		for (unsigned r = 0; r < d->c->n_remote_subnets && r < CONF_MAX_SUBNETS; r++) {
			int hit = diag_nat_scan(ns->buf, (size_t)len, t == DIAG_NAT_NFT,
						&d->c->local_subnets[l],
						&d->c->remote_subnets[r], d->rt_oif[r],
						ns->rule, sizeof(ns->rule));

			ns->deep |= hit == -E2BIG;
			if (hit == 1) {
				ns->hit_tool = diag_nat_tool_name(t, d->family);
				ns->hit_l = l;
				ns->hit_r = r;
				return 1;
			}
		}
	return 0;
}

static void nat_fail(struct dctx *d, const struct nat_state *ns, bool nft)
{
	char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN];
	const char *ipt = d->family == AF_INET6 ? "ip6tables" : "iptables";
	struct diag_check *k = add(d, "nat", DIAG_FAIL);

	subnet_fmt(&d->c->local_subnets[ns->hit_l], l);
	subnet_fmt(&d->c->remote_subnets[ns->hit_r], r);
	ev(k, "`%s` (%s) rewrites %s -> %s before IPsec", ns->rule, ns->hit_tool, l, r);
	if (nft)
		hint(k, "the rewritten source no longer matches the IPsec policy, so the "
		     "packets leave unencrypted: put `rt ipsec exists accept` first in "
		     "that chain, or add `%s daddr != %s` to the rule",
		     d->family == AF_INET6 ? "ip6" : "ip", r);
	else
		hint(k, "the rewritten source no longer matches the IPsec policy, so the "
		     "packets leave unencrypted: insert `%s -t nat -I POSTROUTING -m policy "
		     "--dir out --pol ipsec -j ACCEPT` before it, or exclude the remote "
		     "subnet with `! -d %s`", ipt, r);
}

static void check_nat(struct dctx *d)
{
	struct nat_state ns = { 0 };
	struct diag_check *k;

	ns.buf = malloc(DIAG_NAT_MAX);
	if (!ns.buf) {
		k = add(d, "nat", DIAG_SKIP);
		ev(k, "out of memory");
		return;
	}
	for (int t = 0; t < DIAG_NAT_TOOLS; t++)
		if (nat_tool(d, &ns, (enum diag_nat_tool)t) == 1) {
			nat_fail(d, &ns, t == DIAG_NAT_NFT);
			goto out;
		}
	if (!ns.tools[0]) {
		k = add(d, "nat", DIAG_SKIP);
		ev(k, "none of %s, %s, %s could be run: not checked",
		   diag_nat_tool_name(DIAG_NAT_IPT_LEGACY, d->family),
		   diag_nat_tool_name(DIAG_NAT_IPT_NFT, d->family),
		   diag_nat_tool_name(DIAG_NAT_NFT, d->family));
	} else if (ns.deep) {
		k = add(d, "nat", DIAG_WARN);
		ev(k, "the nat rules (%s) jump too deep or are too many to follow: not "
		   "proven", ns.tools);
		hint(k, "check by hand that no MASQUERADE/SNAT in nat POSTROUTING matches "
		     "traffic to remote_subnets");
	} else {
		k = add(d, "nat", DIAG_PASS);
		ev(k, "no nat POSTROUTING rule rewrites tunnel traffic (checked %s)", ns.tools);
	}
out:
	free(ns.buf);
}

/* ---- counters ---- */

struct traffic {
	uint64_t bin, bout, pin, pout;
};

static const struct child_status *child_find(const struct conn_status *s, unsigned id)
{
	for (unsigned i = 0; i < s->n_children && i < STATUS_MAX_CHILDREN; i++)
		if (s->children[i].id == id)
			return &s->children[i];
	return NULL;
}

static uint64_t delta(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

static struct traffic traffic_delta(const struct conn_status *now,
				    const struct conn_status *before)
{
	struct traffic t = { 0 };

	for (unsigned i = 0; i < now->n_children && i < STATUS_MAX_CHILDREN; i++) {
		const struct child_status *c = &now->children[i];
		const struct child_status *b = child_find(before, c->id);
		struct child_status zero = { 0 };

		if (!child_up(c))
			continue;
		if (!b || b->spi_in != c->spi_in)
			b = &zero;	/* new since the first sample */
		t.bin += delta(c->bytes_in, b->bytes_in);
		t.bout += delta(c->bytes_out, b->bytes_out);
		t.pin += delta(c->packets_in, b->packets_in);
		t.pout += delta(c->packets_out, b->packets_out);
	}
	return t;
}

static void check_counters(struct dctx *d)
{
	struct diag_check *k;
	struct traffic t;
	char dir[160];

	if (!d->before || !children_up(d->now)) {
		k = add(d, "counters", DIAG_SKIP);
		ev(k, "%s", !d->before ? "one status sample only: counters not compared" :
		   "no established phase-2 SA");
		return;
	}
	t = traffic_delta(d->now, d->before);
	snprintf(dir, sizeof(dir), "in +%llu bytes (%llu packets), out +%llu bytes "
		 "(%llu packets)", (unsigned long long)t.bin, (unsigned long long)t.pin,
		 (unsigned long long)t.bout, (unsigned long long)t.pout);
	if (t.bout && !t.bin) {
		k = add(d, "counters", DIAG_FAIL);
		hint(k, "the peer is not sending back: check its routes and firewall, "
		     "and that its subnets match ours");
	} else if (t.bin && !t.bout) {
		k = add(d, "counters", DIAG_FAIL);
		hint(k, "this side is not sending: check routes, forwarding and "
		     "policies here (the checks above)");
	} else if (!t.bin && !t.bout) {
		k = add(d, "counters", DIAG_WARN);
		hint(k, "no traffic seen: send some through the tunnel (e.g. ping a "
		     "host in the remote subnet from the local one) while diagnose runs");
	} else {
		k = add(d, "counters", DIAG_PASS);
	}
	ev(k, "%s between the two samples", dir);
}

/* ---- coverage ---- */

static bool subnet_within(const struct ike_subnet *in, const struct ike_subnet *s)
{
	return in->addr.family == s->addr.family && in->plen <= s->plen &&
	       subnet_contains(in, &s->addr);
}

static bool pair_carried(const struct conn_status *st, const struct ike_subnet *l,
			 const struct ike_subnet *r)
{
	for (unsigned i = 0; i < st->n_children && i < STATUS_MAX_CHILDREN; i++) {
		const struct child_status *c = &st->children[i];

		if (!child_up(c))
			continue;
		for (unsigned j = 0; j < c->n_pairs && j < STATUS_MAX_PAIRS; j++)
			if (subnet_within(&c->pairs[j].local, l) &&
			    subnet_within(&c->pairs[j].remote, r))
				return true;
	}
	return false;
}

static const char *cov_note(const struct conn_status *st, const struct ike_subnet *l,
			    const struct ike_subnet *r)
{
	for (unsigned i = 0; i < st->n_coverage && i < STATUS_MAX_CHILDREN; i++)
		if (subnet_eq(&st->cov[i].local, l) && subnet_eq(&st->cov[i].remote, r) &&
		    st->cov[i].note[0] && memchr(st->cov[i].note, 0, sizeof(st->cov[i].note)))
			return st->cov[i].note;
	return NULL;
}

static void check_coverage(struct dctx *d)
{
	const struct conf_conn *c = d->c;
	unsigned total = c->n_local_subnets * c->n_remote_subnets, missing = 0;
	char list[DIAG_TEXT_LEN] = "";
	struct diag_check *k;

	for (unsigned l = 0; l < c->n_local_subnets && l < CONF_MAX_SUBNETS; l++)
		for (unsigned r = 0; r < c->n_remote_subnets && r < CONF_MAX_SUBNETS; r++) {
			char ls[IKE_SUBNETSTRLEN], rs[IKE_SUBNETSTRLEN];
			const char *note;

			if (pair_carried(d->now, &c->local_subnets[l], &c->remote_subnets[r]))
				continue;
			if (missing++ >= 3)
				continue;
			note = cov_note(d->now, &c->local_subnets[l], &c->remote_subnets[r]);
			cat(list, sizeof(list), "%s%s === %s%s%s%s", missing > 1 ? ", " : "",
			    subnet_fmt(&c->local_subnets[l], ls),
			    subnet_fmt(&c->remote_subnets[r], rs),
			    note ? " (" : "", note ? note : "", note ? ")" : "");
		}
	if (!missing) {
		k = add(d, "coverage", DIAG_PASS);
		ev(k, "all %u configured subnet pair%s carried by a phase-2 SA", total,
		   total == 1 ? " is" : "s are");
		return;
	}
	k = add(d, "coverage", DIAG_FAIL);
	ev(k, "%u of %u configured subnet pairs have no phase-2 SA: %s%s", missing,
	   total, list, missing > 3 ? ", ..." : "");
	if (c->split == SPLIT_NO)
		hint(k, "with split = no every pair must fit in one phase-2 SA and the "
		     "peer narrowed it: set split = auto (IKEv2) or split = yes, or make "
		     "the peer's subnet lists equal local_subnets/remote_subnets");
	else
		hint(k, "the peer did not accept these pairs: its local and remote "
		     "networks must list the same subnets as remote_subnets and "
		     "local_subnets here (with split = yes each pair is its own "
		     "phase-2 SA)");
}

int diag_run(const struct conf_conn *c, const struct conn_status *now,
	     const struct conn_status *before, const struct diag_sys *sys,
	     struct diag_report *out)
{
	struct dctx *d;

	if (!c || !now || !sys || !out || !sys->read_sysctl || !sys->route_get ||
	    !sys->policy_get || !sys->nat_read)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	*d = (struct dctx){ .c = c, .now = now, .before = before, .sys = sys, .out = out,
			    .family = c->n_local_subnets ? c->local_subnets[0].addr.family :
				      AF_INET };
	check_tunnel(d);
	check_forward(d);
	check_route_peer(d);
	check_routes(d);
	check_rp_filter(d);
	check_policies(d);
	check_nat(d);
	check_counters(d);
	check_coverage(d);
	for (unsigned i = 0; i < out->n_checks; i++) {
		out->n_fail += out->checks[i].verdict == DIAG_FAIL;
		out->n_warn += out->checks[i].verdict == DIAG_WARN;
	}
	free(d);
	return 0;
}

const char *diag_verdict_name(enum diag_verdict v)
{
	static const char *const n[] = { "PASS", "WARN", "FAIL", "SKIP" };

	return (unsigned)v < sizeof(n) / sizeof(n[0]) ? n[v] : "????";
}

const char *diag_nat_tool_name(enum diag_nat_tool t, int family)
{
	bool v6 = family == AF_INET6;

	switch (t) {
	case DIAG_NAT_IPT_LEGACY:
		return v6 ? "ip6tables-legacy-save" : "iptables-legacy-save";
	case DIAG_NAT_IPT_NFT:
		return v6 ? "ip6tables-nft-save" : "iptables-nft-save";
	case DIAG_NAT_NFT:
		return "nft";
	default:
		return "?";
	}
}

size_t diag_report_fmt(const struct diag_report *r, char *buf, size_t bufsz)
{
	size_t len = 0;

	if (bufsz)
		buf[0] = 0;
	for (unsigned i = 0; i < r->n_checks && i < DIAG_MAX_CHECKS; i++) {
		const struct diag_check *k = &r->checks[i];
		int n = snprintf(len < bufsz ? buf + len : NULL, len < bufsz ? bufsz - len : 0,
				 "%s  %s  %s\n", diag_verdict_name(k->verdict), k->name,
				 k->evidence);

		len += n > 0 ? (size_t)n : 0;
		if (k->verdict == DIAG_PASS || !k->hint[0])
			continue;
		n = snprintf(len < bufsz ? buf + len : NULL, len < bufsz ? bufsz - len : 0,
			     "      hint: %s\n", k->hint);
		len += n > 0 ? (size_t)n : 0;
	}
	return len;
}
