/* The CLI's renderers (cli/render.c is compiled in here: the CLI is not
 * part of libikegw.a): JSON string escaping and the table/JSON shapes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/render.c"

static char *capture_json(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	json_string(f, s);
	fclose(f);
	return buf;
}

static const struct { const char *in, *out; } esc[] = {
	{ "plain", "\"plain\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "nl\ntab\t\x01\x7f", "\"nl\\u000atab\\u0009\\u0001\\u007f\"" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\"" },
	{ "bad\xff\xc3", "\"bad\\ufffd\\ufffd\"" },
	{ "overlong\xc0\xaf", "\"overlong\\ufffd\\ufffd\"" },
	{ "surrogate\xed\xa0\x80", "\"surrogate\\ufffd\\ufffd\\ufffd\"" },
	{ "cut\xe2\x82", "\"cut\\ufffd\\ufffd\"" },
	{ "", "\"\"" },
};

START_TEST(json_escaping)
{
	char *got = capture_json(esc[_i].in);

	ck_assert_str_eq(got, esc[_i].out);
	free(got);
}
END_TEST

static struct conn_status *sample(void)
{
	struct conn_status *st = calloc(1, sizeof(*st));
	bool host;

	strcpy(st->name, "branch");
	st->ike_version = 1;
	st->p1 = P1_FAILED;
	st->attempts = 3;
	st->last_failure = 1000;
	strcpy(st->reason, "psk-mismatch");
	strcpy(st->detail, "message 5 from 203.0.113.9 did not decrypt");
	strcpy(st->hint, "Check `psk` here and on the peer");
	st->n_coverage = 1;
	subnet_parse("10.1.0.0/16", &st->cov[0].local, &host);
	subnet_parse("10.2.0.0/16", &st->cov[0].remote, &host);
	strcpy(st->cov[0].note, "phase 1 \"failed\"");
	return st;
}

START_TEST(table_shows_failure)
{
	struct conn_status *st = sample();
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	render_table(f, st, 1020);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "branch    IKEv1 main  phase 1 FAILED x3, last 20s ago: psk-mismatch\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n          Check `psk` here and on the peer\n"));
	ck_assert_ptr_nonnull(strstr(buf, "10.2.0.0/16        missing (phase 1 \"failed\")"));
	ck_assert(!status_is_up(st));
	free(buf);
	free(st);
}
END_TEST

/* A phase-2 failure under an established phase 1 is shown, once. */
START_TEST(table_shows_phase2_failure_when_up)
{
	struct conn_status *st = sample();
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	st->p1 = P1_ESTABLISHED;
	st->since = 900;
	strcpy(st->reason, "ts-mismatch");
	strcpy(st->detail, "extra CHILD SA: peer refused the pairs 10.1.0.0/16 === 10.3.0.0/16");
	render_table(f, st, 1020);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "phase 1 ESTABLISHED 2m"));
	ck_assert_ptr_nonnull(strstr(buf, "\n          last failure x3, 20s ago: ts-mismatch\n"
					  "          extra CHILD SA: peer refused the pairs"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &n);
	st->p1 = P1_FAILED;
	render_table(f, st, 1020);
	fclose(f);
	ck_assert_ptr_null(strstr(buf, "last failure"));
	free(buf);
	free(st);
}
END_TEST

START_TEST(table_says_pfs_not_yet_verified)
{
	struct conn_status *st = sample();
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	st->p1 = P1_ESTABLISHED;
	st->n_children = 1;
	st->children[0].id = 1;
	st->children[0].state = P2_ESTABLISHED;
	st->children[0].pfs_group = 14;
	render_table(f, st, 1020);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "pfs 14 (PFS not yet verified"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &n);
	st->children[0].pfs_verified = 1;
	render_table(f, st, 1020);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "pfs 14 (verified)"));
	free(buf);
	free(st);
}
END_TEST

START_TEST(json_conn_shape)
{
	struct conn_status *st = sample();
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	render_json_begin(f);
	render_json_conn(f, st, true);
	render_json_end(f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "{\"version\": 1, \"connections\": [\n  {\"name\": \"branch\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"phase1\": \"failed\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"local\": null"));
	ck_assert_ptr_nonnull(strstr(buf, "\"child\": null, \"note\": \"phase 1 \\\"failed\\\"\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"established\": false"));
	ck_assert_str_eq(buf + n - 4, "\n]}\n");
	free(buf);
	free(st);
}
END_TEST

START_TEST(up_needs_every_child_and_pair)
{
	struct conn_status *st = sample();

	st->p1 = P1_ESTABLISHED;
	ck_assert(!status_is_up(st));		/* no child */
	st->n_children = 1;
	st->children[0].state = P2_ESTABLISHED;
	ck_assert(!status_is_up(st));		/* pair not covered */
	st->cov[0].child_id = 1;
	ck_assert(status_is_up(st));
	st->children[0].state = P2_FAILED;
	ck_assert(!status_is_up(st));
	free(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, json_escaping, 0, sizeof(esc) / sizeof(esc[0]));
	tcase_add_test(tc, table_shows_failure);
	tcase_add_test(tc, table_shows_phase2_failure_when_up);
	tcase_add_test(tc, table_says_pfs_not_yet_verified);
	tcase_add_test(tc, json_conn_shape);
	tcase_add_test(tc, up_needs_every_child_and_pair);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
