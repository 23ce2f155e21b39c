/* Known answers for ike/crypto.c and ike/dh.c.
 *
 * HMAC, AES-CBC, GCM, DES/3DES, ECP and X25519 vectors are the published
 * ones (RFC 2202, 4231, 3602, 5903, 7748; NIST GCM spec; FIPS 46 / SP
 * 800-67).  MODP and prf+ expectations come from
 * test/tools/gen_crypto_vectors.py (Python, independent of this code),
 * kept in test/crypto_vectors.h.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/v2.h"
#include "test/crypto_test.h"
#include "test/crypto_vectors.h"

/* ---- HMAC / PRF ---- */

struct hmac_kat {
	uint16_t prf;
	const char *key;	/* hex */
	const char *data;	/* text */
	const char *mac;
};

#define K0B20 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
#define JEFE "4a656665"
#define TC6_DATA "Test Using Larger Than Block-Size Key - Hash Key First"

static const struct hmac_kat hmac_kats[] = {
	/* RFC 4231 test cases 1, 2, 6 */
	{ IKEV2_PRF_HMAC_SHA2_256, K0B20, "Hi There",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ IKEV2_PRF_HMAC_SHA2_256, JEFE, "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ IKEV2_PRF_HMAC_SHA2_256, NULL, TC6_DATA,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ IKEV2_PRF_HMAC_SHA2_384, K0B20, "Hi There",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ IKEV2_PRF_HMAC_SHA2_384, JEFE, "what do ya want for nothing?",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ IKEV2_PRF_HMAC_SHA2_384, NULL, TC6_DATA,
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952" },
	{ IKEV2_PRF_HMAC_SHA2_512, K0B20, "Hi There",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ IKEV2_PRF_HMAC_SHA2_512, JEFE, "what do ya want for nothing?",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ IKEV2_PRF_HMAC_SHA2_512, NULL, TC6_DATA,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	/* RFC 2202 test cases 1, 2 */
	{ IKEV2_PRF_HMAC_MD5, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	  "9294727a3638bb1c13f48ef8158bfc9d" },
	{ IKEV2_PRF_HMAC_MD5, JEFE, "what do ya want for nothing?",
	  "750c783e6ab0b503eaa86e310a5db738" },
	{ IKEV2_PRF_HMAC_SHA1, K0B20, "Hi There",
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ IKEV2_PRF_HMAC_SHA1, JEFE, "what do ya want for nothing?",
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
};

START_TEST(hmac_known_answers)
{
	const struct hmac_kat *t = &hmac_kats[_i];
	uint8_t aa[131], out[CRYPTO_MAX_PRF], *key;
	size_t klen;
	struct span data = span_make(t->data, strlen(t->data));

	if (t->key != NULL) {
		key = hex(t->key, &klen);
	} else {	/* RFC 4231 TC6: 131 bytes of 0xaa */
		memset(aa, 0xaa, sizeof(aa));
		key = malloc(sizeof(aa));
		memcpy(key, aa, sizeof(aa));
		klen = sizeof(aa);
	}
	ck_assert_int_eq(crypto_prf(t->prf, span_make(key, klen), &data, 1, out), 0);
	ck_assert_hex(out, crypto_prf_len(t->prf), t->mac);
	free(key);
}
END_TEST

START_TEST(prf_split_input_equals_whole)
{
	static const char msg[] = "what do ya want for nothing?";
	struct span parts[3] = {
		span_make(msg, 4), span_make(msg + 4, 0), span_make(msg + 4, sizeof(msg) - 5),
	};
	uint8_t out[32];

	ck_assert_int_eq(crypto_prf(IKEV2_PRF_HMAC_SHA2_256, span_make("Jefe", 4),
				    parts, 3, out), 0);
	ck_assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(integ_truncates)
{
	uint8_t key[32], out[CRYPTO_MAX_ICV];
	struct span d = span_make("what do ya want for nothing?", 28);

	/* The key must be exactly the digest size for IKE integrity. */
	memset(key, 0x0b, sizeof(key));
	ck_assert_int_eq(crypto_integ(IKEV2_AUTH_HMAC_SHA2_256_128, span_make(key, 31), d, out),
			 -EINVAL);
	memset(key, 0, sizeof(key));
	memcpy(key, "Jefe", 4);
	ck_assert_int_eq(crypto_integ(IKEV2_AUTH_HMAC_SHA2_256_128, span_make(key, 32), d, out), 0);
	ck_assert_uint_eq(crypto_integ_icv_len(IKEV2_AUTH_HMAC_SHA2_256_128), 16);
	/* HMAC pads a short key with zeros: Jefe + 28 zero bytes == Jefe. */
	ck_assert_hex(out, 16, "5bdcc146bf60754e6a042426089575c7");
	ck_assert_int_eq(crypto_integ(IKEV2_AUTH_HMAC_SHA1_96, span_make(key, 20), d, out), 0);
	ck_assert_hex(out, 12, "effcdf6ae5eb2fa2d27416d5");
}
END_TEST

START_TEST(prf_plus_matches_python)
{
	uint8_t key[32], out[100];
	struct span seed = span_make("prf+ seed: Ni | Nr | SPIi | SPIr", 32);

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i + 1);
	ck_assert_int_eq(crypto_prf_plus(IKEV2_PRF_HMAC_SHA2_256, span_make(key, 32),
					 &seed, 1, out, sizeof(out)), 0);
	ck_assert_hex(out, sizeof(out), prfplus_sha256);
	/* More than 255 blocks is not defined. */
	ck_assert_int_eq(crypto_prf_plus(IKEV2_PRF_HMAC_SHA2_256, span_make(key, 32),
					 &seed, 1, out, 255 * 32 + 1), -EINVAL);
	ck_assert_int_eq(crypto_prf(999, span_make(key, 32), &seed, 1, out), -EINVAL);
}
END_TEST

START_TEST(sha1_fips180)
{
	struct span d[2] = { span_make("a", 1), span_make("bc", 2) };
	uint8_t out[20];

	ck_assert_int_eq(crypto_sha1(d, 2, out), 0);
	ck_assert_hex(out, 20, "a9993e364706816aba3e25717850c26c9cd0d89d");
}
END_TEST

/* ---- lookups ---- */

START_TEST(lookup_tables)
{
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_CBC, 128), 16);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_CBC, 192), 24);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_CBC, 256), 32);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_CBC, 0), 0);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_CBC, 512), 0);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_GCM_16, 128), 20);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_GCM_16, 256), 36);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_3DES, 0), 24);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_3DES, 192), 0);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_DES, 0), 8);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_AES_GCM_8, 128), 0);
	ck_assert_uint_eq(crypto_encr_key_len(IKEV2_ENCR_NULL, 0), 0);
	ck_assert_uint_eq(crypto_encr_iv_len(IKEV2_ENCR_AES_GCM_16), 8);
	ck_assert_uint_eq(crypto_encr_iv_len(IKEV2_ENCR_AES_CBC), 16);
	ck_assert_uint_eq(crypto_encr_block_len(IKEV2_ENCR_3DES), 8);
	ck_assert_uint_eq(crypto_encr_icv_len(IKEV2_ENCR_AES_GCM_16), 16);
	ck_assert_uint_eq(crypto_encr_salt_len(IKEV2_ENCR_AES_GCM_16), 4);
	ck_assert(crypto_encr_is_aead(IKEV2_ENCR_AES_GCM_16));
	ck_assert(!crypto_encr_is_aead(IKEV2_ENCR_AES_CBC));
	ck_assert_uint_eq(crypto_integ_key_len(IKEV2_AUTH_HMAC_SHA2_512_256), 64);
	ck_assert_uint_eq(crypto_integ_icv_len(IKEV2_AUTH_HMAC_SHA2_512_256), 32);
	ck_assert_uint_eq(crypto_integ_icv_len(IKEV2_AUTH_HMAC_SHA2_384_192), 24);
	ck_assert_uint_eq(crypto_integ_icv_len(IKEV2_AUTH_HMAC_MD5_96), 12);
	ck_assert_uint_eq(crypto_integ_key_len(IKEV2_AUTH_HMAC_MD5_96), 16);
	ck_assert_uint_eq(crypto_integ_key_len(IKEV2_AUTH_NONE), 0);
	ck_assert_uint_eq(crypto_prf_len(IKEV2_PRF_HMAC_SHA1), 20);
	ck_assert_uint_eq(crypto_prf_len(IKEV2_PRF_HMAC_SHA2_384), 48);
	ck_assert_uint_eq(crypto_prf_len(4 /* AES128_XCBC */), 0);
	/* RFC 3526/2409 sizes, RFC 5903 x|y, RFC 8031 */
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_MODP_768), 96);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_MODP_1024), 128);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_MODP_1536), 192);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_MODP_2048), 256);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_MODP_3072), 384);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_MODP_4096), 512);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_ECP_256), 64);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_ECP_384), 96);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_ECP_521), 132);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_CURVE25519), 32);
	ck_assert_uint_eq(dh_secret_len(IKEV2_DH_ECP_521), 66);
	ck_assert_uint_eq(dh_pub_len(IKEV2_DH_NONE), 0);
	ck_assert_uint_eq(dh_pub_len(18 /* MODP-8192: not offered */), 0);
	ck_assert_uint_eq(dh_pub_len(1025), 0);
	ck_assert_ptr_null(dh_new(1025));
}
END_TEST

