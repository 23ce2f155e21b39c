/* The netlink XFRM backend (libmnl).
 *
 * Two sockets: "req" for requests (every one carries NLM_F_ACK, replies
 * are matched by sequence number and port id in mnl_cb_run), "ev" bound
 * to the EXPIRE and ACQUIRE multicast groups, non-blocking.  Errors keep
 * the kernel's extended-ack text (NETLINK_EXT_ACK).  Replies are checked
 * like any other untrusted input: every payload and attribute has its
 * length verified before use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sodium.h>

#include "ike/log.h"
#include "xfrm/xfrm_int.h"
#include "xfrm/xfrm_msg.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define RX_BUFSZ 32768
#define REQ_TIMEOUT_SECS 5
#define OWNED_MAX 65536		/* entries one remove_owned() may collect */
#define KMSG_LEN 200

struct xfrm_nl {
	struct xfrm base;
	struct mnl_socket *req, *ev;
	uint32_t portid;
	uint32_t seq;
	uint8_t tx[XFRM_MSG_BUFSZ];
	uint8_t rx[RX_BUFSZ];
};

/* What one request's reply handlers share. */
struct nl_reply {
	int err;			/* kernel's error, negative */
	char kmsg[KMSG_LEN];		/* its extended-ack text, or "" */
	mnl_cb_t data_cb;
	void *data;
};

static struct xfrm_nl *to_nl(struct xfrm *x)
{
	return (struct xfrm_nl *)x;
}

static int cb_ext_attr(const struct nlattr *a, void *arg)
{
	struct nl_reply *r = arg;
	const char *s;
	size_t n;

	if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;	/* a malformed message text is just dropped */
	s = mnl_attr_get_str(a);
	n = strnlen(s, mnl_attr_get_payload_len(a));
	if (n >= sizeof(r->kmsg))
		n = sizeof(r->kmsg) - 1;
	memcpy(r->kmsg, s, n);
	r->kmsg[n] = '\0';
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an ack (error 0) ends the exchange; otherwise keep the
 * errno and the extended-ack TLVs that follow the (capped) request. */
static int cb_error(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_reply *r = arg;
	const struct nlmsgerr *e;
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		r->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	e = mnl_nlmsg_get_payload(nlh);
	if (e->error == 0)
		return MNL_CB_STOP;
	r->err = (e->error < 0 && e->error > -4096) ? e->error : -EPROTO;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return MNL_CB_ERROR;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return MNL_CB_ERROR;
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (off <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, (unsigned)off, cb_ext_attr, r);
	return MNL_CB_ERROR;
}

static int cb_done(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return MNL_CB_STOP;
}

static int cb_data(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_reply *r = arg;

	return r->data_cb ? r->data_cb(nlh, r->data) : MNL_CB_OK;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = cb_error,
	[NLMSG_DONE] = cb_done,
};

/* Send nlh (wiping it afterwards: SA requests carry keys) and run the
 * replies through cb until the ack, the end of a dump, or an error. */
static int nl_request(struct xfrm_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		      void *data, struct nl_reply *r)
{
	ssize_t n;
	int rc, stale = 0;
	uint32_t seq = ++nl->seq;

	memset(r, 0, sizeof(*r));
	r->data_cb = cb;
	r->data = data;
	nlh->nlmsg_seq = seq;
	n = mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len);
	rc = n < 0 ? -errno : 0;
	sodium_memzero(nl->tx, sizeof(nl->tx));
	if (rc < 0)
		return rc;
	for (;;) {
		n = mnl_socket_recvfrom(nl->req, nl->rx, sizeof(nl->rx));
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		errno = 0;
		rc = mnl_cb_run2(nl->rx, (size_t)n, seq, nl->portid, cb_data, r,
				 ctl_cbs, NLMSG_MIN_TYPE);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc == MNL_CB_OK)
			continue;
		if (r->err < 0)
			return r->err;
		/* A late reply to an earlier, timed-out request: skip it. */
		if (errno == ESRCH && ++stale < 16)
			continue;
		return errno ? -errno : -EPROTO;
	}
}

