/* IKEv2 encode into a wbuf.  All-or-nothing: the first failure latches in
 * b->err and every later call is a no-op, so a caller builds a whole
 * message and checks v2_build_finish() once.  Next-payload fields are
 * patched as each payload begins; lengths as each ends. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "v2_codec.h"

#define NO_NEXT SIZE_MAX

static void fail(struct v2_builder *b, int err)
{
	if (!b->err)
		b->err = err;
}

static bool ok(struct v2_builder *b)
{
	if (!b->err && b->wb->err)
		b->err = b->wb->err;
	return b->err == 0;
}

void v2_build_begin(struct v2_builder *b, struct wbuf *wb, const struct v2_hdr *h)
{
	memset(b, 0, sizeof(*b));
	b->wb = wb;
	b->start = wb->len;
	b->has_hdr = true;
	b->next_off = wb->len + 16;
	wbuf_be64(wb, h->spi_i);
	wbuf_be64(wb, h->spi_r);
	wbuf_u8(wb, IKEV2_PL_NONE);
	wbuf_u8(wb, h->version ? h->version : IKEV2_VERSION);
	wbuf_u8(wb, h->exch);
	wbuf_u8(wb, h->flags);
	wbuf_be32(wb, h->msgid);
	wbuf_be32(wb, 0);
	ok(b);
}

void v2_build_chain(struct v2_builder *b, struct wbuf *wb)
{
	memset(b, 0, sizeof(*b));
	b->wb = wb;
	b->start = wb->len;
	b->next_off = NO_NEXT;
	ok(b);
}

int v2_build_finish(struct v2_builder *b)
{
	size_t total = b->wb->len - b->start;

	if (b->open)
		fail(b, -EINVAL);
	if (b->has_hdr && total > IKE_MAX_MSG)
		fail(b, -EMSGSIZE);
	if (ok(b) && b->has_hdr)
		wbuf_patch_be32(b->wb, b->start + 24, (uint32_t)total);
	return b->err;
}

void v2_build_payload_begin(struct v2_builder *b, uint8_t type, bool critical)
{
	size_t off = b->wb->len;

	if (!ok(b))
		return;
	if (b->open || b->sealed || type == IKEV2_PL_NONE) {
		fail(b, -EINVAL);
		return;
	}
	wbuf_u8(b->wb, IKEV2_PL_NONE);
	wbuf_u8(b->wb, critical ? IKEV2_CRITICAL : 0);
	wbuf_be16(b->wb, 0);
	if (!ok(b))
		return;
	if (!b->chained)
		b->first = type;
	if (b->next_off != NO_NEXT)
		b->wb->p[b->next_off] = type;
	b->next_off = off;
	b->pl_off = off;
	b->open = true;
	b->chained = true;
}

void v2_build_payload_end(struct v2_builder *b)
{
	size_t len = b->wb->len - b->pl_off;

	if (!ok(b))
		return;
	if (!b->open || len > UINT16_MAX) {
		fail(b, b->open ? -EMSGSIZE : -EINVAL);
		return;
	}
	wbuf_patch_be16(b->wb, b->pl_off + 2, (uint16_t)len);
	b->open = false;
}

void v2_build_raw(struct v2_builder *b, uint8_t type, struct span body)
{
	v2_build_payload_begin(b, type, false);
	wbuf_put(b->wb, body.p, body.n);
	v2_build_payload_end(b);
}

static void put_transform(struct wbuf *wb, const struct v2_transform *t, bool last)
{
	wbuf_u8(wb, last ? IKEV2_XF_LAST : IKEV2_XF_MORE);
	wbuf_u8(wb, 0);
	wbuf_be16(wb, t->keylen ? IKEV2_XF_HDR_LEN + 4 : IKEV2_XF_HDR_LEN);
	wbuf_u8(wb, t->type);
	wbuf_u8(wb, 0);
	wbuf_be16(wb, t->id);
	if (t->keylen) {
		wbuf_be16(wb, IKEV2_ATTR_TV | IKEV2_ATTR_KEY_LENGTH);
		wbuf_be16(wb, t->keylen);
	}
}

static void put_proposal(struct v2_builder *b, const struct v2_proposal *p,
			 unsigned num, bool last)
{
	struct wbuf *wb = b->wb;
	size_t off = wb->len;

	if (p->spi_size > sizeof(p->spi) || p->n_xf > IKE_MAX_TRANSFORMS ||
	    p->n_xf > UINT8_MAX) {
		fail(b, -EINVAL);
		return;
	}
	wbuf_u8(wb, last ? IKEV2_PROP_LAST : IKEV2_PROP_MORE);
	wbuf_u8(wb, 0);
	wbuf_be16(wb, 0);
	wbuf_u8(wb, (uint8_t)num);
	wbuf_u8(wb, p->proto);
	wbuf_u8(wb, p->spi_size);
	wbuf_u8(wb, (uint8_t)p->n_xf);
	wbuf_put(wb, p->spi, p->spi_size);
	for (unsigned i = 0; i < p->n_xf; i++)
		put_transform(wb, &p->xf[i], i + 1 == p->n_xf);
	if (ok(b))
		wbuf_patch_be16(wb, off + 2, (uint16_t)(wb->len - off));
}

void v2_build_sa(struct v2_builder *b, const struct v2_proposal *p, unsigned n)
{
	if (n == 0 || n > IKE_MAX_PROPOSALS)
		fail(b, -EINVAL);
	v2_build_payload_begin(b, IKEV2_PL_SA, false);
	for (unsigned i = 0; i < n && ok(b); i++)
		put_proposal(b, &p[i], i + 1, i + 1 == n);
	v2_build_payload_end(b);
}

void v2_build_ke(struct v2_builder *b, uint16_t group, struct span data)
{
	v2_build_payload_begin(b, IKEV2_PL_KE, false);
	wbuf_be16(b->wb, group);
	wbuf_be16(b->wb, 0);
	wbuf_put(b->wb, data.p, data.n);
	v2_build_payload_end(b);
}

void v2_build_nonce(struct v2_builder *b, struct span nonce)
{
	v2_build_raw(b, IKEV2_PL_NONCE, nonce);
}

/* ID, AUTH and CP share the layout: one type byte, three reserved. */
static void put_typed(struct v2_builder *b, uint8_t pl, uint8_t type, struct span data)
{
	v2_build_payload_begin(b, pl, false);
	wbuf_u8(b->wb, type);
	wbuf_zero(b->wb, 3);
	wbuf_put(b->wb, data.p, data.n);
	v2_build_payload_end(b);
}

