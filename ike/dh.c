/* Diffie-Hellman for IKE: MODP (RFC 2409/3526), ECP (RFC 5903) through
 * OpenSSL EVP, Curve25519 (RFC 8031) through libsodium.
 *
 * Peer values are checked here per RFC 6989 and handed to OpenSSL with
 * EVP_PKEY_derive_set_peer_ex(..., 0): OpenSSL's own full validation
 * (a modexp by q for MODP) would multiply the cost (DESIGN.md,
 * "Performance notes") and adds nothing for safe primes.
 *
 * Private keys come from crypto_random() so tests can make them
 * deterministic; public values are computed here and both are loaded
 * into an EVP_PKEY with EVP_PKEY_fromdata().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "crypto.h"
#include "v2.h"

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct group_ent {
	uint16_t id;
	enum dh_kind kind;
	const char *name;	/* display */
	const char *ossl;	/* OpenSSL group name, NULL: explicit p, g */
	BIGNUM *(*prime)(BIGNUM *);	/* MODP */
	unsigned xbits;		/* MODP private exponent bits (RFC 3526 s8) */
	int nid;		/* ECP */
	size_t plen;		/* bytes of p (MODP) or of a coordinate (ECP) */
	/* filled by tables_init() */
	BIGNUM *p, *pm1, *g;	/* MODP: p, p-1, 2; ECP: field prime in p */
	BN_MONT_CTX *mont;
	EC_GROUP *ecg;
	const BIGNUM *order;
	EVP_PKEY *params;	/* domain parameters only: peer keys copy them */
};

#define MODP(i, n, o, fn, xb, pl) \
	{ .id = i, .kind = DH_MODP, .name = n, .ossl = o, .prime = fn, \
	  .xbits = xb, .plen = pl }
#define ECP(i, n, o, nid_, pl) \
	{ .id = i, .kind = DH_ECP, .name = n, .ossl = o, .nid = nid_, .plen = pl }

