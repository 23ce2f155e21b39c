#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "child.h"
#include "log.h"

int child_set_pairs(struct child_sa *c, const struct child_pair *p, unsigned n)
{
	struct child_pair *np = NULL;

	if (n > CHILD_MAX_PAIRS)
		n = CHILD_MAX_PAIRS;
	if (n) {
		np = malloc(n * sizeof(*np));
		if (!np)
			return -ENOMEM;
		memcpy(np, p, n * sizeof(*np));
	}
	free(c->pairs);
	c->pairs = np;
	c->n_pairs = n;
	return 0;
}

static void drop_held_out(struct child_sa *c)
{
	if (c->out_held) {
		sodium_memzero(c->out_held, sizeof(*c->out_held));
		free(c->out_held);
		c->out_held = NULL;
	}
	c->out_at_ms = 0;
}

void child_sa_free(struct child_sa *c)
{
	if (!c)
		return;
	drop_held_out(c);
	free(c->pairs);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

uint32_t child_alloc_reqid(uint32_t *next)
{
	uint32_t r;

	if (*next < XFRM_REQID_MIN || *next > XFRM_REQID_MAX)
		*next = XFRM_REQID_MIN + 1;	/* MIN itself is left for traps */
	r = (*next)++;
	return r;
}

int child_alloc_spi(struct xfrm *x, struct child_sa *c,
		    const struct child_endpoints *ep)
{
	int r = xfrm_alloc_spi(x, &ep->remote, &ep->local, c->reqid, &c->spi_in);

	if (r == 0)
		c->spi_allocated = true;
	return r;
}

static void fill_sa(struct xfrm_sa *sa, const struct child_sa *c,
		    const struct child_endpoints *ep, bool inbound,
		    const struct child_dir_keys *k)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = inbound ? ep->remote : ep->local;
	sa->dst = inbound ? ep->local : ep->remote;
	sa->spi = inbound ? c->spi_in : c->spi_out;
	sa->reqid = c->reqid;
	sa->encr_id = c->encr;
	sa->encr_keylen = c->encr_keylen;
	sa->integ_id = c->integ;
	memcpy(sa->encr_key, k->encr, k->encr_len);
	sa->encr_key_len = k->encr_len;
	memcpy(sa->integ_key, k->integ, k->integ_len);
	sa->integ_key_len = k->integ_len;
	sa->encap = ep->encap;
	sa->encap_sport = inbound ? ep->remote_port : ep->local_port;
	sa->encap_dport = inbound ? ep->local_port : ep->remote_port;
	sa->replay_window = inbound ? 64 : 0;
	sa->esn = c->esn != 0;
	sa->soft_secs = ep->soft_secs;
	sa->hard_secs = ep->hard_secs;
}

static void fill_policy(struct xfrm_policy *p, const struct child_pair *pair,
			enum xfrm_dir dir, const struct child_endpoints *ep,
			uint32_t reqid)
{
	bool out = dir == XFRM_DIR_OUT_;

	memset(p, 0, sizeof(*p));
	p->src = out ? pair->local : pair->remote;
	p->dst = out ? pair->remote : pair->local;
	p->dir = dir;
	p->tmpl_src = out ? ep->local : ep->remote;
	p->tmpl_dst = out ? ep->remote : ep->local;
	p->reqid = reqid;
}

static void del_policies(struct xfrm *x, const struct child_pair *pairs,
			 unsigned n, const struct child_endpoints *ep,
			 uint32_t reqid, unsigned ndirs)
{
	static const enum xfrm_dir dirs[] = { XFRM_DIR_OUT_, XFRM_DIR_IN_,
					      XFRM_DIR_FWD_ };
	struct xfrm_policy p;

	for (unsigned i = 0; i < n; i++)
		for (unsigned d = 0; d < ndirs; d++) {
			fill_policy(&p, &pairs[i], dirs[d], ep, reqid);
			xfrm_del_policy(x, &p);
		}
}

/* update_out: out policies replace those of the same selectors in one
 * step (a trap's, or a child's when the trap comes back). */
static int add_policies(struct xfrm *x, const struct child_pair *pairs,
			unsigned n, const struct child_endpoints *ep,
			uint32_t reqid, unsigned ndirs, bool update_out)
{
	static const enum xfrm_dir dirs[] = { XFRM_DIR_OUT_, XFRM_DIR_IN_,
					      XFRM_DIR_FWD_ };
	struct xfrm_policy p;
	int r = 0;

	for (unsigned i = 0; i < n && r == 0; i++)
		for (unsigned d = 0; d < ndirs && r == 0; d++) {
			fill_policy(&p, &pairs[i], dirs[d], ep, reqid);
			r = update_out && dirs[d] == XFRM_DIR_OUT_ ?
			    xfrm_update_policy(x, &p) : xfrm_add_policy(x, &p);
			if (r < 0) {
				/* undo exactly what this call added */
				for (unsigned e = 0; e < d; e++) {
					fill_policy(&p, &pairs[i], dirs[e], ep, reqid);
					xfrm_del_policy(x, &p);
				}
				del_policies(x, pairs, i, ep, reqid, ndirs);
			}
		}
	return r;
}

