/* Algorithm name tables.  The order is the order of the console's list
 * (default first), which is also the order "allowed:" messages show. */
#include <stddef.h>

#include "conf_alg.h"
#include "v2.h"

#define RISK_DES "DES has a 56-bit key that can be brute-forced; use aes256 " \
	"if the peer allows"
#define RISK_3DES "3DES has a 64-bit block (Sweet32: recoverable plaintext " \
	"after some GiB under one key); use aes256 if the peer allows"
#define RISK_MD5 "MD5 is a broken hash, kept only for old peers; " \
	"use sha256 if the peer allows"
#define RISK_MODP "is a small MODP group (Logjam: breakable by a well-funded " \
	"attacker); use 14 or 19 if the peer allows"
#define RISK_NULL "null encryption sends traffic in the clear (integrity only)"

#define ENCR_COMMON \
	{ "aes256", IKEV2_ENCR_AES_CBC, 256, NULL }, \
	{ "aes192", IKEV2_ENCR_AES_CBC, 192, NULL }, \
	{ "aes128", IKEV2_ENCR_AES_CBC, 128, NULL }, \
	{ "3des", IKEV2_ENCR_3DES, 0, RISK_3DES }, \
	{ "des", IKEV2_ENCR_DES, 0, RISK_DES }, \
	{ "aes128gcm16", IKEV2_ENCR_AES_GCM_16, 128, NULL }, \
	{ "aes256gcm16", IKEV2_ENCR_AES_GCM_16, 256, NULL }

static const struct alg ike_encr[] = { ENCR_COMMON };
static const struct alg esp_encr[] = {
	ENCR_COMMON,
	{ "null", IKEV2_ENCR_NULL, 0, RISK_NULL },
};

static const struct alg integ[] = {
	{ "sha256", IKEV2_AUTH_HMAC_SHA2_256_128, IKEV2_PRF_HMAC_SHA2_256, NULL },
	{ "sha1", IKEV2_AUTH_HMAC_SHA1_96, IKEV2_PRF_HMAC_SHA1, NULL },
	{ "sha384", IKEV2_AUTH_HMAC_SHA2_384_192, IKEV2_PRF_HMAC_SHA2_384, NULL },
	{ "sha512", IKEV2_AUTH_HMAC_SHA2_512_256, IKEV2_PRF_HMAC_SHA2_512, NULL },
	{ "md5", IKEV2_AUTH_HMAC_MD5_96, IKEV2_PRF_HMAC_MD5, RISK_MD5 },
};

#define DH_COMMON \
	{ "14", IKEV2_DH_MODP_2048, 0, NULL }, \
	{ "1", IKEV2_DH_MODP_768, 0, "group 1 (768-bit) " RISK_MODP }, \
	{ "2", IKEV2_DH_MODP_1024, 0, "group 2 (1024-bit) " RISK_MODP }, \
	{ "5", IKEV2_DH_MODP_1536, 0, "group 5 (1536-bit) " RISK_MODP }, \
	{ "15", IKEV2_DH_MODP_3072, 0, NULL }, \
	{ "16", IKEV2_DH_MODP_4096, 0, NULL }, \
	{ "19", IKEV2_DH_ECP_256, 0, NULL }, \
	{ "20", IKEV2_DH_ECP_384, 0, NULL }, \
	{ "21", IKEV2_DH_ECP_521, 0, NULL }, \
	{ "31", IKEV2_DH_CURVE25519, 0, NULL }

static const struct alg dh[] = { DH_COMMON };
static const struct alg pfs[] = {
	DH_COMMON,
	{ "none", IKEV2_DH_NONE, 0, NULL },
};

#define SET(t, noun) { t, sizeof(t) / sizeof(t[0]), noun }
const struct alg_set conf_alg_ike_encr = SET(ike_encr, "algorithm");
const struct alg_set conf_alg_esp_encr = SET(esp_encr, "algorithm");
const struct alg_set conf_alg_integ = SET(integ, "algorithm");
const struct alg_set conf_alg_dh = SET(dh, "group");
const struct alg_set conf_alg_pfs = SET(pfs, "group");

const char *conf_alg_name(const struct alg_set *set, uint16_t id, uint16_t aux)
{
	for (unsigned i = 0; i < set->n; i++)
		if (set->a[i].id == id && set->a[i].aux == aux)
			return set->a[i].name;
	return "?";
}