static struct group_ent groups[] = {
	MODP(IKEV2_DH_MODP_768, "MODP_768", NULL, BN_get_rfc2409_prime_768, 160, 96),
	MODP(IKEV2_DH_MODP_1024, "MODP_1024", NULL, BN_get_rfc2409_prime_1024, 160, 128),
	MODP(IKEV2_DH_MODP_1536, "MODP_1536", "modp_1536", BN_get_rfc3526_prime_1536, 240, 192),
	MODP(IKEV2_DH_MODP_2048, "MODP_2048", "modp_2048", BN_get_rfc3526_prime_2048, 256, 256),
	MODP(IKEV2_DH_MODP_3072, "MODP_3072", "modp_3072", BN_get_rfc3526_prime_3072, 320, 384),
	MODP(IKEV2_DH_MODP_4096, "MODP_4096", "modp_4096", BN_get_rfc3526_prime_4096, 384, 512),
	ECP(IKEV2_DH_ECP_256, "ECP_256", "P-256", NID_X9_62_prime256v1, 32),
	ECP(IKEV2_DH_ECP_384, "ECP_384", "P-384", NID_secp384r1, 48),
	ECP(IKEV2_DH_ECP_521, "ECP_521", "P-521", NID_secp521r1, 66),
	{ .id = IKEV2_DH_CURVE25519, .kind = DH_X25519, .name = "CURVE_25519", .plen = 32 },
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

struct dh {
	const struct group_ent *g;
	EVP_PKEY *pkey;			/* MODP/ECP key pair */
	uint8_t x25519[32];		/* X25519 private key */
	size_t pub_len;
	uint8_t pub[CRYPTO_MAX_DH_PUB];
};

static bool tables_ready;

static EVP_PKEY *pkey_build(const struct group_ent *g, const BIGNUM *priv,
			    const BIGNUM *dh_pub, const uint8_t *ec_pub,
			    size_t ec_pub_len);

static int group_init(struct group_ent *g, BN_CTX *bnc)
{
	if (g->kind == DH_MODP) {
		g->p = g->prime(NULL);
		g->pm1 = BN_new();
		g->g = BN_new();
		g->mont = BN_MONT_CTX_new();
		if (g->p == NULL || g->pm1 == NULL || g->g == NULL ||
		    g->mont == NULL || BN_copy(g->pm1, g->p) == NULL ||
		    BN_sub_word(g->pm1, 1) != 1 || BN_set_word(g->g, 2) != 1 ||
		    BN_MONT_CTX_set(g->mont, g->p, bnc) != 1 ||
		    (size_t)BN_num_bytes(g->p) != g->plen)
			return -ENOMEM;
	} else if (g->kind == DH_ECP) {
		g->ecg = EC_GROUP_new_by_curve_name(g->nid);
		g->p = BN_new();
		if (g->ecg == NULL || g->p == NULL ||
		    EC_GROUP_get_curve(g->ecg, g->p, NULL, NULL, bnc) != 1)
			return -ENOMEM;
		g->order = EC_GROUP_get0_order(g->ecg);
		if (g->order == NULL)
			return -ENOMEM;
	}
	if (g->kind != DH_X25519) {
		g->params = pkey_build(g, NULL, NULL, NULL, 0);
		if (g->params == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int tables_init(void)
{
	BN_CTX *bnc;
	int rc = 0;

	if (tables_ready)
		return 0;
	rc = crypto_init();
	if (rc != 0)
		return rc;
	bnc = BN_CTX_new();
	if (bnc == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < N_GROUPS && rc == 0; i++)
		rc = group_init(&groups[i], bnc);
	BN_CTX_free(bnc);
	/* A partial init leaks a few objects once; the daemon exits. */
	if (rc == 0)
		tables_ready = true;
	return rc;
}

static const struct group_ent *group_find(uint16_t id)
{
	if (tables_init() != 0)
		return NULL;
	for (size_t i = 0; i < N_GROUPS; i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

size_t dh_pub_len(uint16_t group)
{
	const struct group_ent *g = group_find(group);

	if (g == NULL)
		return 0;
	return g->kind == DH_ECP ? 2 * g->plen : g->plen;
}

size_t dh_secret_len(uint16_t group)
{
	const struct group_ent *g = group_find(group);

	return g == NULL ? 0 : g->plen;
}

const char *dh_group_name(uint16_t group)
{
	for (size_t i = 0; i < N_GROUPS; i++)
		if (groups[i].id == group)
			return groups[i].name;
	return "unknown";
}

uint16_t dh_group(const struct dh *dh)
{
	return dh->g->id;
}

struct span dh_public(const struct dh *dh)
{
	return span_make(dh->pub, dh->pub_len);
}

void dh_free(struct dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pkey);
	sodium_memzero(dh, sizeof(*dh));
	free(dh);
}

/* ---- building EVP_PKEYs ---- */

/* An EVP_PKEY for group g from a private BN (or NULL) and a public value:
 * MODP takes dh_pub as a BN, ECP takes ec_pub as 0x04|x|y octets.  With
 * neither, the domain parameters alone. */
static EVP_PKEY *pkey_build(const struct group_ent *g, const BIGNUM *priv,
			    const BIGNUM *dh_pub, const uint8_t *ec_pub,
			    size_t ec_pub_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int ok = bld != NULL;

	if (ok && g->ossl != NULL)
		ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     g->ossl, 0) == 1;
	else if (ok)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, g->p) == 1 &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g->g) == 1;
	if (ok && dh_pub != NULL)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, dh_pub) == 1;
	else if (ok && ec_pub != NULL)
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      ec_pub, ec_pub_len) == 1;
	if (ok && priv != NULL)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) == 1;
	if (ok)
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->kind == DH_MODP ? "DH" : "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR :
			      dh_pub || ec_pub ? EVP_PKEY_PUBLIC_KEY :
			      EVP_PKEY_KEY_PARAMETERS, params) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	/* priv is a secure BN, so its copy sits in the block that
	 * OSSL_PARAM_free() releases with OPENSSL_secure_clear_free(). */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* ---- key generation ---- */

static int modp_keypair(struct dh *dh, const BIGNUM *x, BN_CTX *bnc)
{
	const struct group_ent *g = dh->g;
	BIGNUM *y = BN_new();
	int rc = -EINVAL;

	if (y == NULL)
		return -ENOMEM;
	/* 1 < x < p-1 */
	if (BN_is_zero(x) || BN_is_one(x) || BN_cmp(x, g->pm1) >= 0)
		goto out;
	rc = -EIO;
	if (BN_mod_exp_mont_consttime(y, g->g, x, g->p, bnc, g->mont) != 1 ||
	    BN_bn2binpad(y, dh->pub, (int)g->plen) != (int)g->plen)
		goto out;
	dh->pub_len = g->plen;
	dh->pkey = pkey_build(g, x, y, NULL, 0);
	rc = dh->pkey ? 0 : -EIO;
out:
	BN_free(y);
	return rc;
}

