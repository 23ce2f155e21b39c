/* Which payloads each exchange may carry, how many, and where (clear or
 * inside SK); plus the proposal, transform and ID sanity helpers.  Works
 * on a decoded struct v2_msg only: no state. */
#include <stddef.h>

#include "v2_codec.h"

#define MANY 255

enum where { CLEAR, ENC };

struct v2_rule {
	uint8_t exch;
	bool resp;
	uint8_t type;
	uint8_t min, max;
	enum where where;
};

#define BOTH(x, t, lo, hi, w) { x, false, t, lo, hi, w }, { x, true, t, lo, hi, w }

static const struct v2_rule rules[] = {
	/* IKE_SA_INIT: all clear; SA, KE, nonce exactly once (RFC 7296 1.2) */
	BOTH(IKEV2_EXCH_IKE_SA_INIT, IKEV2_PL_SA, 1, 1, CLEAR),
	BOTH(IKEV2_EXCH_IKE_SA_INIT, IKEV2_PL_KE, 1, 1, CLEAR),
	BOTH(IKEV2_EXCH_IKE_SA_INIT, IKEV2_PL_NONCE, 1, 1, CLEAR),
	BOTH(IKEV2_EXCH_IKE_SA_INIT, IKEV2_PL_N, 0, MANY, CLEAR),
	BOTH(IKEV2_EXCH_IKE_SA_INIT, IKEV2_PL_V, 0, MANY, CLEAR),
	BOTH(IKEV2_EXCH_IKE_SA_INIT, IKEV2_PL_CERTREQ, 0, MANY, CLEAR),

	/* the other exchanges: one SK in the clear, the rest inside it */
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_SK, 1, 1, CLEAR),
	{ IKEV2_EXCH_IKE_AUTH, false, IKEV2_PL_IDi, 1, 1, ENC },
	{ IKEV2_EXCH_IKE_AUTH, false, IKEV2_PL_IDr, 0, 1, ENC },
	{ IKEV2_EXCH_IKE_AUTH, true, IKEV2_PL_IDr, 1, 1, ENC },
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_AUTH, 1, 1, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_SA, 1, 1, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_TSi, 1, 1, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_TSr, 1, 1, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_N, 0, MANY, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_V, 0, MANY, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_CERT, 0, MANY, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_CERTREQ, 0, MANY, ENC),
	BOTH(IKEV2_EXCH_IKE_AUTH, IKEV2_PL_CP, 0, 1, ENC),

	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_SK, 1, 1, CLEAR),
	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_SA, 1, 1, ENC),
	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_NONCE, 1, 1, ENC),
	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_KE, 0, 1, ENC),
	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_TSi, 0, 1, ENC),
	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_TSr, 0, 1, ENC),
	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_N, 0, MANY, ENC),
	BOTH(IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_PL_V, 0, MANY, ENC),

	BOTH(IKEV2_EXCH_INFORMATIONAL, IKEV2_PL_SK, 1, 1, CLEAR),
	BOTH(IKEV2_EXCH_INFORMATIONAL, IKEV2_PL_N, 0, MANY, ENC),
	BOTH(IKEV2_EXCH_INFORMATIONAL, IKEV2_PL_D, 0, MANY, ENC),
	BOTH(IKEV2_EXCH_INFORMATIONAL, IKEV2_PL_CP, 0, 1, ENC),
	BOTH(IKEV2_EXCH_INFORMATIONAL, IKEV2_PL_V, 0, MANY, ENC),
};

/* Payload types this codec understands; the rest are "unknown" (skipped
 * unless critical) and never judged by the table. */
static bool known_type(unsigned t)
{
	return (t >= IKEV2_PL_SA && t <= IKEV2_PL_EAP) || t == IKEV2_PL_SKF;
}

static const struct v2_rule *rule_find(uint8_t exch, bool resp, unsigned type,
				       enum where w)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].exch == exch && rules[i].resp == resp &&
		    rules[i].type == type && rules[i].where == w)
			return &rules[i];
	return NULL;
}

