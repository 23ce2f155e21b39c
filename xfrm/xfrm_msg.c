/* XFRM request builders (see xfrm_msg.h).  Layouts follow <linux/xfrm.h>;
 * what the kernel expects of each field follows iproute2's ip xfrm. */
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sodium.h>

#include "ike/v2.h"
#include "xfrm/xfrm_msg.h"

/* ESN bitmap bound: the kernel's XFRMA_REPLAY_ESN_MAX is 4096 bytes of
 * bitmap; we never need more than a few thousand packets of window. */
#define REPLAY_MAX 4096u

struct encr_map {
	uint16_t id;
	const char *name;
	bool aead;
	unsigned icv_bits;
};

static const struct encr_map encr_tab[] = {
	{ IKEV2_ENCR_AES_GCM_16, "rfc4106(gcm(aes))", true, 128 },
	{ IKEV2_ENCR_AES_GCM_12, "rfc4106(gcm(aes))", true, 96 },
	{ IKEV2_ENCR_AES_GCM_8, "rfc4106(gcm(aes))", true, 64 },
	{ IKEV2_ENCR_AES_CBC, "cbc(aes)", false, 0 },
	{ IKEV2_ENCR_3DES, "cbc(des3_ede)", false, 0 },
	{ IKEV2_ENCR_DES, "cbc(des)", false, 0 },
	{ IKEV2_ENCR_NULL, "ecb(cipher_null)", false, 0 },
};

struct integ_map {
	uint16_t id;
	const char *name;
	unsigned trunc_bits;
	size_t key_len;
};

static const struct integ_map integ_tab[] = {
	{ IKEV2_AUTH_HMAC_SHA1_96, "hmac(sha1)", 96, 20 },
	{ IKEV2_AUTH_HMAC_SHA2_256_128, "hmac(sha256)", 128, 32 },
	{ IKEV2_AUTH_HMAC_SHA2_384_192, "hmac(sha384)", 192, 48 },
	{ IKEV2_AUTH_HMAC_SHA2_512_256, "hmac(sha512)", 256, 64 },
	{ IKEV2_AUTH_HMAC_MD5_96, "hmac(md5)", 96, 16 },
};

static const struct encr_map *encr_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(encr_tab) / sizeof(encr_tab[0]); i++)
		if (encr_tab[i].id == id)
			return &encr_tab[i];
	return NULL;
}

static const struct integ_map *integ_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(integ_tab) / sizeof(integ_tab[0]); i++)
		if (integ_tab[i].id == id)
			return &integ_tab[i];
	return NULL;
}

const char *xfrm_msg_encr_name(uint16_t encr_id, unsigned *icv_bits, bool *aead)
{
	const struct encr_map *e = encr_find(encr_id);

	if (!e)
		return NULL;
	if (icv_bits)
		*icv_bits = e->icv_bits;
	if (aead)
		*aead = e->aead;
	return e->name;
}

const char *xfrm_msg_integ_name(uint16_t integ_id, unsigned *trunc_bits)
{
	const struct integ_map *m = integ_find(integ_id);

	if (!m)
		return NULL;
	if (trunc_bits)
		*trunc_bits = m->trunc_bits;
	return m->name;
}

uint32_t xfrm_msg_default_priority(const struct xfrm_policy *p)
{
	return XFRM_PRIO_BASE + 256u - p->src.plen - p->dst.plen;
}

uint8_t xfrm_msg_dir(enum xfrm_dir d)
{
	switch (d) {
	case XFRM_DIR_IN_:
		return XFRM_POLICY_IN;
	case XFRM_DIR_FWD_:
		return XFRM_POLICY_FWD;
	case XFRM_DIR_OUT_:
	default:
		return XFRM_POLICY_OUT;
	}
}

static void addr_put(xfrm_address_t *dst, const struct ike_addr *a)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, a->a, addr_len(a->family));
}

static uint64_t limit(uint64_t v)
{
	return v ? v : XFRM_INF;
}

