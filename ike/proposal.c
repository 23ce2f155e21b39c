/* IKEv2 proposals: offer, choose, check the reply, explain mismatches. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alg.h"
#include "proposal.h"
#include "textbuf.h"

#define N_TYPES (IKEV2_TRANS_ESN + 1)

/* ---------- building ---------- */

static void add_xf(struct v2_proposal *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	if (p->n_xf >= IKE_MAX_TRANSFORMS)
		return;		/* CONF_MAX_ALGS * 4 < IKE_MAX_TRANSFORMS: unreachable */
	p->xf[p->n_xf++] = (struct v2_transform){ .type = type, .id = id, .keylen = keylen };
}

static void add_encrs(struct v2_proposal *p, const struct conf_encr *e, unsigned n, bool aead)
{
	for (unsigned i = 0; i < n; i++)
		if (alg_encr_is_aead(e[i].id) == aead)
			add_xf(p, IKEV2_TRANS_ENCR, e[i].id, e[i].keylen);
}

static void add_list(struct v2_proposal *p, uint8_t type, const uint16_t *ids, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		add_xf(p, type, ids[i], 0);
}

/* Proposal slots in config order: the kind of the first cipher first. */
static unsigned kinds(const struct conf_encr *e, unsigned n, bool order[2])
{
	bool have[2] = { false, false };	/* [0] non-AEAD, [1] AEAD */
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		bool a = alg_encr_is_aead(e[i].id);

		if (!have[a]) {
			have[a] = true;
			order[k++] = a;
		}
	}
	return k;
}

static struct v2_proposal *new_prop(struct v2_sa *out, uint8_t proto)
{
	struct v2_proposal *p = &out->prop[out->n_prop];

	memset(p, 0, sizeof(*p));
	p->num = (uint8_t)++out->n_prop;
	p->proto = proto;
	return p;
}

int proposal_ike_offer(const struct conf_conn *c, struct v2_sa *out)
{
	bool order[2];
	unsigned k = kinds(c->ike_encr, c->n_ike_encr, order);

	memset(out, 0, sizeof(*out));
	if (k == 0 || c->n_ike_prf == 0 || c->n_ike_dh == 0)
		return -EINVAL;
	for (unsigned i = 0; i < k; i++) {
		if (!order[i] && c->n_ike_integ == 0)
			return -EINVAL;
	}
	for (unsigned i = 0; i < k; i++) {
		struct v2_proposal *p = new_prop(out, IKEV2_PROTO_IKE);

		add_encrs(p, c->ike_encr, c->n_ike_encr, order[i]);
		add_list(p, IKEV2_TRANS_PRF, c->ike_prf, c->n_ike_prf);
		if (!order[i])
			add_list(p, IKEV2_TRANS_INTEG, c->ike_integ, c->n_ike_integ);
		add_list(p, IKEV2_TRANS_DH, c->ike_dh, c->n_ike_dh);
	}
	return 0;
}

static void add_pfs(struct v2_proposal *p, const struct conf_conn *c, uint16_t first)
{
	bool any = false;

	for (unsigned i = 0; i < c->n_esp_pfs; i++)
		any |= c->esp_pfs[i] != IKEV2_DH_NONE;
	if (!any)
		return;		/* "esp_pfs = none": no DH transform at all */
	for (unsigned i = 0; i < c->n_esp_pfs; i++) {
		if (first && c->esp_pfs[i] == first) {
			add_xf(p, IKEV2_TRANS_DH, first, 0);
			break;
		}
	}
	for (unsigned i = 0; i < c->n_esp_pfs; i++)
		if (!first || c->esp_pfs[i] != first)
			add_xf(p, IKEV2_TRANS_DH, c->esp_pfs[i], 0);
}