bool v2_msg_has_error_notify(const struct v2_msg *m)
{
	for (unsigned i = 0; i < m->n_notify; i++)
		if (m->notify[i].type < 16384 || m->notify[i].type == IKEV2_N_COOKIE)
			return true;
	return false;
}

const struct v2_notify *v2_msg_find_notify(const struct v2_msg *m, uint16_t type)
{
	for (unsigned i = 0; i < m->n_notify; i++)
		if (m->notify[i].type == type)
			return &m->notify[i];
	return NULL;
}

static unsigned count_at(const struct v2_msg *m, unsigned t, enum where w)
{
	return w == CLEAR ? m->outer_count[t] : m->count[t] - m->outer_count[t];
}

/* Table walk for one location: misplaced payloads first, then
 * duplicates, then missing ones.  Responses that carry an error notify
 * (COOKIE, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE...)
 * may lack the mandatory payloads: the engine checks what it needs. */
static const char *table_check(const struct v2_msg *m, enum where w)
{
	static const char *const reason[2][3] = {
		{ "payload not allowed in the clear here", "duplicate payload",
		  "mandatory payload missing" },
		{ "payload not allowed in this exchange", "duplicate payload",
		  "mandatory payload missing" },
	};
	bool resp = m->hdr.flags & IKEV2_FLAG_RESPONSE;
	bool relax = resp && v2_msg_has_error_notify(m);

	for (int pass = 0; pass < 3; pass++)
		for (unsigned t = 0; t < 64; t++) {
			unsigned n = count_at(m, t, w);
			const struct v2_rule *r = rule_find(m->hdr.exch, resp, t, w);
			bool bad = pass == 0 ? n && known_type(t) && !r
				 : pass == 1 ? r && n > r->max
				 : r && n < r->min && !relax;

			if (bad)
				return reason[w][pass];
		}
	return NULL;
}

static const char *hdr_check(const struct v2_hdr *h, bool error_resp)
{
	bool resp = h->flags & IKEV2_FLAG_RESPONSE;

	if (h->exch < IKEV2_EXCH_IKE_SA_INIT || h->exch > IKEV2_EXCH_INFORMATIONAL)
		return "unknown exchange type";
	if (h->spi_i == 0)
		return "initiator SPI is zero";
	if (h->exch != IKEV2_EXCH_IKE_SA_INIT)
		return h->spi_r == 0 ? "responder SPI is zero" : NULL;
	if (h->msgid != 0)
		return "IKE_SA_INIT message ID not zero";
	if (!resp && h->spi_r != 0)
		return "IKE_SA_INIT request with responder SPI";
	if (resp && h->spi_r == 0 && !error_resp)
		return "IKE_SA_INIT response without responder SPI";
	return NULL;
}

static struct ike_result check_outer(const struct v2_msg *m)
{
	bool resp = m->hdr.flags & IKEV2_FLAG_RESPONSE;
	const char *why = hdr_check(&m->hdr, resp && v2_msg_has_error_notify(m));

	if (why)
		return ike_drop(why);
	if (m->unknown_critical && !m->unknown_critical_inner) {
		if (m->hdr.exch == IKEV2_EXCH_IKE_SA_INIT && !resp)
			return ike_notify(IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
					  "unknown critical payload");
		return ike_drop("unknown critical payload in the clear");
	}
	if (m->hdr.exch != IKEV2_EXCH_IKE_SA_INIT &&
	    m->n_outer != m->outer_count[IKEV2_PL_SK])
		return ike_drop("payloads in the clear beside SK");
	why = table_check(m, CLEAR);
	return why ? ike_drop(why) : IKE_RESULT_OK;
}

static struct ike_result check_inner(const struct v2_msg *m)
{
	const char *why;

