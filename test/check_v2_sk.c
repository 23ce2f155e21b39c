/* SK payload protection (ike/v2_sk.c): known answers computed by
 * test/tools/gen_crypto_vectors.py (Python 'cryptography' AES-GCM/CBC and
 * hmac, see test/crypto_vectors.h), round trips for every ENCR/INTEG
 * combination, and tampering. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/keymat.h"
#include "ike/v2.h"
#include "ike/v2_sk.h"
#include "test/crypto_test.h"
#include "test/crypto_vectors.h"

#define HDR_LEN (IKEV2_HDR_LEN + IKEV2_GEN_HDR_LEN)

/* IKE header + SK header with final lengths, then room for the body. */
static uint8_t *msg_build(size_t body_len, size_t *total)
{
	static const uint8_t hdr[24] = {
		1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		IKEV2_PL_SK, IKEV2_VERSION, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR,
		0, 0, 0, 1,
	};
	uint8_t *m;

	*total = HDR_LEN + body_len;
	m = calloc(1, *total);
	ck_assert_ptr_nonnull(m);
	memcpy(m, hdr, sizeof(hdr));
	m[24] = (uint8_t)(*total >> 24), m[25] = (uint8_t)(*total >> 16);
	m[26] = (uint8_t)(*total >> 8), m[27] = (uint8_t)*total;
	m[28] = IKEV2_PL_IDi;
	m[30] = (uint8_t)((4 + body_len) >> 8), m[31] = (uint8_t)(4 + body_len);
	return m;
}

static void fixture_keys(struct ike_keys *k, const struct ike_suite *s)
{
	size_t a, b, c;
	uint8_t *ni = hex(kf_ni, &a), *nr = hex(kf_nr, &b), *gir = hex(kf_gir, &c);

	ck_assert_int_eq(keymat_ike_init(k, s, span_make(gir, c), span_make(ni, a),
					 span_make(nr, b), 0x0102030405060708ULL,
					 0x1112131415161718ULL), 0);
	free(ni), free(nr), free(gir);
}

static void known_answer(const struct ike_suite *s, const char *want)
{
	struct ike_keys k;
	struct sk_alg out, in;
	uint8_t plain[40], dec[128], *m, iv_byte = 0x5a;
	size_t body, total, dlen;

	for (int i = 0; i < 40; i++)
		plain[i] = (uint8_t)(i + 1);
	fixture_keys(&k, s);
	v2_sk_alg_from_keys(&out, &k, true, true);
	v2_sk_alg_from_keys(&in, &k, false, false);
	body = v2_sk_body_len(&out, sizeof(plain));
	m = msg_build(body, &total);
	crypto_set_rng(rng_fill_byte, &iv_byte);
	ck_assert_int_eq(v2_sk_encrypt(&out, m, total, HDR_LEN, plain, sizeof(plain)), 0);
	crypto_set_rng(NULL, NULL);
	ck_assert_hex(m, total, want);
	/* The responder decrypts with the same (initiator's) keys. */
	ck_assert_int_eq(v2_sk_decrypt(&in, span_make(m, total), HDR_LEN, dec,
				       sizeof(dec), &dlen), 0);
	ck_assert_uint_eq(dlen, sizeof(plain));
	ck_assert_mem_eq(dec, plain, dlen);
	free(m);
	keymat_ike_wipe(&k);
}

START_TEST(gcm_known_answer)
{
	static const struct ike_suite s = {
		.encr = IKEV2_ENCR_AES_GCM_16, .encr_keylen = 128,
		.prf = IKEV2_PRF_HMAC_SHA2_384, .integ = IKEV2_AUTH_NONE,
	};

	known_answer(&s, skg_msg);
}
END_TEST

START_TEST(cbc_known_answer)
{
	static const struct ike_suite s = {
		.encr = IKEV2_ENCR_AES_CBC, .encr_keylen = 256,
		.prf = IKEV2_PRF_HMAC_SHA2_256, .integ = IKEV2_AUTH_HMAC_SHA2_256_128,
	};

	known_answer(&s, skc_msg);
}
END_TEST