int proposal_esp_offer(const struct conf_conn *c, bool with_pfs,
		       uint16_t pfs_group_first, uint32_t spi, struct v2_sa *out)
{
	bool order[2];
	unsigned k = kinds(c->esp_encr, c->n_esp_encr, order);

	memset(out, 0, sizeof(*out));
	if (k == 0)
		return -EINVAL;
	for (unsigned i = 0; i < k; i++) {
		if (!order[i] && c->n_esp_integ == 0)
			return -EINVAL;
	}
	for (unsigned i = 0; i < k; i++) {
		struct v2_proposal *p = new_prop(out, IKEV2_PROTO_ESP);

		p->spi_size = 4;
		p->spi[0] = (uint8_t)(spi >> 24);
		p->spi[1] = (uint8_t)(spi >> 16);
		p->spi[2] = (uint8_t)(spi >> 8);
		p->spi[3] = (uint8_t)spi;
		add_encrs(p, c->esp_encr, c->n_esp_encr, order[i]);
		if (!order[i])
			add_list(p, IKEV2_TRANS_INTEG, c->esp_integ, c->n_esp_integ);
		if (with_pfs)
			add_pfs(p, c, pfs_group_first);
		add_xf(p, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0);
	}
	return 0;
}

void proposal_from_choice(const struct prop_choice *ch, uint8_t proto,
			  const uint8_t *spi, uint8_t spi_size,
			  struct v2_proposal *out)
{
	memset(out, 0, sizeof(*out));
	out->num = ch->num;
	out->proto = proto;
	if (spi_size > sizeof(out->spi))
		spi_size = sizeof(out->spi);
	out->spi_size = spi_size;
	if (spi_size)
		memcpy(out->spi, spi, spi_size);
	add_xf(out, IKEV2_TRANS_ENCR, ch->encr, ch->encr_keylen);
	if (proto == IKEV2_PROTO_IKE)
		add_xf(out, IKEV2_TRANS_PRF, ch->prf, 0);
	if (ch->integ != IKEV2_AUTH_NONE)
		add_xf(out, IKEV2_TRANS_INTEG, ch->integ, 0);
	if (proto == IKEV2_PROTO_IKE || ch->dh != IKEV2_DH_NONE)
		add_xf(out, IKEV2_TRANS_DH, ch->dh, 0);
	if (proto != IKEV2_PROTO_IKE)
		add_xf(out, IKEV2_TRANS_ESN, ch->esn, 0);
}

/* ---------- per-proposal structure ---------- */

/* What a proposal holds, per transform type. */
struct prop_view {
	bool has[N_TYPES];
	bool aead, plain;	/* has AEAD / non-AEAD ENCR */
	bool real_integ;	/* has INTEG other than NONE */
	bool real_dh;		/* has DH other than NONE */
};

static const char *view_prop(const struct v2_proposal *p, struct prop_view *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < p->n_xf && i < IKE_MAX_TRANSFORMS; i++) {
		const struct v2_transform *x = &p->xf[i];

		if (x->type == 0 || x->type > IKEV2_TRANS_ESN)
			return "unknown transform type";
		if (x->type == IKEV2_TRANS_PRF && p->proto != IKEV2_PROTO_IKE)
			return "PRF transform in a child proposal";
		if (x->type == IKEV2_TRANS_ESN && p->proto == IKEV2_PROTO_IKE)
			return "ESN transform in an IKE proposal";
		v->has[x->type] = true;
		if (x->type == IKEV2_TRANS_ENCR) {
			if (alg_encr_is_aead(x->id))
				v->aead = true;
			else
				v->plain = true;
		}
		v->real_integ |= x->type == IKEV2_TRANS_INTEG && x->id != IKEV2_AUTH_NONE;
		v->real_dh |= x->type == IKEV2_TRANS_DH && x->id != IKEV2_DH_NONE;
	}
	return NULL;
}

static const char *check_spi(const struct v2_proposal *p, unsigned flags)
{
	uint8_t any = 0;

	for (unsigned i = 0; i < p->spi_size && i < sizeof(p->spi); i++)
		any |= p->spi[i];
	if (p->proto == IKEV2_PROTO_IKE) {
		if (flags & PROP_F_IKE_REKEY)
			return p->spi_size == 8 && any ? NULL : "IKE rekey proposal needs an 8-byte SPI";
		return p->spi_size == 0 ? NULL : "IKE_SA_INIT proposal with an SPI";
	}
	return p->spi_size == 4 && any ? NULL : "child proposal needs a nonzero 4-byte SPI";
}

