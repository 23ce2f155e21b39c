/* Key derivation fixtures for ike/keymat.c.  The expected bytes come from
 * test/tools/gen_crypto_vectors.py (Python hmac/hashlib, written from RFC
 * 7296 2.13-2.18 independently of the C code), stored in
 * test/crypto_vectors.h. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keymat.h"
#include "ike/v2.h"
#include "test/crypto_test.h"
#include "test/crypto_vectors.h"

#define SPI_I 0x0102030405060708ULL
#define SPI_R 0x1112131415161718ULL

static const struct ike_suite suite_a = {
	.encr = IKEV2_ENCR_AES_CBC, .encr_keylen = 256,
	.prf = IKEV2_PRF_HMAC_SHA2_256, .integ = IKEV2_AUTH_HMAC_SHA2_256_128,
	.dh = IKEV2_DH_MODP_2048,
};

static const struct ike_suite suite_b = {
	.encr = IKEV2_ENCR_AES_GCM_16, .encr_keylen = 128,
	.prf = IKEV2_PRF_HMAC_SHA2_384, .integ = IKEV2_AUTH_NONE,
	.dh = IKEV2_DH_CURVE25519,
};

/* Owned copies of the fixture inputs. */
struct fixture {
	uint8_t *ni, *nr, *gir;
	size_t ni_n, nr_n, gir_n;
};

static void fixture_load(struct fixture *f, const char *ni, const char *nr,
			 const char *gir)
{
	f->ni = hex(ni, &f->ni_n);
	f->nr = hex(nr, &f->nr_n);
	f->gir = hex(gir, &f->gir_n);
}

static void fixture_free(struct fixture *f)
{
	free(f->ni), free(f->nr), free(f->gir);
}

static void derive_a(struct ike_keys *k)
{
	struct fixture f;

	fixture_load(&f, kf_ni, kf_nr, kf_gir);
	ck_assert_int_eq(keymat_ike_init(k, &suite_a, span_make(f.gir, f.gir_n),
					 span_make(f.ni, f.ni_n), span_make(f.nr, f.nr_n),
					 SPI_I, SPI_R), 0);
	fixture_free(&f);
}

START_TEST(ike_sa_cbc_sha256)
{
	struct ike_keys k;

	derive_a(&k);
	ck_assert_uint_eq(k.prf_len, 32);
	ck_assert_uint_eq(k.a_len, 32);
	ck_assert_uint_eq(k.e_len, 32);
	ck_assert_hex(k.sk_d, k.prf_len, ka_sk_d);
	ck_assert_hex(k.sk_ai, k.a_len, ka_sk_ai);
	ck_assert_hex(k.sk_ar, k.a_len, ka_sk_ar);
	ck_assert_hex(k.sk_ei, k.e_len, ka_sk_ei);
	ck_assert_hex(k.sk_er, k.e_len, ka_sk_er);
	ck_assert_hex(k.sk_pi, k.prf_len, ka_sk_pi);
	ck_assert_hex(k.sk_pr, k.prf_len, ka_sk_pr);
	keymat_ike_wipe(&k);
	for (size_t i = 0; i < sizeof(k.sk_d); i++)
		ck_assert_uint_eq(k.sk_d[i], 0);
}
END_TEST

START_TEST(ike_sa_gcm_sha384)
{
	struct ike_keys k;
	struct fixture f;

	fixture_load(&f, kf_ni, kf_nr, kf_gir);
	ck_assert_int_eq(keymat_ike_init(&k, &suite_b, span_make(f.gir, f.gir_n),
					 span_make(f.ni, f.ni_n), span_make(f.nr, f.nr_n),
					 SPI_I, SPI_R), 0);
	fixture_free(&f);
	ck_assert_uint_eq(k.a_len, 0);
	ck_assert_uint_eq(k.e_len, 20);		/* 16 key + 4 salt */
	ck_assert_hex(k.sk_d, k.prf_len, kb_sk_d);
	ck_assert_hex(k.sk_ei, k.e_len, kb_sk_ei);
	ck_assert_hex(k.sk_er, k.e_len, kb_sk_er);
	ck_assert_hex(k.sk_pi, k.prf_len, kb_sk_pi);
	ck_assert_hex(k.sk_pr, k.prf_len, kb_sk_pr);
	keymat_ike_wipe(&k);
}
END_TEST