/* ---- every combination ---- */

static const struct { uint16_t encr, bits; } encrs[] = {
	{ IKEV2_ENCR_AES_CBC, 128 }, { IKEV2_ENCR_AES_CBC, 192 }, { IKEV2_ENCR_AES_CBC, 256 },
	{ IKEV2_ENCR_3DES, 0 }, { IKEV2_ENCR_DES, 0 },
	{ IKEV2_ENCR_AES_GCM_16, 128 }, { IKEV2_ENCR_AES_GCM_16, 192 },
	{ IKEV2_ENCR_AES_GCM_16, 256 },
};
static const uint16_t integs[] = {
	IKEV2_AUTH_HMAC_MD5_96, IKEV2_AUTH_HMAC_SHA1_96, IKEV2_AUTH_HMAC_SHA2_256_128,
	IKEV2_AUTH_HMAC_SHA2_384_192, IKEV2_AUTH_HMAC_SHA2_512_256,
};
#define N_ENCR (sizeof(encrs) / sizeof(encrs[0]))
#define N_INTEG (sizeof(integs) / sizeof(integs[0]))

struct combo {
	struct ike_keys k;
	struct sk_alg alg;
};

static bool combo_make(int i, struct combo *c)
{
	struct ike_suite s = {
		.encr = encrs[i / N_INTEG].encr, .encr_keylen = encrs[i / N_INTEG].bits,
		.prf = IKEV2_PRF_HMAC_SHA2_256, .integ = integs[i % N_INTEG],
	};

	if (crypto_encr_is_aead(s.encr)) {
		if (i % N_INTEG != 0)
			return false;	/* one run per AEAD */
		s.integ = IKEV2_AUTH_NONE;
	}
	fixture_keys(&c->k, &s);
	v2_sk_alg_from_keys(&c->alg, &c->k, false, true);
	return true;
}

START_TEST(round_trip_all_combinations)
{
	static const size_t lens[] = { 0, 1, 7, 8, 15, 16, 17, 100, 1000 };
	struct combo c;
	uint8_t plain[1000], dec[1100];

	if (!combo_make(_i, &c))
		return;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7);
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t body = v2_sk_body_len(&c.alg, lens[li]), total, dlen;
		uint8_t *m = msg_build(body, &total);

		ck_assert_uint_gt(body, lens[li]);
		ck_assert_int_eq(v2_sk_encrypt(&c.alg, m, total, HDR_LEN, plain, lens[li]), 0);
		ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total), HDR_LEN, dec,
					       sizeof(dec), &dlen), 0);
		ck_assert_uint_eq(dlen, lens[li]);
		ck_assert_mem_eq(dec, plain, dlen);
		/* A wrong body length for this plaintext is refused. */
		ck_assert_int_eq(v2_sk_encrypt(&c.alg, m, total - 1, HDR_LEN, plain,
					       lens[li]), -EINVAL);
		free(m);
	}
	/* An empty INFORMATIONAL (liveness check): no plaintext at all. */
	{
		size_t body = v2_sk_body_len(&c.alg, 0), total, dlen = 9;
		uint8_t *m = msg_build(body, &total);

		ck_assert_int_eq(v2_sk_encrypt(&c.alg, m, total, HDR_LEN, NULL, 0), 0);
		ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total), HDR_LEN, dec,
					       sizeof(dec), &dlen), 0);
		ck_assert_uint_eq(dlen, 0);
		free(m);
	}
	keymat_ike_wipe(&c.k);
}
END_TEST

