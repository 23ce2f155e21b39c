/* Unit tests for the IKE SA table (window, response cache, back-off,
 * task queue), the cookie helper and the kernel side of CHILD SAs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child.h"
#include "ike/crypto.h"
#include "ike/dos.h"
#include "ike/engine.h"
#include "ike/sa.h"

static uint64_t now_ms = 5000;

static uint64_t fake_now(void *arg)
{
	(void)arg;
	return now_ms;
}

static struct ike *mini_ike(void)
{
	struct ike *ike = calloc(1, sizeof(*ike));

	ck_assert_ptr_nonnull(ike);
	ike->env.now_ms = fake_now;
	ike->next_reqid = XFRM_REQID_MIN + 1;
	return ike;
}

START_TEST(window_of_one)
{
	struct ike *ike = mini_ike();
	struct ike_sa *sa = sa_new(ike, false);
	struct wbuf resp;

	wbuf_init(&resp, 100);
	wbuf_put(&resp, "abc", 3);
	ck_assert_int_eq(sa_window_check(sa, 0), SA_WIN_NEW);
	ck_assert_int_eq(sa_window_check(sa, 1), SA_WIN_OUTSIDE);
	sa_cache_response(sa, &resp);
	ck_assert_int_eq(sa_window_check(sa, 0), SA_WIN_RETRANSMIT);
	ck_assert_int_eq(sa_window_check(sa, 1), SA_WIN_NEW);
	ck_assert_int_eq(sa_window_check(sa, 2), SA_WIN_OUTSIDE);
	ck_assert_int_eq(sa_window_check(sa, 0xffffffffu), SA_WIN_OUTSIDE);
	ck_assert_uint_eq(sa->resp.len, 3);
	ck_assert_mem_eq(sa->resp.p, "abc", 3);
	wbuf_free(&resp);
	sa_free(sa);
	free(ike);
}
END_TEST

START_TEST(backoff_and_limit)
{
	struct ike *ike = mini_ike();
	struct ike_sa *sa = sa_new(ike, true);
	static const uint64_t want[] = { 2000, 4000, 8000, 16000, 32000, 64000 };
	uint64_t t = now_ms;

	sa_out_start(sa, TASK_DPD, t);
	ck_assert(!sa_out_retransmit_due(sa, t + 1999));
	for (unsigned i = 0; i < SA_RETRANS_TRIES; i++) {
		ck_assert_uint_eq(sa->out.next_at - t, want[i]);
		t = sa->out.next_at;
		ck_assert(sa_out_retransmit_due(sa, t));
		ck_assert(!sa_out_exhausted(sa));
		sa_out_backoff(sa, t);
	}
	ck_assert_uint_eq(sa->out.next_at - t, want[SA_RETRANS_TRIES]);
	ck_assert(sa_out_exhausted(sa));
	sa_out_done(sa);
	ck_assert(!sa_out_retransmit_due(sa, UINT64_MAX));
	sa_free(sa);
	free(ike);
}
END_TEST

START_TEST(lookup_by_spi)
{
	struct ike *ike = mini_ike();
	struct ike_sa *i = sa_new(ike, true), *r = sa_new(ike, false);
	struct ike_addr a;

	addr_parse("192.0.2.1", &a);
	i->spi_i = 0x1111;
	i->spi_r = 0x2222;
	r->spi_i = 0x3333;
	r->spi_r = 0x4444;
	r->remote = a;
	r->state = SA_HALF_OPEN;
	sa_link(ike, i);
	sa_link(ike, r);
	ck_assert_ptr_eq(sa_lookup(ike, 0x1111), i);
	ck_assert_ptr_eq(sa_lookup(ike, 0x4444), r);
	ck_assert_ptr_null(sa_lookup(ike, 0x2222));	/* the peer's SPI is not ours */
	ck_assert_ptr_null(sa_lookup(ike, 0x3333));
	ck_assert_ptr_eq(sa_lookup_half_open(ike, 0x3333, &a), r);
	addr_parse("192.0.2.2", &a);
	ck_assert_ptr_null(sa_lookup_half_open(ike, 0x3333, &a));
	ck_assert_uint_eq(sa_count_half_open(ike), 1);
	r->state = SA_DEAD;
	ck_assert_ptr_null(sa_lookup(ike, 0x4444));
	sa_unlink(ike, i);
	sa_unlink(ike, r);
	ck_assert_ptr_null(ike->sas);
	sa_free(i);
	sa_free(r);
	free(ike);
}
END_TEST

