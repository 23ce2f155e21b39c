/* The in-memory backend: the kernel's tables as arrays, every call
 * written to a text log, failures and events injected by the test.
 * Semantics follow the kernel where tests may rely on them: adding an
 * existing SA or policy fails with -EEXIST, updating or deleting a
 * missing SA with -ESRCH, deleting a missing policy with -ENOENT. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "xfrm/xfrm_int.h"

#define FAKE_MAX 4096		/* SAs, policies and queued events, each */
#define FAKE_LOG_MAX (1u << 20)
#define FAKE_SPI_FIRST 0xc0de0001u

struct fake_sa {
	struct xfrm_sa sa;
	bool larval;		/* allocated SPI, not filled in yet */
	struct xfrm_counters ctr;
};

struct xfrm_fake {
	struct xfrm base;
	struct fake_sa *sas;
	size_t nsa;
	struct xfrm_policy *pols;
	size_t npol;
	struct xfrm_event *evs;
	size_t nev;
	char *log;
	size_t log_len, log_cap;
	unsigned calls;
	uint32_t next_spi;
	int fail_err;
	char fail_msg[XFRM_ERRLEN];
};

static struct xfrm_fake *to_fake(struct xfrm *x)
{
	return (struct xfrm_fake *)x;
}

static const struct xfrm_fake *to_cfake(const struct xfrm *x)
{
	return x && x->ops == &xfrm_fake_ops ? (const struct xfrm_fake *)x : NULL;
}

static void logf_(struct xfrm_fake *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct xfrm_fake *f, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = '\0';
	if (f->log_len + (size_t)n + 1 > f->log_cap) {
		size_t cap = f->log_cap ? f->log_cap * 2 : 4096;
		char *p;

		while (cap < f->log_len + (size_t)n + 1)
			cap *= 2;
		if (cap > FAKE_LOG_MAX || !(p = realloc(f->log, cap)))
			return;
		f->log = p;
		f->log_cap = cap;
	}
	memcpy(f->log + f->log_len, line, (size_t)n + 1);
	f->log_len += (size_t)n;
}

/* Every call counts; an injected failure consumes itself. */
static int enter(struct xfrm_fake *f)
{
	int err = f->fail_err;

	f->calls++;
	if (!err)
		return 0;
	f->fail_err = 0;
	xfrm_set_error(&f->base, "%s", f->fail_msg);
	return err;
}

static const char *afmt(const struct ike_addr *a, char buf[IKE_ADDRSTRLEN])
{
	return addr_fmt(a, buf);
}

static struct fake_sa *sa_find(struct xfrm_fake *f, const struct ike_addr *dst,
			       uint32_t spi)
{
	for (size_t i = 0; i < f->nsa; i++)
		if (f->sas[i].sa.spi == spi && addr_eq(&f->sas[i].sa.dst, dst))
			return &f->sas[i];
	return NULL;
}

static struct fake_sa *sa_new(struct xfrm_fake *f)
{
	if (f->nsa >= FAKE_MAX)
		return NULL;
	memset(&f->sas[f->nsa], 0, sizeof(f->sas[0]));
	return &f->sas[f->nsa++];
}

static int fake_alloc_spi(struct xfrm *x, const struct ike_addr *src,
			  const struct ike_addr *dst, uint32_t reqid, uint32_t *spi)
{
	struct xfrm_fake *f = to_fake(x);
	struct fake_sa *s;
	char a[IKE_ADDRSTRLEN], b[IKE_ADDRSTRLEN];
	int rc = enter(f);

	logf_(f, "alloc_spi src=%s dst=%s reqid=0x%08x%s", afmt(src, a), afmt(dst, b),
	      reqid, rc ? " -> fail" : "");
	if (rc)
		return rc;
	if (!(s = sa_new(f)))
		return -ENOBUFS;
	s->sa.src = *src;
	s->sa.dst = *dst;
	s->sa.reqid = reqid;
	s->sa.spi = f->next_spi++;
	s->larval = true;
	*spi = s->sa.spi;
	return 0;
}