static void check_rekeyed(const struct ike_keys *k)
{
	ck_assert_hex(k->sk_d, k->prf_len, kr_sk_d);
	ck_assert_hex(k->sk_ei, k->e_len, kr_sk_ei);
	ck_assert_hex(k->sk_er, k->e_len, kr_sk_er);
	ck_assert_hex(k->sk_pi, k->prf_len, kr_sk_pi);
	ck_assert_hex(k->sk_pr, k->prf_len, kr_sk_pr);
}

START_TEST(ike_sa_rekey_uses_old_prf)
{
	struct ike_keys old, k;
	struct fixture f;

	derive_a(&old);
	fixture_load(&f, kr_ni, kr_nr, kr_gir);
	ck_assert_int_eq(keymat_ike_rekey(&k, &suite_b, &old, span_make(f.gir, f.gir_n),
					  span_make(f.ni, f.ni_n), span_make(f.nr, f.nr_n),
					  0x2122232425262728ULL, 0x3132333435363738ULL), 0);
	check_rekeyed(&k);
	/* In place: the new keys may overwrite the old struct. */
	ck_assert_int_eq(keymat_ike_rekey(&old, &suite_b, &old, span_make(f.gir, f.gir_n),
					  span_make(f.ni, f.ni_n), span_make(f.nr, f.nr_n),
					  0x2122232425262728ULL, 0x3132333435363738ULL), 0);
	check_rekeyed(&old);
	fixture_free(&f);
	keymat_ike_wipe(&k);
	keymat_ike_wipe(&old);
}
END_TEST

START_TEST(child_sa_without_pfs)
{
	static const struct child_suite cs = {
		.encr = IKEV2_ENCR_AES_CBC, .encr_keylen = 128,
		.integ = IKEV2_AUTH_HMAC_SHA1_96,
	};
	struct ike_keys ike;
	struct child_keys ck;
	struct fixture f;
	size_t n;
	uint8_t *km = hex(kc1_keymat, &n);

	derive_a(&ike);
	fixture_load(&f, kr_ni, kr_nr, kr_gir);
	ck_assert_int_eq(keymat_child(&ck, &cs, &ike, span_make(NULL, 0),
				      span_make(f.ni, f.ni_n), span_make(f.nr, f.nr_n)), 0);
	ck_assert_uint_eq(n, 72);
	ck_assert_uint_eq(ck.e_len, 16);
	ck_assert_uint_eq(ck.a_len, 20);
	/* RFC 7296 2.17: ei | ai | er | ar */
	ck_assert_mem_eq(ck.ei, km, 16);
	ck_assert_mem_eq(ck.ai, km + 16, 20);
	ck_assert_mem_eq(ck.er, km + 36, 16);
	ck_assert_mem_eq(ck.ar, km + 52, 20);
	free(km);
	fixture_free(&f);
	keymat_child_wipe(&ck);
	keymat_ike_wipe(&ike);
}
END_TEST

START_TEST(child_sa_gcm_with_pfs)
{
	static const struct child_suite cs = {
		.encr = IKEV2_ENCR_AES_GCM_16, .encr_keylen = 256,
		.integ = IKEV2_AUTH_NONE,
	};
	struct ike_keys ike;
	struct child_keys ck;
	struct fixture f;
	size_t n;
	uint8_t *km = hex(kc2_keymat, &n);

	derive_a(&ike);
	fixture_load(&f, kr_ni, kr_nr, kr_gir);
	ck_assert_int_eq(keymat_child(&ck, &cs, &ike, span_make(f.gir, f.gir_n),
				      span_make(f.ni, f.ni_n), span_make(f.nr, f.nr_n)), 0);
	ck_assert_uint_eq(ck.e_len, 36);
	ck_assert_uint_eq(ck.a_len, 0);
	ck_assert_mem_eq(ck.ei, km, 36);
	ck_assert_mem_eq(ck.er, km + 36, 36);
	free(km);
	fixture_free(&f);
	keymat_child_wipe(&ck);
	keymat_ike_wipe(&ike);
}
END_TEST

