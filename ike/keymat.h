/* Key derivation for IKEv2 (RFC 7296 2.13-2.18) and PSK authentication
 * (2.15).
 *
 * Keys live in fixed-size structs so an SA embeds them without extra
 * allocations; keymat_*_wipe() clears them with sodium_memzero.  All
 * functions leave the output zeroed on failure.
 */
#ifndef IKEGW_KEYMAT_H
#define IKEGW_KEYMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "span.h"

/* The negotiated transforms of an IKE SA.  For an AEAD encr, integ must be
 * IKEV2_AUTH_NONE.  dh is informational (not used in derivation). */
struct ike_suite {
	uint16_t encr;
	uint16_t encr_keylen;	/* bits; 0 for DES/3DES */
	uint16_t prf;
	uint16_t integ;
	uint16_t dh;
};

/* The transforms of a Child SA (ESP).  integ is IKEV2_AUTH_NONE for GCM. */
struct child_suite {
	uint16_t encr;
	uint16_t encr_keylen;	/* bits; 0 for DES/3DES */
	uint16_t integ;
	bool esn;
};

struct ike_keys {
	struct ike_suite suite;
	size_t prf_len;		/* |SK_d| = |SK_pi| = |SK_pr| */
	size_t a_len;		/* |SK_ai| = |SK_ar|, 0 for AEAD */
	size_t e_len;		/* |SK_ei| = |SK_er|, GCM salt included */
	uint8_t sk_d[CRYPTO_MAX_PRF];
	uint8_t sk_ai[CRYPTO_MAX_INTEG_KEY], sk_ar[CRYPTO_MAX_INTEG_KEY];
	uint8_t sk_ei[CRYPTO_MAX_ENCR_KEY], sk_er[CRYPTO_MAX_ENCR_KEY];
	uint8_t sk_pi[CRYPTO_MAX_PRF], sk_pr[CRYPTO_MAX_PRF];
};

/* ESP keys.  "i" = the direction initiator -> responder of the exchange
 * that created the Child SA (its Ni comes first in KEYMAT). */
struct child_keys {
	struct child_suite suite;
	size_t e_len;		/* encryption key, GCM salt included (kernel form) */
	size_t a_len;		/* 0 for AEAD */
	uint8_t ei[CRYPTO_MAX_ENCR_KEY], ai[CRYPTO_MAX_INTEG_KEY];
	uint8_t er[CRYPTO_MAX_ENCR_KEY], ar[CRYPTO_MAX_INTEG_KEY];
};

/* Returns true when the suite is complete and supported (encr with its
 * key length, prf, integ none iff AEAD). */
bool keymat_ike_suite_ok(const struct ike_suite *s);
bool keymat_child_suite_ok(const struct child_suite *s);

/* Initial IKE SA (IKE_SA_INIT): SKEYSEED = prf(Ni | Nr, g^ir);
 * SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).  SPIs in host order.
 * Returns 0, -EINVAL (bad suite or empty input), -EIO. */
int keymat_ike_init(struct ike_keys *k, const struct ike_suite *s,
		    struct span g_ir, struct span ni, struct span nr,
		    uint64_t spi_i, uint64_t spi_r);

/* IKE SA rekey (RFC 7296 2.18): SKEYSEED = prf_old(SK_d(old), g^ir(new) |
 * Ni | Nr), then prf+ with the new suite's PRF and the new SPIs.  Ni/Nr
 * are the CREATE_CHILD_SA nonces, ordered initiator of that exchange
 * first; SPIi/SPIr are the new SA's. */
int keymat_ike_rekey(struct ike_keys *k, const struct ike_suite *s,
		     const struct ike_keys *old, struct span g_ir,
		     struct span ni, struct span nr,
		     uint64_t spi_i, uint64_t spi_r);

/* Child SA (RFC 7296 2.17): KEYMAT = prf+(SK_d, [g^ir(new)] | Ni | Nr);
 * g_ir.n == 0 when no PFS.  Order: ei, ai, er, ar. */
int keymat_child(struct child_keys *ck, const struct child_suite *s,
		 const struct ike_keys *ike, struct span g_ir,
		 struct span ni, struct span nr);

void keymat_ike_wipe(struct ike_keys *k);
void keymat_child_wipe(struct child_keys *ck);

/* PSK AUTH data (RFC 7296 2.15):
 *   prf(prf(PSK, "Key Pad for IKEv2"), RealMessage | Nonce(peer) |
 *       prf(SK_p, RestOfIDPayload))
 * real_msg: our first message (IKE_SA_INIT request for the initiator,
 * response for the responder) exactly as sent/received; peer_nonce: the
 * other side's nonce data; sk_p: SK_pi when signing IDi, SK_pr for IDr;
 * id_body: the ID payload body (ID type, 3 reserved bytes, data).
 * out must hold crypto_prf_len(prf); *out_len is set. */
int keymat_psk_auth(uint16_t prf, struct span psk, struct span real_msg,
		    struct span peer_nonce, struct span sk_p,
		    struct span id_body, uint8_t *out, size_t *out_len);

/* Computes the expected value and compares with the received AUTH data in
 * constant time.  0 = match, -EBADMSG = mismatch (any length), -EINVAL/-EIO
 * on local failure. */
int keymat_psk_verify(uint16_t prf, struct span psk, struct span real_msg,
		      struct span peer_nonce, struct span sk_p,
		      struct span id_body, struct span auth_data);

#endif