/* Malformed or hostile: the proposal is skipped (HOSTILE-INPUTS 4.15-19). */
static const char *prop_malformed(const struct v2_proposal *p, unsigned idx,
				  unsigned flags, struct prop_view *v)
{
	const char *why;

	if (p->num != idx + 1)
		return "proposal numbers not 1, 2, 3...";
	if (p->proto == 0 || p->proto > IKEV2_PROTO_ESP)
		return "bad protocol ID";
	if (p->n_xf == 0 || p->n_xf > IKE_MAX_TRANSFORMS)
		return "proposal without transforms";
	why = view_prop(p, v);
	if (why)
		return why;
	why = check_spi(p, flags);
	if (why)
		return why;
	if (!v->has[IKEV2_TRANS_ENCR])
		return "proposal without ENCR";
	if (v->aead && !v->plain && v->real_integ)
		return "AEAD cipher combined with INTEG";
	if (v->plain && !v->aead && !v->real_integ)
		return "non-AEAD cipher without INTEG";
	if (p->proto == IKEV2_PROTO_IKE && !v->has[IKEV2_TRANS_PRF])
		return "IKE proposal without PRF";
	if (p->proto == IKEV2_PROTO_IKE && !v->real_dh)
		return "IKE proposal without DH";
	return NULL;
}

/* ---------- matching ---------- */

/* A transform usable at all: no unknown attribute, Key Length only on
 * ENCR (and there exactly as our table knows it: AES 128/192/256). */
static bool xf_sane(const struct v2_transform *x)
{
	if (x->unknown_attr)
		return false;
	if (x->type != IKEV2_TRANS_ENCR)
		return x->keylen == 0;
	return true;
}

static bool xf_eq(const struct v2_transform *a, uint8_t type, uint16_t id, uint16_t keylen)
{
	return a->type == type && a->id == id && a->keylen == keylen;
}

/* Does proposal p list (type, id, keylen)?  An absent optional type
 * stands for {NONE} (id 0). */
static bool prop_lists(const struct v2_proposal *p, const struct prop_view *v,
		       uint8_t type, uint16_t id, uint16_t keylen)
{
	if (!v->has[type])
		return id == 0 && keylen == 0 && type != IKEV2_TRANS_ENCR &&
		       type != IKEV2_TRANS_PRF;
	for (unsigned i = 0; i < p->n_xf && i < IKE_MAX_TRANSFORMS; i++)
		if (xf_sane(&p->xf[i]) && xf_eq(&p->xf[i], type, id, keylen))
			return true;
	return false;
}

/* The peer's first transform of `type` that ours lists; prefer `want`.
 * False when there is none. */
static bool pick(const struct v2_proposal *peer, const struct prop_view *pv,
		 const struct v2_proposal *ours, const struct prop_view *ov,
		 uint8_t type, uint16_t want, struct v2_transform *got)
{
	bool found = false;

	if (!pv->has[type]) {
		*got = (struct v2_transform){ .type = type };
		return prop_lists(ours, ov, type, 0, 0) && type != IKEV2_TRANS_ENCR &&
		       type != IKEV2_TRANS_PRF;
	}
	for (unsigned i = 0; i < peer->n_xf && i < IKE_MAX_TRANSFORMS; i++) {
		const struct v2_transform *x = &peer->xf[i];

		if (x->type != type || !xf_sane(x))
			continue;
		if (!prop_lists(ours, ov, type, x->id, x->keylen))
			continue;
		if (!found || (want && x->id == want)) {
			*got = *x;
			found = true;
		}
		if (!want || x->id == want)
			break;
	}
	return found;
}

/* The choice: proposal p with one transform per type from t. */
static void choice_fill(struct prop_choice *ch, const struct v2_proposal *p,
			const struct v2_transform t[N_TYPES])
{
	memset(ch, 0, sizeof(*ch));
	ch->num = p->num;
	ch->proto = p->proto;
	ch->encr = t[IKEV2_TRANS_ENCR].id;
	ch->encr_keylen = t[IKEV2_TRANS_ENCR].keylen;
	ch->prf = t[IKEV2_TRANS_PRF].id;
	ch->integ = t[IKEV2_TRANS_INTEG].id;
	ch->dh = t[IKEV2_TRANS_DH].id;
	ch->esn = (uint8_t)t[IKEV2_TRANS_ESN].id;
	ch->spi_size = p->spi_size;
	memcpy(ch->spi, p->spi, sizeof(ch->spi));
	for (unsigned i = 0; i < p->spi_size && i < sizeof(p->spi); i++)
		ch->spi_val = ch->spi_val << 8 | p->spi[i];
}

