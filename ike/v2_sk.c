/* Encrypted payload protection: CBC + truncated HMAC (RFC 7296 3.14) and
 * AES-GCM-16 (RFC 5282).
 *
 * GCM nonce = 4-byte salt (last bytes of SK_e) | 8-byte explicit IV;
 * AAD = the message from the IKE header through the SK (or SKF) header,
 * i.e. msg[0 .. body_off) (RFC 5282 5.1; RFC 7383 for SKF).  CBC: the ICV
 * covers the message from the IKE header through the ciphertext.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "crypto.h"
#include "v2.h"
#include "v2_sk.h"

struct sk_geom {
	size_t iv, blk, icv;
	bool aead;
};

/* Lengths for a, or false when a's algorithms or key sizes are wrong. */
static bool geom(const struct sk_alg *a, struct sk_geom *g)
{
	size_t elen = crypto_encr_key_len(a->encr, a->encr_keylen);

	if (elen == 0 || a->ekey.n != elen || a->ekey.p == NULL)
		return false;
	g->aead = crypto_encr_is_aead(a->encr);
	g->iv = crypto_encr_iv_len(a->encr);
	g->blk = crypto_encr_block_len(a->encr);
	if (g->aead) {
		g->icv = crypto_encr_icv_len(a->encr);
		return a->integ == IKEV2_AUTH_NONE;
	}
	g->icv = crypto_integ_icv_len(a->integ);
	return g->icv != 0 && a->akey.p != NULL &&
	       a->akey.n == crypto_integ_key_len(a->integ);
}

void v2_sk_alg_from_keys(struct sk_alg *a, const struct ike_keys *k,
			 bool we_are_initiator, bool out)
{
	bool use_i = we_are_initiator == out;

	a->encr = k->suite.encr;
	a->encr_keylen = k->suite.encr_keylen;
	a->integ = k->suite.integ;
	a->ekey = span_make(use_i ? k->sk_ei : k->sk_er, k->e_len);
	a->akey = span_make(use_i ? k->sk_ai : k->sk_ar, k->a_len);
}

/* Ciphertext length: plaintext + pad length byte, CBC-aligned. */
static size_t ct_len(const struct sk_geom *g, size_t plain_len)
{
	size_t n = plain_len + 1;

	return (n + g->blk - 1) / g->blk * g->blk;
}

size_t v2_sk_body_len(const struct sk_alg *a, size_t plain_len)
{
	struct sk_geom g;

	if (!geom(a, &g) || plain_len > IKE_MAX_MSG)
		return 0;
	return g.iv + ct_len(&g, plain_len) + g.icv;
}

size_t v2_sk_max_plain(const struct sk_alg *a, size_t body_max)
{
	struct sk_geom g;
	size_t ct;

	if (!geom(a, &g) || body_max < g.iv + g.icv + g.blk)
		return 0;
	ct = (body_max - g.iv - g.icv) / g.blk * g.blk;
	return ct - 1;
}

static void gcm_nonce(const struct sk_alg *a, const uint8_t *iv, uint8_t nonce[12])
{
	memcpy(nonce, a->ekey.p + a->ekey.n - 4, 4);
	memcpy(nonce + 4, iv, 8);
}

int v2_sk_encrypt(const struct sk_alg *a, uint8_t *msg, size_t msg_len,
		  size_t body_off, const uint8_t *plain, size_t plain_len)
{
	struct sk_geom g;
	uint8_t nonce[12], *iv, *ct;
	size_t clen;
	int rc;

	if (!geom(a, &g) || body_off > msg_len ||
	    msg_len - body_off != v2_sk_body_len(a, plain_len))
		return -EINVAL;
	clen = ct_len(&g, plain_len);
	iv = msg + body_off;
	ct = iv + g.iv;
	crypto_random(iv, g.iv);
	if (plain_len > 0)	/* an empty INFORMATIONAL (DPD) has no payloads */
		memcpy(ct, plain, plain_len);
	/* Padding bytes may hold anything (3.14); zeros, then Pad Length. */
	memset(ct + plain_len, 0, clen - plain_len - 1);
	ct[clen - 1] = (uint8_t)(clen - plain_len - 1);
	if (g.aead) {
		gcm_nonce(a, iv, nonce);
		rc = crypto_gcm_seal(span_make(a->ekey.p, a->ekey.n - 4), nonce,
				     span_make(msg, body_off), ct, clen, ct,
				     ct + clen);
	} else {
		rc = crypto_cbc(a->encr, a->ekey, iv, ct, clen, ct, true);
		if (rc == 0)
			rc = crypto_integ(a->integ, a->akey,
					  span_make(msg, msg_len - g.icv), ct + clen);
	}
	if (rc != 0)
		sodium_memzero(msg + body_off, msg_len - body_off);
	return rc;
}

static int cbc_open(const struct sk_alg *a, const struct sk_geom *g,
		    struct span msg, const uint8_t *iv, size_t clen,
		    uint8_t *plain)
{
	uint8_t icv[CRYPTO_MAX_ICV];
	const uint8_t *got = msg.p + msg.n - g->icv;
	int rc;

	/* Authenticate first: nothing is decrypted for a forged message. */
	rc = crypto_integ(a->integ, a->akey, span_make(msg.p, msg.n - g->icv), icv);
	if (rc != 0)
		return rc;
	if (sodium_memcmp(icv, got, g->icv) != 0)
		return -EBADMSG;
	return crypto_cbc(a->encr, a->ekey, iv, iv + g->iv, clen, plain, false);
}

int v2_sk_decrypt(const struct sk_alg *a, struct span msg, size_t body_off,
		  uint8_t *plain, size_t cap, size_t *plain_len)
{
	struct sk_geom g;
	uint8_t nonce[12];
	const uint8_t *iv;
	size_t body, clen, pad = 0;
	int rc;

	*plain_len = 0;
	if (!geom(a, &g))
		return -EINVAL;
	if (msg.p == NULL || body_off > msg.n)
		return -EBADMSG;
	body = msg.n - body_off;
	/* At least one cipher block (CBC) or the pad length byte (GCM). */
	if (body < g.iv + g.icv + g.blk)
		return -EBADMSG;
	clen = body - g.iv - g.icv;
	if (clen % g.blk != 0)
		return -EBADMSG;
	if (cap < clen)
		return -EINVAL;
	iv = msg.p + body_off;
	if (g.aead) {
		gcm_nonce(a, iv, nonce);
		rc = crypto_gcm_open(span_make(a->ekey.p, a->ekey.n - 4), nonce,
				     span_make(msg.p, body_off), iv + g.iv, clen,
				     plain, iv + g.iv + clen);
	} else {
		rc = cbc_open(a, &g, msg, iv, clen, plain);
	}
	if (rc == 0) {
		pad = plain[clen - 1];
		if (pad >= clen)	/* pad bytes + length byte exceed the data */
			rc = -EBADMSG;
	}
	if (rc != 0) {
		sodium_memzero(plain, clen);
		return rc;
	}
	*plain_len = clen - 1 - pad;
	return 0;
}
