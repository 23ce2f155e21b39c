#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wbuf.h"

void wbuf_init(struct wbuf *wb, size_t max)
{
	memset(wb, 0, sizeof(*wb));
	wb->max = max;
}

void wbuf_reset(struct wbuf *wb)
{
	if (wb->p)
		sodium_memzero(wb->p, wb->cap);
	wb->len = 0;
	wb->err = 0;
}

void wbuf_free(struct wbuf *wb)
{
	size_t max = wb->max;

	if (wb->p) {
		sodium_memzero(wb->p, wb->cap);
		free(wb->p);
	}
	wbuf_init(wb, max);
}

/* Grow by copying into fresh memory so old contents can be wiped. */
static int grow(struct wbuf *wb, size_t need)
{
	size_t cap = wb->cap ? wb->cap : 256;
	uint8_t *np;

	while (cap < need)
		cap = cap > wb->max / 2 ? wb->max : cap * 2;
	np = malloc(cap);
	if (!np)
		return -ENOMEM;
	if (wb->p) {
		memcpy(np, wb->p, wb->len);
		sodium_memzero(wb->p, wb->cap);
		free(wb->p);
	}
	wb->p = np;
	wb->cap = cap;
	return 0;
}

int wbuf_reserve(struct wbuf *wb, size_t n, size_t *off)
{
	int r;

	if (wb->err)
		return wb->err;
	if (n > wb->max - wb->len)
		return wb->err = -EMSGSIZE;
	if (wb->len + n > wb->cap && (r = grow(wb, wb->len + n)) < 0)
		return wb->err = r;
	if (off)
		*off = wb->len;
	memset(wb->p + wb->len, 0, n);
	wb->len += n;
	return 0;
}

int wbuf_put(struct wbuf *wb, const void *p, size_t n)
{
	size_t off;
	int r;

	if ((r = wbuf_reserve(wb, n, &off)) < 0)
		return r;
	if (n)
		memcpy(wb->p + off, p, n);
	return 0;
}

int wbuf_zero(struct wbuf *wb, size_t n)
{
	return wbuf_reserve(wb, n, NULL);
}

int wbuf_u8(struct wbuf *wb, uint8_t v)
{
	return wbuf_put(wb, &v, 1);
}

int wbuf_be16(struct wbuf *wb, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };

	return wbuf_put(wb, b, 2);
}

int wbuf_be32(struct wbuf *wb, uint32_t v)
{
	uint8_t b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

	return wbuf_put(wb, b, 4);
}

int wbuf_be64(struct wbuf *wb, uint64_t v)
{
	int r = wbuf_be32(wb, (uint32_t)(v >> 32));

	return r ? r : wbuf_be32(wb, (uint32_t)v);
}

void wbuf_patch_be16(struct wbuf *wb, size_t off, uint16_t v)
{
	if (wb->err || off > wb->len || wb->len - off < 2)
		return;
	wb->p[off] = v >> 8;
	wb->p[off + 1] = v & 0xff;
}

void wbuf_patch_be32(struct wbuf *wb, size_t off, uint32_t v)
{
	if (wb->err || off > wb->len || wb->len - off < 4)
		return;
	wb->p[off] = v >> 24;
	wb->p[off + 1] = (v >> 16) & 0xff;
	wb->p[off + 2] = (v >> 8) & 0xff;
	wb->p[off + 3] = v & 0xff;
}
