/* IKEv2 decode: bytes -> struct v2_msg.  Pure: no allocation, no state,
 * no logging.  Every substructure is carved with span_take to exactly its
 * declared length, and every level checks that declared counts match what
 * is present and that nothing is left over. */
#include <string.h>
#include <sys/socket.h>

#include "v2_codec.h"

struct pctx {
	struct v2_msg *m;
	bool inner;	/* inside SK: malformed means INVALID_SYNTAX */
};

/* RFC 7296 3.10.1: INVALID_SYNTAX only inside a valid SK; else silence. */
static struct ike_result bad(const struct pctx *c, const char *why)
{
	return c->inner ? ike_notify(IKEV2_N_INVALID_SYNTAX, why) : ike_drop(why);
}

struct ike_result v2_parse_hdr(struct span pkt, struct v2_hdr *h)
{
	struct span s = pkt;

	memset(h, 0, sizeof(*h));
	if (pkt.n < IKEV2_HDR_LEN)
		return ike_drop("message shorter than the IKE header");
	if (pkt.n > IKE_MAX_MSG)
		return ike_drop("message larger than IKE_MAX_MSG");
	if (!span_be64(&s, &h->spi_i) || !span_be64(&s, &h->spi_r) ||
	    !span_u8(&s, &h->next) || !span_u8(&s, &h->version) ||
	    !span_u8(&s, &h->exch) || !span_u8(&s, &h->flags) ||
	    !span_be32(&s, &h->msgid) || !span_be32(&s, &h->length))
		return ike_drop("truncated IKE header");
	if (h->length != pkt.n)
		return ike_drop("header length differs from datagram length");
	if ((h->version >> 4) != 2) {
		if (h->exch == IKEV2_EXCH_IKE_SA_INIT &&
		    !(h->flags & IKEV2_FLAG_RESPONSE))
			return ike_notify(IKEV2_N_INVALID_MAJOR_VERSION,
					  "major version not 2");
		return ike_drop("major version not 2");
	}
	return IKE_RESULT_OK;
}

/* Attributes: only Key Length (TV) is known; anything odd rejects the
 * transform (not the message) and never reads past the transform. */
static void parse_attrs(struct span s, struct v2_transform *t)
{
	bool have_keylen = false;
	uint16_t at, v;

	while (s.n) {
		if (!span_be16(&s, &at) || ++t->n_attr > IKE_MAX_ATTRS)
			goto reject;
		if (!(at & IKEV2_ATTR_TV)) {
			/* TLV: unknown, or Key Length with the wrong form */
			if (!span_be16(&s, &v) || !span_skip(&s, v))
				goto reject;
			t->unknown_attr = true;
			continue;
		}
		if (!span_be16(&s, &v))
			goto reject;
		if ((at & ~IKEV2_ATTR_TV) != IKEV2_ATTR_KEY_LENGTH || have_keylen)
			t->unknown_attr = true;
		have_keylen = true;
		t->keylen = v;
	}
	return;
reject:
	t->unknown_attr = true;
}

static struct ike_result parse_transforms(const struct pctx *c, struct span s,
					  uint8_t declared, struct v2_proposal *p)
{
	unsigned i = 0;

	while (s.n) {
		uint8_t more, rsv, type;
		uint16_t len, id;
		struct span xs;

		if (!span_u8(&s, &more) || !span_u8(&s, &rsv) ||
		    !span_be16(&s, &len))
			return bad(c, "truncated transform header");
		if (len < IKEV2_XF_HDR_LEN || !span_take(&s, len - 4, &xs))
			return bad(c, "transform length below header or past proposal");
		if (more != IKEV2_XF_MORE && more != IKEV2_XF_LAST)
			return bad(c, "transform last/more value invalid");
		if ((more == IKEV2_XF_LAST) != (s.n == 0))
			return bad(c, "transform last/more contradicts remaining bytes");
		if (!span_u8(&xs, &type) || !span_u8(&xs, &rsv) || !span_be16(&xs, &id))
			return bad(c, "truncated transform");
		if (i < IKE_MAX_TRANSFORMS) {
			struct v2_transform *t = &p->xf[i];

			memset(t, 0, sizeof(*t));
			t->type = type;
			t->id = id;
			parse_attrs(xs, t);
		}
		i++;
	}
	p->n_xf = i < IKE_MAX_TRANSFORMS ? i : IKE_MAX_TRANSFORMS;
	if (i > IKE_MAX_TRANSFORMS)
		p->bad = "more transforms than IKE_MAX_TRANSFORMS";
	else if (i != declared)
		p->bad = "transform count differs from transforms present";
	return IKE_RESULT_OK;
}

