/* The fake backend: kernel-like semantics, call log, injected failures
 * and events, through the same public API as the netlink backend. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/v2.h"
#include "xfrm/xfrm.h"

static struct ike_addr ip(const char *s)
{
	struct ike_addr a;

	ck_assert(addr_parse(s, &a));
	return a;
}

static struct ike_subnet net(const char *s)
{
	struct ike_subnet n;
	bool hb;

	ck_assert(subnet_parse(s, &n, &hb));
	return n;
}

static void gcm_sa(struct xfrm_sa *sa, uint32_t spi, uint32_t reqid)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = ip("192.0.2.1");
	sa->dst = ip("192.0.2.2");
	sa->spi = spi;
	sa->reqid = reqid;
	sa->encr_id = IKEV2_ENCR_AES_GCM_16;
	sa->encr_keylen = 128;
	sa->encr_key_len = 20;
	sa->replay_window = 32;
}

static void out_policy(struct xfrm_policy *p, uint32_t reqid)
{
	memset(p, 0, sizeof(*p));
	p->src = net("10.1.1.0/24");
	p->dst = net("10.2.1.0/24");
	p->dir = XFRM_DIR_OUT_;
	p->tmpl_src = ip("192.0.2.1");
	p->tmpl_dst = ip("192.0.2.2");
	p->reqid = reqid;
}

START_TEST(sa_lifecycle_and_log)
{
	struct xfrm *x = xfrm_fake_open();
	struct ike_addr a = ip("192.0.2.1"), b = ip("192.0.2.2");
	struct xfrm_counters c = { 100, 2, 5, 6 }, got;
	struct xfrm_sa sa;
	uint32_t spi;

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(xfrm_event_fd(x), -1);
	ck_assert_int_eq(xfrm_alloc_spi(x, &b, &a, XFRM_REQID_MIN, &spi), 0);
	ck_assert_uint_ne(spi, 0);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 1);
	/* Fill in the larval SA; a second plain add of it is a duplicate. */
	gcm_sa(&sa, spi, XFRM_REQID_MIN);
	sa.src = b;
	sa.dst = a;
	ck_assert_int_eq(xfrm_add_sa(x, &sa, true), 0);
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), -EEXIST);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 1);
	/* Updating an SA that is not there fails as in the kernel. */
	gcm_sa(&sa, 0x4242, XFRM_REQID_MIN);
	ck_assert_int_eq(xfrm_add_sa(x, &sa, true), -ESRCH);
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), 0);
	ck_assert(xfrm_fake_has_sa(x, &b, 0x4242, NULL));
	xfrm_fake_set_counters(x, &b, 0x4242, &c);
	ck_assert_int_eq(xfrm_get_counters(x, &b, 0x4242, &got), 0);
	ck_assert(got.bytes == 100 && got.packets == 2 && got.add_time == 5 && got.use_time == 6);
	ck_assert_int_eq(xfrm_get_counters(x, &b, 0x4343, &got), -ESRCH);
	ck_assert_int_eq(xfrm_del_sa(x, &b, 0x4242), 0);
	ck_assert_int_eq(xfrm_del_sa(x, &b, 0x4242), -ESRCH);
	ck_assert(!xfrm_fake_has_sa(x, &b, 0x4242, NULL));
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 1);
	ck_assert_uint_eq(xfrm_fake_calls(x), 9);
	ck_assert_ptr_nonnull(strstr(xfrm_fake_log(x),
		"alloc_spi src=192.0.2.2 dst=192.0.2.1 reqid=0x49470000\n"));
	ck_assert_ptr_nonnull(strstr(xfrm_fake_log(x),
		"add_sa spi=0x00004242 src=192.0.2.1 dst=192.0.2.2 reqid=0x49470000 "
		"encr=20/128 integ=0 encap=no/0:0 replay=32 esn=0 life=0/0\n"));
	ck_assert_ptr_nonnull(strstr(xfrm_fake_log(x), "del_sa spi=0x00004242 dst=192.0.2.2\n"));
	xfrm_close(x);
}
END_TEST

START_TEST(policies)
{
	struct xfrm *x = xfrm_fake_open();
	struct xfrm_policy p;

	out_policy(&p, XFRM_REQID_MIN + 1);
	ck_assert_int_eq(xfrm_add_policy(x, &p), 0);
	ck_assert_int_eq(xfrm_add_policy(x, &p), -EEXIST);
	p.dir = XFRM_DIR_FWD_;
	ck_assert_int_eq(xfrm_add_policy(x, &p), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 2);
	ck_assert_int_eq(xfrm_del_policy(x, &p), 0);
	ck_assert_int_eq(xfrm_del_policy(x, &p), -ENOENT);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 1);
	ck_assert_ptr_nonnull(strstr(xfrm_fake_log(x),
		"add_policy dir=out src=10.1.1.0/24 dst=10.2.1.0/24 "
		"tmpl=192.0.2.1->192.0.2.2 reqid=0x49470001\n"));
	ck_assert_ptr_nonnull(strstr(xfrm_fake_log(x), "del_policy dir=fwd "));
	/* Bad arguments are refused before the backend sees them. */
	p.src.plen = 33;
	ck_assert_int_eq(xfrm_add_policy(x, &p), -EINVAL);
	ck_assert_ptr_nonnull(strstr(xfrm_last_error(x), "bad arguments"));
	xfrm_close(x);
}
END_TEST

