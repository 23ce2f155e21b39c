/* IKEv2 SA proposals (RFC 7296 2.7, 3.3): building our offer from the
 * configuration, choosing among a peer's offer, checking a peer's reply,
 * and explaining a mismatch in configuration terms.
 *
 * Pure: no I/O, no allocation; everything works on the bounded decoded
 * forms of v2.h.  Work is bounded by IKE_MAX_PROPOSALS x IKE_MAX_TRANSFORMS
 * per side.
 *
 * Optional transform types are compared uniformly: an absent INTEG (AEAD)
 * or absent DH (ESP without PFS) means "{NONE}" on either side, so a peer
 * listing "DH NONE, 14" matches our "no PFS" and our "esp_pfs = 14, none".
 */
#ifndef IKEGW_PROPOSAL_H
#define IKEGW_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "result.h"
#include "v2.h"

/* What a responder accepted or an initiator got back: one transform per
 * type.  IDs are IKEv2 IANA numbers; 0 means "none / not present". */
struct prop_choice {
	uint8_t num;		/* proposal number (echoed in the reply) */
	uint8_t proto;		/* IKEV2_PROTO_IKE or IKEV2_PROTO_ESP */
	uint16_t encr;
	uint16_t encr_keylen;	/* bits; 0 for fixed-length ciphers */
	uint16_t prf;		/* IKE only */
	uint16_t integ;		/* 0 (AUTH_NONE) with AEAD */
	uint16_t dh;		/* IKE: always set; ESP: 0 without PFS */
	uint8_t esn;		/* ESP: IKEV2_ESN_NO/YES */
	uint8_t spi_size;	/* the peer's SPI, as in its proposal */
	uint8_t spi[8];
	uint64_t spi_val;	/* the same, big-endian decoded (ESP: 32 bits) */
};

/* proposal_choose / proposal_check_reply flags: the exchange context
 * decides the legal SPI size (RFC 7296 3.3.1) and whether DH counts. */
#define PROP_F_IKE_INIT		0x01	/* IKE proposal in IKE_SA_INIT: SPI size 0 */
#define PROP_F_IKE_REKEY	0x02	/* IKE proposal in CREATE_CHILD_SA: SPI size 8, nonzero */
#define PROP_F_NO_KE		0x04	/* child in IKE_AUTH: no KE payload, DH transforms ignored */
/* ESP always needs SPI size 4 with a nonzero SPI. */

/* Per-transform-type diagnostics, filled when nothing matched. */
#define PROP_MM_MAX 16		/* algorithms listed per side and type */
struct prop_mm_alg {
	uint16_t id, keylen;
};
struct prop_mm_type {
	bool no_overlap;	/* no algorithm of the peer's is one of ours */
	bool peer_missing;	/* the peer never offered this (required) type */
	unsigned n_ours, n_peer;	/* may exceed PROP_MM_MAX: list truncated */
	struct prop_mm_alg ours[PROP_MM_MAX];
	struct prop_mm_alg peer[PROP_MM_MAX];
};
struct prop_mismatch {
	uint8_t proto;
	unsigned n_peer;	/* peer proposals for proto */
	unsigned n_malformed;	/* of those, skipped as malformed/hostile */
	const char *malformed_why;	/* first reason (static string) or NULL */
	bool combination;	/* every type overlaps, but in no single proposal */
	struct prop_mm_type t[IKEV2_TRANS_ESN + 1];	/* indexed by IKEV2_TRANS_* */
};

/* Our IKE offer: one non-AEAD proposal (ENCR + INTEG + PRF + DH) for the
 * non-GCM ciphers and one AEAD proposal (GCM ENCR + PRF + DH) for the GCM
 * ones; whichever cipher comes first in ike_encryption goes first.  PRFs
 * follow ike_integrity order.  Proposal numbers 1, 2; SPI size 0 (the
 * engine sets the SPI for a rekey).  Returns -EINVAL when the config
 * lacks a required list (conf validates this; defensive). */
int proposal_ike_offer(const struct conf_conn *c, struct v2_sa *out);

/* Our ESP offer, same AEAD split.  ESN is offered as "no" only: the
 * kernel supports ESN, but 32-bit sequence numbers rekeyed by esp_lifetime
 * interoperate everywhere.  with_pfs: add DH transforms from esp_pfs (in
 * config order, pfs_group_first moved to the front when listed; a listed
 * "none" becomes DH NONE); without it (IKE_AUTH's first child, RFC 7296
 * 1.2) no DH transform at all.  spi: our inbound SPI (host order). */
int proposal_esp_offer(const struct conf_conn *c, bool with_pfs,
		       uint16_t pfs_group_first, uint32_t spi, struct v2_sa *out);

/* Responder: walk the peer's proposals of `proto` in their order and take
 * the first we accept against one of `ours`; within it, for each type the
 * peer's first transform that our proposal lists.  ke_group, when nonzero
 * (the peer's KE payload), is preferred among acceptable DH groups so no
 * INVALID_KE round trip is needed.  Malformed proposals (numbering, proto,
 * SPI size/value, unknown transform types, AEAD+INTEG, non-AEAD without
 * INTEG, IKE without PRF or DH, transforms with unknown attributes) are
 * skipped.  IKE_OK with *chosen, or N(NO_PROPOSAL_CHOSEN) with *why
 * filled (why may be NULL). */
struct ike_result proposal_choose(const struct v2_sa *offered,
				  const struct v2_sa *ours, uint8_t proto,
				  unsigned flags, uint16_t ke_group,
				  struct prop_choice *chosen,
				  struct prop_mismatch *why);

/* The response's SA: exactly one proposal, numbered as the chosen one,
 * one transform per type (PRF for IKE; INTEG unless AEAD; DH when set or
 * for IKE; ESN for ESP).  spi/spi_size: ours (0 bytes in IKE_SA_INIT). */
void proposal_from_choice(const struct prop_choice *ch, uint8_t proto,
			  const uint8_t *spi, uint8_t spi_size,
			  struct v2_proposal *out);

/* Initiator: the reply must hold one well-formed proposal whose number
 * and protocol are one of ours and whose transforms, one per type, all
 * appear in that proposal of ours, with every type ours requires.  IKE_OK
 * with *chosen, else N(NO_PROPOSAL_CHOSEN)-style verdict whose why says
 * what was wrong (the engine deletes the SA / fails the child). */
struct ike_result proposal_check_reply(const struct v2_sa *reply,
				       const struct v2_sa *offered,
				       unsigned flags,
				       struct prop_choice *chosen);

/* "ike_encryption: ours aes256; peer offered aes128, 3des; ike_dh_group:
 * ours 14; peer offered 2, 5" — only the types with no overlap (keys
 * esp_* when esp).  Returns the length written (truncated to fit, always
 * NUL-terminated when bufsz > 0). */
size_t proposal_mismatch_fmt(const struct prop_mismatch *m, bool esp,
			     char *buf, size_t bufsz);

/* "aes256-sha256-modp2048" style (status.h's algs): encr[-integ][-dh]. */
size_t proposal_choice_fmt(const struct prop_choice *ch, char *buf, size_t bufsz);

/* Our offer, proposals separated by ", ", transforms of a type by "/":
 * "aes256/aes128-sha256-14/2, aes256gcm16-sha256-14" — for
 * "as initiator show what we offered". */
size_t proposal_sa_fmt(const struct v2_sa *sa, char *buf, size_t bufsz);

#endif