static struct ike_result parse_proposal(const struct pctx *c, struct span ps,
					struct v2_proposal *p)
{
	uint8_t nxf;
	struct span spi;

	p->n_xf = 0;
	p->bad = NULL;
	memset(p->spi, 0, sizeof(p->spi));
	if (!span_u8(&ps, &p->num) || !span_u8(&ps, &p->proto) ||
	    !span_u8(&ps, &p->spi_size) || !span_u8(&ps, &nxf))
		return bad(c, "truncated proposal");
	if (!span_take(&ps, p->spi_size, &spi))
		return bad(c, "proposal SPI past proposal");
	if (spi.n <= sizeof(p->spi))
		memcpy(p->spi, spi.p, spi.n);
	struct ike_result r = parse_transforms(c, ps, nxf, p);
	if (r.v == IKE_OK && spi.n > sizeof(p->spi))
		p->bad = "proposal SPI longer than 8 bytes";
	return r;
}

static struct ike_result parse_sa(const struct pctx *c, struct span s)
{
	struct v2_sa *sa = &c->m->sa;
	struct v2_proposal scratch;
	unsigned idx = 0;
	bool numbering_ok = true;

	sa->n_prop = 0;
	sa->n_ignored = 0;
	sa->bad = NULL;
	if (!s.n)
		return bad(c, "SA payload without proposals");
	while (s.n) {
		uint8_t more, rsv;
		uint16_t len;
		struct span ps;
		struct v2_proposal *p;

		if (!span_u8(&s, &more) || !span_u8(&s, &rsv) || !span_be16(&s, &len))
			return bad(c, "truncated proposal header");
		if (len < IKEV2_PROP_HDR_LEN || !span_take(&s, len - 4, &ps))
			return bad(c, "proposal length below header or past SA payload");
		if (more != IKEV2_PROP_MORE && more != IKEV2_PROP_LAST)
			return bad(c, "proposal last/more value invalid");
		if ((more == IKEV2_PROP_LAST) != (s.n == 0))
			return bad(c, "proposal last/more contradicts remaining bytes");
		p = idx < IKE_MAX_PROPOSALS ? &sa->prop[idx] : &scratch;
		struct ike_result r = parse_proposal(c, ps, p);
		if (r.v != IKE_OK)
			return r;
		if (p->num != idx + 1)
			numbering_ok = false;
		idx++;
	}
	sa->n_prop = idx < IKE_MAX_PROPOSALS ? idx : IKE_MAX_PROPOSALS;
	sa->n_ignored = idx - sa->n_prop;
	if (!numbering_ok) {
		/* RFC 7296 3.3.1: numbering errors reject the whole SA payload */
		sa->n_prop = 0;
		sa->bad = "proposal numbers not 1,2,3...";
	}
	return IKE_RESULT_OK;
}

static struct ike_result parse_ke(const struct pctx *c, struct span s)
{
	uint16_t rsv;

	if (!span_be16(&s, &c->m->ke_group) || !span_be16(&s, &rsv))
		return bad(c, "KE payload shorter than 4 bytes");
	if (s.n == 0)
		return bad(c, "KE payload without key data");
	if (s.n > IKE_MAX_KE)
		return bad(c, "KE data longer than IKE_MAX_KE");
	c->m->ke_data = s;
	return IKE_RESULT_OK;
}

static struct ike_result parse_nonce(const struct pctx *c, struct span s)
{
	if (s.n < IKE_MIN_NONCE || s.n > IKE_MAX_NONCE)
		return bad(c, "nonce size outside 16..256");
	c->m->nonce = s;
	return IKE_RESULT_OK;
}

