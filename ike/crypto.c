/* EVP facade: algorithm tables, PRF/HMAC, CBC and GCM, RNG hook.
 *
 * Every EVP_CIPHER and HMAC template is fetched once (DESIGN.md,
 * "Performance notes": a fetch per call costs more than the MAC itself).
 * HMAC calls duplicate a per-digest template context and key it.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <sodium.h>

#include "crypto.h"
#include "v2.h"

/* ---- tables ---- */

struct cipher_ent {
	uint16_t encr;
	uint16_t bits;		/* Key Length attribute, 0 = none allowed */
	const char *ossl;	/* OpenSSL name */
	EVP_CIPHER *c;		/* fetched in crypto_init(); NULL = unavailable */
};

static struct cipher_ent ciphers[] = {
	{ IKEV2_ENCR_AES_CBC, 128, "AES-128-CBC", NULL },
	{ IKEV2_ENCR_AES_CBC, 192, "AES-192-CBC", NULL },
	{ IKEV2_ENCR_AES_CBC, 256, "AES-256-CBC", NULL },
	{ IKEV2_ENCR_AES_GCM_16, 128, "AES-128-GCM", NULL },
	{ IKEV2_ENCR_AES_GCM_16, 192, "AES-192-GCM", NULL },
	{ IKEV2_ENCR_AES_GCM_16, 256, "AES-256-GCM", NULL },
	{ IKEV2_ENCR_3DES, 0, "DES-EDE3-CBC", NULL },
	{ IKEV2_ENCR_DES, 0, "DES-CBC", NULL },	/* legacy provider */
};

enum { MD_MD5, MD_SHA1, MD_SHA256, MD_SHA384, MD_SHA512, MD_COUNT };

static const struct {
	const char *name;
	size_t len;
} digests[MD_COUNT] = {
	[MD_MD5] = { "MD5", 16 },
	[MD_SHA1] = { "SHA1", 20 },
	[MD_SHA256] = { "SHA256", 32 },
	[MD_SHA384] = { "SHA384", 48 },
	[MD_SHA512] = { "SHA512", 64 },
};

static EVP_MAC *hmac;
static EVP_MD *sha1;
static EVP_MAC_CTX *hmac_tmpl[MD_COUNT];	/* digest set, no key */
static bool inited;

static const struct {
	uint16_t id;
	int md;
	const char *name;
} prfs[] = {
	{ IKEV2_PRF_HMAC_MD5, MD_MD5, "PRF_HMAC_MD5" },
	{ IKEV2_PRF_HMAC_SHA1, MD_SHA1, "PRF_HMAC_SHA1" },
	{ IKEV2_PRF_HMAC_SHA2_256, MD_SHA256, "PRF_HMAC_SHA2_256" },
	{ IKEV2_PRF_HMAC_SHA2_384, MD_SHA384, "PRF_HMAC_SHA2_384" },
	{ IKEV2_PRF_HMAC_SHA2_512, MD_SHA512, "PRF_HMAC_SHA2_512" },
};