/* Try one peer proposal against one of ours; fills ch on success. */
static bool match_one(const struct v2_proposal *peer, const struct prop_view *pv,
		      const struct v2_proposal *ours, const struct prop_view *ov,
		      unsigned flags, uint16_t ke_group, struct prop_choice *ch)
{
	struct v2_transform t[N_TYPES];
	bool ike = peer->proto == IKEV2_PROTO_IKE;

	memset(t, 0, sizeof(t));
	if (!pick(peer, pv, ours, ov, IKEV2_TRANS_ENCR, 0, &t[IKEV2_TRANS_ENCR]) ||
	    !pick(peer, pv, ours, ov, IKEV2_TRANS_INTEG, 0, &t[IKEV2_TRANS_INTEG]))
		return false;
	if (ike && !pick(peer, pv, ours, ov, IKEV2_TRANS_PRF, 0, &t[IKEV2_TRANS_PRF]))
		return false;
	if (!(flags & PROP_F_NO_KE) &&
	    !pick(peer, pv, ours, ov, IKEV2_TRANS_DH, ke_group, &t[IKEV2_TRANS_DH]))
		return false;
	if (!ike && !pick(peer, pv, ours, ov, IKEV2_TRANS_ESN, 0, &t[IKEV2_TRANS_ESN]))
		return false;
	/* the combination itself must be sound whatever the lists said */
	if (alg_encr_is_aead(t[IKEV2_TRANS_ENCR].id) != (t[IKEV2_TRANS_INTEG].id == 0))
		return false;
	if (ike && (t[IKEV2_TRANS_DH].id == 0 || t[IKEV2_TRANS_ENCR].id == IKEV2_ENCR_NULL))
		return false;
	choice_fill(ch, peer, t);
	return true;
}

/* ---------- mismatch diagnostics ---------- */

static void mm_add(struct prop_mm_alg *list, unsigned *n, uint16_t id, uint16_t keylen)
{
	for (unsigned i = 0; i < *n && i < PROP_MM_MAX; i++)
		if (list[i].id == id && list[i].keylen == keylen)
			return;
	if (*n < PROP_MM_MAX)
		list[*n] = (struct prop_mm_alg){ id, keylen };
	(*n)++;
}

/* Which algorithms of each type a proposal contributes to the diagnosis:
 * INTEG only from non-AEAD proposals (AEAD ones carry none or NONE), an
 * absent ESP DH/ESN as NONE/NO. */
static void mm_collect(const struct v2_proposal *p, const struct prop_view *v,
		       bool peer, struct prop_mismatch *m)
{
	for (unsigned i = 0; i < p->n_xf && i < IKE_MAX_TRANSFORMS; i++) {
		const struct v2_transform *x = &p->xf[i];
		struct prop_mm_type *t;

		if (x->type == 0 || x->type >= N_TYPES || !xf_sane(x))
			continue;
		t = &m->t[x->type];
		if (x->type == IKEV2_TRANS_INTEG && x->id == IKEV2_AUTH_NONE)
			continue;
		if (x->type == IKEV2_TRANS_DH && x->id == IKEV2_DH_NONE &&
		    p->proto == IKEV2_PROTO_IKE)
			continue;
		if (peer)
			mm_add(t->peer, &t->n_peer, x->id, x->keylen);
		else
			mm_add(t->ours, &t->n_ours, x->id, x->keylen);
	}
	if (p->proto != IKEV2_PROTO_IKE) {
		for (uint8_t type = IKEV2_TRANS_DH; type <= IKEV2_TRANS_ESN; type++) {
			struct prop_mm_type *t = &m->t[type];

			if (v->has[type])
				continue;
			if (peer)
				mm_add(t->peer, &t->n_peer, 0, 0);
			else
				mm_add(t->ours, &t->n_ours, 0, 0);
		}
	}
}

