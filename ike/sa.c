#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engine.h"
#include "sa.h"

struct ike_sa *sa_new(struct ike *ike, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->ike = ike;
	sa->serial = ++ike->next_serial;
	sa->initiator = initiator;
	wbuf_init(&sa->init_req, IKE_MAX_MSG);
	wbuf_init(&sa->init_resp, IKE_MAX_MSG);
	wbuf_init(&sa->resp, IKE_MAX_MSG + 4);
	wbuf_init(&sa->out.msg, IKE_MAX_MSG + 4);
	sa->created_ms = eng_now(ike);
	sa->last_rx_ms = sa->created_ms;
	return sa;
}

void sa_free(struct ike_sa *sa)
{
	struct child_sa *c;

	if (!sa)
		return;
	while ((c = sa->children)) {
		sa->children = c->next;
		child_sa_free(c);
	}
	v2_child_free_out(sa);
	wbuf_free(&sa->out.msg);
	wbuf_free(&sa->init_req);
	wbuf_free(&sa->init_resp);
	wbuf_free(&sa->resp);
	dh_free(sa->dh);
	keymat_ike_wipe(&sa->keys);
	sodium_memzero(sa, sizeof(*sa));
	free(sa);
}

uint64_t sa_local_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

struct ike_sa *sa_lookup(struct ike *ike, uint64_t local_spi)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->state != SA_DEAD && sa_local_spi(sa) == local_spi)
			return sa;
	return NULL;
}

struct ike_sa *sa_lookup_half_open(struct ike *ike, uint64_t spi_i,
				   const struct ike_addr *remote)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (!sa->initiator && sa->state != SA_DEAD && sa->spi_i == spi_i &&
		    sa->msgid_peer <= 1 && addr_eq(&sa->remote, remote))
			return sa;
	return NULL;
}

unsigned sa_count_half_open(const struct ike *ike)
{
	unsigned n = 0;

	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		n += sa->state == SA_HALF_OPEN;
	return n;
}

void sa_link(struct ike *ike, struct ike_sa *sa)
{
	sa->next = ike->sas;
	ike->sas = sa;
}

void sa_unlink(struct ike *ike, struct ike_sa *sa)
{
	for (struct ike_sa **pp = &ike->sas; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			sa->next = NULL;
			return;
		}
}

uint64_t sa_random_spi(void)
{
	uint64_t v = 0;

	while (!v)
		crypto_random(&v, sizeof(v));
	return v;
}

enum sa_window sa_window_check(const struct ike_sa *sa, uint32_t msgid)
{
	if (msgid == sa->msgid_peer)
		return SA_WIN_NEW;
	if (sa->have_resp && msgid + 1 == sa->msgid_peer)
		return SA_WIN_RETRANSMIT;
	return SA_WIN_OUTSIDE;
}

void sa_cache_response(struct ike_sa *sa, const struct wbuf *msg)
{
	wbuf_reset(&sa->resp);
	wbuf_put(&sa->resp, msg->p, msg->len);
	sa->have_resp = sa->resp.err == 0;
	sa->msgid_peer++;
}

void sa_out_start(struct ike_sa *sa, enum task_kind kind, uint64_t now)
{
	sa->out.kind = kind;
	sa->out.tries = 0;
	sa->out.timeout_ms = SA_RETRANS_BASE_MS;
	sa->out.first_at = now;
	sa->out.next_at = now + sa->out.timeout_ms;
}

void sa_out_done(struct ike_sa *sa)
{
	v2_child_free_out(sa);
	wbuf_reset(&sa->out.msg);
	sa->out.kind = TASK_NONE;
	sa->out.next_at = 0;
}

bool sa_out_retransmit_due(const struct ike_sa *sa, uint64_t now)
{
	return sa->out.kind != TASK_NONE && sa->out.next_at && now >= sa->out.next_at;
}

bool sa_out_exhausted(const struct ike_sa *sa)
{
	return sa->out.tries >= SA_RETRANS_TRIES;
}

void sa_out_backoff(struct ike_sa *sa, uint64_t now)
{
	sa->out.tries++;
	if (sa->out.timeout_ms < 64000)
		sa->out.timeout_ms *= 2;
	sa->out.next_at = now + sa->out.timeout_ms;
}

int sa_task_push(struct ike_sa *sa, enum task_kind kind, struct child_sa *c,
		 const struct ts_pair *pair)
{
	struct sa_task *t;

	for (unsigned i = 0; i < sa->n_tasks; i++) {
		t = &sa->tasks[i];
		if (t->kind == kind && t->child == c &&
		    (!pair || (t->pair.l == pair->l && t->pair.r == pair->r)))
			return 0;	/* already queued */
	}
	if (sa->n_tasks >= SA_MAX_TASKS)
		return -ENOSPC;
	t = &sa->tasks[sa->n_tasks++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->child = c;
	if (pair)
		t->pair = *pair;
	return 0;
}

bool sa_task_pop(struct ike_sa *sa, struct sa_task *t)
{
	if (!sa->n_tasks)
		return false;
	*t = sa->tasks[0];
	memmove(sa->tasks, sa->tasks + 1, --sa->n_tasks * sizeof(sa->tasks[0]));
	return true;
}

void sa_task_drop_child(struct ike_sa *sa, const struct child_sa *c)
{
	unsigned j = 0;

	for (unsigned i = 0; i < sa->n_tasks; i++)
		if (sa->tasks[i].child != c)
			sa->tasks[j++] = sa->tasks[i];
	sa->n_tasks = j;
}

void sa_add_child(struct ike_sa *sa, struct child_sa *c)
{
	struct child_sa **pp = &sa->children;

	while (*pp)
		pp = &(*pp)->next;
	c->next = NULL;
	*pp = c;
}

void sa_remove_child(struct ike_sa *sa, struct child_sa *c)
{
	sa_task_drop_child(sa, c);
	if (sa->out.child == c)
		sa->out.child = NULL;
	if (sa->out.old == c) {
		sa->out.old_lost = c->coll.set;
		sa->out.old = NULL;
	}
	for (struct child_sa **pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	child_sa_free(c);
}

struct child_sa *sa_child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->spi_in == spi)
			return c;
	return NULL;
}

struct child_sa *sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi)
{
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->spi_out == spi)
			return c;
	return NULL;
}

/* RFC 7296 2.8.1: "lowest" is octet by octet; a nonce that is a prefix
 * of the other is the lower one. */
static int nonce_cmp(struct span a, struct span b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int r = n ? memcmp(a.p, b.p, n) : 0;

	if (r)
		return r;
	return a.n < b.n ? -1 : a.n > b.n;
}

static struct span nonce_min(struct span a, struct span b)
{
	return nonce_cmp(a, b) <= 0 ? a : b;
}

void sa_collision_note(struct sa_collision *c, uint64_t spi, struct span ni,
		       struct span nr)
{
	struct span m = nonce_min(ni, nr);

	memset(c, 0, sizeof(*c));
	if (m.n > sizeof(c->nonce))
		m.n = sizeof(c->nonce);	/* parsers cap nonces at IKE_MAX_NONCE */
	memcpy(c->nonce, m.p, m.n);
	c->nonce_len = m.n;
	c->spi = spi;
	c->set = true;
}

bool sa_collision_ours_redundant(const struct sa_collision *c, struct span ni,
				 struct span nr)
{
	return nonce_cmp(nonce_min(ni, nr), span_make(c->nonce, c->nonce_len)) < 0;
}