static int fake_add_sa(struct xfrm *x, const struct xfrm_sa *sa, bool update)
{
	struct xfrm_fake *f = to_fake(x);
	struct fake_sa *s;
	char a[IKE_ADDRSTRLEN], b[IKE_ADDRSTRLEN];
	int rc = enter(f);

	logf_(f, "%s spi=0x%08x src=%s dst=%s reqid=0x%08x encr=%u/%u integ=%u "
	      "encap=%s%u:%u replay=%u esn=%d life=%llu/%llu%s",
	      update ? "update_sa" : "add_sa", sa->spi, afmt(&sa->src, a),
	      afmt(&sa->dst, b), sa->reqid, sa->encr_id, sa->encr_keylen,
	      sa->integ_id, sa->encap ? "yes/" : "no/", sa->encap_sport,
	      sa->encap_dport, sa->replay_window, sa->esn,
	      (unsigned long long)sa->soft_secs, (unsigned long long)sa->hard_secs,
	      rc ? " -> fail" : "");
	if (rc)
		return rc;
	s = sa_find(f, &sa->dst, sa->spi);
	if (update && !s)
		return -ESRCH;
	if (!update && s)
		return -EEXIST;
	if (!s && !(s = sa_new(f)))
		return -ENOBUFS;
	s->sa = *sa;
	s->larval = false;
	return 0;
}

static int fake_del_sa(struct xfrm *x, const struct ike_addr *dst, uint32_t spi)
{
	struct xfrm_fake *f = to_fake(x);
	struct fake_sa *s;
	char b[IKE_ADDRSTRLEN];
	int rc = enter(f);

	logf_(f, "del_sa spi=0x%08x dst=%s%s", spi, afmt(dst, b), rc ? " -> fail" : "");
	if (rc)
		return rc;
	if (!(s = sa_find(f, dst, spi)))
		return -ESRCH;
	sodium_memzero(s, sizeof(*s));
	*s = f->sas[--f->nsa];
	sodium_memzero(&f->sas[f->nsa], sizeof(f->sas[0]));
	return 0;
}

static int fake_get_counters(struct xfrm *x, const struct ike_addr *dst,
			     uint32_t spi, struct xfrm_counters *out)
{
	struct xfrm_fake *f = to_fake(x);
	struct fake_sa *s;
	char b[IKE_ADDRSTRLEN];
	int rc = enter(f);

	logf_(f, "get_counters spi=0x%08x dst=%s%s", spi, afmt(dst, b), rc ? " -> fail" : "");
	if (rc)
		return rc;
	if (!(s = sa_find(f, dst, spi)))
		return -ESRCH;
	*out = s->ctr;
	return 0;
}

static const char *const dir_names[] = { "in", "out", "fwd" };

static struct xfrm_policy *pol_find(struct xfrm_fake *f, const struct xfrm_policy *p)
{
	for (size_t i = 0; i < f->npol; i++)
		if (f->pols[i].dir == p->dir && subnet_eq(&f->pols[i].src, &p->src) &&
		    subnet_eq(&f->pols[i].dst, &p->dst))
			return &f->pols[i];
	return NULL;
}

static void pol_log(struct xfrm_fake *f, const char *verb, const struct xfrm_policy *p,
		    int rc)
{
	char s[IKE_SUBNETSTRLEN], d[IKE_SUBNETSTRLEN];
	char a[IKE_ADDRSTRLEN], b[IKE_ADDRSTRLEN];

	logf_(f, "%s dir=%s src=%s dst=%s tmpl=%s->%s reqid=0x%08x%s", verb,
	      dir_names[p->dir % 3], subnet_fmt(&p->src, s), subnet_fmt(&p->dst, d),
	      afmt(&p->tmpl_src, a), afmt(&p->tmpl_dst, b), p->reqid,
	      rc ? " -> fail" : "");
}

static int fake_add_policy(struct xfrm *x, const struct xfrm_policy *p)
{
	struct xfrm_fake *f = to_fake(x);
	int rc = enter(f);

	pol_log(f, "add_policy", p, rc);
	if (rc)
		return rc;
	if (pol_find(f, p))
		return -EEXIST;
	if (f->npol >= FAKE_MAX)
		return -ENOBUFS;
	f->pols[f->npol++] = *p;
	return 0;
}

static int fake_del_policy(struct xfrm *x, const struct xfrm_policy *p)
{
	struct xfrm_fake *f = to_fake(x);
	struct xfrm_policy *q;
	int rc = enter(f);

	pol_log(f, "del_policy", p, rc);
	if (rc)
		return rc;
	if (!(q = pol_find(f, p)))
		return -ENOENT;
	*q = f->pols[--f->npol];
	return 0;
}

static bool ours(uint32_t reqid)
{
	return reqid >= XFRM_REQID_MIN && reqid <= XFRM_REQID_MAX;
}

