/* IKEv2 wire codec: decode (pure), per-exchange rules, encode.
 *
 * Receiving a message, in this order:
 *   r = v2_parse_msg(pkt, &m);          header + clear payload chain
 *   r = v2_check_rules(&m, false);      header sanity, clear payloads
 *   -- the crypto code checks and decrypts SK:
 *      AAD (AEAD)        = m.raw[0 .. m.sk_hdr_off + 4)   IKE hdr | SK hdr
 *      integrity (CBC)   = m.raw[0 .. m.raw.n - icv_len)  hdr .. ciphertext
 *      m.sk_body         = IV | ciphertext | ICV
 *      plain             = decrypted bytes with padding and pad length removed
 *   r = v2_parse_inner(m.sk_next, plain, &m);   merged into the same m
 *   r = v2_check_rules(&m, true);       payloads inside SK
 * Decoded spans point into pkt and plain: keep both alive while m is used.
 * Every function returns IKE_DROP for malformed clear data and
 * IKE_REPLY_NOTIFY(INVALID_SYNTAX) for malformed data inside SK (RFC 7296
 * 3.10.1); the engine must still never answer a response.
 *
 * Sending a message (see v2_build_* below):
 *   plain chain:  v2_build_chain(&ib, &plainbuf); v2_build_idi(&ib, ...);
 *                 ...; v2_build_finish(&ib);   first type = ib.first
 *   outer:        v2_build_begin(&ob, &out, &hdr);
 *                 v2_build_sk(&ob, ib.first, iv_len + ct_len + icv_len, &off);
 *                 v2_build_finish(&ob);     header length now final
 *   the crypto code then writes IV at out.p[off], the ciphertext of
 *   plain | pad | pad_len (v2_sk_padded_len) after it, and the ICV over
 *   out.p[ob.start .. off + iv_len + ct_len) (or AAD = out.p[ob.start .. off)
 *   for AEAD) into the last icv_len bytes.  The layout is
 *   IKE header | SK generic header (next = first inner) | IV | ct | ICV.
 */
#ifndef IKEGW_V2_CODEC_H
#define IKEGW_V2_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "span.h"
#include "v2.h"
#include "wbuf.h"

/* ---- decode ---- */

/* Header only: length field == pkt.n, 28 <= n <= IKE_MAX_MSG, major 2
 * (else N(INVALID_MAJOR_VERSION) for an IKE_SA_INIT request, DROP
 * otherwise; *h is filled in either case so the engine can answer). */
struct ike_result v2_parse_hdr(struct span pkt, struct v2_hdr *h);

/* Header and clear payload chain; stops at SK (sk_next, sk_body,
 * sk_hdr_off).  SKF is dropped (fragmentation is not supported).
 * Zeroes *m first. */
struct ike_result v2_parse_msg(struct span pkt, struct v2_msg *m);

/* Payload chain inside a decrypted SK, starting with type first; adds to
 * m's counts and fields.  SK or SKF inside SK is INVALID_SYNTAX. */
struct ike_result v2_parse_inner(uint8_t first, struct span plain, struct v2_msg *m);

/* ---- rules ---- */

/* inner == false: header sanity (known exchange 34..37; SPIi != 0;
 * IKE_SA_INIT: message ID 0, SPIr 0 in requests and != 0 in responses
 * without an error notify; other exchanges SPIr != 0), unknown critical
 * payloads (N(UNSUPPORTED_CRITICAL_PAYLOAD) for an IKE_SA_INIT request,
 * else DROP) and the clear payloads (IKE_AUTH, CREATE_CHILD_SA and
 * INFORMATIONAL carry exactly one SK and nothing else).
 * inner == true: payloads inside SK against the exchange's table
 * (INVALID_SYNTAX, or UNSUPPORTED_CRITICAL_PAYLOAD: the engine puts
 * m->unknown_critical as notify data).
 * Order of complaints: misplaced payload, duplicate, missing.  A response
 * carrying an error notify (type < 16384) or COOKIE may lack mandatory
 * payloads; the engine checks what it needs.  Uses m->outer_count for the
 * clear part, so calls may come in either order. */
struct ike_result v2_check_rules(const struct v2_msg *m, bool inner);

