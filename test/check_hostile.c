/* Every hostile-input vector (test/vectors/NN-name.hex, HOSTILE-INPUTS.md
 * section 4) fed to a real responder engine over the fake network and
 * the fake kernel: whatever the bytes, no kernel call, no SA unless the
 * decoder accepted an IKE_SA_INIT request, at most one answer, and an
 * answer to a rejected message carries no SA or KE (an unprotected
 * notify at most).  The codec tests assert each row's exact verdict;
 * this asserts that the engine acts on none of them. */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/engine.h"
#include "ike/log.h"
#include "ike/v2_codec.h"
#include "test/util/fakenet.h"

#define RESP_CONF \
	"[connection peer]\n" \
	"local_address = 192.0.2.2\nremote_address = 192.0.2.1\n" \
	"local_subnets = 10.2.0.0/16\nremote_subnets = 10.1.0.0/16\n" \
	"psk = hostile input test key 0123456789\n" \
	"ike_dh_group = 19, 14, 31\nstart = respond\n"

static glob_t vec;

static size_t read_hex(const char *path, uint8_t *out, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		for (char *p = line; p[0] && p[1]; p += 2) {
			unsigned v;

			if (p[0] == '\n' || sscanf(p, "%2x", &v) != 1)
				break;
			ck_assert_uint_lt(n, max);
			out[n++] = (uint8_t)v;
		}
	}
	fclose(f);
	return n;
}

static unsigned sa_count(const struct ike *ike)
{
	unsigned n = 0;

	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		n++;
	return n;
}

/* Did the decoder accept this as an IKE_SA_INIT request? */
static bool codec_accepts_init(const uint8_t *b, size_t n)
{
	static struct v2_msg m;
	struct ike_result r = v2_parse_msg(span_make(b, n), &m);

	if (r.v == IKE_OK)
		r = v2_check_rules(&m, false);
	return r.v == IKE_OK && m.hdr.exch == IKEV2_EXCH_IKE_SA_INIT &&
	       !(m.hdr.flags & IKEV2_FLAG_RESPONSE);
}

static void feed(const char *path, bool natt)
{
	static uint8_t buf[70000];
	static struct v2_msg m;
	struct fakenet *net = fakenet_new();
	struct fakenet_node *b;
	struct ike_addr src, dst;
	size_t off = natt ? 4 : 0, n;
	bool accepted;

	memset(buf, 0, 4);	/* the non-ESP marker on 4500 */
	n = read_hex(path, buf + off, sizeof(buf) - off);
	accepted = codec_accepts_init(buf + off, n);
	ck_assert_int_eq(fakenet_add(net, 1, "B", "192.0.2.2", RESP_CONF), 0);
	b = &net->node[1];
	addr_parse("192.0.2.1", &src);
	addr_parse("192.0.2.2", &dst);
	ike_recv(b->ike, buf, n + off, &src, natt ? 4500 : 500, &dst, natt ? 4500 : 500);
	fakenet_run(net, 100);

	ck_assert_msg(xfrm_fake_calls(b->xfrm) == 0, "%s: kernel calls:\n%s", path,
		      xfrm_fake_log(b->xfrm));
	ck_assert_msg(net->n_cap <= 1, "%s: %u answers", path, net->n_cap);
	if (net->n_cap == 1) {
		const struct fakenet_pkt *p = net->cap[0];
		size_t o = p->sport == 4500 ? 4 : 0;
		bool full;

		ck_assert_uint_ge(p->len, o);
		ck_assert_int_eq(v2_parse_msg(span_make(p->buf + o, p->len - o), &m).v, IKE_OK);
		full = m.count[IKEV2_PL_SA] || m.count[IKEV2_PL_KE];
		ck_assert_msg(!full || accepted, "%s: rejected, but answered with SA/KE", path);
		ck_assert_msg(full || sa_count(b->ike) == 0,
			      "%s: notify-only answer left an SA", path);
	}
	ck_assert_msg(accepted || sa_count(b->ike) == 0, "%s: rejected, but %u SA(s)",
		      path, sa_count(b->ike));
	ck_assert_uint_le(sa_count(b->ike), 1);
	fakenet_free(net);
}

START_TEST(vector_port_500)
{
	feed(vec.gl_pathv[_i], false);
}
END_TEST

START_TEST(vector_port_4500)
{
	feed(vec.gl_pathv[_i], true);
}
END_TEST

#define INIT_CONF \
	"[connection peer]\n" \
	"local_address = 192.0.2.1\nremote_address = 192.0.2.2\n" \
	"local_subnets = 10.1.0.0/16\nremote_subnets = 10.2.0.0/16\n" \
	"psk = hostile input test key 0123456789\n" \
	"ike_dh_group = 31\nstart = immediate\n"

/* The oracle itself: a real initiator's IKE_SA_INIT, fed the same way,
 * must create a half-open SA and get a full answer, or the assertions
 * above prove nothing. */
START_TEST(valid_init_is_answered)
{
	static uint8_t buf[8192];
	struct fakenet *a = fakenet_new(), *net = fakenet_new();
	struct ike_addr src, dst;
	size_t n;

	ck_assert_int_eq(fakenet_add(a, 0, "A", "192.0.2.1", INIT_CONF), 0);
	fakenet_run(a, 1);
	ck_assert_uint_ge(a->n_cap, 1);
	n = a->cap[0]->len;
	memcpy(buf, a->cap[0]->buf, n);
	ck_assert(codec_accepts_init(buf, n));
	ck_assert_int_eq(fakenet_add(net, 1, "B", "192.0.2.2", RESP_CONF), 0);
	addr_parse("192.0.2.1", &src);
	addr_parse("192.0.2.2", &dst);
	ike_recv(net->node[1].ike, buf, n, &src, 500, &dst, 500);
	fakenet_run(net, 100);
	ck_assert_uint_eq(net->n_cap, 1);
	ck_assert_uint_eq(sa_count(net->node[1].ike), 1);
	fakenet_free(net);
	fakenet_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("vectors");
	SRunner *sr;
	int nf;

	log_set_level(LOG_LVL_ERR);
	if (glob("test/vectors/[0-9][0-9]-*.hex", 0, NULL, &vec) != 0 || vec.gl_pathc < 100) {
		fprintf(stderr, "check_hostile: test/vectors not found (run from the repo root)\n");
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, valid_init_is_answered);
	tcase_add_loop_test(tc, vector_port_500, 0, (int)vec.gl_pathc);
	tcase_add_loop_test(tc, vector_port_4500, 0, (int)vec.gl_pathc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	globfree(&vec);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