	if (!m->outer_count[IKEV2_PL_SK])
		return ike_drop("no SK payload");
	if (m->unknown_critical && m->unknown_critical_inner)
		return ike_notify(IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
				  "unknown critical payload");
	why = table_check(m, ENC);
	if (!why && m->hdr.exch == IKEV2_EXCH_CREATE_CHILD_SA &&
	    count_at(m, IKEV2_PL_TSi, ENC) != count_at(m, IKEV2_PL_TSr, ENC))
		why = "TSi without TSr or TSr without TSi";
	return why ? ike_notify(IKEV2_N_INVALID_SYNTAX, why) : IKE_RESULT_OK;
}

struct ike_result v2_check_rules(const struct v2_msg *m, bool inner)
{
	return inner ? check_inner(m) : check_outer(m);
}

/* ---- proposal / transform / ID sanity ---- */

static bool encr_is_aead(uint16_t id)
{
	return (id >= IKEV2_ENCR_AES_CCM_8 && id <= IKEV2_ENCR_AES_CCM_16) ||
	       (id >= IKEV2_ENCR_AES_GCM_8 && id <= IKEV2_ENCR_NULL_AUTH_AES_GMAC) ||
	       id == IKEV2_ENCR_CHACHA20_POLY1305;
}

/* Known non-AEAD ciphers; other unknown IDs (private use) are neither
 * AEAD nor plain and only matter if the matcher knows them. */
static bool encr_is_plain(uint16_t id)
{
	return id == IKEV2_ENCR_DES || id == IKEV2_ENCR_3DES || id == IKEV2_ENCR_NULL ||
	       id == IKEV2_ENCR_AES_CBC || id == IKEV2_ENCR_AES_CTR ||
	       id == 23 || id == 24;	/* CAMELLIA_CBC, CAMELLIA_CTR */
}

static bool encr_is_aes(uint16_t id)
{
	return (id >= IKEV2_ENCR_AES_CBC && id <= IKEV2_ENCR_AES_CCM_16) ||
	       (id >= IKEV2_ENCR_AES_GCM_8 && id <= IKEV2_ENCR_NULL_AUTH_AES_GMAC);
}

bool v2_transform_wellformed(const struct v2_transform *t, const char **why)
{
	bool aes = t->type == IKEV2_TRANS_ENCR && encr_is_aes(t->id);

	*why = NULL;
	if (t->unknown_attr)
		*why = "unknown or malformed transform attribute";
	else if (aes && t->keylen != 128 && t->keylen != 192 && t->keylen != 256)
		*why = "AES key length missing or not 128/192/256";
	else if (!aes && t->keylen)
		*why = "key length attribute on a fixed-length transform";
	return *why == NULL;
}

struct xf_summary {
	unsigned n[6];		/* usable transforms per type 1..5 */
	bool aead, plain_encr, integ, gmac_integ, null_encr_only;
};

static void summarize(const struct v2_proposal *p, struct xf_summary *s)
{
	const char *why;

	*s = (struct xf_summary){ .null_encr_only = true };
	for (unsigned i = 0; i < p->n_xf; i++) {
		const struct v2_transform *t = &p->xf[i];

		if (t->type < 1 || t->type > 5 || !v2_transform_wellformed(t, &why))
			continue;
		s->n[t->type]++;
		if (t->type == IKEV2_TRANS_ENCR) {
			if (encr_is_aead(t->id))
				s->aead = true;
			else if (encr_is_plain(t->id))
				s->plain_encr = true;
			if (t->id != IKEV2_ENCR_NULL)
				s->null_encr_only = false;
		}
		if (t->type == IKEV2_TRANS_INTEG && t->id != IKEV2_AUTH_NONE) {
			s->integ = true;
			if (t->id >= IKEV2_AUTH_AES_128_GMAC && t->id <= IKEV2_AUTH_AES_256_GMAC)
				s->gmac_integ = true;
		}
	}
}

static bool spi_is_zero(const struct v2_proposal *p)
{
	uint8_t acc = 0;

	for (unsigned i = 0; i < p->spi_size && i < sizeof(p->spi); i++)
		acc |= p->spi[i];
	return acc == 0;
}