START_TEST(remove_owned_spares_foreign)
{
	struct xfrm *x = xfrm_fake_open();
	struct xfrm_policy p;
	struct xfrm_sa sa;
	unsigned n = 99;

	gcm_sa(&sa, 0x100, XFRM_REQID_MIN);
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), 0);
	gcm_sa(&sa, 0x101, XFRM_REQID_MAX);
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), 0);
	gcm_sa(&sa, 0x102, XFRM_REQID_MIN - 1);	/* someone else's */
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), 0);
	gcm_sa(&sa, 0x103, XFRM_REQID_MAX + 1);	/* someone else's */
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), 0);
	out_policy(&p, XFRM_REQID_MIN + 7);
	ck_assert_int_eq(xfrm_add_policy(x, &p), 0);
	out_policy(&p, 7);
	p.src = net("10.9.9.0/24");
	ck_assert_int_eq(xfrm_add_policy(x, &p), 0);
	ck_assert_int_eq(xfrm_remove_owned(x, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 2);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 1);
	ck_assert_int_eq(xfrm_remove_owned(x, &n), 0);
	ck_assert_uint_eq(n, 0);
	xfrm_close(x);
}
END_TEST

START_TEST(fail_next_once)
{
	struct xfrm *x = xfrm_fake_open();
	struct xfrm_sa sa;

	gcm_sa(&sa, 0x100, XFRM_REQID_MIN);
	xfrm_fake_fail_next(x, -EPROTONOSUPPORT, "no ESP in this kernel");
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), -EPROTONOSUPPORT);
	ck_assert_str_eq(xfrm_last_error(x), "no ESP in this kernel");
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 0);
	ck_assert_ptr_nonnull(strstr(xfrm_fake_log(x), "-> fail\n"));
	/* Only the next call fails, and a success clears the message. */
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), 0);
	ck_assert_str_eq(xfrm_last_error(x), "");
	/* A positive errno is taken as its negative. */
	xfrm_fake_fail_next(x, ENOMEM, NULL);
	ck_assert_int_eq(xfrm_del_sa(x, &sa.dst, 0x100), -ENOMEM);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 1);
	ck_assert_uint_eq(xfrm_fake_calls(x), 3);
	xfrm_close(x);
}
END_TEST

struct seen {
	struct xfrm_event ev[4];
	int n;
};

static void on_event(const struct xfrm_event *ev, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4)
		s->ev[s->n] = *ev;
	s->n++;
}

START_TEST(events_in_order)
{
	struct xfrm *x = xfrm_fake_open();
	struct xfrm_event ev;
	struct seen s = { .n = 0 };

	memset(&ev, 0, sizeof(ev));
	ev.type = XFRM_EV_SOFT_EXPIRE;
	ev.spi = 0x1234;
	ev.dst = ip("192.0.2.2");
	xfrm_fake_push_event(x, &ev);
	ev.type = XFRM_EV_ACQUIRE;
	ev.sel_src = net("10.1.1.0/24");
	ev.sel_dst = net("10.2.1.0/24");
	ev.reqid = XFRM_REQID_MIN + 3;
	xfrm_fake_push_event(x, &ev);
	ck_assert_int_eq(xfrm_read_events(x, on_event, &s), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.ev[0].type, XFRM_EV_SOFT_EXPIRE);
	ck_assert_uint_eq(s.ev[0].spi, 0x1234);
	ck_assert_int_eq(s.ev[1].type, XFRM_EV_ACQUIRE);
	ck_assert_uint_eq(s.ev[1].reqid, XFRM_REQID_MIN + 3);
	ck_assert_int_eq(xfrm_read_events(x, on_event, &s), 0);
	ck_assert_int_eq(s.n, 2);	/* delivered once */
	xfrm_close(x);
}
END_TEST

START_TEST(bad_arguments)
{
	struct xfrm *x = xfrm_fake_open();
	struct xfrm_sa sa;
	struct ike_addr v6 = ip("2001:db8::1");

	gcm_sa(&sa, 0x100, XFRM_REQID_MIN);
	sa.src = v6;			/* family mismatch */
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), -EINVAL);
	gcm_sa(&sa, 0, XFRM_REQID_MIN);	/* SPI 0 */
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), -EINVAL);
	gcm_sa(&sa, 0x100, XFRM_REQID_MIN);
	sa.encr_key_len = sizeof(sa.encr_key) + 1;
	ck_assert_int_eq(xfrm_add_sa(x, &sa, false), -EINVAL);
	ck_assert_uint_eq(xfrm_fake_calls(x), 0);	/* never reached the backend */
	xfrm_close(x);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xfrm_fake");
	TCase *tc = tcase_create("fake");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, sa_lifecycle_and_log);
	tcase_add_test(tc, policies);
	tcase_add_test(tc, remove_owned_spares_foreign);
	tcase_add_test(tc, fail_next_once);
	tcase_add_test(tc, events_in_order);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