static bool mm_overlap(const struct prop_mm_type *t)
{
	for (unsigned i = 0; i < t->n_ours && i < PROP_MM_MAX; i++)
		for (unsigned j = 0; j < t->n_peer && j < PROP_MM_MAX; j++)
			if (t->ours[i].id == t->peer[j].id &&
			    t->ours[i].keylen == t->peer[j].keylen)
				return true;
	return false;
}

static void mm_judge(struct prop_mismatch *m, unsigned flags)
{
	bool any = false;
	bool ike = m->proto == IKEV2_PROTO_IKE;

	if (m->n_peer == m->n_malformed)
		return;		/* nothing well-formed to compare with */
	for (uint8_t type = IKEV2_TRANS_ENCR; type < N_TYPES; type++) {
		struct prop_mm_type *t = &m->t[type];

		if ((!ike && type == IKEV2_TRANS_PRF) || (ike && type == IKEV2_TRANS_ESN))
			continue;
		if (type == IKEV2_TRANS_DH && (flags & PROP_F_NO_KE))
			continue;
		/* INTEG matters only if both sides have non-AEAD proposals */
		if (type == IKEV2_TRANS_INTEG && (t->n_ours == 0 || t->n_peer == 0))
			continue;
		if (t->n_ours == 0)
			continue;
		t->peer_missing = t->n_peer == 0;
		t->no_overlap = !mm_overlap(t);
		any |= t->no_overlap;
	}
	m->combination = !any && m->n_peer > m->n_malformed;
}

static void mm_fill(const struct v2_sa *offered, const struct v2_sa *ours,
		    uint8_t proto, unsigned flags, struct prop_mismatch *m)
{
	struct prop_view v;

	for (unsigned i = 0; i < ours->n_prop && i < IKE_MAX_PROPOSALS; i++) {
		if (ours->prop[i].proto != proto || view_prop(&ours->prop[i], &v))
			continue;
		mm_collect(&ours->prop[i], &v, false, m);
	}
	for (unsigned i = 0; i < offered->n_prop && i < IKE_MAX_PROPOSALS; i++) {
		const struct v2_proposal *p = &offered->prop[i];

		if (p->proto != proto || prop_malformed(p, i, flags, &v))
			continue;
		mm_collect(p, &v, true, m);
	}
	mm_judge(m, flags);
}

/* ---------- choose ---------- */

struct ike_result proposal_choose(const struct v2_sa *offered,
				  const struct v2_sa *ours, uint8_t proto,
				  unsigned flags, uint16_t ke_group,
				  struct prop_choice *chosen,
				  struct prop_mismatch *why)
{
	struct prop_mismatch scratch;
	struct prop_mismatch *m = why ? why : &scratch;
	struct prop_view pv, ov;

	memset(m, 0, sizeof(*m));
	m->proto = proto;
	for (unsigned i = 0; i < offered->n_prop && i < IKE_MAX_PROPOSALS; i++) {
		const struct v2_proposal *p = &offered->prop[i];
		const char *bad;

		if (p->proto != proto && p->proto >= IKEV2_PROTO_IKE &&
		    p->proto <= IKEV2_PROTO_ESP)
			continue;	/* another protocol: simply not ours */
		m->n_peer++;
		bad = prop_malformed(p, i, flags, &pv);
		if (bad) {
			m->n_malformed++;
			if (!m->malformed_why)
				m->malformed_why = bad;
			continue;
		}
		for (unsigned j = 0; j < ours->n_prop && j < IKE_MAX_PROPOSALS; j++) {
			if (ours->prop[j].proto != proto || view_prop(&ours->prop[j], &ov))
				continue;
			if (match_one(p, &pv, &ours->prop[j], &ov, flags, ke_group, chosen))
				return IKE_RESULT_OK;
		}
	}
	if (why)
		mm_fill(offered, ours, proto, flags, why);
	return ike_notify(IKEV2_N_NO_PROPOSAL_CHOSEN, "no acceptable proposal");
}