/* Header plus a zeroed fixed part; the whole buffer is cleared first so
 * padding is deterministic (and no stale key bytes survive). */
static struct nlmsghdr *put_head(void *buf, size_t cap, uint32_t seq,
				 uint16_t type, uint16_t flags, size_t fixed,
				 void **extra)
{
	struct nlmsghdr *nlh;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(fixed))
		return NULL;
	memset(buf, 0, cap);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	*extra = mnl_nlmsg_put_extra_header(nlh, fixed);
	return nlh;
}

static void sa_base(struct xfrm_usersa_info *si, const struct ike_addr *src,
		    const struct ike_addr *dst, uint32_t spi, uint32_t reqid)
{
	si->sel.family = src->family;
	addr_put(&si->id.daddr, dst);
	si->id.spi = htonl(spi);
	si->id.proto = IPPROTO_ESP;
	addr_put(&si->saddr, src);
	si->family = src->family;
	si->mode = XFRM_MODE_TUNNEL;
	si->reqid = reqid;
	si->lft.soft_byte_limit = XFRM_INF;
	si->lft.hard_byte_limit = XFRM_INF;
	si->lft.soft_packet_limit = XFRM_INF;
	si->lft.hard_packet_limit = XFRM_INF;
}

int xfrm_msg_alloc_spi(void *buf, size_t cap, uint32_t seq,
		       const struct ike_addr *src, const struct ike_addr *dst,
		       uint32_t reqid, struct nlmsghdr **out)
{
	struct xfrm_userspi_info *ui;
	struct nlmsghdr *nlh;

	nlh = put_head(buf, cap, seq, XFRM_MSG_ALLOCSPI, 0, sizeof(*ui), (void **)&ui);
	if (!nlh)
		return -EMSGSIZE;
	sa_base(&ui->info, src, dst, 0, reqid);
	ui->min = XFRM_SPI_MIN;
	ui->max = XFRM_SPI_MAX;
	*out = nlh;
	return 0;
}

/* One algorithm attribute: fixed struct, then the key.  The staging
 * buffer holds key bytes, so it is wiped before returning. */
static bool put_alg(struct nlmsghdr *nlh, size_t cap, uint16_t type,
		    const char *name, unsigned extra_bits, const uint8_t *key,
		    size_t key_len)
{
	uint8_t tmp[sizeof(struct xfrm_algo_auth) + 64];
	size_t fixed;
	unsigned bits = (unsigned)key_len * 8;
	bool ok;

	memset(tmp, 0, sizeof(tmp));
	if (type == XFRMA_ALG_AEAD) {
		struct xfrm_algo_aead *a = (void *)tmp;

		fixed = sizeof(*a);
		strcpy(a->alg_name, name);
		a->alg_key_len = bits;
		a->alg_icv_len = extra_bits;
	} else if (type == XFRMA_ALG_AUTH_TRUNC) {
		struct xfrm_algo_auth *a = (void *)tmp;

		fixed = sizeof(*a);
		strcpy(a->alg_name, name);
		a->alg_key_len = bits;
		a->alg_trunc_len = extra_bits;
	} else {
		struct xfrm_algo *a = (void *)tmp;

		fixed = sizeof(*a);
		strcpy(a->alg_name, name);
		a->alg_key_len = bits;
	}
	if (key_len > sizeof(tmp) - fixed)
		return false;
	memcpy(tmp + fixed, key, key_len);
	ok = mnl_attr_put_check(nlh, cap, type, fixed + key_len, tmp);
	sodium_memzero(tmp, sizeof(tmp));
	return ok;
}