/* ---- ciphers ---- */

static void cbc_kat(uint16_t encr, const char *k, const char *iv_hex,
		    const char *pt, const char *ct)
{
	size_t kl, ivl, pl, cl;
	uint8_t *key = hex(k, &kl), *iv = hex(iv_hex, &ivl), *p = hex(pt, &pl);
	uint8_t *c = hex(ct, &cl), out[64];

	ck_assert_uint_le(pl, sizeof(out));
	ck_assert_int_eq(crypto_cbc(encr, span_make(key, kl), iv, p, pl, out, true), 0);
	ck_assert_mem_eq(out, c, cl);
	/* in place, decrypting */
	ck_assert_int_eq(crypto_cbc(encr, span_make(key, kl), iv, out, pl, out, false), 0);
	ck_assert_mem_eq(out, p, pl);
	free(key), free(iv), free(p), free(c);
}

START_TEST(aes_cbc_rfc3602)
{
	/* RFC 3602 section 4, cases 1 and 2 */
	cbc_kat(IKEV2_ENCR_AES_CBC, "06a9214036b8a15b512e03d534120006",
		"3dafba429d9eb430b422da802c9fac41",
		"53696e676c6520626c6f636b206d7367",	/* "Single block msg" */
		"e353779c1079aeb82708942dbe77181a");
	cbc_kat(IKEV2_ENCR_AES_CBC, "c286696d887c9aa0611bbb3e2025a45a",
		"562e17996d093d28ddb3ba695a2e6f58",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1");
}
END_TEST

START_TEST(des_3des)
{
	uint8_t out[16], key[24];

	/* The classic DES example (key 133457799BBCDFF1): one CBC block with
	 * a zero IV is ECB. */
	cbc_kat(IKEV2_ENCR_DES, "133457799bbcdff1", "0000000000000000",
		"0123456789abcdef", "85e813540f0ab405");
	/* 3DES with K1 = K2 = K3 degenerates to single DES. */
	cbc_kat(IKEV2_ENCR_3DES, "133457799bbcdff1133457799bbcdff1133457799bbcdff1",
		"0000000000000000", "0123456789abcdef", "85e813540f0ab405");
	/* NIST SP 800-67 example, first block ("The qufc"). */
	cbc_kat(IKEV2_ENCR_3DES, "0123456789abcdef23456789abcdef01456789abcdef0123",
		"0000000000000000", "5468652071756663", "a826fd8ce53b855f");
	/* Not block aligned, wrong key size */
	memset(key, 1, sizeof(key));
	ck_assert_int_eq(crypto_cbc(IKEV2_ENCR_3DES, span_make(key, 24), key, out, 12,
				    out, true), -EINVAL);
	ck_assert_int_eq(crypto_cbc(IKEV2_ENCR_3DES, span_make(key, 16), key, out, 8,
				    out, true), -EINVAL);
}
END_TEST

struct gcm_kat {
	const char *k, *iv, *p, *a, *c, *t;
};

#define GCM_P "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
static const struct gcm_kat gcm_kats[] = {
	/* "The Galois/Counter Mode of Operation (GCM)", test cases 4 and 16 */
	{ "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", GCM_P,
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888", GCM_P,
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

START_TEST(aes_gcm_known_answers)
{
	const struct gcm_kat *t = &gcm_kats[_i];
	size_t kl, nl, pl, al, cl, tl;
	uint8_t *k = hex(t->k, &kl), *n = hex(t->iv, &nl), *p = hex(t->p, &pl);
	uint8_t *a = hex(t->a, &al), *c = hex(t->c, &cl), *tag = hex(t->t, &tl);
	uint8_t out[64], got_tag[16];

	ck_assert_int_eq(crypto_gcm_seal(span_make(k, kl), n, span_make(a, al), p, pl,
					 out, got_tag), 0);
	ck_assert_mem_eq(out, c, cl);
	ck_assert_mem_eq(got_tag, tag, 16);
	ck_assert_int_eq(crypto_gcm_open(span_make(k, kl), n, span_make(a, al), c, cl,
					 out, tag), 0);
	ck_assert_mem_eq(out, p, pl);
	/* Any change to AAD, ciphertext or tag fails. */
	a[0] ^= 1;
	ck_assert_int_eq(crypto_gcm_open(span_make(k, kl), n, span_make(a, al), c, cl,
					 out, tag), -EBADMSG);
	a[0] ^= 1;
	c[cl - 1] ^= 0x80;
	ck_assert_int_eq(crypto_gcm_open(span_make(k, kl), n, span_make(a, al), c, cl,
					 out, tag), -EBADMSG);
	c[cl - 1] ^= 0x80;
	tag[15] ^= 1;
	ck_assert_int_eq(crypto_gcm_open(span_make(k, kl), n, span_make(a, al), c, cl,
					 out, tag), -EBADMSG);
	free(k), free(n), free(p), free(a), free(c), free(tag);
}
END_TEST

/* ---- RNG hook ---- */

START_TEST(rng_hook)
{
	uint8_t v = 0x42, a[8], b[8];

	crypto_set_rng(rng_fill_byte, &v);
	crypto_random(a, sizeof(a));
	ck_assert_hex(a, 8, "4242424242424242");
	crypto_set_rng(NULL, NULL);
	crypto_random(a, sizeof(a));
	crypto_random(b, sizeof(b));
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
}
END_TEST

/* ---- Diffie-Hellman ---- */

static struct dh *dh_hex(uint16_t group, const char *priv)
{
	size_t n;
	uint8_t *p = hex(priv, &n);
	struct dh *dh = dh_new_private(group, span_make(p, n));

	free(p);
	ck_assert_ptr_nonnull(dh);
	return dh;
}

static void derive_expect(struct dh *dh, const char *peer_hex, const char *want)
{
	uint8_t secret[CRYPTO_MAX_DH_SECRET], *peer;
	size_t n, len;

	peer = hex(peer_hex, &n);
	ck_assert_int_eq(dh_derive(dh, span_make(peer, n), secret, &len), 0);
	ck_assert_hex(secret, len, want);
	free(peer);
}

START_TEST(x25519_rfc7748)
{
	struct dh *a = dh_hex(IKEV2_DH_CURVE25519,
		"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	struct dh *b = dh_hex(IKEV2_DH_CURVE25519,
		"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	const char *k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

	ck_assert_hex(dh_public(a).p, dh_public(a).n,
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	ck_assert_hex(dh_public(b).p, dh_public(b).n,
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	derive_expect(a, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", k);
	derive_expect(b, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", k);
	dh_free(a);
	dh_free(b);
}
END_TEST

START_TEST(x25519_rejects_low_order_and_length)
{
	struct dh *a = dh_new(IKEV2_DH_CURVE25519);
	uint8_t zero[32] = { 0 }, one[32] = { 1 }, secret[32], *p;
	size_t len = 99, n;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(dh_derive(a, span_make(zero, 32), secret, &len), -EINVAL);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(dh_derive(a, span_make(one, 32), secret, &len), -EINVAL);
	/* A point of order 8 (from the Curve25519 blacklist). */
	p = hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", &n);
	ck_assert_int_eq(dh_derive(a, span_make(p, n), secret, &len), -EINVAL);
	ck_assert_int_eq(dh_derive(a, span_make(p, 31), secret, &len), -EINVAL);
	ck_assert_int_eq(dh_derive(a, span_make(p, 0), secret, &len), -EINVAL);
	free(p);
	dh_free(a);
}
END_TEST

struct ecp_kat {
	uint16_t group;
	const char *i, *gix, *giy, *r, *grx, *gry, *girx;
};

/* RFC 5903 sections 8.1, 8.2, 8.3 */
static const struct ecp_kat ecp_kats[] = {
	{ IKEV2_DH_ECP_256,
	  "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
	  "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
	  "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
	  "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
	  "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
	  "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
	  "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE" },
	{ IKEV2_DH_ECP_384,
	  "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
	  "E35B5380 41E649EE 3FAEF896 783AB194",
	  "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
	  "DE3AC808 ACB4BDB4 C88732AE E95F41AA",
	  "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E"
	  "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
	  "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
	  "E0308312 916B8ED2 960E4BD5 5A7448FC",
	  "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
	  "0D1AC43A 0336DEF9 6FDA41D0 774A3571",
	  "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF"
	  "F83FA401 42209DFF 5EAAD96D B9E6386C",
	  "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
	  "D6031355 69B9E9D0 9CF5D4A2 70F59746" },
	{ IKEV2_DH_ECP_521,
	  "0037ADE9 319A89F4 DABDB3EF 411AACCC A5123C61 ACAB57B5 393DCE47 608172A0"
	  "95AA85A3 0FE1C295 2C6771D9 37BA9777 F5957B26 39BAB072 462F68C2 7A57382D 4A52",
	  "0015417E 84DBF28C 0AD3C278 713349DC 7DF153C8 97A1891B D98BAB43 57C9ECBE"
	  "E1E3BF42 E00B8E38 0AEAE57C 2D107564 94188594 2AF5A7F4 601723C4 195D176C ED3E",
	  "017CAE20 B6641D2E EB695786 D8C94614 6239D099 E18E1D5A 514C739D 7CB4A10A"
	  "D8A78801 5AC405D7 799DC75E 7B7D5B6C F2261A6A 7F150743 8BF01BEB 6CA3926F 9582",
	  "0145BA99 A847AF43 793FDD0E 872E7CDF A16BE30F DC780F97 BCCC3F07 8380201E"
	  "9C677D60 0B343757 A3BDBF2A 3163E4C2 F869CCA7 458AA4A4 EFFC311F 5CB15168 5EB9",
	  "00D0B397 5AC4B799 F5BEA16D 5E13E9AF 971D5E9B 984C9F39 728B5E57 39735A21"
	  "9B97C356 436ADC6E 95BB0352 F6BE64A6 C2912D4E F2D0433C ED2B6171 640012D9 460F",
	  "015C6822 6383956E 3BD066E7 97B623C2 7CE0EAC2 F551A10C 2C724D98 52077B87"
	  "220B6536 C5C408A1 D2AEBB8E 86D678AE 49CB5709 1F473229 6579AB44 FCD17F0F C56A",
	  "01144C7D 79AE6956 BC8EDB8E 7C787C45 21CB086F A64407F9 7894E5E6 B2D79B04"
	  "D1427E73 CA4BAA24 0A347868 59810C06 B3C715A3 A8CC3151 F2BEE417 996D19F3 DDEA" },
};

static char *cat(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	ck_assert_ptr_nonnull(s);
	strcpy(s, a);
	strcat(s, b);
	return s;
}

START_TEST(ecp_rfc5903)
{
	const struct ecp_kat *t = &ecp_kats[_i];
	struct dh *i = dh_hex(t->group, t->i), *r = dh_hex(t->group, t->r);
	char *gi = cat(t->gix, t->giy), *gr = cat(t->grx, t->gry);

	/* KE data is x | y without the 0x04 point format byte. */
	ck_assert_hex(dh_public(i).p, dh_public(i).n, gi);
	ck_assert_hex(dh_public(r).p, dh_public(r).n, gr);
	derive_expect(i, gr, t->girx);
	derive_expect(r, gi, t->girx);
	free(gi), free(gr);
	dh_free(i);
	dh_free(r);
}
END_TEST

START_TEST(ecp_rejects_bad_points)
{
	struct dh *a = dh_new(IKEV2_DH_ECP_256);
	uint8_t peer[65], secret[32];
	struct span pub;
	size_t len;

	ck_assert_ptr_nonnull(a);
	pub = dh_public(a);
	memcpy(peer, pub.p, 64);
	ck_assert_int_eq(dh_derive(a, span_make(peer, 64), secret, &len), 0);
	/* off the curve */
	peer[63] ^= 1;
	ck_assert_int_eq(dh_derive(a, span_make(peer, 64), secret, &len), -EINVAL);
	/* the point at infinity has no affine encoding; all zero is off curve */
	memset(peer, 0, sizeof(peer));
	ck_assert_int_eq(dh_derive(a, span_make(peer, 64), secret, &len), -EINVAL);
	/* coordinates >= p */
	memset(peer, 0xff, sizeof(peer));
	ck_assert_int_eq(dh_derive(a, span_make(peer, 64), secret, &len), -EINVAL);
	/* with the 0x04 prefix: wrong length */
	peer[0] = 4;
	memcpy(peer + 1, pub.p, 64);
	ck_assert_int_eq(dh_derive(a, span_make(peer, 65), secret, &len), -EINVAL);
	ck_assert_int_eq(dh_derive(a, span_make(peer + 1, 63), secret, &len), -EINVAL);
	/* a private key of 0 or >= n is refused */
	memset(peer, 0, 32);
	ck_assert_ptr_null(dh_new_private(IKEV2_DH_ECP_256, span_make(peer, 32)));
	memset(peer, 0xff, 32);
	ck_assert_ptr_null(dh_new_private(IKEV2_DH_ECP_256, span_make(peer, 32)));
	dh_free(a);
}
END_TEST

struct modp_kat {
	uint16_t group;
	const char *p, *pub_a, *pub_b, *shared;
};

#define MODP_KAT(g) { g, modp##g##_p, modp##g##_pub_a, modp##g##_pub_b, modp##g##_shared }
static const struct modp_kat modp_kats[] = {
	MODP_KAT(1), MODP_KAT(2), MODP_KAT(5), MODP_KAT(14), MODP_KAT(15), MODP_KAT(16),
};

START_TEST(modp_known_answers)
{
	const struct modp_kat *t = &modp_kats[_i];
	struct dh *a = dh_hex(t->group, modp_xa), *b = dh_hex(t->group, modp_xb);

	/* g^xa with the RFC prime rebuilt in Python: proves p and g. */
	ck_assert_hex(dh_public(a).p, dh_public(a).n, t->pub_a);
	ck_assert_hex(dh_public(b).p, dh_public(b).n, t->pub_b);
	derive_expect(a, t->pub_b, t->shared);
	derive_expect(b, t->pub_a, t->shared);
	dh_free(a);
	dh_free(b);
}
END_TEST

/* y in {0, 1, p-1, p, >p} and wrong lengths are refused (RFC 6989). */
static void modp_reject(uint16_t group, const char *p_hex)
{
	struct dh *a = dh_new(group);
	uint8_t secret[CRYPTO_MAX_DH_SECRET], *p, y[CRYPTO_MAX_DH_PUB];
	size_t n, len;

	ck_assert_ptr_nonnull(a);
	p = hex(p_hex, &n);
	ck_assert_uint_eq(n, dh_pub_len(group));
	memset(y, 0, n);
	ck_assert_int_eq(dh_derive(a, span_make(y, n), secret, &len), -EINVAL);
	y[n - 1] = 1;
	ck_assert_int_eq(dh_derive(a, span_make(y, n), secret, &len), -EINVAL);
	y[n - 1] = 2;		/* the generator: valid */
	ck_assert_int_eq(dh_derive(a, span_make(y, n), secret, &len), 0);
	ck_assert_uint_eq(len, n);
	memcpy(y, p, n);	/* p */
	ck_assert_int_eq(dh_derive(a, span_make(y, n), secret, &len), -EINVAL);
	y[n - 1] -= 1;		/* p - 1 (p ends in 0xff) */
	ck_assert_int_eq(dh_derive(a, span_make(y, n), secret, &len), -EINVAL);
	y[n - 1] -= 1;		/* p - 2: the largest valid value */
	ck_assert_int_eq(dh_derive(a, span_make(y, n), secret, &len), 0);
	memset(y, 0xff, n);	/* > p */
	ck_assert_int_eq(dh_derive(a, span_make(y, n), secret, &len), -EINVAL);
	y[n - 1] = 2;
	ck_assert_int_eq(dh_derive(a, span_make(y, n - 1), secret, &len), -EINVAL);
	ck_assert_int_eq(dh_derive(a, span_make(y, n + 1), secret, &len), -EINVAL);
	free(p);
	dh_free(a);
}

START_TEST(modp_rejects)
{
	modp_reject(IKEV2_DH_MODP_768, modp1_p);
	modp_reject(IKEV2_DH_MODP_2048, modp14_p);
}
END_TEST

START_TEST(dh_round_trip_all_groups)
{
	static const uint16_t groups[] = {
		1, 2, 5, 14, 15, 16, 19, 20, 21, 31,
	};
	uint16_t g = groups[_i];
	struct dh *a = dh_new(g), *b = dh_new(g);
	uint8_t s1[CRYPTO_MAX_DH_SECRET], s2[CRYPTO_MAX_DH_SECRET];
	size_t l1, l2;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(dh_group(a), g);
	ck_assert_uint_eq(dh_public(a).n, dh_pub_len(g));
	ck_assert(memcmp(dh_public(a).p, dh_public(b).p, dh_public(a).n) != 0);
	ck_assert_int_eq(dh_derive(a, dh_public(b), s1, &l1), 0);
	ck_assert_int_eq(dh_derive(b, dh_public(a), s2, &l2), 0);
	ck_assert_uint_eq(l1, dh_secret_len(g));
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(s1, s2, l1);
	/* OpenSSL's fully validating path agrees. */
	ck_assert_int_eq(dh_derive_openssl_checked(a, dh_public(b), s2, &l2), 0);
	ck_assert_mem_eq(s1, s2, l1);
	dh_free(a);
	dh_free(b);
}
END_TEST

/* Random peer values of the right length: accepted or -EINVAL, no crash. */
START_TEST(dh_garbage_peer)
{
	static const uint16_t groups[] = { 1, 14, 19, 20, 21, 31 };
	struct dh *a = dh_new(groups[_i]);
	uint8_t y[CRYPTO_MAX_DH_PUB], secret[CRYPTO_MAX_DH_SECRET];
	uint32_t ctr = 99;
	size_t len, n = dh_pub_len(groups[_i]);

	ck_assert_ptr_nonnull(a);
	for (int i = 0; i < 20; i++) {
		int rc;

		rng_counter(y, n, &ctr);
		rc = dh_derive(a, span_make(y, n), secret, &len);
		ck_assert(rc == 0 || rc == -EINVAL);
		/* random x|y is (almost surely) not an ECP point */
		if (groups[_i] >= 19 && groups[_i] <= 21)
			ck_assert_int_eq(rc, -EINVAL);
	}
	dh_free(a);
}
END_TEST

START_TEST(dh_new_is_deterministic_under_rng_hook)
{
	uint32_t ctr = 7;
	struct dh *a, *b;
	uint16_t g = _i == 0 ? IKEV2_DH_ECP_256 : _i == 1 ? IKEV2_DH_MODP_2048 :
		     IKEV2_DH_CURVE25519;

	crypto_set_rng(rng_counter, &ctr);
	a = dh_new(g);
	ctr = 7;
	b = dh_new(g);
	crypto_set_rng(NULL, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_mem_eq(dh_public(a).p, dh_public(b).p, dh_public(a).n);
	dh_free(a);
	dh_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, hmac_known_answers, 0,
			    sizeof(hmac_kats) / sizeof(hmac_kats[0]));
	tcase_add_test(tc, prf_split_input_equals_whole);
	tcase_add_test(tc, integ_truncates);
	tcase_add_test(tc, prf_plus_matches_python);
	tcase_add_test(tc, sha1_fips180);
	tcase_add_test(tc, lookup_tables);
	tcase_add_test(tc, aes_cbc_rfc3602);
	tcase_add_test(tc, des_3des);
	tcase_add_loop_test(tc, aes_gcm_known_answers, 0, 2);
	tcase_add_test(tc, rng_hook);
	tcase_add_test(tc, x25519_rfc7748);
	tcase_add_test(tc, x25519_rejects_low_order_and_length);
	tcase_add_loop_test(tc, ecp_rfc5903, 0, 3);
	tcase_add_test(tc, ecp_rejects_bad_points);
	tcase_add_loop_test(tc, modp_known_answers, 0, 6);
	tcase_add_test(tc, modp_rejects);
	tcase_add_loop_test(tc, dh_round_trip_all_groups, 0, 10);
	tcase_add_loop_test(tc, dh_new_is_deterministic_under_rng_hook, 0, 3);
	tcase_add_loop_test(tc, dh_garbage_peer, 0, 6);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
