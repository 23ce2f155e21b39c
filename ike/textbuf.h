/* Bounded text assembly for diagnostics: appends never overflow and
 * a full buffer silently truncates (the text is for people, and its
 * first part says the most). */
#ifndef IKEGW_TEXTBUF_H
#define IKEGW_TEXTBUF_H

#include <stddef.h>

struct textbuf {
	char *buf;
	size_t sz, len;
};

static inline struct textbuf textbuf_make(char *buf, size_t sz)
{
	struct textbuf t = { buf, sz, 0 };

	if (sz)
		buf[0] = '\0';
	return t;
}

void textbuf_put(struct textbuf *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
