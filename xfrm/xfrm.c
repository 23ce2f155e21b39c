/* Public entry points: argument checks, then dispatch to the backend. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "xfrm/xfrm_int.h"

void xfrm_set_error(struct xfrm *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
}

/* A backend that failed without a sentence still gets one. */
static int finish(struct xfrm *x, const char *what, int rc)
{
	if (rc < 0 && x->err[0] == '\0')
		xfrm_set_error(x, "%s: %s", what, strerror(-rc));
	return rc;
}

static bool addr_ok(const struct ike_addr *a)
{
	return a && (a->family == AF_INET || a->family == AF_INET6);
}

void xfrm_close(struct xfrm *x)
{
	if (x)
		x->ops->close(x);
}

const char *xfrm_last_error(const struct xfrm *x)
{
	return x ? x->err : "no xfrm backend";
}

int xfrm_alloc_spi(struct xfrm *x, const struct ike_addr *src,
		   const struct ike_addr *dst, uint32_t reqid, uint32_t *spi)
{
	x->err[0] = '\0';
	if (!addr_ok(src) || !addr_ok(dst) || src->family != dst->family || !spi)
		return finish(x, "allocate SPI: bad arguments", -EINVAL);
	return finish(x, "allocate SPI", x->ops->alloc_spi(x, src, dst, reqid, spi));
}

int xfrm_add_sa(struct xfrm *x, const struct xfrm_sa *sa, bool update)
{
	x->err[0] = '\0';
	if (!sa || !addr_ok(&sa->src) || !addr_ok(&sa->dst) ||
	    sa->src.family != sa->dst.family || sa->spi == 0 ||
	    sa->encr_key_len > sizeof(sa->encr_key) ||
	    sa->integ_key_len > sizeof(sa->integ_key))
		return finish(x, "add SA: bad arguments", -EINVAL);
	return finish(x, "add SA", x->ops->add_sa(x, sa, update));
}

int xfrm_del_sa(struct xfrm *x, const struct ike_addr *dst, uint32_t spi)
{
	x->err[0] = '\0';
	if (!addr_ok(dst))
		return finish(x, "delete SA: bad arguments", -EINVAL);
	return finish(x, "delete SA", x->ops->del_sa(x, dst, spi));
}

int xfrm_get_counters(struct xfrm *x, const struct ike_addr *dst, uint32_t spi,
		      struct xfrm_counters *out)
{
	x->err[0] = '\0';
	if (!addr_ok(dst) || !out)
		return finish(x, "read SA counters: bad arguments", -EINVAL);
	memset(out, 0, sizeof(*out));
	return finish(x, "read SA counters", x->ops->get_counters(x, dst, spi, out));
}

static bool policy_ok(const struct xfrm_policy *p)
{
	int fam;

	if (!p || !addr_ok(&p->src.addr) || !addr_ok(&p->dst.addr) ||
	    !addr_ok(&p->tmpl_src) || !addr_ok(&p->tmpl_dst))
		return false;
	fam = p->src.addr.family;
	if (p->dst.addr.family != fam || p->tmpl_src.family != p->tmpl_dst.family)
		return false;
	if (p->src.plen > addr_len(fam) * 8 || p->dst.plen > addr_len(fam) * 8)
		return false;
	return p->dir == XFRM_DIR_IN_ || p->dir == XFRM_DIR_OUT_ ||
	       p->dir == XFRM_DIR_FWD_;
}

int xfrm_add_policy(struct xfrm *x, const struct xfrm_policy *p)
{
	x->err[0] = '\0';
	if (!policy_ok(p))
		return finish(x, "add policy: bad arguments", -EINVAL);
	return finish(x, "add policy", x->ops->add_policy(x, p));
}

int xfrm_del_policy(struct xfrm *x, const struct xfrm_policy *p)
{
	x->err[0] = '\0';
	if (!policy_ok(p))
		return finish(x, "delete policy: bad arguments", -EINVAL);
	return finish(x, "delete policy", x->ops->del_policy(x, p));
}

int xfrm_remove_owned(struct xfrm *x, unsigned *n)
{
	unsigned dummy;

	x->err[0] = '\0';
	return finish(x, "remove leftover SAs and policies",
		      x->ops->remove_owned(x, n ? n : &dummy));
}

int xfrm_event_fd(const struct xfrm *x)
{
	return x->ops->event_fd(x);
}

int xfrm_read_events(struct xfrm *x,
		     void (*cb)(const struct xfrm_event *ev, void *arg), void *arg)
{
	x->err[0] = '\0';
	if (!cb)
		return -EINVAL;
	return finish(x, "read kernel events", x->ops->read_events(x, cb, arg));
}