START_TEST(task_queue_bounded_and_deduplicated)
{
	struct ike *ike = mini_ike();
	struct ike_sa *sa = sa_new(ike, true);
	struct ts_pair p = { 1, 2 };
	struct child_sa c;
	struct sa_task t;
	unsigned n = 0;

	ck_assert_int_eq(sa_task_push(sa, TASK_CHILD_NEW, NULL, &p), 0);
	ck_assert_int_eq(sa_task_push(sa, TASK_CHILD_NEW, NULL, &p), 0);
	ck_assert_uint_eq(sa->n_tasks, 1);
	ck_assert_int_eq(sa_task_push(sa, TASK_CHILD_REKEY, &c, NULL), 0);
	sa_task_drop_child(sa, &c);
	ck_assert_uint_eq(sa->n_tasks, 1);
	for (unsigned i = 0; i < 2 * SA_MAX_TASKS; i++) {
		p.l = (uint8_t)i;
		p.r = (uint8_t)(i >> 8);
		n += sa_task_push(sa, TASK_CHILD_NEW, NULL, &p) == 0;
	}
	ck_assert_uint_eq(sa->n_tasks, SA_MAX_TASKS);
	ck_assert(sa_task_pop(sa, &t));
	ck_assert_int_eq(t.kind, TASK_CHILD_NEW);
	ck_assert_uint_eq(t.pair.l, 1);
	ck_assert_uint_eq(t.pair.r, 2);
	while (sa_task_pop(sa, &t))
		;
	ck_assert_uint_eq(sa->n_tasks, 0);
	(void)n;
	sa_free(sa);
	free(ike);
}
END_TEST

START_TEST(cookie_check_and_rotation)
{
	struct dos d;
	struct ike_addr a, b;
	uint8_t ni[32] = { 1, 2, 3 }, ck[DOS_COOKIE_LEN];
	struct span nis = span_make(ni, sizeof(ni));

	addr_parse("198.51.100.9", &a);
	addr_parse("198.51.100.10", &b);
	dos_init(&d, 0);
	ck_assert_int_eq(dos_cookie_make(&d, nis, &a, 77, ck), 0);
	ck_assert(dos_cookie_check(&d, span_make(ck, sizeof(ck)), nis, &a, 77));
	ck_assert(!dos_cookie_check(&d, span_make(ck, sizeof(ck)), nis, &b, 77));
	ck_assert(!dos_cookie_check(&d, span_make(ck, sizeof(ck)), nis, &a, 78));
	ck_assert(!dos_cookie_check(&d, span_make(ck, sizeof(ck) - 1), nis, &a, 77));
	dos_tick(&d, DOS_ROTATE_MS);		/* previous secret still accepted */
	ck_assert(dos_cookie_check(&d, span_make(ck, sizeof(ck)), nis, &a, 77));
	dos_tick(&d, 2 * DOS_ROTATE_MS);	/* two rotations: gone */
	ck_assert(!dos_cookie_check(&d, span_make(ck, sizeof(ck)), nis, &a, 77));
	ck[5] ^= 1;
	ck_assert(!dos_cookie_check(&d, span_make(ck, sizeof(ck)), nis, &a, 77));
	dos_wipe(&d);
}
END_TEST

START_TEST(reqids_stay_in_range)
{
	uint32_t next = XFRM_REQID_MAX - 1, r;

	r = child_alloc_reqid(&next);
	ck_assert_uint_eq(r, XFRM_REQID_MAX - 1);
	r = child_alloc_reqid(&next);
	ck_assert_uint_eq(r, XFRM_REQID_MAX);
	r = child_alloc_reqid(&next);
	ck_assert_uint_eq(r, XFRM_REQID_MIN + 1);
	next = 0;
	r = child_alloc_reqid(&next);
	ck_assert(r > XFRM_REQID_MIN && r <= XFRM_REQID_MAX);
}
END_TEST

static void endpoints(struct child_endpoints *ep)
{
	memset(ep, 0, sizeof(*ep));
	addr_parse("198.51.100.1", &ep->local);
	addr_parse("203.0.113.7", &ep->remote);
	ep->local_port = ep->remote_port = 500;
}

/* An AES-GCM-256 child without pairs, keys 0xaa.. in and 0xbb.. out. */
static void gcm_child(struct child_sa *c, struct child_endpoints *ep,
		      struct child_dir_keys *kin, struct child_dir_keys *kout,
		      uint32_t reqid)
{
	memset(c, 0, sizeof(*c));
	memset(kin, 0xaa, sizeof(*kin));
	memset(kout, 0xbb, sizeof(*kout));
	kin->encr_len = kout->encr_len = 36;
	kin->integ_len = kout->integ_len = 0;
	endpoints(ep);
	c->reqid = reqid;
	c->encr = 20;
	c->encr_keylen = 256;
}