static int fake_remove_owned(struct xfrm *x, unsigned *n)
{
	struct xfrm_fake *f = to_fake(x);
	int rc = enter(f);
	size_t i;

	*n = 0;
	if (rc == 0) {
		for (i = 0; i < f->npol;) {
			if (ours(f->pols[i].reqid)) {
				f->pols[i] = f->pols[--f->npol];
				(*n)++;
			} else {
				i++;
			}
		}
		for (i = 0; i < f->nsa;) {
			if (ours(f->sas[i].sa.reqid)) {
				f->sas[i] = f->sas[--f->nsa];
				sodium_memzero(&f->sas[f->nsa], sizeof(f->sas[0]));
				(*n)++;
			} else {
				i++;
			}
		}
	}
	logf_(f, "remove_owned n=%u%s", *n, rc ? " -> fail" : "");
	return rc;
}

static int fake_event_fd(const struct xfrm *x)
{
	(void)x;
	return -1;
}

static int fake_read_events(struct xfrm *x,
			    void (*cb)(const struct xfrm_event *ev, void *arg), void *arg)
{
	struct xfrm_fake *f = to_fake(x);
	size_t n = f->nev;

	/* Events the callback pushes are kept for the next read. */
	for (size_t i = 0; i < n; i++) {
		struct xfrm_event ev = f->evs[i];

		cb(&ev, arg);
	}
	memmove(f->evs, f->evs + n, (f->nev - n) * sizeof(f->evs[0]));
	f->nev -= n;
	return 0;
}

static void fake_close(struct xfrm *x)
{
	struct xfrm_fake *f = to_fake(x);

	if (f->sas)
		sodium_memzero(f->sas, FAKE_MAX * sizeof(f->sas[0]));
	free(f->sas);
	free(f->pols);
	free(f->evs);
	free(f->log);
	free(f);
}

const struct xfrm_ops xfrm_fake_ops = {
	.close = fake_close,
	.alloc_spi = fake_alloc_spi,
	.add_sa = fake_add_sa,
	.del_sa = fake_del_sa,
	.get_counters = fake_get_counters,
	.add_policy = fake_add_policy,
	.del_policy = fake_del_policy,
	.remove_owned = fake_remove_owned,
	.event_fd = fake_event_fd,
	.read_events = fake_read_events,
};

struct xfrm *xfrm_fake_open(void)
{
	struct xfrm_fake *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->base.ops = &xfrm_fake_ops;
	f->next_spi = FAKE_SPI_FIRST;
	f->sas = calloc(FAKE_MAX, sizeof(f->sas[0]));
	f->pols = calloc(FAKE_MAX, sizeof(f->pols[0]));
	f->evs = calloc(FAKE_MAX, sizeof(f->evs[0]));
	if (!f->sas || !f->pols || !f->evs) {
		fake_close(&f->base);
		return NULL;
	}
	return &f->base;
}

const char *xfrm_fake_log(const struct xfrm *x)
{
	const struct xfrm_fake *f = to_cfake(x);

	return f && f->log ? f->log : "";
}

unsigned xfrm_fake_calls(const struct xfrm *x)
{
	const struct xfrm_fake *f = to_cfake(x);

	return f ? f->calls : 0;
}

unsigned xfrm_fake_sa_count(const struct xfrm *x)
{
	const struct xfrm_fake *f = to_cfake(x);

	return f ? (unsigned)f->nsa : 0;
}

unsigned xfrm_fake_policy_count(const struct xfrm *x)
{
	const struct xfrm_fake *f = to_cfake(x);

	return f ? (unsigned)f->npol : 0;
}

void xfrm_fake_fail_next(struct xfrm *x, int err, const char *msg)
{
	struct xfrm_fake *f = (struct xfrm_fake *)to_cfake(x);

	if (!f)
		return;
	f->fail_err = err < 0 ? err : -err;
	snprintf(f->fail_msg, sizeof(f->fail_msg), "%s", msg ? msg : "injected failure");
}

void xfrm_fake_push_event(struct xfrm *x, const struct xfrm_event *ev)
{
	struct xfrm_fake *f = (struct xfrm_fake *)to_cfake(x);

	if (f && f->nev < FAKE_MAX)
		f->evs[f->nev++] = *ev;
}

void xfrm_fake_set_counters(struct xfrm *x, const struct ike_addr *dst, uint32_t spi,
			    const struct xfrm_counters *c)
{
	struct xfrm_fake *f = (struct xfrm_fake *)to_cfake(x);
	struct fake_sa *s = f ? sa_find(f, dst, spi) : NULL;

	if (s)
		s->ctr = *c;
}

bool xfrm_fake_has_sa(const struct xfrm *x, const struct ike_addr *dst, uint32_t spi,
		      struct xfrm_sa *out)
{
	struct xfrm_fake *f = (struct xfrm_fake *)to_cfake(x);
	struct fake_sa *s = f ? sa_find(f, dst, spi) : NULL;

	if (s && out)
		*out = s->sa;
	return s != NULL;
}