/* True if the message carries an error notify (type < 16384) or COOKIE. */
bool v2_msg_has_error_notify(const struct v2_msg *m);
/* First notify of that type, or NULL. */
const struct v2_notify *v2_msg_find_notify(const struct v2_msg *m, uint16_t type);

/* Proposal-level sanity for proposal matching: decode flags (p->bad),
 * protocol 1..3, SPI size (0 for IKE in IKE_SA_INIT, 8 for an IKE rekey,
 * 4 and nonzero for ESP/AH), at least one transform, AES key length in
 * {128,192,256}, no unknown attribute.  *why is a static reason. */
bool v2_proposal_wellformed(const struct v2_proposal *p, bool ike_sa_init,
			    const char **why);
/* Transform-level: false if the transform must be skipped. */
bool v2_transform_wellformed(const struct v2_transform *t, const char **why);

/* ID sanity (row 34: the engine answers AUTHENTICATION_FAILED): known type,
 * 1..IKE_MAX_ID bytes, address length 4/16, FQDN/RFC822 printable ASCII. */
bool v2_id_wellformed(const struct v2_id *id, const char **why);

/* ---- encode ---- */

struct v2_builder {
	struct wbuf *wb;
	size_t start;		/* offset of the IKE header (or chain) in wb */
	size_t next_off;	/* where the next payload's type goes */
	size_t pl_off;		/* generic header of the open payload */
	uint8_t first;		/* type of the first payload written */
	bool has_hdr;		/* begun with v2_build_begin */
	bool open;		/* a payload is between begin and end */
	bool sealed;		/* SK written: nothing may follow */
	bool chained;		/* at least one payload written */
	int err;		/* latched: -EINVAL misuse, or the wbuf's error */
};

/* Outer message: writes the 28-byte header (next and length patched
 * later; version 0x20 when h->version is 0). */
void v2_build_begin(struct v2_builder *b, struct wbuf *wb, const struct v2_hdr *h);
/* A bare payload chain (the plaintext of an SK); b->first gives SK's next. */
void v2_build_chain(struct v2_builder *b, struct wbuf *wb);
/* Patches the header length; 0 or negative errno (latched errors). */
int v2_build_finish(struct v2_builder *b);

/* Generic payload framing, for payloads without a helper below. */
void v2_build_payload_begin(struct v2_builder *b, uint8_t type, bool critical);
void v2_build_payload_end(struct v2_builder *b);
void v2_build_raw(struct v2_builder *b, uint8_t type, struct span body);

/* SA from proposals: numbers are written as 1..n in array order (p->num
 * is ignored); spi_size bytes of p->spi; keylen > 0 adds the attribute. */
void v2_build_sa(struct v2_builder *b, const struct v2_proposal *p, unsigned n);
void v2_build_ke(struct v2_builder *b, uint16_t group, struct span data);
void v2_build_nonce(struct v2_builder *b, struct span nonce);
/* pl_type IKEV2_PL_IDi or IKEV2_PL_IDr */
void v2_build_id(struct v2_builder *b, uint8_t pl_type, uint8_t id_type, struct span data);
void v2_build_auth(struct v2_builder *b, uint8_t method, struct span data);
void v2_build_notify(struct v2_builder *b, uint8_t proto, struct span spi,
		     uint16_t type, struct span data);
void v2_build_delete(struct v2_builder *b, uint8_t proto, uint8_t spi_size,
		     uint16_t n_spi, struct span spis);
void v2_build_vid(struct v2_builder *b, struct span vid);
/* pl_type IKEV2_PL_TSi or IKEV2_PL_TSr */
void v2_build_ts(struct v2_builder *b, uint8_t pl_type, const struct v2_ts_set *ts);
/* CP with raw, already encoded attributes */
void v2_build_cp(struct v2_builder *b, uint8_t cfg_type, struct span attrs);

/* SK envelope: writes the SK generic header with next = first_inner and
 * reserves body_len (IV | ciphertext | ICV) zero bytes at *body_off for
 * the crypto code to fill after v2_build_finish().  Must be last. */
void v2_build_sk(struct v2_builder *b, uint8_t first_inner, size_t body_len,
		 size_t *body_off);
/* Bytes of plaintext | padding | pad-length byte for a cipher block size
 * (1 for stream/AEAD-CTR modes): a multiple of block. */
size_t v2_sk_padded_len(size_t plain_len, size_t block);

#endif
