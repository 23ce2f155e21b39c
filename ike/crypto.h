/* Crypto facade: algorithm tables by IKEv2 IANA ID, PRF/HMAC, ciphers,
 * Diffie-Hellman, and the RNG hook.
 *
 * OpenSSL 3 does the ciphers, MACs, MODP and ECP groups; libsodium does
 * X25519, randomness, wiping and constant-time compares.  EVP objects are
 * fetched once into static tables (crypto_init(), also done lazily), so
 * the first call is slower than the rest.  The module is not thread safe
 * until crypto_init() has returned.
 *
 * Lengths are in bytes unless a name says bits.  Every lookup returns 0
 * for an unsupported ID (or key length), so callers can validate peer
 * proposals with "== 0 => reject".
 */
#ifndef IKEGW_CRYPTO_H
#define IKEGW_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "span.h"

#define CRYPTO_MAX_PRF		64	/* HMAC-SHA2-512 output */
#define CRYPTO_MAX_INTEG_KEY	64
#define CRYPTO_MAX_ICV		32	/* HMAC-SHA2-512-256 */
#define CRYPTO_MAX_ENCR_KEY	36	/* AES-256 + 4-byte GCM salt */
#define CRYPTO_MAX_IV		16
#define CRYPTO_MAX_DH_PUB	512	/* MODP-4096 */
#define CRYPTO_MAX_DH_SECRET	512

/* Fetch every EVP algorithm and precompute group parameters.  Returns 0
 * or -ENOMEM/-ENOTSUP (OpenSSL lacks an algorithm).  Idempotent. */
int crypto_init(void);

/* ---- randomness ---- */

/* All randomness the daemon uses (nonces, SPIs, IVs, DH private keys)
 * goes through crypto_random().  Tests install a deterministic
 * generator; fn == NULL restores libsodium's randombytes_buf(). */
typedef void (*crypto_rng_fn)(void *buf, size_t n, void *arg);
void crypto_random(void *buf, size_t n);
void crypto_set_rng(crypto_rng_fn fn, void *arg);

/* ---- algorithm lookups (IKEV2_ENCR_*, IKEV2_AUTH_*, IKEV2_PRF_*) ----
 *
 * keylen_bits is the transform's Key Length attribute: required (128,
 * 192, 256) for AES-CBC and AES-GCM-16, must be 0 for DES and 3DES. */

/* Key bytes SK_e / ESP encryption key need, salt included (GCM: 16/24/32
 * + 4).  0 = unsupported ID/length combination. */
size_t crypto_encr_key_len(uint16_t encr, uint16_t keylen_bits);
size_t crypto_encr_salt_len(uint16_t encr);	/* GCM 4, else 0 */
size_t crypto_encr_iv_len(uint16_t encr);	/* wire IV: AES-CBC 16, GCM 8, (3)DES 8 */
size_t crypto_encr_block_len(uint16_t encr);	/* padding unit: CBC block, GCM 1 */
size_t crypto_encr_icv_len(uint16_t encr);	/* GCM-16 tag 16, CBC 0 */
bool crypto_encr_is_aead(uint16_t encr);
/* Wireshark-style display name, e.g. "AES-GCM-16" (never NULL). */
const char *crypto_encr_name(uint16_t encr);

size_t crypto_integ_key_len(uint16_t integ);	/* HMAC key = digest size */
size_t crypto_integ_icv_len(uint16_t integ);	/* truncated output */
const char *crypto_integ_name(uint16_t integ);

size_t crypto_prf_len(uint16_t prf);		/* output = preferred key size */
const char *crypto_prf_name(uint16_t prf);

/* ---- PRF / HMAC ---- */

/* out[crypto_prf_len(prf)] = HMAC(key, data[0] | data[1] | ...).
 * Any key length (RFC 7296 2.14: HMAC PRFs take Ni|Nr whole).
 * Returns 0, -EINVAL (unknown prf), -EIO (OpenSSL failure). */
int crypto_prf(uint16_t prf, struct span key, const struct span *data,
	       size_t n_data, uint8_t *out);