static struct ike_result parse_id(const struct pctx *c, struct span s,
				  struct v2_id *id)
{
	id->body = s;
	if (!span_u8(&s, &id->type) || !span_skip(&s, 3))
		return bad(c, "ID payload shorter than 4 bytes");
	id->data = s;	/* content judged by v2_id_wellformed() */
	return IKE_RESULT_OK;
}

static struct ike_result parse_auth(const struct pctx *c, struct span s)
{
	if (!span_u8(&s, &c->m->auth_method) || !span_skip(&s, 3))
		return bad(c, "AUTH payload shorter than 4 bytes");
	if (s.n == 0)
		return bad(c, "AUTH payload without data");
	c->m->auth_data = s;
	return IKE_RESULT_OK;
}

static struct ike_result parse_notify(const struct pctx *c, struct span s)
{
	struct v2_notify n;

	memset(&n, 0, sizeof(n));
	if (c->m->n_notify >= IKE_MAX_NOTIFIES)
		return bad(c, "more notifies than IKE_MAX_NOTIFIES");
	if (!span_u8(&s, &n.proto) || !span_u8(&s, &n.spi_size) ||
	    !span_be16(&s, &n.type))
		return bad(c, "notify payload shorter than 4 bytes");
	if (!span_take(&s, n.spi_size, &n.spi))
		return bad(c, "notify SPI past payload");
	if (n.proto > IKEV2_PROTO_ESP)
		return bad(c, "notify protocol ID not 0..3");
	if (n.spi_size != 0 && n.spi_size != 4 && n.spi_size != 8)
		return bad(c, "notify SPI size not 0, 4 or 8");
	if (n.spi_size && n.proto == 0)
		return bad(c, "notify SPI without protocol ID");
	if (n.type == IKEV2_N_REKEY_SA && (n.spi_size != 4 ||
	    (n.proto != IKEV2_PROTO_AH && n.proto != IKEV2_PROTO_ESP)))
		return bad(c, "REKEY_SA with bad protocol ID or SPI size");
	n.data = s;
	c->m->notify[c->m->n_notify++] = n;
	return IKE_RESULT_OK;
}

static struct ike_result parse_delete(const struct pctx *c, struct span s)
{
	struct v2_delete d;

	memset(&d, 0, sizeof(d));
	if (c->m->n_delete >= sizeof(c->m->del) / sizeof(c->m->del[0]))
		return bad(c, "too many DELETE payloads");
	if (!span_u8(&s, &d.proto) || !span_u8(&s, &d.spi_size) ||
	    !span_be16(&s, &d.n_spi))
		return bad(c, "DELETE payload shorter than 4 bytes");
	if (d.proto == IKEV2_PROTO_IKE) {
		if (d.spi_size != 0 || d.n_spi != 0)
			return bad(c, "IKE DELETE with SPIs");
	} else if (d.proto == IKEV2_PROTO_AH || d.proto == IKEV2_PROTO_ESP) {
		if (d.spi_size != 4)
			return bad(c, "child DELETE SPI size not 4");
		if (d.n_spi == 0 || d.n_spi > IKE_MAX_DELETE_SPIS)
			return bad(c, "child DELETE SPI count not 1..IKE_MAX_DELETE_SPIS");
	} else {
		return bad(c, "DELETE protocol ID not 1..3");
	}
	if (!span_take(&s, (size_t)d.n_spi * d.spi_size, &d.spis) || s.n)
		return bad(c, "DELETE SPI count differs from SPIs present");
	c->m->del[c->m->n_delete++] = d;
	return IKE_RESULT_OK;
}

static bool ts_addrs(struct span *s, int family, size_t alen, struct v2_ts *t)
{
	t->lo.family = t->hi.family = family;
	return span_copy(s, t->lo.a, alen) && span_copy(s, t->hi.a, alen);
}

static struct ike_result parse_one_ts(const struct pctx *c, struct span *s,
				      struct v2_ts_set *set)
{
	uint8_t type, proto;
	uint16_t len;
	struct span b;
	struct v2_ts t;

