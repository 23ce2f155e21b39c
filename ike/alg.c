/* The canonical table of algorithm names (configuration spelling). */
#include <stdio.h>
#include <string.h>

#include "alg.h"
#include "v2.h"

struct encr_name {
	const char *name;
	uint16_t id, keylen;
};

static const struct encr_name encr_names[] = {
	{ "aes256", IKEV2_ENCR_AES_CBC, 256 },
	{ "aes192", IKEV2_ENCR_AES_CBC, 192 },
	{ "aes128", IKEV2_ENCR_AES_CBC, 128 },
	{ "3des", IKEV2_ENCR_3DES, 0 },
	{ "des", IKEV2_ENCR_DES, 0 },
	{ "null", IKEV2_ENCR_NULL, 0 },
	{ "aes256gcm16", IKEV2_ENCR_AES_GCM_16, 256 },
	{ "aes192gcm16", IKEV2_ENCR_AES_GCM_16, 192 },
	{ "aes128gcm16", IKEV2_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm12", IKEV2_ENCR_AES_GCM_12, 256 },
	{ "aes128gcm12", IKEV2_ENCR_AES_GCM_12, 128 },
	{ "aes256gcm8", IKEV2_ENCR_AES_GCM_8, 256 },
	{ "aes128gcm8", IKEV2_ENCR_AES_GCM_8, 128 },
	{ "aes256ctr", IKEV2_ENCR_AES_CTR, 256 },
	{ "aes128ctr", IKEV2_ENCR_AES_CTR, 128 },
};

/* One hash name selects both the INTEG and the PRF transform. */
struct hash_name {
	const char *name;
	uint16_t integ, prf;
};

static const struct hash_name hash_names[] = {
	{ "sha256", IKEV2_AUTH_HMAC_SHA2_256_128, IKEV2_PRF_HMAC_SHA2_256 },
	{ "sha1", IKEV2_AUTH_HMAC_SHA1_96, IKEV2_PRF_HMAC_SHA1 },
	{ "sha384", IKEV2_AUTH_HMAC_SHA2_384_192, IKEV2_PRF_HMAC_SHA2_384 },
	{ "sha512", IKEV2_AUTH_HMAC_SHA2_512_256, IKEV2_PRF_HMAC_SHA2_512 },
	{ "md5", IKEV2_AUTH_HMAC_MD5_96, IKEV2_PRF_HMAC_MD5 },
};

struct dh_name {
	uint16_t id;
	const char *desc;
};

static const struct dh_name dh_names[] = {
	{ IKEV2_DH_MODP_768, "modp768" },
	{ IKEV2_DH_MODP_1024, "modp1024" },
	{ IKEV2_DH_MODP_1536, "modp1536" },
	{ IKEV2_DH_MODP_2048, "modp2048" },
	{ IKEV2_DH_MODP_3072, "modp3072" },
	{ IKEV2_DH_MODP_4096, "modp4096" },
	{ IKEV2_DH_ECP_256, "ecp256" },
	{ IKEV2_DH_ECP_384, "ecp384" },
	{ IKEV2_DH_ECP_521, "ecp521" },
	{ IKEV2_DH_CURVE25519, "curve25519" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct encr_name *encr_find(uint16_t id, uint16_t keylen)
{
	for (size_t i = 0; i < N(encr_names); i++)
		if (encr_names[i].id == id && encr_names[i].keylen == keylen)
			return &encr_names[i];
	return NULL;
}

const char *alg_encr_name(uint16_t id, uint16_t keylen, char buf[ALG_NAMELEN])
{
	const struct encr_name *e = encr_find(id, keylen);

	if (e)
		return e->name;
	if (keylen)
		snprintf(buf, ALG_NAMELEN, "encr-%u/%u", id, keylen);
	else
		snprintf(buf, ALG_NAMELEN, "encr-%u", id);
	return buf;
}

const char *alg_integ_name(uint16_t id, char buf[ALG_NAMELEN])
{
	if (id == IKEV2_AUTH_NONE)
		return "none";
	for (size_t i = 0; i < N(hash_names); i++)
		if (hash_names[i].integ == id)
			return hash_names[i].name;
	snprintf(buf, ALG_NAMELEN, "integ-%u", id);
	return buf;
}

const char *alg_prf_name(uint16_t id, char buf[ALG_NAMELEN])
{
	for (size_t i = 0; i < N(hash_names); i++)
		if (hash_names[i].prf == id)
			return hash_names[i].name;
	snprintf(buf, ALG_NAMELEN, "prf-%u", id);
	return buf;
}

const char *alg_dh_name(uint16_t id, char buf[ALG_NAMELEN])
{
	if (id == IKEV2_DH_NONE)
		return "none";
	snprintf(buf, ALG_NAMELEN, "%u", id);
	return buf;
}

const char *alg_dh_desc(uint16_t id)
{
	if (id == IKEV2_DH_NONE)
		return "none";
	for (size_t i = 0; i < N(dh_names); i++)
		if (dh_names[i].id == id)
			return dh_names[i].desc;
	return "unknown";
}

bool alg_encr_lookup(const char *name, uint16_t *id, uint16_t *keylen)
{
	for (size_t i = 0; i < N(encr_names); i++) {
		if (strcmp(encr_names[i].name, name) == 0) {
			*id = encr_names[i].id;
			*keylen = encr_names[i].keylen;
			return true;
		}
	}
	return false;
}

bool alg_integ_lookup(const char *name, uint16_t *integ, uint16_t *prf)
{
	for (size_t i = 0; i < N(hash_names); i++) {
		if (strcmp(hash_names[i].name, name) == 0) {
			*integ = hash_names[i].integ;
			*prf = hash_names[i].prf;
			return true;
		}
	}
	return false;
}

bool alg_dh_lookup(const char *name, uint16_t *id)
{
	if (strcmp(name, "none") == 0) {
		*id = IKEV2_DH_NONE;
		return true;
	}
	for (size_t i = 0; i < N(dh_names); i++) {
		char num[8];

		snprintf(num, sizeof(num), "%u", dh_names[i].id);
		if (strcmp(num, name) == 0 || strcmp(dh_names[i].desc, name) == 0) {
			*id = dh_names[i].id;
			return true;
		}
	}
	return false;
}

bool alg_encr_is_aead(uint16_t id)
{
	return id == IKEV2_ENCR_AES_GCM_8 || id == IKEV2_ENCR_AES_GCM_12 ||
	       id == IKEV2_ENCR_AES_GCM_16;
}

bool alg_encr_needs_keylen(uint16_t id)
{
	return id == IKEV2_ENCR_AES_CBC || id == IKEV2_ENCR_AES_CTR ||
	       alg_encr_is_aead(id);
}

bool alg_encr_known(uint16_t id, uint16_t keylen)
{
	return encr_find(id, keylen) != NULL;
}

bool alg_integ_known(uint16_t id)
{
	char buf[ALG_NAMELEN];

	return id != IKEV2_AUTH_NONE && alg_integ_name(id, buf) != buf;
}

bool alg_prf_known(uint16_t id)
{
	char buf[ALG_NAMELEN];

	return alg_prf_name(id, buf) != buf;
}

bool alg_dh_known(uint16_t id)
{
	return strcmp(alg_dh_desc(id), "unknown") != 0 && id != IKEV2_DH_NONE;
}