/* Key length the IKE ID implies (bytes, salt included); 0 if invalid. */
static size_t encr_key_bytes(const struct xfrm_sa *sa, const struct encr_map *e)
{
	switch (sa->encr_id) {
	case IKEV2_ENCR_3DES:
		return sa->encr_keylen == 0 || sa->encr_keylen == 192 ? 24 : 0;
	case IKEV2_ENCR_DES:
		return sa->encr_keylen == 0 || sa->encr_keylen == 64 ? 8 : 0;
	case IKEV2_ENCR_NULL:
		return SIZE_MAX;	/* no key: checked as 0 below */
	default:
		if (sa->encr_keylen != 128 && sa->encr_keylen != 192 &&
		    sa->encr_keylen != 256)
			return 0;
		return sa->encr_keylen / 8 + (e->aead ? 4 : 0);
	}
}

static bool put_algs(struct nlmsghdr *nlh, size_t cap, const struct xfrm_sa *sa)
{
	const struct encr_map *e = encr_find(sa->encr_id);
	const struct integ_map *m = integ_find(sa->integ_id);
	size_t want;

	if (!e)
		return false;
	want = encr_key_bytes(sa, e);
	if (want == SIZE_MAX)
		want = 0;
	else if (want == 0)
		return false;
	if (sa->encr_key_len != want)
		return false;
	if (e->aead)
		return sa->integ_id == IKEV2_AUTH_NONE &&
		       put_alg(nlh, cap, XFRMA_ALG_AEAD, e->name, e->icv_bits,
			       sa->encr_key, sa->encr_key_len);
	/* ESP without integrity is never negotiated for a non-AEAD cipher. */
	if (!m || sa->integ_key_len != m->key_len)
		return false;
	return put_alg(nlh, cap, XFRMA_ALG_CRYPT, e->name, 0, sa->encr_key,
		       sa->encr_key_len) &&
	       put_alg(nlh, cap, XFRMA_ALG_AUTH_TRUNC, m->name, m->trunc_bits,
		       sa->integ_key, sa->integ_key_len);
}

static bool put_replay_esn(struct nlmsghdr *nlh, size_t cap, uint32_t window)
{
	uint8_t tmp[sizeof(struct xfrm_replay_state_esn) + REPLAY_MAX / 8];
	struct xfrm_replay_state_esn *rs = (void *)tmp;
	uint32_t words;

	if (window > REPLAY_MAX)
		return false;
	words = (window + 31) / 32;
	memset(tmp, 0, sizeof(tmp));
	rs->bmp_len = words;
	rs->replay_window = window;
	return mnl_attr_put_check(nlh, cap, XFRMA_REPLAY_ESN_VAL,
				  sizeof(*rs) + words * sizeof(uint32_t), tmp);
}

static bool put_encap(struct nlmsghdr *nlh, size_t cap, const struct xfrm_sa *sa)
{
	struct xfrm_encap_tmpl et;

	memset(&et, 0, sizeof(et));
	et.encap_type = UDP_ENCAP_ESPINUDP;
	et.encap_sport = htons(sa->encap_sport);
	et.encap_dport = htons(sa->encap_dport);
	return mnl_attr_put_check(nlh, cap, XFRMA_ENCAP, sizeof(et), &et);
}

int xfrm_msg_sa(void *buf, size_t cap, uint32_t seq, const struct xfrm_sa *sa,
		bool update, struct nlmsghdr **out)
{
	struct xfrm_usersa_info *si;
	struct nlmsghdr *nlh;
	bool esn_attr = sa->esn || sa->replay_window > 32;

	nlh = put_head(buf, cap, seq, update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA,
		       0, sizeof(*si), (void **)&si);
	if (!nlh)
		return -EMSGSIZE;
	sa_base(si, &sa->src, &sa->dst, sa->spi, sa->reqid);
	si->lft.soft_byte_limit = limit(sa->soft_bytes);
	si->lft.hard_byte_limit = limit(sa->hard_bytes);
	si->lft.soft_add_expires_seconds = sa->soft_secs;
	si->lft.hard_add_expires_seconds = sa->hard_secs;
	if (sa->esn)
		si->flags |= XFRM_STATE_ESN;
	if (!esn_attr)
		si->replay_window = (uint8_t)sa->replay_window;
	if (!put_algs(nlh, cap, sa))
		goto bad;
	if (esn_attr && !put_replay_esn(nlh, cap, sa->replay_window))
		goto bad;
	if (sa->encap && !put_encap(nlh, cap, sa))
		goto bad;
	*out = nlh;
	return 0;
bad:
	sodium_memzero(buf, cap);
	return -EINVAL;
}