	memset(&t, 0, sizeof(t));
	if (!span_u8(s, &type) || !span_u8(s, &proto) || !span_be16(s, &len) ||
	    len < 4 || !span_take(s, len - 4, &b))
		return bad(c, "TS count exceeds selectors present");
	if (type != IKEV2_TS_IPV4_ADDR_RANGE && type != IKEV2_TS_IPV6_ADDR_RANGE) {
		set->n_unknown++;	/* ignored: no match, TS_UNACCEPTABLE */
		return IKE_RESULT_OK;
	}
	size_t alen = type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 : 16;
	if (len != (alen == 4 ? IKEV2_TS_V4_LEN : IKEV2_TS_V6_LEN))
		return bad(c, "selector length wrong for its type");
	t.type = type;
	t.ipproto = proto;
	if (!span_be16(&b, &t.port_lo) || !span_be16(&b, &t.port_hi) ||
	    !ts_addrs(&b, alen == 4 ? AF_INET : AF_INET6, alen, &t))
		return bad(c, "truncated selector");
	if (memcmp(t.lo.a, t.hi.a, alen) > 0)
		return bad(c, "selector start address above end address");
	set->ts[set->n++] = t;
	return IKE_RESULT_OK;
}

static struct ike_result parse_ts(const struct pctx *c, struct span s,
				  struct v2_ts_set *set)
{
	uint8_t n;

	set->n = 0;
	set->n_unknown = 0;
	if (!span_u8(&s, &n) || !span_skip(&s, 3))
		return bad(c, "TS payload shorter than 4 bytes");
	if (n == 0)
		return bad(c, "TS payload with zero selectors");
	if (n > IKE_MAX_TS)
		return bad(c, "more selectors than IKE_MAX_TS");
	for (unsigned i = 0; i < n; i++) {
		struct ike_result r = parse_one_ts(c, &s, set);
		if (r.v != IKE_OK)
			return r;
	}
	if (s.n)
		return bad(c, "bytes after the declared selectors");
	return IKE_RESULT_OK;
}

static struct ike_result parse_cp(const struct pctx *c, struct span s)
{
	struct span attrs;
	uint16_t type, len;

	if (!span_u8(&s, &c->m->cp_type) || !span_skip(&s, 3))
		return bad(c, "CP payload shorter than 4 bytes");
	attrs = s;
	while (s.n)
		if (!span_be16(&s, &type) || !span_be16(&s, &len) || !span_skip(&s, len))
			return bad(c, "CP attribute past payload");
	c->m->cp_attrs = attrs;
	return IKE_RESULT_OK;
}

static struct ike_result parse_unknown(const struct pctx *c, uint8_t type,
				       uint8_t flags)
{
	/* RFC 7296 2.5: skip unless critical; IKEv1 numbers land here too */
	if ((flags & IKEV2_CRITICAL) && !c->m->unknown_critical) {
		c->m->unknown_critical = type;
		c->m->unknown_critical_inner = c->inner;
	}
	return IKE_RESULT_OK;
}

/* Payloads that may appear once: later copies are only counted, and the
 * rules check rejects the duplicate. */
static bool first_of(const struct pctx *c, uint8_t type)
{
	return c->m->count[type] == 1;
}

