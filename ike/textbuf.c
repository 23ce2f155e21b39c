#include <stdarg.h>
#include <stdio.h>

#include "textbuf.h"

void textbuf_put(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->sz == 0 || t->len >= t->sz - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->sz - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	t->len += (size_t)n;
	if (t->len > t->sz - 1)
		t->len = t->sz - 1;
}