START_TEST(child_install_and_remove_exactly)
{
	struct xfrm *x = xfrm_fake_open();
	struct child_sa c;
	struct child_endpoints ep;
	struct child_dir_keys kin, kout;
	struct xfrm_sa got;
	struct child_pair pairs[2];

	gcm_child(&c, &ep, &kin, &kout, XFRM_REQID_MIN + 5);

	subnet_parse("10.1.0.0/16", &pairs[0].local, NULL);
	subnet_parse("10.2.0.0/16", &pairs[0].remote, NULL);
	subnet_parse("10.3.0.0/16", &pairs[1].local, NULL);
	subnet_parse("10.2.0.0/16", &pairs[1].remote, NULL);
	ck_assert_int_eq(child_set_pairs(&c, pairs, 2), 0);
	ck_assert_int_eq(child_alloc_spi(x, &c, &ep), 0);
	c.spi_out = 0x12345678;
	ck_assert_int_eq(child_install(x, &c, &ep, &kin, &kout, true), 0);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 2);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 6);
	ck_assert(xfrm_fake_has_sa(x, &ep.local, c.spi_in, &got));
	ck_assert_mem_eq(got.encr_key, kin.encr, 36);
	ck_assert_uint_eq(got.replay_window, 64);
	ck_assert(xfrm_fake_has_sa(x, &ep.remote, 0x12345678, &got));
	ck_assert_mem_eq(got.encr_key, kout.encr, 36);
	child_uninstall(x, &c, &ep);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 0);
	free(c.pairs);
	xfrm_close(x);
}
END_TEST

/* A rekey's responder: inbound now, the outbound SA from held keys later. */
START_TEST(child_outbound_held_then_installed)
{
	struct xfrm *x = xfrm_fake_open();
	struct child_sa c;
	struct child_endpoints ep;
	struct child_dir_keys kin, kout;
	struct xfrm_sa got;

	gcm_child(&c, &ep, &kin, &kout, XFRM_REQID_MIN + 6);
	c.spi_out = 0x0badcafe;
	ck_assert_int_eq(child_alloc_spi(x, &c, &ep), 0);
	ck_assert_int_eq(child_hold_out(&c, &kout), 0);
	ck_assert_int_eq(child_install(x, &c, &ep, &kin, NULL, CHILD_POL_NONE), 0);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 1);
	ck_assert(!xfrm_fake_has_sa(x, &ep.remote, c.spi_out, &got));
	ck_assert(!c.sa_out_installed && c.out_held);
	ck_assert_int_eq(child_install_held_out(x, &c, &ep), 0);
	ck_assert(c.sa_out_installed && !c.out_held);
	ck_assert(xfrm_fake_has_sa(x, &ep.remote, c.spi_out, &got));
	ck_assert_mem_eq(got.encr_key, kout.encr, 36);
	ck_assert_int_eq(child_install_held_out(x, &c, &ep), 0);	/* nothing held */
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 2);
	/* held keys of a child that goes first are dropped, never installed */
	ck_assert_int_eq(child_hold_out(&c, &kout), 0);
	child_uninstall(x, &c, &ep);
	ck_assert(!c.out_held);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 0);
	{
		struct child_sa *h = calloc(1, sizeof(*h));

		ck_assert_ptr_nonnull(h);
		ck_assert_int_eq(child_hold_out(h, &kout), 0);
		child_sa_free(h);	/* ASan: the held copy is freed too */
	}
	xfrm_close(x);
}
END_TEST

START_TEST(child_install_failure_leaves_nothing_half_done)
{
	struct xfrm *x = xfrm_fake_open();
	struct child_sa c;
	struct child_endpoints ep;
	struct child_dir_keys k;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	k.encr_len = 36;
	endpoints(&ep);
	c.reqid = XFRM_REQID_MIN + 6;
	c.encr = 20;
	c.encr_keylen = 256;
	struct child_pair pair;

	subnet_parse("10.1.0.0/16", &pair.local, NULL);
	subnet_parse("10.2.0.0/16", &pair.remote, NULL);
	ck_assert_int_eq(child_set_pairs(&c, &pair, 1), 0);
	ck_assert_int_eq(child_alloc_spi(x, &c, &ep), 0);
	c.spi_out = 0x1000;
	/* a policy already there: the install fails, then we clean up */
	{
		struct xfrm_policy p;

		memset(&p, 0, sizeof(p));
		p.src = c.pairs[0].remote;
		p.dst = c.pairs[0].local;
		p.dir = XFRM_DIR_IN_;
		p.tmpl_src = ep.remote;
		p.tmpl_dst = ep.local;
		p.reqid = 99;
		ck_assert_int_eq(xfrm_add_policy(x, &p), 0);
	}
	ck_assert_int_lt(child_install(x, &c, &ep, &k, &k, true), 0);
	ck_assert(!c.policies_installed);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 1);	/* only the foreign one */
	child_uninstall(x, &c, &ep);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 1);
	free(c.pairs);
	xfrm_close(x);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sa");
	TCase *tc = tcase_create("sa");

	tcase_add_test(tc, window_of_one);
	tcase_add_test(tc, backoff_and_limit);
	tcase_add_test(tc, lookup_by_spi);
	tcase_add_test(tc, task_queue_bounded_and_deduplicated);
	tcase_add_test(tc, cookie_check_and_rotation);
	tcase_add_test(tc, reqids_stay_in_range);
	tcase_add_test(tc, child_install_and_remove_exactly);
	tcase_add_test(tc, child_install_failure_leaves_nothing_half_done);
	tcase_add_test(tc, child_outbound_held_then_installed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