/* Each mutation of a valid message must give -EBADMSG and a wiped output. */
START_TEST(tampering_is_detected)
{
	struct combo c;
	struct sk_alg other;
	uint8_t plain[50], dec[200], *m;
	size_t body, total, dlen = 77, iv, icv;
	size_t flips[5];

	if (!combo_make(_i, &c))
		return;
	memset(plain, 0xab, sizeof(plain));
	body = v2_sk_body_len(&c.alg, sizeof(plain));
	m = msg_build(body, &total);
	ck_assert_int_eq(v2_sk_encrypt(&c.alg, m, total, HDR_LEN, plain, sizeof(plain)), 0);
	iv = crypto_encr_iv_len(c.alg.encr);
	icv = body - iv - ((sizeof(plain) + 1 + crypto_encr_block_len(c.alg.encr) - 1) /
			   crypto_encr_block_len(c.alg.encr) * crypto_encr_block_len(c.alg.encr));
	flips[0] = total - 1;		/* ICV */
	flips[1] = HDR_LEN + iv + 3;	/* ciphertext */
	flips[2] = HDR_LEN;		/* IV */
	flips[3] = 20;			/* IKE header (message ID) */
	flips[4] = 29;			/* SK header critical/reserved byte */
	for (size_t i = 0; i < 5; i++) {
		m[flips[i]] ^= 0x01;
		memset(dec, 0xee, sizeof(dec));
		ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total), HDR_LEN, dec,
					       sizeof(dec), &dlen), -EBADMSG);
		ck_assert_uint_eq(dlen, 0);
		m[flips[i]] ^= 0x01;
	}
	/* Bad lengths: truncated body, body shorter than IV + ICV, off end. */
	ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total - 1), HDR_LEN, dec,
				       sizeof(dec), &dlen), -EBADMSG);
	ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, HDR_LEN + iv + icv), HDR_LEN,
				       dec, sizeof(dec), &dlen), -EBADMSG);
	ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total), total + 1, dec,
				       sizeof(dec), &dlen), -EBADMSG);
	/* The other direction's keys do not open it. */
	v2_sk_alg_from_keys(&other, &c.k, true, true);
	ck_assert_int_eq(v2_sk_decrypt(&other, span_make(m, total), HDR_LEN, dec,
				       sizeof(dec), &dlen), -EBADMSG);
	/* Untouched, it still decrypts. */
	ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total), HDR_LEN, dec,
				       sizeof(dec), &dlen), 0);
	ck_assert_uint_eq(dlen, sizeof(plain));
	free(m);
	keymat_ike_wipe(&c.k);
}
END_TEST

/* A correctly authenticated body whose pad length is not below the
 * decrypted length: built by hand with the primitives. */
START_TEST(bad_padding_is_refused)
{
	struct combo c;
	uint8_t block[32], dec[64], *m, *iv;
	size_t total, dlen, ivl, icv, clen;

	if (!combo_make(_i, &c))
		return;
	ivl = crypto_encr_iv_len(c.alg.encr);
	clen = crypto_encr_is_aead(c.alg.encr) ? 16 : crypto_encr_block_len(c.alg.encr);
	icv = crypto_encr_is_aead(c.alg.encr) ? 16 : crypto_integ_icv_len(c.alg.integ);
	m = msg_build(ivl + clen + icv, &total);
	iv = m + HDR_LEN;
	memset(iv, 0x33, ivl);
	memset(block, 0, sizeof(block));
	block[clen - 1] = (uint8_t)clen;	/* pad length == data length */
	if (crypto_encr_is_aead(c.alg.encr)) {
		uint8_t nonce[12];

		memcpy(nonce, c.alg.ekey.p + c.alg.ekey.n - 4, 4);
		memcpy(nonce + 4, iv, 8);
		ck_assert_int_eq(crypto_gcm_seal(span_make(c.alg.ekey.p, c.alg.ekey.n - 4),
						 nonce, span_make(m, HDR_LEN), block, clen,
						 iv + ivl, iv + ivl + clen), 0);
	} else {
		ck_assert_int_eq(crypto_cbc(c.alg.encr, c.alg.ekey, iv, block, clen,
					    iv + ivl, true), 0);
		ck_assert_int_eq(crypto_integ(c.alg.integ, c.alg.akey,
					      span_make(m, total - icv), m + total - icv), 0);
	}
	ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total), HDR_LEN, dec,
				       sizeof(dec), &dlen), -EBADMSG);
	/* pad length = data length - 1 is the largest valid value: empty plaintext */
	block[clen - 1] = (uint8_t)(clen - 1);
	if (!crypto_encr_is_aead(c.alg.encr)) {
		ck_assert_int_eq(crypto_cbc(c.alg.encr, c.alg.ekey, iv, block, clen,
					    iv + ivl, true), 0);
		ck_assert_int_eq(crypto_integ(c.alg.integ, c.alg.akey,
					      span_make(m, total - icv), m + total - icv), 0);
		ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, total), HDR_LEN, dec,
					       sizeof(dec), &dlen), 0);
		ck_assert_uint_eq(dlen, 0);
	}
	free(m);
	keymat_ike_wipe(&c.k);
}
END_TEST