/* The operator's sentence for a failed request: the kernel's own words
 * plus what they usually mean here. */
static void explain(struct xfrm *x, int err, const struct nl_reply *r,
		    const char *what, const char *alg)
{
	const char *k = r->kmsg[0] ? r->kmsg : strerror(-err);

	if (err == -EPROTONOSUPPORT)
		xfrm_set_error(x, "%s: the kernel has no ESP support (module esp4/esp6 "
			       "missing or not loadable); kernel said: %s", what, k);
	else if (err == -ENOSYS && strstr(k, "lgorithm"))
		xfrm_set_error(x, "%s: the kernel cannot provide %s (crypto module "
			       "missing, or a kernel without ESP support); kernel said: %s",
			       what, alg ? alg : "the algorithm", k);
	else
		xfrm_set_error(x, "%s: %s", what, k);
}

static void sa_what(char *buf, size_t n, const char *verb, const struct ike_addr *src,
		    const struct ike_addr *dst, uint32_t spi)
{
	char a[IKE_ADDRSTRLEN], b[IKE_ADDRSTRLEN];

	if (src)
		snprintf(buf, n, "%s SA spi 0x%08x %s -> %s", verb, spi,
			 addr_fmt(src, a), addr_fmt(dst, b));
	else
		snprintf(buf, n, "%s SA spi 0x%08x to %s", verb, spi, addr_fmt(dst, b));
}

static int cb_sa_info(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_usersa_info *out = arg;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*out)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memcpy(out, mnl_nlmsg_get_payload(nlh), sizeof(*out));
	return MNL_CB_OK;
}

static int nl_alloc_spi(struct xfrm *x, const struct ike_addr *src,
			const struct ike_addr *dst, uint32_t reqid, uint32_t *spi)
{
	struct xfrm_nl *nl = to_nl(x);
	struct xfrm_usersa_info si;
	struct nlmsghdr *nlh;
	struct nl_reply r;
	char what[160];
	int rc;

	rc = xfrm_msg_alloc_spi(nl->tx, sizeof(nl->tx), 0, src, dst, reqid, &nlh);
	if (rc < 0)
		return rc;
	memset(&si, 0, sizeof(si));
	rc = nl_request(nl, nlh, cb_sa_info, &si, &r);
	if (rc == 0 && si.id.spi == 0)
		rc = -EBADMSG;
	if (rc < 0) {
		sa_what(what, sizeof(what), "allocate SPI for", src, dst, 0);
		explain(x, rc, &r, what, NULL);
		return rc;
	}
	*spi = ntohl(si.id.spi);
	return 0;
}

static int nl_add_sa(struct xfrm *x, const struct xfrm_sa *sa, bool update)
{
	struct xfrm_nl *nl = to_nl(x);
	struct nlmsghdr *nlh;
	struct nl_reply r;
	char what[160];
	const char *alg;
	int rc;

	sa_what(what, sizeof(what), update ? "update" : "add", &sa->src, &sa->dst, sa->spi);
	rc = xfrm_msg_sa(nl->tx, sizeof(nl->tx), 0, sa, update, &nlh);
	if (rc < 0) {
		xfrm_set_error(x, "%s: algorithm (encr %u/%u bits, integ %u), key length "
			       "or replay window not expressible for the kernel", what,
			       sa->encr_id, sa->encr_keylen, sa->integ_id);
		return rc;
	}
	rc = nl_request(nl, nlh, NULL, NULL, &r);
	if (rc < 0) {
		alg = xfrm_msg_encr_name(sa->encr_id, NULL, NULL);
		if (r.kmsg[0] && strstr(r.kmsg, "uth") && sa->integ_id)
			alg = xfrm_msg_integ_name(sa->integ_id, NULL);
		explain(x, rc, &r, what, alg);
	}
	return rc;
}