static struct ike_result parse_one(const struct pctx *c, uint8_t type,
				   uint8_t flags, struct span body)
{
	struct v2_msg *m = c->m;

	switch (type) {
	case IKEV2_PL_SA:
		if (first_of(c, type))
			m->sa_raw = body;
		return first_of(c, type) ? parse_sa(c, body) : IKE_RESULT_OK;
	case IKEV2_PL_KE:
		return first_of(c, type) ? parse_ke(c, body) : IKE_RESULT_OK;
	case IKEV2_PL_NONCE:
		return first_of(c, type) ? parse_nonce(c, body) : IKE_RESULT_OK;
	case IKEV2_PL_IDi:
		return first_of(c, type) ? parse_id(c, body, &m->idi) : IKE_RESULT_OK;
	case IKEV2_PL_IDr:
		return first_of(c, type) ? parse_id(c, body, &m->idr) : IKE_RESULT_OK;
	case IKEV2_PL_AUTH:
		return first_of(c, type) ? parse_auth(c, body) : IKE_RESULT_OK;
	case IKEV2_PL_TSi:
		return first_of(c, type) ? parse_ts(c, body, &m->tsi) : IKE_RESULT_OK;
	case IKEV2_PL_TSr:
		return first_of(c, type) ? parse_ts(c, body, &m->tsr) : IKE_RESULT_OK;
	case IKEV2_PL_N:
		return parse_notify(c, body);
	case IKEV2_PL_D:
		return parse_delete(c, body);
	case IKEV2_PL_V:
		if (m->n_vid >= IKE_MAX_VIDS)
			return bad(c, "more vendor IDs than IKE_MAX_VIDS");
		m->n_vid++;
		return IKE_RESULT_OK;
	case IKEV2_PL_CP:
		m->n_cp++;
		return m->n_cp == 1 ? parse_cp(c, body) : IKE_RESULT_OK;
	case IKEV2_PL_CERT:
		m->n_cert++;
		return IKE_RESULT_OK;
	case IKEV2_PL_CERTREQ:
		m->n_certreq++;
		return IKE_RESULT_OK;
	case IKEV2_PL_EAP:
		m->n_eap++;
		return IKE_RESULT_OK;
	case IKEV2_PL_SKF:
		return bad(c, "SKF: IKE fragmentation not supported");
	default:
		return parse_unknown(c, type, flags);
	}
}

static void count_payload(const struct pctx *c, uint8_t type)
{
	c->m->n_payloads++;
	if (!c->inner)
		c->m->n_outer++;
	if (type < 64) {
		c->m->count[type]++;
		if (!c->inner)
			c->m->outer_count[type]++;
	}
}

/* The SK payload ends the clear chain: its Next Payload is the first
 * inner payload, so anything after it is trailing garbage. */
static struct ike_result take_sk(const struct pctx *c, uint8_t next,
				 struct span body, size_t hdr_off, size_t left)
{
	if (c->inner)
		return bad(c, "SK inside SK");
	if (left)
		return ike_drop("bytes after the SK payload");
	c->m->sk_next = next;
	c->m->sk_body = body;
	c->m->sk_hdr_off = hdr_off;
	return IKE_RESULT_OK;
}

static struct ike_result parse_chain(const struct pctx *c, uint8_t next,
				     struct span s)
{
	while (next != IKEV2_PL_NONE) {
		uint8_t type = next, flags;
		uint16_t len;
		struct span body;
		size_t off = c->inner ? 0 : (size_t)(s.p - c->m->raw.p);

		if (c->m->n_payloads >= IKE_MAX_PAYLOADS)
			return bad(c, "more payloads than IKE_MAX_PAYLOADS");
		if (!span_u8(&s, &next) || !span_u8(&s, &flags) ||
		    !span_be16(&s, &len))
			return bad(c, "payload chain runs past the message");
		if (len < IKEV2_GEN_HDR_LEN || !span_take(&s, len - 4, &body))
			return bad(c, "payload length below 4 or past the message");
		count_payload(c, type);
		if (type == IKEV2_PL_SK)
			return take_sk(c, next, body, off, s.n);
		struct ike_result r = parse_one(c, type, flags, body);
		if (r.v != IKE_OK)
			return r;
	}
	if (s.n)
		return bad(c, "bytes after the last payload");
	return IKE_RESULT_OK;
}

struct ike_result v2_parse_msg(struct span pkt, struct v2_msg *m)
{
	struct pctx c = { m, false };
	struct ike_result r;

	memset(m, 0, sizeof(*m));
	m->raw = pkt;
	r = v2_parse_hdr(pkt, &m->hdr);
	if (r.v != IKE_OK)
		return r;
	return parse_chain(&c, m->hdr.next, span_make(pkt.p + IKEV2_HDR_LEN,
						     pkt.n - IKEV2_HDR_LEN));
}

struct ike_result v2_parse_inner(uint8_t first, struct span plain, struct v2_msg *m)
{
	struct pctx c = { m, true };

	return parse_chain(&c, first, plain);
}
