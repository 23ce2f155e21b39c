/* IKEv2 key derivation (RFC 7296 2.13-2.18) and PSK AUTH (2.15). */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "keymat.h"
#include "v2.h"

bool keymat_ike_suite_ok(const struct ike_suite *s)
{
	bool aead = crypto_encr_is_aead(s->encr);

	if (crypto_encr_key_len(s->encr, s->encr_keylen) == 0 ||
	    crypto_prf_len(s->prf) == 0)
		return false;
	if (aead)
		return s->integ == IKEV2_AUTH_NONE;
	return crypto_integ_key_len(s->integ) != 0;
}

bool keymat_child_suite_ok(const struct child_suite *s)
{
	if (crypto_encr_key_len(s->encr, s->encr_keylen) == 0)
		return false;
	if (crypto_encr_is_aead(s->encr))
		return s->integ == IKEV2_AUTH_NONE;
	return crypto_integ_key_len(s->integ) != 0;
}

void keymat_ike_wipe(struct ike_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

void keymat_child_wipe(struct child_keys *ck)
{
	sodium_memzero(ck, sizeof(*ck));
}

static void be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), split in RFC order. */
static int ike_split(struct ike_keys *k, const struct ike_suite *s,
		     const uint8_t *skeyseed, size_t seed_len, struct span ni,
		     struct span nr, uint64_t spi_i, uint64_t spi_r)
{
	uint8_t spis[16], km[3 * CRYPTO_MAX_PRF + 2 * CRYPTO_MAX_INTEG_KEY +
			     2 * CRYPTO_MAX_ENCR_KEY];
	struct span seed[3] = { ni, nr, span_make(spis, sizeof(spis)) };
	size_t total, off = 0;
	int rc;

	k->suite = *s;
	k->prf_len = crypto_prf_len(s->prf);
	k->e_len = crypto_encr_key_len(s->encr, s->encr_keylen);
	k->a_len = crypto_encr_is_aead(s->encr) ? 0 : crypto_integ_key_len(s->integ);
	total = 3 * k->prf_len + 2 * k->a_len + 2 * k->e_len;
	be64_put(spis, spi_i);
	be64_put(spis + 8, spi_r);
	rc = crypto_prf_plus(s->prf, span_make(skeyseed, seed_len), seed, 3, km, total);
	if (rc == 0) {
		memcpy(k->sk_d, km + off, k->prf_len), off += k->prf_len;
		memcpy(k->sk_ai, km + off, k->a_len), off += k->a_len;
		memcpy(k->sk_ar, km + off, k->a_len), off += k->a_len;
		memcpy(k->sk_ei, km + off, k->e_len), off += k->e_len;
		memcpy(k->sk_er, km + off, k->e_len), off += k->e_len;
		memcpy(k->sk_pi, km + off, k->prf_len), off += k->prf_len;
		memcpy(k->sk_pr, km + off, k->prf_len);
	}
	sodium_memzero(km, sizeof(km));
	return rc;
}

static bool inputs_ok(const struct ike_suite *s, struct span g_ir,
		      struct span ni, struct span nr)
{
	return keymat_ike_suite_ok(s) && g_ir.n > 0 && ni.n > 0 && nr.n > 0;
}

int keymat_ike_init(struct ike_keys *k, const struct ike_suite *s,
		    struct span g_ir, struct span ni, struct span nr,
		    uint64_t spi_i, uint64_t spi_r)
{
	uint8_t nonces[2 * IKE_MAX_NONCE], skeyseed[CRYPTO_MAX_PRF];
	int rc = -EINVAL;

	keymat_ike_wipe(k);
	if (!inputs_ok(s, g_ir, ni, nr) || ni.n > IKE_MAX_NONCE || nr.n > IKE_MAX_NONCE)
		return rc;
	/* RFC 7296 2.14: HMAC PRFs take the whole Ni | Nr as key. */
	memcpy(nonces, ni.p, ni.n);
	memcpy(nonces + ni.n, nr.p, nr.n);
	rc = crypto_prf(s->prf, span_make(nonces, ni.n + nr.n), &g_ir, 1, skeyseed);
	if (rc == 0)
		rc = ike_split(k, s, skeyseed, crypto_prf_len(s->prf), ni, nr,
			       spi_i, spi_r);
	if (rc != 0)
		keymat_ike_wipe(k);
	sodium_memzero(skeyseed, sizeof(skeyseed));
	sodium_memzero(nonces, sizeof(nonces));
	return rc;
}

