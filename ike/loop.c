#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

struct watch {
	int fd;
	bool dead;		/* deleted during dispatch: freed after the batch */
	loop_fd_fn fn;
	void *arg;
	struct watch *next;
};

struct deadline {
	loop_next_fn next;
	loop_run_fn run;
	void *arg;
};

struct loop {
	int ep;
	int sfd;
	loop_sig_fn sig_fn;
	void *sig_arg;
	struct watch *watches;
	struct deadline dl[LOOP_MAX_DEADLINES];
	unsigned n_dl;
	bool stop;
	int code;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int loop_new(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->sfd = -1;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		int r = -errno;
		free(l);
		return r;
	}
	*out = l;
	return 0;
}

static void reap(struct loop *l)
{
	struct watch **pp = &l->watches;

	while (*pp) {
		struct watch *w = *pp;
		if (w->dead) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (struct watch *w = l->watches; w; w = w->next)
		w->dead = true;
	reap(l);
	if (l->sfd >= 0)
		close(l->sfd);
	close(l->ep);
	free(l);
}

static struct watch *find(struct loop *l, int fd)
{
	for (struct watch *w = l->watches; w; w = w->next)
		if (w->fd == fd && !w->dead)
			return w;
	return NULL;
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct watch *w;

	if (find(l, fd))
		return -EEXIST;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct watch){ .fd = fd, .fn = fn, .arg = arg, .next = l->watches };
	ev.data.ptr = w;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;
		free(w);
		return r;
	}
	l->watches = w;
	return 0;
}

int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct watch *w = find(l, fd);
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOENT;
	ev.data.ptr = w;
	return epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	struct watch *w = find(l, fd);

	if (!w)
		return;
	epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
	w->dead = true;
}

static void on_signal(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		l->sig_fn(l, (int)si.ssi_signo, l->sig_arg);
}

int loop_add_signals(struct loop *l, const int *sigs, unsigned n,
		     loop_sig_fn fn, void *arg)
{
	sigset_t set;
	int r;

	if (l->sfd >= 0)
		return -EEXIST;
	sigemptyset(&set);
	for (unsigned i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	l->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sfd < 0)
		return -errno;
	l->sig_fn = fn;
	l->sig_arg = arg;
	r = loop_add_fd(l, l->sfd, EPOLLIN, on_signal, NULL);
	if (r < 0) {
		close(l->sfd);
		l->sfd = -1;
	}
	return r;
}

int loop_add_deadline(struct loop *l, loop_next_fn next, loop_run_fn run, void *arg)
{
	if (l->n_dl >= LOOP_MAX_DEADLINES)
		return -ENOSPC;
	l->dl[l->n_dl++] = (struct deadline){ next, run, arg };
	return 0;
}

void loop_del_deadline(struct loop *l, void *arg)
{
	unsigned k = 0;

	for (unsigned i = 0; i < l->n_dl; i++)
		if (l->dl[i].arg != arg)
			l->dl[k++] = l->dl[i];
	l->n_dl = k;
}

void loop_stop(struct loop *l, int code)
{
	l->stop = true;
	l->code = code;
}

/* Run what is due, return the epoll timeout until the next deadline. */
static int run_deadlines(struct loop *l)
{
	uint64_t now = loop_now_ms(), soonest = UINT64_MAX;

	for (unsigned i = 0; i < l->n_dl && !l->stop; i++) {
		uint64_t t = l->dl[i].next(l->dl[i].arg);
		if (t <= now) {
			l->dl[i].run(l->dl[i].arg);
			if (i >= l->n_dl)	/* it removed itself */
				break;
			t = l->dl[i].next(l->dl[i].arg);
			now = loop_now_ms();
		}
		if (t < soonest)
			soonest = t;
	}
	if (soonest == UINT64_MAX)
		return -1;
	if (soonest <= now)
		return 0;
	return soonest - now > INT_MAX ? INT_MAX : (int)(soonest - now);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[32];

	l->stop = false;
	while (!l->stop) {
		int timeout = run_deadlines(l), n;

		if (l->stop)
			break;
		n = epoll_wait(l->ep, evs, 32, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct watch *w = evs[i].data.ptr;
			if (!w->dead)
				w->fn(l, w->fd, evs[i].events, w->arg);
		}
		reap(l);
	}
	return l->code;
}