START_TEST(max_plain_fits)
{
	struct combo c;

	if (!combo_make(_i, &c))
		return;
	for (size_t body_max = 0; body_max < 300; body_max++) {
		size_t p = v2_sk_max_plain(&c.alg, body_max);

		if (p == 0 && v2_sk_body_len(&c.alg, 0) > body_max)
			continue;
		ck_assert_uint_le(v2_sk_body_len(&c.alg, p), body_max);
		ck_assert_uint_gt(v2_sk_body_len(&c.alg, p + 1), body_max);
	}
	keymat_ike_wipe(&c.k);
}
END_TEST

/* Random bytes of any length never decrypt and never read out of bounds. */
START_TEST(garbage_never_decrypts)
{
	struct combo c;
	uint8_t m[400], dec[400];
	uint32_t ctr = (uint32_t)_i;
	size_t dlen;

	if (!combo_make(_i, &c))
		return;
	for (int i = 0; i < 300; i++) {
		size_t len = (size_t)(i * 37 % 397), off = (size_t)(i % 40);

		rng_counter(m, len, &ctr);
		ck_assert_int_eq(v2_sk_decrypt(&c.alg, span_make(m, len), off, dec,
					       sizeof(dec), &dlen), -EBADMSG);
	}
	keymat_ike_wipe(&c.k);
}
END_TEST

START_TEST(bad_alg_is_einval)
{
	struct sk_alg a = { .encr = IKEV2_ENCR_AES_CBC, .encr_keylen = 128,
			    .integ = IKEV2_AUTH_HMAC_SHA1_96 };
	uint8_t key[20] = { 0 }, m[100] = { 0 }, dec[100];
	size_t dlen;

	a.ekey = span_make(key, 15);	/* wrong size */
	a.akey = span_make(key, 20);
	ck_assert_uint_eq(v2_sk_body_len(&a, 10), 0);
	ck_assert_int_eq(v2_sk_encrypt(&a, m, sizeof(m), HDR_LEN, key, 1), -EINVAL);
	ck_assert_int_eq(v2_sk_decrypt(&a, span_make(m, sizeof(m)), HDR_LEN, dec,
				       sizeof(dec), &dlen), -EINVAL);
	a.ekey = span_make(key, 16);
	a.integ = IKEV2_AUTH_NONE;	/* CBC needs integrity */
	ck_assert_uint_eq(v2_sk_body_len(&a, 10), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("v2_sk");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf, n = (int)(N_ENCR * N_INTEG);

	tcase_add_test(tc, gcm_known_answer);
	tcase_add_test(tc, cbc_known_answer);
	tcase_add_loop_test(tc, round_trip_all_combinations, 0, n);
	tcase_add_loop_test(tc, tampering_is_detected, 0, n);
	tcase_add_loop_test(tc, bad_padding_is_refused, 0, n);
	tcase_add_loop_test(tc, max_plain_fits, 0, n);
	tcase_add_loop_test(tc, garbage_never_decrypts, 0, n);
	tcase_add_test(tc, bad_alg_is_einval);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