static const struct {
	uint16_t id;
	int md;
	size_t icv;
	const char *name;
} integs[] = {
	{ IKEV2_AUTH_HMAC_MD5_96, MD_MD5, 12, "HMAC_MD5_96" },
	{ IKEV2_AUTH_HMAC_SHA1_96, MD_SHA1, 12, "HMAC_SHA1_96" },
	{ IKEV2_AUTH_HMAC_SHA2_256_128, MD_SHA256, 16, "HMAC_SHA2_256_128" },
	{ IKEV2_AUTH_HMAC_SHA2_384_192, MD_SHA384, 24, "HMAC_SHA2_384_192" },
	{ IKEV2_AUTH_HMAC_SHA2_512_256, MD_SHA512, 32, "HMAC_SHA2_512_256" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int prf_md(uint16_t prf)
{
	for (size_t i = 0; i < ARRAY_SIZE(prfs); i++)
		if (prfs[i].id == prf)
			return prfs[i].md;
	return -1;
}

static int integ_idx(uint16_t integ)
{
	for (size_t i = 0; i < ARRAY_SIZE(integs); i++)
		if (integs[i].id == integ)
			return (int)i;
	return -1;
}

static const struct cipher_ent *cipher_find(uint16_t encr, uint16_t bits)
{
	if (crypto_init() != 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(ciphers); i++)
		if (ciphers[i].encr == encr && ciphers[i].bits == bits)
			return ciphers[i].c ? &ciphers[i] : NULL;
	return NULL;
}

/* The cipher for encr whose key is keylen bytes (salt not included). */
static const struct cipher_ent *cipher_by_keylen(uint16_t encr, size_t keylen)
{
	if (crypto_init() != 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(ciphers); i++)
		if (ciphers[i].encr == encr && ciphers[i].c != NULL &&
		    (size_t)EVP_CIPHER_get_key_length(ciphers[i].c) == keylen)
			return &ciphers[i];
	return NULL;
}

/* ---- init ---- */

static int init_hmac(void)
{
	hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (hmac == NULL)
		return -ENOTSUP;
	for (int i = 0; i < MD_COUNT; i++) {
		OSSL_PARAM p[2] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
				(char *)digests[i].name, 0),
			OSSL_PARAM_construct_end(),
		};
		hmac_tmpl[i] = EVP_MAC_CTX_new(hmac);
		if (hmac_tmpl[i] == NULL)
			return -ENOMEM;
		/* MD5 may be missing in a FIPS setup: leave it unsupported. */
		if (EVP_MAC_CTX_set_params(hmac_tmpl[i], p) != 1) {
			EVP_MAC_CTX_free(hmac_tmpl[i]);
			hmac_tmpl[i] = NULL;
		}
	}
	return 0;
}

int crypto_init(void)
{
	int rc;

	if (inited)
		return 0;
	if (sodium_init() < 0)
		return -ENOTSUP;
	/* Loading any provider explicitly disables the implicit default,
	 * so load it first; "legacy" only adds single DES. */
	if (OSSL_PROVIDER_load(NULL, "default") == NULL)
		return -ENOTSUP;
	(void)OSSL_PROVIDER_load(NULL, "legacy");
	for (size_t i = 0; i < ARRAY_SIZE(ciphers); i++)
		ciphers[i].c = EVP_CIPHER_fetch(NULL, ciphers[i].ossl, NULL);
	rc = init_hmac();
	if (rc != 0)
		return rc;
	sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (sha1 == NULL)
		return -ENOTSUP;
	inited = true;
	return 0;
}

/* ---- randomness ---- */

static crypto_rng_fn rng_fn;
static void *rng_arg;

void crypto_random(void *buf, size_t n)
{
	if (rng_fn != NULL) {
		rng_fn(buf, n, rng_arg);
		return;
	}
	(void)crypto_init();	/* sodium_init() before randombytes */
	randombytes_buf(buf, n);
}

void crypto_set_rng(crypto_rng_fn fn, void *arg)
{
	rng_fn = fn;
	rng_arg = arg;
}

/* ---- lookups ---- */

size_t crypto_encr_key_len(uint16_t encr, uint16_t keylen_bits)
{
	const struct cipher_ent *c = cipher_find(encr, keylen_bits);

	if (c == NULL)
		return 0;
	return (size_t)EVP_CIPHER_get_key_length(c->c) + crypto_encr_salt_len(encr);
}

size_t crypto_encr_salt_len(uint16_t encr)
{
	return encr == IKEV2_ENCR_AES_GCM_16 ? 4 : 0;
}

size_t crypto_encr_iv_len(uint16_t encr)
{
	switch (encr) {
	case IKEV2_ENCR_AES_CBC:
		return 16;
	case IKEV2_ENCR_AES_GCM_16:
	case IKEV2_ENCR_3DES:
	case IKEV2_ENCR_DES:
		return 8;
	}
	return 0;
}