/* RFC 7296 3.3.1: SPI size 0 for IKE in IKE_SA_INIT, 8 when rekeying the
 * IKE SA, 4 for ESP/AH; a zero SPI is never valid. */
static const char *spi_check(const struct v2_proposal *p, bool ike_sa_init)
{
	if (p->proto == IKEV2_PROTO_IKE && ike_sa_init)
		return p->spi_size == 0 ? NULL : "IKE proposal SPI size not 0 in IKE_SA_INIT";
	if (p->proto == IKEV2_PROTO_IKE && p->spi_size != 8)
		return "IKE rekey proposal SPI size not 8";
	if (p->proto != IKEV2_PROTO_IKE && p->spi_size != 4)
		return "ESP/AH proposal SPI size not 4";
	return spi_is_zero(p) ? "proposal SPI is zero" : NULL;
}

/* Transform combinations the keymat code must never see (LS
 * CVE-2016-5391, CVE-2024-3652): AEAD with INTEG, non-AEAD without INTEG,
 * GMAC integrity with a real cipher, IKE without PRF or DH. */
static const char *combo_check(const struct v2_proposal *p)
{
	struct xf_summary s;

	summarize(p, &s);
	if (p->proto != IKEV2_PROTO_AH && !s.n[IKEV2_TRANS_ENCR])
		return "proposal without a usable cipher";
	if (s.aead && s.plain_encr)
		return "AEAD and non-AEAD ciphers in one proposal";
	if (s.aead && s.integ)
		return "AEAD cipher with an integrity transform";
	if (!s.aead && !s.integ)
		return "non-AEAD proposal without integrity";
	if (s.gmac_integ && !s.null_encr_only)
		return "AES-GMAC integrity with a non-NULL cipher";
	if (p->proto == IKEV2_PROTO_IKE && !s.n[IKEV2_TRANS_PRF])
		return "IKE proposal without PRF";
	if (p->proto == IKEV2_PROTO_IKE && !s.n[IKEV2_TRANS_DH])
		return "IKE proposal without DH group";
	return NULL;
}

bool v2_proposal_wellformed(const struct v2_proposal *p, bool ike_sa_init,
			    const char **why)
{
	*why = p->bad;
	if (!*why && (p->proto < IKEV2_PROTO_IKE || p->proto > IKEV2_PROTO_ESP))
		*why = "proposal protocol ID not 1..3";
	if (!*why && p->n_xf == 0)
		*why = "proposal without transforms";
	if (!*why)
		*why = spi_check(p, ike_sa_init);
	if (!*why)
		*why = combo_check(p);
	return *why == NULL;
}

static bool printable(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < 0x21 || s.p[i] > 0x7e)
			return false;
	return true;
}

bool v2_id_wellformed(const struct v2_id *id, const char **why)
{
	*why = NULL;
	if (id->data.n == 0 || id->data.n > IKE_MAX_ID)
		*why = "ID data length not 1..IKE_MAX_ID";
	else if (id->type == IKEV2_ID_IPV4_ADDR && id->data.n != 4)
		*why = "ID_IPV4_ADDR not 4 bytes";
	else if (id->type == IKEV2_ID_IPV6_ADDR && id->data.n != 16)
		*why = "ID_IPV6_ADDR not 16 bytes";
	else if ((id->type == IKEV2_ID_FQDN || id->type == IKEV2_ID_RFC822_ADDR) &&
		 !printable(id->data))
		*why = "FQDN/RFC822 ID with non-printable bytes";
	else if (id->type != IKEV2_ID_IPV4_ADDR && id->type != IKEV2_ID_IPV6_ADDR &&
		 id->type != IKEV2_ID_FQDN && id->type != IKEV2_ID_RFC822_ADDR &&
		 id->type != IKEV2_ID_KEY_ID && id->type != IKEV2_ID_DER_ASN1_DN &&
		 id->type != IKEV2_ID_DER_ASN1_GN)
		*why = "unknown ID type";
	return *why == NULL;
}