static int nl_del_sa(struct xfrm *x, const struct ike_addr *dst, uint32_t spi)
{
	struct xfrm_nl *nl = to_nl(x);
	struct nlmsghdr *nlh;
	struct nl_reply r;
	char what[160];
	int rc;

	rc = xfrm_msg_sa_id(nl->tx, sizeof(nl->tx), 0, XFRM_MSG_DELSA, dst, spi, &nlh);
	if (rc == 0)
		rc = nl_request(nl, nlh, NULL, NULL, &r);
	if (rc < 0) {
		sa_what(what, sizeof(what), "delete", NULL, dst, spi);
		explain(x, rc, &r, what, NULL);
	}
	return rc;
}

static int nl_get_counters(struct xfrm *x, const struct ike_addr *dst,
			   uint32_t spi, struct xfrm_counters *out)
{
	struct xfrm_nl *nl = to_nl(x);
	struct xfrm_usersa_info si;
	struct nlmsghdr *nlh;
	struct nl_reply r;
	char what[160];
	int rc;

	memset(&si, 0, sizeof(si));
	rc = xfrm_msg_sa_id(nl->tx, sizeof(nl->tx), 0, XFRM_MSG_GETSA, dst, spi, &nlh);
	if (rc == 0)
		rc = nl_request(nl, nlh, cb_sa_info, &si, &r);
	if (rc == 0 && si.id.spi != htonl(spi))
		rc = -EBADMSG;
	if (rc < 0) {
		sa_what(what, sizeof(what), "read counters of", NULL, dst, spi);
		explain(x, rc, &r, what, NULL);
		return rc;
	}
	out->bytes = si.curlft.bytes;
	out->packets = si.curlft.packets;
	out->add_time = si.curlft.add_time;
	out->use_time = si.curlft.use_time;
	return 0;
}

static void policy_what(char *buf, size_t n, const char *verb,
			const struct xfrm_policy *p)
{
	char a[IKE_SUBNETSTRLEN], b[IKE_SUBNETSTRLEN];
	static const char *const dirs[] = { "in", "out", "fwd" };

	snprintf(buf, n, "%s policy %s %s -> %s", verb, dirs[p->dir % 3],
		 subnet_fmt(&p->src, a), subnet_fmt(&p->dst, b));
}

typedef int policy_msg_fn(void *buf, size_t cap, uint32_t seq,
			  const struct xfrm_policy *p, struct nlmsghdr **out);

/* One policy request: build, send, and on failure say which policy. */
static int policy_request(struct xfrm *x, const struct xfrm_policy *p,
			  policy_msg_fn *build, const char *verb)
{
	struct xfrm_nl *nl = to_nl(x);
	struct nlmsghdr *nlh;
	struct nl_reply r;
	char what[160];
	int rc;

	rc = build(nl->tx, sizeof(nl->tx), 0, p, &nlh);
	if (rc == 0)
		rc = nl_request(nl, nlh, NULL, NULL, &r);
	if (rc < 0) {
		policy_what(what, sizeof(what), verb, p);
		explain(x, rc, &r, what, NULL);
	}
	return rc;
}

static int nl_add_policy(struct xfrm *x, const struct xfrm_policy *p)
{
	return policy_request(x, p, xfrm_msg_policy, "add");
}

static int nl_update_policy(struct xfrm *x, const struct xfrm_policy *p)
{
	return policy_request(x, p, xfrm_msg_update_policy, "update");
}

static int nl_del_policy(struct xfrm *x, const struct xfrm_policy *p)
{
	return policy_request(x, p, xfrm_msg_del_policy, "delete");
}

/* remove_owned(): dump, collect what carries our reqid, then delete one
 * by one (a dump cannot be interleaved with requests on one socket). */
struct owned_ent {
	bool is_sa;
	bool larval;			/* SPI 0: left by an ACQUIRE */
	struct ike_addr src;		/* larval only */
	uint32_t reqid;
	struct xfrm_usersa_id sa;
	struct xfrm_userpolicy_id pol;
};