size_t crypto_encr_block_len(uint16_t encr)
{
	switch (encr) {
	case IKEV2_ENCR_AES_CBC:
		return 16;
	case IKEV2_ENCR_3DES:
	case IKEV2_ENCR_DES:
		return 8;
	case IKEV2_ENCR_AES_GCM_16:
		return 1;	/* RFC 5282: no alignment needed */
	}
	return 0;
}

size_t crypto_encr_icv_len(uint16_t encr)
{
	return encr == IKEV2_ENCR_AES_GCM_16 ? 16 : 0;
}

bool crypto_encr_is_aead(uint16_t encr)
{
	return encr == IKEV2_ENCR_AES_GCM_16;
}

const char *crypto_encr_name(uint16_t encr)
{
	switch (encr) {
	case IKEV2_ENCR_DES:
		return "DES-CBC";
	case IKEV2_ENCR_3DES:
		return "3DES-CBC";
	case IKEV2_ENCR_AES_CBC:
		return "AES-CBC";
	case IKEV2_ENCR_AES_GCM_16:
		return "AES-GCM-16";
	case IKEV2_ENCR_NULL:
		return "NULL";
	}
	return "unknown";
}

size_t crypto_integ_key_len(uint16_t integ)
{
	int i = integ_idx(integ);

	if (i < 0 || crypto_init() != 0 || hmac_tmpl[integs[i].md] == NULL)
		return 0;
	return digests[integs[i].md].len;
}

size_t crypto_integ_icv_len(uint16_t integ)
{
	int i = integ_idx(integ);

	return crypto_integ_key_len(integ) ? integs[i].icv : 0;
}

const char *crypto_integ_name(uint16_t integ)
{
	int i = integ_idx(integ);

	if (integ == IKEV2_AUTH_NONE)
		return "NONE";
	return i < 0 ? "unknown" : integs[i].name;
}

size_t crypto_prf_len(uint16_t prf)
{
	int md = prf_md(prf);

	if (md < 0 || crypto_init() != 0 || hmac_tmpl[md] == NULL)
		return 0;
	return digests[md].len;
}

const char *crypto_prf_name(uint16_t prf)
{
	for (size_t i = 0; i < ARRAY_SIZE(prfs); i++)
		if (prfs[i].id == prf)
			return prfs[i].name;
	return "unknown";
}

/* ---- HMAC ---- */

/* out[digest len] = HMAC_md(key, data...). */
static int hmac_run(int md, struct span key, const struct span *data,
		    size_t n_data, uint8_t *out)
{
	EVP_MAC_CTX *ctx = NULL;
	size_t outl = 0;
	int rc = -EIO;

	if (md < 0 || key.n == 0 || crypto_init() != 0 || hmac_tmpl[md] == NULL)
		return -EINVAL;
	ctx = EVP_MAC_CTX_dup(hmac_tmpl[md]);
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_MAC_init(ctx, key.p, key.n, NULL) != 1)
		goto out;
	for (size_t i = 0; i < n_data; i++)
		if (data[i].n > 0 && EVP_MAC_update(ctx, data[i].p, data[i].n) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &outl, digests[md].len) != 1 ||
	    outl != digests[md].len)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int crypto_prf(uint16_t prf, struct span key, const struct span *data,
	       size_t n_data, uint8_t *out)
{
	return hmac_run(prf_md(prf), key, data, n_data, out);
}

