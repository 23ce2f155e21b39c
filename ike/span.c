#include <string.h>

#include "span.h"

bool span_take(struct span *s, size_t len, struct span *out)
{
	if (len > s->n)
		return false;
	out->p = s->p;
	out->n = len;
	s->p += len;
	s->n -= len;
	return true;
}

bool span_skip(struct span *s, size_t len)
{
	struct span dummy;

	return span_take(s, len, &dummy);
}

bool span_copy(struct span *s, void *dst, size_t len)
{
	struct span t;

	if (!span_take(s, len, &t))
		return false;
	if (len)
		memcpy(dst, t.p, len);
	return true;
}

bool span_u8(struct span *s, uint8_t *v)
{
	return span_copy(s, v, 1);
}

bool span_be16(struct span *s, uint16_t *v)
{
	struct span t;

	if (!span_take(s, 2, &t))
		return false;
	*v = (uint16_t)(t.p[0] << 8 | t.p[1]);
	return true;
}

bool span_be32(struct span *s, uint32_t *v)
{
	struct span t;

	if (!span_take(s, 4, &t))
		return false;
	*v = (uint32_t)t.p[0] << 24 | (uint32_t)t.p[1] << 16 |
	     (uint32_t)t.p[2] << 8 | t.p[3];
	return true;
}

bool span_be64(struct span *s, uint64_t *v)
{
	struct span t;
	uint32_t hi, lo;

	if (s->n < 8)
		return false;
	t = *s;
	span_be32(&t, &hi);
	span_be32(&t, &lo);
	*s = t;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

bool span_eq(struct span a, struct span b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}