int xfrm_msg_sa_id(void *buf, size_t cap, uint32_t seq, uint16_t type,
		   const struct ike_addr *dst, uint32_t spi, struct nlmsghdr **out)
{
	struct xfrm_usersa_id *id;
	struct nlmsghdr *nlh;

	nlh = put_head(buf, cap, seq, type, 0, sizeof(*id), (void **)&id);
	if (!nlh)
		return -EMSGSIZE;
	addr_put(&id->daddr, dst);
	id->spi = htonl(spi);
	id->family = dst->family;
	id->proto = IPPROTO_ESP;
	*out = nlh;
	return 0;
}

static void sel_put(struct xfrm_selector *sel, const struct xfrm_policy *p)
{
	addr_put(&sel->daddr, &p->dst.addr);
	addr_put(&sel->saddr, &p->src.addr);
	sel->family = p->src.addr.family;
	sel->prefixlen_d = p->dst.plen;
	sel->prefixlen_s = p->src.plen;
}

int xfrm_msg_policy(void *buf, size_t cap, uint32_t seq,
		    const struct xfrm_policy *p, struct nlmsghdr **out)
{
	struct xfrm_userpolicy_info *pi;
	struct xfrm_user_tmpl t;
	struct nlmsghdr *nlh;

	nlh = put_head(buf, cap, seq, XFRM_MSG_NEWPOLICY, 0, sizeof(*pi), (void **)&pi);
	if (!nlh)
		return -EMSGSIZE;
	sel_put(&pi->sel, p);
	pi->lft.soft_byte_limit = XFRM_INF;
	pi->lft.hard_byte_limit = XFRM_INF;
	pi->lft.soft_packet_limit = XFRM_INF;
	pi->lft.hard_packet_limit = XFRM_INF;
	pi->priority = p->priority ? p->priority : xfrm_msg_default_priority(p);
	pi->dir = xfrm_msg_dir(p->dir);
	pi->action = XFRM_POLICY_ALLOW;
	pi->share = XFRM_SHARE_ANY;

	memset(&t, 0, sizeof(t));
	addr_put(&t.id.daddr, &p->tmpl_dst);
	t.id.proto = IPPROTO_ESP;
	t.family = p->tmpl_src.family;
	addr_put(&t.saddr, &p->tmpl_src);
	t.reqid = p->reqid;
	t.mode = XFRM_MODE_TUNNEL;
	t.share = XFRM_SHARE_ANY;
	t.optional = 0;		/* level required */
	t.aalgos = ~0u;
	t.ealgos = ~0u;
	t.calgos = ~0u;
	if (!mnl_attr_put_check(nlh, cap, XFRMA_TMPL, sizeof(t), &t))
		return -EMSGSIZE;
	*out = nlh;
	return 0;
}

int xfrm_msg_del_policy(void *buf, size_t cap, uint32_t seq,
			const struct xfrm_policy *p, struct nlmsghdr **out)
{
	struct xfrm_userpolicy_id *id;
	struct nlmsghdr *nlh;

	nlh = put_head(buf, cap, seq, XFRM_MSG_DELPOLICY, 0, sizeof(*id), (void **)&id);
	if (!nlh)
		return -EMSGSIZE;
	sel_put(&id->sel, p);
	id->dir = xfrm_msg_dir(p->dir);
	*out = nlh;
	return 0;
}

int xfrm_msg_dump(void *buf, size_t cap, uint32_t seq, uint16_t type,
		  struct nlmsghdr **out)
{
	void *extra;
	struct nlmsghdr *nlh;

	nlh = put_head(buf, cap, seq, type, NLM_F_DUMP, 0, &extra);
	if (!nlh)
		return -EMSGSIZE;
	*out = nlh;
	return 0;
}