struct owned {
	struct owned_ent *v;
	size_t n, cap;
	bool full;
};

static bool reqid_ours(uint32_t reqid)
{
	return reqid >= XFRM_REQID_MIN && reqid <= XFRM_REQID_MAX;
}

static struct owned_ent *owned_add(struct owned *o)
{
	struct owned_ent *v;
	size_t cap;

	if (o->n == o->cap) {
		if (o->cap >= OWNED_MAX) {
			o->full = true;
			return NULL;
		}
		cap = o->cap ? o->cap * 2 : 64;
		v = realloc(o->v, cap * sizeof(*v));
		if (!v) {
			o->full = true;
			return NULL;
		}
		o->v = v;
		o->cap = cap;
	}
	memset(&o->v[o->n], 0, sizeof(o->v[0]));
	return &o->v[o->n++];
}

static int cb_dump_sa(const struct nlmsghdr *nlh, void *arg)
{
	struct owned *o = arg;
	struct xfrm_usersa_info si;
	struct owned_ent *e;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(si))
		return MNL_CB_OK;	/* not an SA: nothing of ours */
	memcpy(&si, mnl_nlmsg_get_payload(nlh), sizeof(si));
	if (!reqid_ours(si.reqid) || !(e = owned_add(o)))
		return MNL_CB_OK;
	e->is_sa = true;
	e->reqid = si.reqid;
	e->larval = si.id.spi == 0;
	if (e->larval && !xfrm_msg_addr(&e->src, si.family, &si.saddr))
		e->larval = false;
	e->sa.daddr = si.id.daddr;
	e->sa.spi = si.id.spi;
	e->sa.family = si.family;
	e->sa.proto = si.id.proto;
	return MNL_CB_OK;
}

struct pol_attrs {
	bool ours, foreign;
};

static int cb_pol_attr(const struct nlattr *a, void *arg)
{
	struct pol_attrs *pa = arg;
	struct xfrm_user_tmpl t;
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case XFRMA_TMPL:
		if (len % sizeof(t) != 0) {
			pa->foreign = true;
			break;
		}
		for (size_t off = 0; off < len; off += sizeof(t)) {
			memcpy(&t, p + off, sizeof(t));
			pa->ours |= reqid_ours(t.reqid);
		}
		break;
	case XFRMA_POLICY_TYPE: {
		struct xfrm_userpolicy_type pt;

		/* Always present in dumps; we only install main policies. */
		if (mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(pt)) < 0)
			pa->foreign = true;
		else if (memcpy(&pt, p, sizeof(pt)), pt.type != XFRM_POLICY_TYPE_MAIN)
			pa->foreign = true;
		break;
	}
	case XFRMA_MARK:
	case XFRMA_IF_ID:
		/* We set neither: a policy with a non-zero one is not ours,
		 * and a delete without it would not find it anyway. */
		for (size_t i = 0; i < len; i++)
			pa->foreign |= p[i] != 0;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int cb_dump_policy(const struct nlmsghdr *nlh, void *arg)
{
	struct owned *o = arg;
	struct xfrm_userpolicy_info pi;
	struct pol_attrs pa = { false, false };
	struct owned_ent *e;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(pi))
		return MNL_CB_OK;
	memcpy(&pi, mnl_nlmsg_get_payload(nlh), sizeof(pi));
	if (pi.dir >= XFRM_POLICY_MAX)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(pi), cb_pol_attr, &pa) < 0)
		return MNL_CB_OK;	/* malformed attributes: leave it alone */
	if (!pa.ours || pa.foreign || !(e = owned_add(o)))
		return MNL_CB_OK;
	e->pol.sel = pi.sel;
	e->pol.index = pi.index;
	e->pol.dir = pi.dir;
	return MNL_CB_OK;
}

/* An SA with SPI 0 (what an ACQUIRE leaves for ~30 s) cannot be named
 * by DELSA; ALLOCSPI for the same addresses and reqid turns exactly that
 * state into one with an SPI, which can then be deleted. */
