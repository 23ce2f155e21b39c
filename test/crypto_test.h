/* Helpers shared by the crypto test suites (header-only: every
 * test/check_*.c is its own program). */
#ifndef IKEGW_TEST_CRYPTO_TEST_H
#define IKEGW_TEST_CRYPTO_TEST_H

#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decode hex (spaces allowed, as RFCs print vectors) into a static-free
 * heap buffer the caller frees; *len gets the byte count. */
static inline uint8_t *hex(const char *s, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *b = malloc(cap);
	int hi = -1;

	ck_assert_ptr_nonnull(b);
	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		ck_assert_msg(isxdigit((unsigned char)*s), "bad hex '%c'", *s);
		v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			b[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	ck_assert_msg(hi < 0, "odd hex length");
	*len = n;
	return b;
}

/* Assert that got[n] equals the hex string want. */
#define ck_assert_hex(got, n, want) do {					\
	size_t want_len_;							\
	uint8_t *want_ = hex((want), &want_len_);				\
	ck_assert_uint_eq((n), want_len_);					\
	ck_assert_msg(memcmp((got), want_, want_len_) == 0,			\
		      "bytes differ from %s", #want);				\
	free(want_);								\
} while (0)

/* Deterministic RNG for crypto_set_rng(): fills with one byte value. */
static inline void rng_fill_byte(void *buf, size_t n, void *arg)
{
	memset(buf, *(const uint8_t *)arg, n);
}

/* Deterministic RNG: a counter stream, different on every call. */
static inline void rng_counter(void *buf, size_t n, void *arg)
{
	uint32_t *ctr = arg;
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(*ctr * 131u + i * 17u + (*ctr >> 8));
	(*ctr)++;
}

#endif