/* ---------- initiator: the reply ---------- */

static const char *reply_xf(const struct v2_transform *x, const struct v2_proposal *o,
			    const struct prop_view *ov, unsigned flags,
			    struct v2_transform t[N_TYPES], bool seen[N_TYPES])
{
	if (x->type == IKEV2_TRANS_DH && (flags & PROP_F_NO_KE))
		return NULL;	/* no KE in IKE_AUTH: DH is moot */
	if (seen[x->type])
		return "reply has two transforms of one type";
	seen[x->type] = true;
	if (!xf_sane(x) || !prop_lists(o, ov, x->type, x->id, x->keylen))
		return "reply has a transform we did not offer";
	t[x->type] = *x;
	return NULL;
}

static const char *reply_judge(const struct v2_proposal *r, const struct v2_proposal *o,
			       unsigned flags, struct prop_choice *ch)
{
	struct v2_transform t[N_TYPES];
	bool seen[N_TYPES] = { false };
	struct prop_view rv, ov;
	const char *why = view_prop(r, &rv);

	if (why || (why = view_prop(o, &ov)) || (why = check_spi(r, flags)))
		return why;
	memset(t, 0, sizeof(t));
	for (unsigned i = 0; i < r->n_xf && i < IKE_MAX_TRANSFORMS; i++) {
		why = reply_xf(&r->xf[i], o, &ov, flags, t, seen);
		if (why)
			return why;
	}
	/* absent types are NONE: legal only where ours lists NONE/nothing */
	for (uint8_t type = IKEV2_TRANS_ENCR; type < N_TYPES; type++) {
		if (seen[type] || (type == IKEV2_TRANS_DH && (flags & PROP_F_NO_KE)))
			continue;
		if (ov.has[type] && !prop_lists(o, &ov, type, 0, 0))
			return "reply lacks a transform type we require";
	}
	if (alg_encr_is_aead(t[IKEV2_TRANS_ENCR].id) != (t[IKEV2_TRANS_INTEG].id == 0))
		return "reply pairs ENCR and INTEG wrongly";
	choice_fill(ch, r, t);
	return NULL;
}

struct ike_result proposal_check_reply(const struct v2_sa *reply,
				       const struct v2_sa *offered,
				       unsigned flags,
				       struct prop_choice *chosen)
{
	const struct v2_proposal *r = &reply->prop[0];
	const char *why;

	if (reply->n_prop != 1)
		return ike_notify(IKEV2_N_NO_PROPOSAL_CHOSEN, "reply must carry one proposal");
	for (unsigned i = 0; i < offered->n_prop && i < IKE_MAX_PROPOSALS; i++) {
		const struct v2_proposal *o = &offered->prop[i];

		if (o->num != r->num || o->proto != r->proto)
			continue;
		why = reply_judge(r, o, flags, chosen);
		if (why)
			return ike_notify(IKEV2_N_NO_PROPOSAL_CHOSEN, why);
		return IKE_RESULT_OK;
	}
	return ike_notify(IKEV2_N_NO_PROPOSAL_CHOSEN, "reply names a proposal we did not offer");
}

/* ---------- formatting ---------- */

static const char *alg_name(uint8_t type, uint16_t id, uint16_t keylen, char b[ALG_NAMELEN])
{
	switch (type) {
	case IKEV2_TRANS_ENCR:
		return alg_encr_name(id, keylen, b);
	case IKEV2_TRANS_PRF:
		return alg_prf_name(id, b);
	case IKEV2_TRANS_INTEG:
		return alg_integ_name(id, b);
	case IKEV2_TRANS_DH:
		return alg_dh_name(id, b);
	default:
		return id == IKEV2_ESN_YES ? "yes" : "no";
	}
}

static void put_algs(struct textbuf *o, uint8_t type, const struct prop_mm_alg *a, unsigned n)
{
	char b[ALG_NAMELEN];

	if (n == 0)
		textbuf_put(o, "none");
	for (unsigned i = 0; i < n && i < PROP_MM_MAX; i++)
		textbuf_put(o, "%s%s", i ? ", " : "", alg_name(type, a[i].id, a[i].keylen, b));
	if (n > PROP_MM_MAX)
		textbuf_put(o, ", ...");
}