static int owned_name_larval(struct xfrm_nl *nl, struct owned_ent *e)
{
	struct xfrm_usersa_info si;
	struct ike_addr dst;
	struct nlmsghdr *nlh;
	struct nl_reply r;
	int rc;

	if (!xfrm_msg_addr(&dst, e->sa.family, &e->sa.daddr))
		return -EAFNOSUPPORT;
	rc = xfrm_msg_alloc_spi(nl->tx, sizeof(nl->tx), 0, &e->src, &dst, e->reqid, &nlh);
	memset(&si, 0, sizeof(si));
	if (rc == 0)
		rc = nl_request(nl, nlh, cb_sa_info, &si, &r);
	if (rc == 0 && si.id.spi == 0)
		rc = -EBADMSG;
	if (rc == 0)
		e->sa.spi = si.id.spi;
	return rc;
}

static int owned_delete(struct xfrm_nl *nl, struct owned_ent *e)
{
	struct nlmsghdr *nlh;
	struct nl_reply r;
	int rc;

	if (e->is_sa && e->larval && (rc = owned_name_larval(nl, e)) < 0)
		return rc;

	memset(nl->tx, 0, sizeof(nl->tx));
	nlh = mnl_nlmsg_put_header(nl->tx);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (e->is_sa) {
		nlh->nlmsg_type = XFRM_MSG_DELSA;
		memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(e->sa)), &e->sa, sizeof(e->sa));
	} else {
		nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
		memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(e->pol)), &e->pol,
		       sizeof(e->pol));
	}
	rc = nl_request(nl, nlh, NULL, NULL, &r);
	/* Gone in the meantime (an expire, a racing delete): 1, not counted. */
	if (rc == -ESRCH || rc == -ENOENT)
		return 1;
	return rc;
}

static int owned_collect(struct xfrm_nl *nl, uint16_t type, mnl_cb_t cb,
			 struct owned *o)
{
	struct nlmsghdr *nlh;
	struct nl_reply r;
	int rc = -EINTR;

	/* An interrupted dump (the table changed under it) is redone. */
	for (int i = 0; i < 4 && rc == -EINTR; i++) {
		o->n = 0;
		rc = xfrm_msg_dump(nl->tx, sizeof(nl->tx), 0, type, &nlh);
		if (rc == 0)
			rc = nl_request(nl, nlh, cb, o, &r);
	}
	return rc;
}

static int nl_remove_owned(struct xfrm *x, unsigned *count)
{
	struct xfrm_nl *nl = to_nl(x);
	struct owned o = { NULL, 0, 0, false };
	static const uint16_t types[] = { XFRM_MSG_GETPOLICY, XFRM_MSG_GETSA };
	static const mnl_cb_t cbs[] = { cb_dump_policy, cb_dump_sa };
	int rc = 0;

	*count = 0;
	/* Policies first: a policy left without its SAs would make the
	 * kernel send ACQUIREs (and drop traffic) for a dead tunnel. */
	for (int round = 0; round < 16 && rc == 0; round++) {
		bool again = false;

		for (size_t t = 0; t < 2 && rc == 0; t++) {
			o.full = false;
			rc = owned_collect(nl, types[t], cbs[t], &o);
			for (size_t i = 0; i < o.n && rc == 0; i++) {
				rc = owned_delete(nl, &o.v[i]);
				if (rc == 0)
					(*count)++;
				rc = rc > 0 ? 0 : rc;
			}
			again |= o.full;
		}
		if (!again)
			break;
	}
	free(o.v);
	if (rc < 0)
		xfrm_set_error(x, "remove leftover SAs and policies (reqid 0x%08x-0x%08x): %s",
			       XFRM_REQID_MIN, XFRM_REQID_MAX, strerror(-rc));
	return rc;
}

/* Events.  Only SAs and policies of ours are reported: the daemon has
 * nothing to do about anyone else's. */