int crypto_prf_plus(uint16_t prf, struct span key, const struct span *seed,
		    size_t n_seed, uint8_t *out, size_t len)
{
	size_t plen = crypto_prf_len(prf), done = 0;
	uint8_t t[CRYPTO_MAX_PRF];
	struct span parts[8];
	uint8_t ctr;
	int rc = 0;

	if (plen == 0 || n_seed + 2 > ARRAY_SIZE(parts) || len > 255 * plen)
		return -EINVAL;
	for (ctr = 1; done < len; ctr++) {
		size_t np = 0, take;

		/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
		if (ctr > 1)
			parts[np++] = span_make(t, plen);
		for (size_t i = 0; i < n_seed; i++)
			parts[np++] = seed[i];
		parts[np++] = span_make(&ctr, 1);
		rc = crypto_prf(prf, key, parts, np, t);
		if (rc != 0)
			break;
		take = len - done < plen ? len - done : plen;
		memcpy(out + done, t, take);
		done += take;
	}
	if (rc != 0)
		sodium_memzero(out, len);
	sodium_memzero(t, sizeof(t));
	return rc;
}

int crypto_integ(uint16_t integ, struct span key, struct span data,
		 uint8_t *out)
{
	uint8_t full[CRYPTO_MAX_PRF];
	int i = integ_idx(integ), rc;

	if (i < 0 || key.n != crypto_integ_key_len(integ))
		return -EINVAL;
	rc = hmac_run(integs[i].md, key, &data, 1, full);
	if (rc == 0)
		memcpy(out, full, integs[i].icv);
	sodium_memzero(full, sizeof(full));
	return rc;
}

int crypto_sha1(const struct span *data, size_t n_data, uint8_t out[20])
{
	EVP_MD_CTX *ctx;
	unsigned int outl = 0;
	int rc = -EIO;

	if (crypto_init() != 0)
		return -ENOTSUP;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_DigestInit_ex2(ctx, sha1, NULL) != 1)
		goto out;
	for (size_t i = 0; i < n_data; i++)
		if (data[i].n > 0 && EVP_DigestUpdate(ctx, data[i].p, data[i].n) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &outl) != 1 || outl != 20)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

bool crypto_ct_eq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* ---- ciphers ---- */

int crypto_cbc(uint16_t encr, struct span key, const uint8_t *iv,
	       const uint8_t *in, size_t len, uint8_t *out, bool encrypt)
{
	const struct cipher_ent *c = cipher_by_keylen(encr, key.n);
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, fin = 0, rc = -EIO;

	if (c == NULL || crypto_encr_is_aead(encr) ||
	    len % crypto_encr_block_len(encr) != 0 || len > INT_MAX)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_CipherInit_ex2(ctx, c->c, key.p, iv, encrypt ? 1 : 0, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + outl, &fin) != 1 ||
	    (size_t)(outl + fin) != len)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

static int gcm_run(struct span key, const uint8_t nonce[12], struct span aad,
		   const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag,
		   bool encrypt)
{
	const struct cipher_ent *c = cipher_by_keylen(IKEV2_ENCR_AES_GCM_16, key.n);
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, fin = 0, rc = -EIO, enc = encrypt ? 1 : 0;
	uint8_t dummy[16];	/* GCM final emits nothing; never a NULL out */

	if (c == NULL || len > INT_MAX || aad.n > INT_MAX)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	/* The default GCM IV length is 12, which is what RFC 5282 uses. */
	if (EVP_CipherInit_ex2(ctx, c->c, key.p, nonce, enc, NULL) != 1)
		goto out;
	if (aad.n > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad.p, (int)aad.n) != 1)
		goto out;
	if (len > 0 && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1)
		goto out;
	if (!encrypt &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, len > 0 ? out + outl : dummy, &fin) != 1) {
		rc = encrypt ? -EIO : -EBADMSG;
		goto out;
	}
	if (encrypt &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int crypto_gcm_seal(struct span key, const uint8_t nonce[12], struct span aad,
		    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	return gcm_run(key, nonce, aad, in, len, out, tag, true);
}

int crypto_gcm_open(struct span key, const uint8_t nonce[12], struct span aad,
		    const uint8_t *in, size_t len, uint8_t *out,
		    const uint8_t tag[16])
{
	uint8_t t[16];

	memcpy(t, tag, sizeof(t));	/* SET_TAG wants a mutable buffer */
	return gcm_run(key, nonce, aad, in, len, out, t, false);
}