void v2_build_id(struct v2_builder *b, uint8_t pl_type, uint8_t id_type, struct span data)
{
	if (pl_type != IKEV2_PL_IDi && pl_type != IKEV2_PL_IDr)
		fail(b, -EINVAL);
	put_typed(b, pl_type, id_type, data);
}

void v2_build_auth(struct v2_builder *b, uint8_t method, struct span data)
{
	put_typed(b, IKEV2_PL_AUTH, method, data);
}

void v2_build_cp(struct v2_builder *b, uint8_t cfg_type, struct span attrs)
{
	put_typed(b, IKEV2_PL_CP, cfg_type, attrs);
}

void v2_build_notify(struct v2_builder *b, uint8_t proto, struct span spi,
		     uint16_t type, struct span data)
{
	if (spi.n > UINT8_MAX)
		fail(b, -EINVAL);
	v2_build_payload_begin(b, IKEV2_PL_N, false);
	wbuf_u8(b->wb, proto);
	wbuf_u8(b->wb, (uint8_t)spi.n);
	wbuf_be16(b->wb, type);
	wbuf_put(b->wb, spi.p, spi.n);
	wbuf_put(b->wb, data.p, data.n);
	v2_build_payload_end(b);
}

void v2_build_delete(struct v2_builder *b, uint8_t proto, uint8_t spi_size,
		     uint16_t n_spi, struct span spis)
{
	if (spis.n != (size_t)n_spi * spi_size)
		fail(b, -EINVAL);
	v2_build_payload_begin(b, IKEV2_PL_D, false);
	wbuf_u8(b->wb, proto);
	wbuf_u8(b->wb, spi_size);
	wbuf_be16(b->wb, n_spi);
	wbuf_put(b->wb, spis.p, spis.n);
	v2_build_payload_end(b);
}

void v2_build_vid(struct v2_builder *b, struct span vid)
{
	v2_build_raw(b, IKEV2_PL_V, vid);
}

static void put_ts(struct v2_builder *b, const struct v2_ts *t)
{
	bool v4 = t->type == IKEV2_TS_IPV4_ADDR_RANGE;
	size_t alen = v4 ? 4 : 16;

	if (!v4 && t->type != IKEV2_TS_IPV6_ADDR_RANGE) {
		fail(b, -EINVAL);
		return;
	}
	wbuf_u8(b->wb, t->type);
	wbuf_u8(b->wb, t->ipproto);
	wbuf_be16(b->wb, v4 ? IKEV2_TS_V4_LEN : IKEV2_TS_V6_LEN);
	wbuf_be16(b->wb, t->port_lo);
	wbuf_be16(b->wb, t->port_hi);
	wbuf_put(b->wb, t->lo.a, alen);
	wbuf_put(b->wb, t->hi.a, alen);
}

void v2_build_ts(struct v2_builder *b, uint8_t pl_type, const struct v2_ts_set *ts)
{
	if ((pl_type != IKEV2_PL_TSi && pl_type != IKEV2_PL_TSr) ||
	    ts->n == 0 || ts->n > IKE_MAX_TS)
		fail(b, -EINVAL);
	v2_build_payload_begin(b, pl_type, false);
	wbuf_u8(b->wb, (uint8_t)ts->n);
	wbuf_zero(b->wb, 3);
	for (unsigned i = 0; i < ts->n && ok(b); i++)
		put_ts(b, &ts->ts[i]);
	v2_build_payload_end(b);
}

void v2_build_sk(struct v2_builder *b, uint8_t first_inner, size_t body_len,
		 size_t *body_off)
{
	*body_off = 0;
	v2_build_payload_begin(b, IKEV2_PL_SK, false);
	if (!ok(b))
		return;
	/* SK's Next Payload names the first payload inside it */
	b->wb->p[b->pl_off] = first_inner;
	*body_off = b->wb->len;
	wbuf_zero(b->wb, body_len);
	v2_build_payload_end(b);
	b->sealed = true;
}

size_t v2_sk_padded_len(size_t plain_len, size_t block)
{
	size_t total = plain_len + 1;	/* + Pad Length byte */

	if (block <= 1)
		return total;
	return total + (block - total % block) % block;
}
