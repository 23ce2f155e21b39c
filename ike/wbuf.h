/* Growable output buffer with a hard cap.
 *
 * Writers are all-or-nothing too, and a failed write latches the buffer
 * into an error state (wb->err) so a builder can emit a whole message and
 * check once at the end.  wbuf_free() wipes the contents: buffers often
 * hold key material or plaintext.
 */
#ifndef IKEGW_WBUF_H
#define IKEGW_WBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max;	/* hard limit on len */
	int err;	/* 0, or -ENOMEM / -EMSGSIZE once a write failed */
};

void wbuf_init(struct wbuf *wb, size_t max);
void wbuf_free(struct wbuf *wb);	/* wipes, frees, re-inits with same max */
void wbuf_reset(struct wbuf *wb);	/* wipes contents, keeps storage */
int wbuf_put(struct wbuf *wb, const void *p, size_t n);
int wbuf_u8(struct wbuf *wb, uint8_t v);
int wbuf_be16(struct wbuf *wb, uint16_t v);
int wbuf_be32(struct wbuf *wb, uint32_t v);
int wbuf_be64(struct wbuf *wb, uint64_t v);
int wbuf_zero(struct wbuf *wb, size_t n);
/* Reserve n bytes and return their offset (for lengths patched later). */
int wbuf_reserve(struct wbuf *wb, size_t n, size_t *off);
void wbuf_patch_be16(struct wbuf *wb, size_t off, uint16_t v);
void wbuf_patch_be32(struct wbuf *wb, size_t off, uint32_t v);

#endif