/* RFC 7296 2.13 prf+: out[len] = T1 | T2 | ..., Tn = prf(K, Tn-1 | S |
 * n).  The seed S is the concatenation of seed[0..n_seed).  len must be
 * at most 255 * crypto_prf_len(prf).  Returns 0, -EINVAL, -EIO. */
int crypto_prf_plus(uint16_t prf, struct span key, const struct span *seed,
		    size_t n_seed, uint8_t *out, size_t len);

/* out[crypto_integ_icv_len(integ)] = truncated HMAC(key, data).
 * key.n must equal crypto_integ_key_len(integ). */
int crypto_integ(uint16_t integ, struct span key, struct span data,
		 uint8_t *out);

/* ---- ciphers ---- */

/* CBC (AES, DES, 3DES) without padding: len must be a multiple of the
 * block size; in and out may alias exactly.  key.n must equal
 * crypto_encr_key_len(encr, keylen_bits).  Returns 0, -EINVAL, -EIO. */
int crypto_cbc(uint16_t encr, struct span key, const uint8_t *iv,
	       const uint8_t *in, size_t len, uint8_t *out, bool encrypt);

/* AES-GCM with a 12-byte nonce (salt | explicit IV built by the caller)
 * and a 16-byte tag.  key is the AES key alone (no salt).  seal writes
 * tag[16]; open returns -EBADMSG when the tag does not verify (out then
 * holds garbage the caller must not use).  in and out may alias. */
int crypto_gcm_seal(struct span key, const uint8_t nonce[12], struct span aad,
		    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]);
int crypto_gcm_open(struct span key, const uint8_t nonce[12], struct span aad,
		    const uint8_t *in, size_t len, uint8_t *out,
		    const uint8_t tag[16]);

/* SHA-1 of data[0] | data[1] | ... (NAT detection, RFC 7296 2.23).
 * Returns 0, -ENOMEM, -EIO. */
int crypto_sha1(const struct span *data, size_t n_data, uint8_t out[20]);

/* Constant-time equality of two equal-length secrets. */
bool crypto_ct_eq(const void *a, const void *b, size_t n);

/* ---- Diffie-Hellman (IKEV2_DH_*) ---- */

/* Length of the KE payload's data for a group (MODP: prime length; ECP:
 * x|y per RFC 5903, no 0x04 prefix; Curve25519: 32).  0 = unsupported. */
size_t dh_pub_len(uint16_t group);
/* Length of the shared secret g^ir (MODP: prime length, left-padded;
 * ECP: x coordinate; Curve25519: 32). */
size_t dh_secret_len(uint16_t group);
const char *dh_group_name(uint16_t group);

struct dh;	/* opaque: private key, public value; wiped on free */

/* A fresh key pair.  The private key comes from crypto_random(), so a
 * deterministic RNG gives reproducible exchanges.  MODP uses short
 * exponents (RFC 3526 section 8 sizes).  NULL: unsupported group or
 * -ENOMEM (errno is set). */
struct dh *dh_new(uint16_t group);
/* Test hook: key pair from a fixed private key (MODP: big-endian
 * exponent; ECP: big-endian scalar of the order's size; X25519: 32
 * bytes as in RFC 7748).  NULL if the value is invalid for the group. */
struct dh *dh_new_private(uint16_t group, struct span priv);
void dh_free(struct dh *dh);

uint16_t dh_group(const struct dh *dh);
/* Our public value in KE payload form; valid until dh_free(). */
struct span dh_public(const struct dh *dh);

/* secret[dh_secret_len()] = g^ir from the peer's KE data.  Checks per
 * RFC 6989: length == dh_pub_len(); MODP 1 < y < p-1; ECP point on
 * curve and not infinity; X25519 result not all zero.  Returns 0,
 * -EINVAL (invalid peer value: send INVALID_SYNTAX/drop, never
 * assert), -ENOMEM, -EIO.  *len is set to dh_secret_len(). */
int dh_derive(struct dh *dh, struct span peer, uint8_t *secret, size_t *len);

/* Benchmark hook: derive with OpenSSL's full peer-key validation
 * (EVP_PKEY_derive_set_peer) instead of ours.  X25519 is unchanged. */
int dh_derive_openssl_checked(struct dh *dh, struct span peer,
			      uint8_t *secret, size_t *len);

#endif