int keymat_ike_rekey(struct ike_keys *k, const struct ike_suite *s,
		     const struct ike_keys *old, struct span g_ir,
		     struct span ni, struct span nr,
		     uint64_t spi_i, uint64_t spi_r)
{
	uint8_t skeyseed[CRYPTO_MAX_PRF];
	struct span parts[3] = { g_ir, ni, nr };
	uint16_t old_prf = old->suite.prf;
	uint8_t sk_d[CRYPTO_MAX_PRF];	/* copied: k may alias old */
	size_t sk_d_len = old->prf_len;
	int rc = -EINVAL;

	if (!inputs_ok(s, g_ir, ni, nr) || sk_d_len == 0 ||
	    sk_d_len != crypto_prf_len(old_prf)) {
		keymat_ike_wipe(k);
		return rc;
	}
	memcpy(sk_d, old->sk_d, sk_d_len);
	keymat_ike_wipe(k);
	/* RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
	 * with the old SA's PRF; the new PRF runs prf+. */
	rc = crypto_prf(old_prf, span_make(sk_d, sk_d_len), parts, 3, skeyseed);
	if (rc == 0)
		rc = ike_split(k, s, skeyseed, crypto_prf_len(old_prf), ni, nr,
			       spi_i, spi_r);
	if (rc != 0)
		keymat_ike_wipe(k);
	sodium_memzero(skeyseed, sizeof(skeyseed));
	sodium_memzero(sk_d, sizeof(sk_d));
	return rc;
}

int keymat_child(struct child_keys *ck, const struct child_suite *s,
		 const struct ike_keys *ike, struct span g_ir,
		 struct span ni, struct span nr)
{
	uint8_t km[2 * (CRYPTO_MAX_ENCR_KEY + CRYPTO_MAX_INTEG_KEY)];
	struct span seed[3];
	size_t n = 0, off = 0, total;
	int rc;

	keymat_child_wipe(ck);
	if (!keymat_child_suite_ok(s) || ike->prf_len == 0 || ni.n == 0 || nr.n == 0)
		return -EINVAL;
	ck->suite = *s;
	ck->e_len = crypto_encr_key_len(s->encr, s->encr_keylen);
	ck->a_len = crypto_encr_is_aead(s->encr) ? 0 : crypto_integ_key_len(s->integ);
	total = 2 * (ck->e_len + ck->a_len);
	if (g_ir.n > 0)
		seed[n++] = g_ir;
	seed[n++] = ni;
	seed[n++] = nr;
	rc = crypto_prf_plus(ike->suite.prf, span_make(ike->sk_d, ike->prf_len),
			     seed, n, km, total);
	if (rc == 0) {
		/* RFC 7296 2.17: encr then integ, initiator->responder first. */
		memcpy(ck->ei, km + off, ck->e_len), off += ck->e_len;
		memcpy(ck->ai, km + off, ck->a_len), off += ck->a_len;
		memcpy(ck->er, km + off, ck->e_len), off += ck->e_len;
		memcpy(ck->ar, km + off, ck->a_len);
	} else {
		keymat_child_wipe(ck);
	}
	sodium_memzero(km, sizeof(km));
	return rc;
}

/* ---- PSK AUTH ---- */

static const char key_pad[] = "Key Pad for IKEv2";	/* 17 bytes, no NUL */

int keymat_psk_auth(uint16_t prf, struct span psk, struct span real_msg,
		    struct span peer_nonce, struct span sk_p,
		    struct span id_body, uint8_t *out, size_t *out_len)
{
	uint8_t padkey[CRYPTO_MAX_PRF], maced_id[CRYPTO_MAX_PRF];
	struct span pad = span_make(key_pad, sizeof(key_pad) - 1);
	size_t plen = crypto_prf_len(prf);
	struct span parts[3];
	int rc = -EINVAL;

	*out_len = 0;
	if (plen == 0 || psk.n == 0 || sk_p.n == 0 || real_msg.n == 0 ||
	    peer_nonce.n == 0 || id_body.n == 0)
		return rc;
	rc = crypto_prf(prf, sk_p, &id_body, 1, maced_id);
	if (rc == 0)
		rc = crypto_prf(prf, psk, &pad, 1, padkey);
	if (rc == 0) {
		parts[0] = real_msg;
		parts[1] = peer_nonce;
		parts[2] = span_make(maced_id, plen);
		rc = crypto_prf(prf, span_make(padkey, plen), parts, 3, out);
	}
	if (rc == 0)
		*out_len = plen;
	sodium_memzero(padkey, sizeof(padkey));
	sodium_memzero(maced_id, sizeof(maced_id));
	return rc;
}

int keymat_psk_verify(uint16_t prf, struct span psk, struct span real_msg,
		      struct span peer_nonce, struct span sk_p,
		      struct span id_body, struct span auth_data)
{
	uint8_t want[CRYPTO_MAX_PRF];
	size_t len = 0;
	int rc;

	rc = keymat_psk_auth(prf, psk, real_msg, peer_nonce, sk_p, id_body,
			     want, &len);
	if (rc == 0 && (auth_data.n != len ||
			sodium_memcmp(want, auth_data.p, len) != 0))
		rc = -EBADMSG;
	sodium_memzero(want, sizeof(want));
	return rc;
}