static int ecp_keypair(struct dh *dh, const BIGNUM *k, BN_CTX *bnc)
{
	const struct group_ent *g = dh->g;
	uint8_t oct[1 + 2 * 66];
	EC_POINT *pt = NULL;
	size_t olen = 1 + 2 * g->plen;
	int rc = -EINVAL;

	if (BN_is_zero(k) || BN_cmp(k, g->order) >= 0)
		return rc;
	rc = -EIO;
	pt = EC_POINT_new(g->ecg);
	if (pt == NULL || EC_POINT_mul(g->ecg, pt, k, NULL, NULL, bnc) != 1 ||
	    EC_POINT_point2oct(g->ecg, pt, POINT_CONVERSION_UNCOMPRESSED, oct,
			       olen, bnc) != olen)
		goto out;
	memcpy(dh->pub, oct + 1, olen - 1);	/* RFC 5903: x | y, no 0x04 */
	dh->pub_len = olen - 1;
	dh->pkey = pkey_build(g, k, NULL, oct, olen);
	rc = dh->pkey ? 0 : -EIO;
out:
	EC_POINT_free(pt);
	return rc;
}

static int keypair_from(struct dh *dh, struct span priv)
{
	BN_CTX *bnc = NULL;
	BIGNUM *x = NULL;
	int rc = -ENOMEM;

	if (dh->g->kind == DH_X25519) {
		if (priv.n != 32)
			return -EINVAL;
		memcpy(dh->x25519, priv.p, 32);
		dh->pub_len = 32;
		return crypto_scalarmult_base(dh->pub, dh->x25519) == 0 ? 0 : -EIO;
	}
	bnc = BN_CTX_secure_new();
	x = BN_secure_new();
	if (bnc == NULL || x == NULL || priv.n > INT32_MAX)
		goto out;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (BN_bin2bn(priv.p, (int)priv.n, x) == NULL)
		goto out;
	if (dh->g->kind == DH_MODP)
		rc = modp_keypair(dh, x, bnc);
	else
		rc = ecp_keypair(dh, x, bnc);
out:
	BN_clear_free(x);
	BN_CTX_free(bnc);
	return rc;
}

/* Random private value in the form keypair_from() takes. */
static int random_private(const struct group_ent *g, uint8_t *buf, size_t *len)
{
	if (g->kind == DH_X25519) {
		*len = 32;
		crypto_random(buf, 32);
		return 0;
	}
	if (g->kind == DH_MODP) {
		/* Top bit set: a fixed-length exponent of xbits bits. */
		*len = g->xbits / 8;
		crypto_random(buf, *len);
		buf[0] |= 0x80;
		return 0;
	}
	/* ECP: rejection sampling in [1, n-1]; n is just below 2^bits for
	 * P-256/384 and P-521 is masked to 521 bits, so a try succeeds with
	 * probability >= 1/2.  Bounded for a broken test RNG. */
	*len = (size_t)BN_num_bytes(g->order);
	for (int tries = 0; tries < 64; tries++) {
		BIGNUM *k;
		int bits = BN_num_bits(g->order), ok;

		crypto_random(buf, *len);
		if (bits % 8)
			buf[0] &= (uint8_t)(0xff >> (8 - bits % 8));
		k = BN_bin2bn(buf, (int)*len, NULL);
		if (k == NULL)
			return -ENOMEM;
		ok = !BN_is_zero(k) && BN_cmp(k, g->order) < 0;
		BN_clear_free(k);
		if (ok)
			return 0;
	}
	return -EIO;
}

struct dh *dh_new_private(uint16_t group, struct span priv)
{
	const struct group_ent *g = group_find(group);
	struct dh *dh;
	int rc;

	if (g == NULL) {
		errno = ENOTSUP;
		return NULL;
	}
	dh = calloc(1, sizeof(*dh));
	if (dh == NULL)
		return NULL;
	dh->g = g;
	rc = keypair_from(dh, priv);
	if (rc != 0) {
		dh_free(dh);
		errno = -rc;
		return NULL;
	}
	return dh;
}

struct dh *dh_new(uint16_t group)
{
	const struct group_ent *g = group_find(group);
	uint8_t buf[72];
	struct dh *dh = NULL;
	size_t len = 0;
	int rc;

	if (g == NULL) {
		errno = ENOTSUP;
		return NULL;
	}
	rc = random_private(g, buf, &len);
	if (rc == 0)
		dh = dh_new_private(group, span_make(buf, len));
	else
		errno = -rc;
	sodium_memzero(buf, sizeof(buf));
	return dh;
}