static const char *mm_key(uint8_t type, bool esp)
{
	static const char *const ike[N_TYPES] = {
		NULL, "ike_encryption", "ike_integrity (prf)", "ike_integrity", "ike_dh_group", "esn"
	};
	static const char *const child[N_TYPES] = {
		NULL, "esp_encryption", "esp_prf", "esp_integrity", "esp_pfs", "esp_esn"
	};

	return esp ? child[type] : ike[type];
}

size_t proposal_mismatch_fmt(const struct prop_mismatch *m, bool esp,
			     char *buf, size_t bufsz)
{
	struct textbuf o = { buf, bufsz, 0 };
	const char *sep = "";

	if (bufsz)
		buf[0] = '\0';
	for (uint8_t type = IKEV2_TRANS_ENCR; type < N_TYPES; type++) {
		const struct prop_mm_type *t = &m->t[type];

		if (!t->no_overlap)
			continue;
		textbuf_put(&o, "%s%s: ours ", sep, mm_key(type, esp));
		put_algs(&o, type, t->ours, t->n_ours);
		textbuf_put(&o, "; peer offered ");
		put_algs(&o, type, t->peer, t->n_peer);
		sep = "; ";
	}
	if (m->combination) {
		textbuf_put(&o, "%severy algorithm type overlaps, but no single proposal of the peer "
			"combines them as ours do (AEAD vs. integrity)", sep);
		sep = "; ";
	}
	if (m->n_malformed) {
		textbuf_put(&o, "%s%u of the peer's %u proposal(s) malformed: %s", sep,
		    m->n_malformed, m->n_peer, m->malformed_why ? m->malformed_why : "?");
		sep = "; ";
	}
	if (m->n_peer == 0)
		textbuf_put(&o, "%speer offered no %s proposal", sep, esp ? "ESP" : "IKE");
	return o.len;
}

size_t proposal_choice_fmt(const struct prop_choice *ch, char *buf, size_t bufsz)
{
	struct textbuf o = { buf, bufsz, 0 };
	char b[ALG_NAMELEN];

	if (bufsz)
		buf[0] = '\0';
	textbuf_put(&o, "%s", alg_encr_name(ch->encr, ch->encr_keylen, b));
	if (ch->integ)
		textbuf_put(&o, "-%s", alg_integ_name(ch->integ, b));
	else if (ch->prf)
		textbuf_put(&o, "-%s", alg_prf_name(ch->prf, b));
	if (ch->dh)
		textbuf_put(&o, "-%s", alg_dh_desc(ch->dh));
	return o.len;
}

static void put_type(struct textbuf *o, const struct v2_proposal *p, uint8_t type,
		     const char *lead)
{
	char b[ALG_NAMELEN];
	bool first = true;

	for (unsigned i = 0; i < p->n_xf && i < IKE_MAX_TRANSFORMS; i++) {
		const struct v2_transform *x = &p->xf[i];

		if (x->type != type)
			continue;
		textbuf_put(o, "%s%s", first ? lead : "/", alg_name(type, x->id, x->keylen, b));
		first = false;
	}
}

size_t proposal_sa_fmt(const struct v2_sa *sa, char *buf, size_t bufsz)
{
	struct textbuf o = { buf, bufsz, 0 };

	if (bufsz)
		buf[0] = '\0';
	for (unsigned i = 0; i < sa->n_prop && i < IKE_MAX_PROPOSALS; i++) {
		const struct v2_proposal *p = &sa->prop[i];
		struct prop_view v;

		if (view_prop(p, &v))
			memset(&v, 0, sizeof(v));
		textbuf_put(&o, "%s", i ? ", " : "");
		put_type(&o, p, IKEV2_TRANS_ENCR, "");
		put_type(&o, p, IKEV2_TRANS_INTEG, "-");
		if (!v.real_integ)	/* with INTEG the PRF names repeat it */
			put_type(&o, p, IKEV2_TRANS_PRF, "-");
		put_type(&o, p, IKEV2_TRANS_DH, "-");
	}
	return o.len;
}