struct ev_ctx {
	void (*cb)(const struct xfrm_event *ev, void *arg);
	void *arg;
};

static int cb_event(const struct nlmsghdr *nlh, void *arg)
{
	struct ev_ctx *c = arg;
	struct xfrm_event ev;

	if (xfrm_msg_parse_event(nlh, &ev) == 1)
		c->cb(&ev, c->arg);
	return MNL_CB_OK;
}

static int nl_read_events(struct xfrm *x,
			  void (*cb)(const struct xfrm_event *ev, void *arg), void *arg)
{
	struct xfrm_nl *nl = to_nl(x);
	struct ev_ctx c = { cb, arg };
	ssize_t n;

	for (int i = 0; i < 1024; i++) {
		n = mnl_socket_recvfrom(nl->ev, nl->rx, sizeof(nl->rx));
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == ENOBUFS) {
			log_warn("xfrm: kernel event queue overflowed, expire/acquire "
				 "events were lost");
			continue;
		}
		if (n < 0 && errno == ESRCH)
			continue;	/* not from the kernel: libmnl refused it */
		if (n < 0)
			return -errno;
		/* seq 0 / portid 0: multicast, nothing to match */
		mnl_cb_run(nl->rx, (size_t)n, 0, 0, cb_event, &c);
	}
	return 0;
}

static int nl_event_fd(const struct xfrm *x)
{
	return mnl_socket_get_fd(((const struct xfrm_nl *)x)->ev);
}

static void nl_close(struct xfrm *x)
{
	struct xfrm_nl *nl = to_nl(x);

	if (nl->req)
		mnl_socket_close(nl->req);
	if (nl->ev)
		mnl_socket_close(nl->ev);
	sodium_memzero(nl, sizeof(*nl));
	free(nl);
}

static const struct xfrm_ops nl_ops = {
	.close = nl_close,
	.alloc_spi = nl_alloc_spi,
	.add_sa = nl_add_sa,
	.del_sa = nl_del_sa,
	.get_counters = nl_get_counters,
	.add_policy = nl_add_policy,
	.update_policy = nl_update_policy,
	.del_policy = nl_del_policy,
	.remove_owned = nl_remove_owned,
	.event_fd = nl_event_fd,
	.read_events = nl_read_events,
};

static int sock_setup_req(struct mnl_socket *s)
{
	int one = 1;
	struct timeval tv = { REQ_TIMEOUT_SECS, 0 };

	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	/* Extended acks carry the kernel's reason; capped acks keep it from
	 * echoing our request (and its keys) back to us. */
	if (mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one)) < 0)
		return -errno;
	if (setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

struct xfrm *xfrm_nl_open(int *err)
{
	struct xfrm_nl *nl = calloc(1, sizeof(*nl));
	unsigned groups = (1u << (XFRMNLGRP_ACQUIRE - 1)) | (1u << (XFRMNLGRP_EXPIRE - 1));
	int rc = -ENOMEM, rcvbuf = 1 << 20;

	if (!nl || sodium_init() < 0)
		goto out;
	nl->base.ops = &nl_ops;
	nl->req = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	nl->ev = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!nl->req || !nl->ev) {
		rc = -errno;
		goto out;
	}
	rc = sock_setup_req(nl->req);
	if (rc == 0 && mnl_socket_bind(nl->ev, groups, MNL_SOCKET_AUTOPID) < 0)
		rc = -errno;
	if (rc < 0)
		goto out;
	/* Room for a burst of ACQUIREs (one per new flow) before ENOBUFS;
	 * best effort, the default is only a few hundred messages. */
	setsockopt(mnl_socket_get_fd(nl->ev), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	nl->portid = mnl_socket_get_portid(nl->req);
	randombytes_buf(&nl->seq, sizeof(nl->seq));
	*err = 0;
	return &nl->base;
out:
	if (nl)
		nl_close(&nl->base);
	*err = rc;
	return NULL;
}
