/* Event loop: deadline sources, fd callbacks, deleting from a callback,
 * signals through signalfd. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ike/loop.h"

struct dl {
	uint64_t at;
	int runs;
	struct loop *l;
};

static uint64_t dl_next(void *arg)
{
	return ((struct dl *)arg)->at;
}

static void dl_run(void *arg)
{
	struct dl *d = arg;

	d->runs++;
	d->at = UINT64_MAX;
	loop_stop(d->l, 7);
}

START_TEST(deadline_fires_once_and_stops)
{
	struct loop *l;
	struct dl d;
	uint64_t t0 = loop_now_ms();

	ck_assert_int_eq(loop_new(&l), 0);
	d = (struct dl){ t0 + 50, 0, l };
	ck_assert_int_eq(loop_add_deadline(l, dl_next, dl_run, &d), 0);
	ck_assert_int_eq(loop_run(l), 7);
	ck_assert_int_eq(d.runs, 1);
	ck_assert_uint_ge(loop_now_ms() - t0, 50);
	loop_free(l);
}
END_TEST

struct two {
	int fds[2][2];
	int calls;
};

/* Both pipes are readable in the same batch; the first callback deletes
 * the other descriptor, which must then not be called. */
static void on_read(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct two *t = arg;
	char c;

	(void)ev;
	ck_assert_int_eq(read(fd, &c, 1), 1);
	t->calls++;
	loop_del_fd(l, fd == t->fds[0][0] ? t->fds[1][0] : t->fds[0][0]);
	loop_stop(l, 0);
}

START_TEST(delete_inside_callback)
{
	struct loop *l;
	struct two t = { .calls = 0 };

	ck_assert_int_eq(loop_new(&l), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pipe(t.fds[i]), 0);
		ck_assert_int_eq(write(t.fds[i][1], "x", 1), 1);
		ck_assert_int_eq(loop_add_fd(l, t.fds[i][0], EPOLLIN, on_read, &t), 0);
	}
	ck_assert_int_eq(loop_add_fd(l, t.fds[0][0], EPOLLIN, on_read, &t), -EEXIST);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_int_eq(t.calls, 1);
	loop_free(l);
	for (int i = 0; i < 2; i++) {
		close(t.fds[i][0]);
		close(t.fds[i][1]);
	}
}
END_TEST

static void on_sig(struct loop *l, int signo, void *arg)
{
	*(int *)arg = signo;
	loop_stop(l, 3);
}

START_TEST(signal_through_signalfd)
{
	static const int sigs[] = { SIGHUP };
	struct loop *l;
	int got = 0;

	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(loop_add_signals(l, sigs, 1, on_sig, &got), 0);
	ck_assert_int_eq(kill(getpid(), SIGHUP), 0);	/* blocked: stays pending */
	ck_assert_int_eq(loop_run(l), 3);
	ck_assert_int_eq(got, SIGHUP);
	loop_free(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loop");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, deadline_fires_once_and_stops);
	tcase_add_test(tc, delete_inside_callback);
	tcase_add_test(tc, signal_through_signalfd);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
