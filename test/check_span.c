#include <check.h>
#include <stdlib.h>

#include "ike/span.h"
#include "ike/wbuf.h"

START_TEST(take_is_all_or_nothing)
{
	static const uint8_t b[] = { 1, 2, 3 };
	struct span s = span_make(b, sizeof(b)), sub;
	uint32_t v32;
	uint16_t v16;

	ck_assert(!span_be32(&s, &v32));
	ck_assert_uint_eq(s.n, 3);
	ck_assert(!span_take(&s, 4, &sub));
	ck_assert(span_be16(&s, &v16));
	ck_assert_uint_eq(v16, 0x0102);
	ck_assert(span_take(&s, 1, &sub));
	ck_assert_uint_eq(sub.p[0], 3);
	ck_assert_uint_eq(s.n, 0);
	ck_assert(!span_skip(&s, 1));
	ck_assert(span_take(&s, 0, &sub));
}
END_TEST

START_TEST(huge_length_does_not_wrap)
{
	static const uint8_t b[8] = { 0 };
	struct span s = span_make(b, sizeof(b)), sub;
	uint64_t v;

	ck_assert(!span_take(&s, SIZE_MAX, &sub));
	ck_assert(!span_skip(&s, (size_t)-8));
	ck_assert(span_be64(&s, &v));
	ck_assert(v == 0);
}
END_TEST

START_TEST(wbuf_cap_latches)
{
	struct wbuf wb;
	size_t off;

	wbuf_init(&wb, 6);
	ck_assert_int_eq(wbuf_reserve(&wb, 2, &off), 0);
	ck_assert_int_eq(wbuf_be32(&wb, 0x01020304), 0);
	ck_assert_int_lt(wbuf_u8(&wb, 5), 0);
	ck_assert_int_lt(wb.err, 0);
	ck_assert_uint_eq(wb.len, 6);
	wbuf_free(&wb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("span");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, take_is_all_or_nothing);
	tcase_add_test(tc, huge_length_does_not_wrap);
	tcase_add_test(tc, wbuf_cap_latches);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