/* ---- derivation ---- */

/* A public-only key for a checked peer value: copying the cached domain
 * parameters costs a fraction of EVP_PKEY_fromdata() by group name. */
static EVP_PKEY *peer_pkey(const struct group_ent *g, const uint8_t *enc, size_t len)
{
	EVP_PKEY *pk = EVP_PKEY_new();

	if (pk == NULL || EVP_PKEY_copy_parameters(pk, g->params) != 1 ||
	    EVP_PKEY_set1_encoded_public_key(pk, enc, len) != 1) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	return pk;
}

/* RFC 6989 2.1: for the safe-prime groups, 1 < y < p-1 suffices. */
static EVP_PKEY *modp_peer(const struct group_ent *g, struct span peer)
{
	BIGNUM *y = BN_bin2bn(peer.p, (int)peer.n, NULL);
	EVP_PKEY *pk = NULL;

	if (y != NULL && !BN_is_zero(y) && !BN_is_one(y) &&
	    BN_cmp(y, g->pm1) < 0)
		pk = peer_pkey(g, peer.p, peer.n);
	BN_free(y);
	return pk;
}

/* RFC 6989 2.3: coordinates below p, point on the curve, not infinity. */
static EVP_PKEY *ecp_peer(const struct group_ent *g, struct span peer)
{
	uint8_t oct[1 + 2 * 66];
	BIGNUM *x = BN_bin2bn(peer.p, (int)g->plen, NULL);
	BIGNUM *y = BN_bin2bn(peer.p + g->plen, (int)g->plen, NULL);
	EC_POINT *pt = EC_POINT_new(g->ecg);
	EVP_PKEY *pk = NULL;

	if (x == NULL || y == NULL || pt == NULL ||
	    BN_cmp(x, g->p) >= 0 || BN_cmp(y, g->p) >= 0 ||
	    EC_POINT_set_affine_coordinates(g->ecg, pt, x, y, NULL) != 1 ||
	    EC_POINT_is_on_curve(g->ecg, pt, NULL) != 1 ||
	    EC_POINT_is_at_infinity(g->ecg, pt) != 0)
		goto out;
	oct[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(oct + 1, peer.p, peer.n);
	pk = peer_pkey(g, oct, 1 + peer.n);
out:
	EC_POINT_free(pt);
	BN_free(y);
	BN_free(x);
	return pk;
}

static int evp_derive(struct dh *dh, EVP_PKEY *peer, bool full_check,
		      uint8_t *secret, size_t want)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	size_t len = 0;
	int rc = -EIO, set;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	if (dh->g->kind == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) != 1)
		goto out;
	set = full_check ? EVP_PKEY_derive_set_peer(ctx, peer)
			 : EVP_PKEY_derive_set_peer_ex(ctx, peer, 0);
	if (set != 1) {
		rc = -EINVAL;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, NULL, &len) != 1 || len != want)
		goto out;
	if (EVP_PKEY_derive(ctx, secret, &len) != 1 || len != want)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static int derive(struct dh *dh, struct span peer, uint8_t *secret,
		  size_t *len, bool full_check)
{
	const struct group_ent *g = dh->g;
	size_t want = g->plen;
	EVP_PKEY *pk = NULL;
	int rc;

	*len = 0;
	if (peer.p == NULL || peer.n != (g->kind == DH_ECP ? 2 * g->plen : g->plen))
		return -EINVAL;
	if (g->kind == DH_X25519) {
		/* libsodium returns -1 for an all-zero result (low order). */
		if (crypto_scalarmult(secret, dh->x25519, peer.p) != 0 ||
		    sodium_is_zero(secret, 32)) {
			sodium_memzero(secret, 32);
			return -EINVAL;
		}
		*len = 32;
		return 0;
	}
	pk = g->kind == DH_MODP ? modp_peer(g, peer) : ecp_peer(g, peer);
	if (pk == NULL)
		return -EINVAL;
	rc = evp_derive(dh, pk, full_check, secret, want);
	EVP_PKEY_free(pk);
	if (rc == 0)
		*len = want;
	else
		sodium_memzero(secret, want);
	return rc;
}

int dh_derive(struct dh *dh, struct span peer, uint8_t *secret, size_t *len)
{
	return derive(dh, peer, secret, len, false);
}

int dh_derive_openssl_checked(struct dh *dh, struct span peer,
			      uint8_t *secret, size_t *len)
{
	return derive(dh, peer, secret, len, true);
}
