/* The IKEv2 Encrypted payload (RFC 7296 3.14; AES-GCM per RFC 5282).
 *
 * SK body on the wire: IV | ciphertext(plaintext | padding | pad length) |
 * ICV.  The same functions serve SKF (RFC 7383): the "header" part is
 * then everything up to the end of the SKF header.
 *
 * Building a message (the caller owns the buffer):
 *   body = v2_sk_body_len(&alg, plain_len);
 *   write IKE header (length = hdr..SK header + body), any clear payloads,
 *   the SK generic header (length = 4 + body), then reserve body bytes;
 *   v2_sk_encrypt(&alg, msg, msg_len, body_off, plain, plain_len);
 * where body_off is the offset right after the SK generic header and
 * msg_len == body_off + body.
 */
#ifndef IKEGW_V2_SK_H
#define IKEGW_V2_SK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keymat.h"
#include "span.h"

/* One direction's SK keys: borrowed pointers into struct ike_keys. */
struct sk_alg {
	uint16_t encr;
	uint16_t encr_keylen;		/* bits */
	uint16_t integ;			/* IKEV2_AUTH_NONE for AEAD */
	struct span ekey;		/* SK_e (GCM: key | 4-byte salt) */
	struct span akey;		/* SK_a, empty for AEAD */
};

/* Keys for messages we send (out = true) or receive, given our role
 * (initiator of the IKE SA uses SK_ei/SK_ai to send). */
void v2_sk_alg_from_keys(struct sk_alg *a, const struct ike_keys *k,
			 bool we_are_initiator, bool out);

/* Bytes of SK body (IV + ciphertext + ICV) for plain_len bytes of inner
 * payloads: CBC pads to the block size, GCM adds only the pad length
 * byte.  0 for an unsupported alg. */
size_t v2_sk_body_len(const struct sk_alg *a, size_t plain_len);
/* Largest plaintext that fits a body of at most body_max bytes (for
 * fragmentation); 0 if none fits. */
size_t v2_sk_max_plain(const struct sk_alg *a, size_t body_max);

/* Fill msg[body_off .. msg_len) with a random IV, the encrypted
 * plaintext and padding, and the ICV/tag.  Everything before body_off
 * (IKE header through the SK/SKF header) must be final: it is the GCM
 * AAD and part of the HMAC input.  Requires msg_len - body_off ==
 * v2_sk_body_len(a, plain_len); plain must not overlap msg.
 * Returns 0, -EINVAL (lengths/alg), -EIO. */
int v2_sk_encrypt(const struct sk_alg *a, uint8_t *msg, size_t msg_len,
		  size_t body_off, const uint8_t *plain, size_t plain_len);

/* Authenticate then decrypt the SK body msg[body_off .. msg.n).  Checks:
 * body >= IV + ICV (+ one block), ciphertext block-aligned, ICV/tag in
 * constant time before any decryption, pad length < decrypted length.
 * On success writes the inner payloads to plain (cap bytes; the body
 * length always suffices) and sets *plain_len.  Returns 0, -EBADMSG
 * (any malformed or unauthentic input; plain is wiped), -EINVAL (bad alg
 * or cap), -EIO.  No state anywhere is touched. */
int v2_sk_decrypt(const struct sk_alg *a, struct span msg, size_t body_off,
		  uint8_t *plain, size_t cap, size_t *plain_len);

#endif