START_TEST(bad_suites_are_refused)
{
	struct ike_suite s = suite_b;
	struct child_suite cs = { .encr = IKEV2_ENCR_3DES, .encr_keylen = 128,
				  .integ = IKEV2_AUTH_HMAC_SHA1_96 };
	struct ike_keys k;
	struct child_keys ck;
	uint8_t x[32] = { 1 };
	struct span v = span_make(x, sizeof(x));

	s.integ = IKEV2_AUTH_HMAC_SHA1_96;	/* integ with AEAD */
	ck_assert(!keymat_ike_suite_ok(&s));
	ck_assert_int_eq(keymat_ike_init(&k, &s, v, v, v, 1, 2), -EINVAL);
	s = suite_a;
	s.integ = IKEV2_AUTH_NONE;		/* CBC without integ */
	ck_assert(!keymat_ike_suite_ok(&s));
	s = suite_a;
	s.prf = 4;				/* AES-XCBC: not offered */
	ck_assert_int_eq(keymat_ike_init(&k, &s, v, v, v, 1, 2), -EINVAL);
	s = suite_a;
	ck_assert_int_eq(keymat_ike_init(&k, &s, span_make(x, 0), v, v, 1, 2), -EINVAL);
	ck_assert(keymat_ike_suite_ok(&suite_a));
	derive_a(&k);
	ck_assert(!keymat_child_suite_ok(&cs));
	ck_assert_int_eq(keymat_child(&ck, &cs, &k, v, v, v), -EINVAL);
	cs.encr_keylen = 0;
	ck_assert_int_eq(keymat_child(&ck, &cs, &k, v, v, v), 0);
	ck_assert_uint_eq(ck.e_len, 24);
	keymat_ike_wipe(&k);
	keymat_child_wipe(&ck);
}
END_TEST

/* ---- PSK AUTH ---- */

struct auth_in {
	uint8_t *psk, *msg, *id, *nr, *auth;
	size_t psk_n, msg_n, id_n, nr_n, auth_n;
	struct ike_keys k;
};

static void auth_load(struct auth_in *a)
{
	a->psk = hex(pa_psk, &a->psk_n);
	a->msg = hex(pa_real_msg, &a->msg_n);
	a->id = hex(pa_id_body, &a->id_n);
	a->nr = hex(kf_nr, &a->nr_n);
	a->auth = hex(pa_auth, &a->auth_n);
	derive_a(&a->k);
}

static void auth_free(struct auth_in *a)
{
	free(a->psk), free(a->msg), free(a->id), free(a->nr), free(a->auth);
	keymat_ike_wipe(&a->k);
}

static int verify(struct auth_in *a, struct span psk, struct span auth)
{
	return keymat_psk_verify(IKEV2_PRF_HMAC_SHA2_256, psk,
				 span_make(a->msg, a->msg_n), span_make(a->nr, a->nr_n),
				 span_make(a->k.sk_pi, a->k.prf_len),
				 span_make(a->id, a->id_n), auth);
}

START_TEST(psk_auth_fixture)
{
	struct auth_in a;
	uint8_t out[CRYPTO_MAX_PRF];
	size_t len = 0;
	struct span psk, auth;

	auth_load(&a);
	psk = span_make(a.psk, a.psk_n);
	auth = span_make(a.auth, a.auth_n);
	ck_assert_int_eq(keymat_psk_auth(IKEV2_PRF_HMAC_SHA2_256, psk,
					 span_make(a.msg, a.msg_n), span_make(a.nr, a.nr_n),
					 span_make(a.k.sk_pi, a.k.prf_len),
					 span_make(a.id, a.id_n), out, &len), 0);
	ck_assert_hex(out, len, pa_auth);
	ck_assert_int_eq(verify(&a, psk, auth), 0);
	/* A flipped bit, a short or long AUTH, a wrong PSK: all refused. */
	a.auth[5] ^= 0x10;
	ck_assert_int_eq(verify(&a, psk, auth), -EBADMSG);
	a.auth[5] ^= 0x10;
	ck_assert_int_eq(verify(&a, psk, span_make(a.auth, a.auth_n - 1)), -EBADMSG);
	ck_assert_int_eq(verify(&a, psk, span_make(a.auth, 0)), -EBADMSG);
	ck_assert_int_eq(verify(&a, span_make(a.psk, a.psk_n - 1), auth), -EBADMSG);
	/* Signed with SK_pr instead of SK_pi: refused. */
	ck_assert_int_eq(keymat_psk_verify(IKEV2_PRF_HMAC_SHA2_256, psk,
					   span_make(a.msg, a.msg_n), span_make(a.nr, a.nr_n),
					   span_make(a.k.sk_pr, a.k.prf_len),
					   span_make(a.id, a.id_n), auth), -EBADMSG);
	auth_free(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keymat");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, ike_sa_cbc_sha256);
	tcase_add_test(tc, ike_sa_gcm_sha384);
	tcase_add_test(tc, ike_sa_rekey_uses_old_prf);
	tcase_add_test(tc, child_sa_without_pfs);
	tcase_add_test(tc, child_sa_gcm_with_pfs);
	tcase_add_test(tc, bad_suites_are_refused);
	tcase_add_test(tc, psk_auth_fixture);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