/* ---- decoding what the kernel sends (untrusted: every length checked) */

bool xfrm_msg_addr(struct ike_addr *a, int family, const void *xaddr)
{
	memset(a, 0, sizeof(*a));
	if (family != AF_INET && family != AF_INET6)
		return false;
	a->family = family;
	memcpy(a->a, xaddr, addr_len(family));
	return true;
}

static bool subnet_get(struct ike_subnet *s, int family, const xfrm_address_t *x,
		       uint8_t plen)
{
	size_t len = addr_len(family);

	if (!xfrm_msg_addr(&s->addr, family, x) || plen > len * 8)
		return false;
	s->plen = plen;
	for (size_t i = 0; i < len; i++) {
		unsigned keep = plen >= (i + 1) * 8 ? 8 : plen > i * 8 ? plen - i * 8 : 0;

		s->addr.a[i] &= (uint8_t)(0xff00u >> keep);
	}
	return true;
}

static bool reqid_ours(uint32_t reqid)
{
	return reqid >= XFRM_REQID_MIN && reqid <= XFRM_REQID_MAX;
}

static int parse_expire(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	struct xfrm_user_expire ue;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ue))
		return 0;
	memcpy(&ue, mnl_nlmsg_get_payload(nlh), sizeof(ue));
	if (!reqid_ours(ue.state.reqid) ||
	    !xfrm_msg_addr(&ev->dst, ue.state.family, &ue.state.id.daddr))
		return 0;
	ev->type = ue.hard ? XFRM_EV_HARD_EXPIRE : XFRM_EV_SOFT_EXPIRE;
	ev->spi = ntohl(ue.state.id.spi);
	ev->reqid = ue.state.reqid;
	return 1;
}

struct acq_tmpl {
	struct xfrm_user_tmpl t;
	bool found, bad;
};

/* The first template names the tunnel; a malformed one spoils the event. */
static int cb_acq_attr(const struct nlattr *a, void *arg)
{
	struct acq_tmpl *at = arg;
	size_t len = mnl_attr_get_payload_len(a);

	if (mnl_attr_get_type(a) != XFRMA_TMPL)
		return MNL_CB_OK;
	if (len < sizeof(at->t) || len % sizeof(at->t) != 0 ||
	    mnl_attr_validate2(a, MNL_TYPE_UNSPEC, len) < 0) {
		at->bad = true;
		return MNL_CB_OK;
	}
	if (!at->found)
		memcpy(&at->t, mnl_attr_get_payload(a), sizeof(at->t));
	at->found = true;
	return MNL_CB_OK;
}

static int parse_acquire(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	struct xfrm_user_acquire ua;
	struct acq_tmpl at;
	const struct xfrm_selector *sel = &ua.policy.sel;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ua))
		return 0;
	memcpy(&ua, mnl_nlmsg_get_payload(nlh), sizeof(ua));
	memset(&at, 0, sizeof(at));
	if (mnl_attr_parse(nlh, sizeof(ua), cb_acq_attr, &at) < 0 || at.bad ||
	    !at.found || !reqid_ours(at.t.reqid))
		return 0;
	ev->type = XFRM_EV_ACQUIRE;
	ev->reqid = at.t.reqid;
	if (!xfrm_msg_addr(&ev->dst, at.t.family, &at.t.id.daddr) ||
	    !subnet_get(&ev->sel_src, sel->family, &sel->saddr, sel->prefixlen_s) ||
	    !subnet_get(&ev->sel_dst, sel->family, &sel->daddr, sel->prefixlen_d))
		return 0;
	return 1;
}

int xfrm_msg_parse_event(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_len < sizeof(*nlh))
		return 0;
	if (nlh->nlmsg_type == XFRM_MSG_EXPIRE)
		return parse_expire(nlh, ev);
	if (nlh->nlmsg_type == XFRM_MSG_ACQUIRE)
		return parse_acquire(nlh, ev);
	return 0;
}
