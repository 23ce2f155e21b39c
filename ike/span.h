/* Bounds-checked reader over untrusted bytes.
 *
 * Every getter is all-or-nothing: on failure it returns false and leaves
 * the span untouched, so a caller can bail out without cleanup.  Lengths
 * are compared by subtraction against what is left, never by forming a
 * pointer past the end.
 */
#ifndef IKEGW_SPAN_H
#define IKEGW_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct span {
	const uint8_t *p;	/* borrowed; a span never owns memory */
	size_t n;
};

static inline struct span span_make(const void *p, size_t n)
{
	struct span s = { p, n };
	return s;
}

bool span_u8(struct span *s, uint8_t *v);
bool span_be16(struct span *s, uint16_t *v);
bool span_be32(struct span *s, uint32_t *v);
bool span_be64(struct span *s, uint64_t *v);
bool span_copy(struct span *s, void *dst, size_t len);
bool span_skip(struct span *s, size_t len);
/* Carve a sub-span of exactly len bytes and advance past it. */
bool span_take(struct span *s, size_t len, struct span *out);
/* Equal length and bytes; not constant time (use for public data only). */
bool span_eq(struct span a, struct span b);

#endif