int child_install(struct xfrm *x, struct child_sa *c,
		  const struct child_endpoints *ep,
		  const struct child_dir_keys *in, const struct child_dir_keys *out,
		  enum child_policies policies)
{
	struct xfrm_sa sa;
	int r;

	fill_sa(&sa, c, ep, true, in);
	r = xfrm_add_sa(x, &sa, c->spi_allocated);
	if (r < 0)
		goto out;
	c->sa_in_installed = true;
	if (out) {
		fill_sa(&sa, c, ep, false, out);
		r = xfrm_add_sa(x, &sa, false);
		if (r < 0)
			goto out;
		c->sa_out_installed = true;
	}
	if (policies) {
		r = add_policies(x, c->pairs, c->n_pairs, ep, c->reqid, 3,
				 policies == CHILD_POL_REPLACE);
		if (r < 0)
			goto out;
		c->policies_installed = true;
	}
out:
	sodium_memzero(&sa, sizeof(sa));
	return r;
}

int child_hold_out(struct child_sa *c, const struct child_dir_keys *out)
{
	drop_held_out(c);
	c->out_held = malloc(sizeof(*c->out_held));
	if (!c->out_held)
		return -ENOMEM;
	memcpy(c->out_held, out, sizeof(*out));
	return 0;
}

int child_install_held_out(struct xfrm *x, struct child_sa *c,
			   const struct child_endpoints *ep)
{
	struct xfrm_sa sa;
	int r;

	if (!c->out_held)
		return 0;
	fill_sa(&sa, c, ep, false, c->out_held);
	drop_held_out(c);
	r = xfrm_add_sa(x, &sa, false);
	if (r == 0)
		c->sa_out_installed = true;
	sodium_memzero(&sa, sizeof(sa));
	return r;
}

static bool pair_in(const struct child_pair *p, const struct child_pair *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (subnet_eq(&p->local, &set[i].local) && subnet_eq(&p->remote, &set[i].remote))
			return true;
	return false;
}

void child_uninstall_keep(struct xfrm *x, struct child_sa *c,
			  const struct child_endpoints *ep,
			  const struct child_pair *keep, unsigned n_keep)
{
	static const enum xfrm_dir dirs[] = { XFRM_DIR_OUT_, XFRM_DIR_IN_,
					      XFRM_DIR_FWD_ };
	struct xfrm_policy p;

	for (unsigned i = 0; c->policies_installed && i < c->n_pairs; i++)
		for (unsigned d = 0; d < 3; d++) {
			if (dirs[d] == XFRM_DIR_OUT_ && pair_in(&c->pairs[i], keep, n_keep))
				continue;
			fill_policy(&p, &c->pairs[i], dirs[d], ep, c->reqid);
			xfrm_del_policy(x, &p);
		}
	c->policies_installed = false;
	drop_held_out(c);
	if (c->sa_in_installed || c->spi_allocated)
		xfrm_del_sa(x, &ep->local, c->spi_in);
	if (c->sa_out_installed)
		xfrm_del_sa(x, &ep->remote, c->spi_out);
	c->sa_in_installed = c->sa_out_installed = c->spi_allocated = false;
}

void child_uninstall(struct xfrm *x, struct child_sa *c,
		     const struct child_endpoints *ep)
{
	child_uninstall_keep(x, c, ep, NULL, 0);
}

int child_install_trap(struct xfrm *x, const struct child_pair *pairs,
		       unsigned n, const struct child_endpoints *ep,
		       uint32_t reqid)
{
	return add_policies(x, pairs, n, ep, reqid, 1, true);
}

void child_remove_trap(struct xfrm *x, const struct child_pair *pairs,
		       unsigned n, const struct child_endpoints *ep,
		       uint32_t reqid)
{
	del_policies(x, pairs, n, ep, reqid, 1);
}

unsigned child_pairs_shared(const struct child_sa *c, const struct child_pair *set,
			    unsigned n, struct child_pair *out)
{
	unsigned k = 0;

	for (unsigned i = 0; i < c->n_pairs; i++)
		if (pair_in(&c->pairs[i], set, n))
			out[k++] = c->pairs[i];
	return k;
}

void child_read_counters(struct xfrm *x, const struct child_sa *c,
			 const struct child_endpoints *ep,
			 struct child_status *st)
{
	struct xfrm_counters k;

	if (c->sa_in_installed &&
	    xfrm_get_counters(x, &ep->local, c->spi_in, &k) == 0) {
		st->bytes_in = k.bytes;
		st->packets_in = k.packets;
	}
	if (c->sa_out_installed &&
	    xfrm_get_counters(x, &ep->remote, c->spi_out, &k) == 0) {
		st->bytes_out = k.bytes;
		st->packets_out = k.packets;
	}
}
