/* The daemon's one event loop: epoll over file descriptors, signals via
 * signalfd, and timers as "next deadline" sources on the monotonic clock.
 *
 * A deadline source is a pair of callbacks: next() returns the absolute
 * loop_now_ms() of its next timer (UINT64_MAX: none), run() is called once
 * that time has passed.  The IKE engine plugs in as
 * { ike_next_timer, ike_run_timers }; there is no timer wheel here
 * because the engine keeps its own.
 */
#ifndef IKEGW_LOOP_H
#define IKEGW_LOOP_H

#include <stdint.h>

struct loop;

typedef void (*loop_fd_fn)(struct loop *l, int fd, uint32_t events, void *arg);
typedef void (*loop_sig_fn)(struct loop *l, int signo, void *arg);
typedef uint64_t (*loop_next_fn)(void *arg);
typedef void (*loop_run_fn)(void *arg);

#define LOOP_MAX_DEADLINES 8

uint64_t loop_now_ms(void);		/* CLOCK_MONOTONIC milliseconds */

int loop_new(struct loop **out);
void loop_free(struct loop *l);

/* events: EPOLLIN/EPOLLOUT.  A descriptor is registered at most once;
 * loop_del_fd() is safe from inside any callback. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *arg);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
void loop_del_fd(struct loop *l, int fd);

/* Block `sigs` and deliver them through a signalfd. */
int loop_add_signals(struct loop *l, const int *sigs, unsigned n,
		     loop_sig_fn fn, void *arg);
int loop_add_deadline(struct loop *l, loop_next_fn next, loop_run_fn run, void *arg);
/* Remove every deadline source registered with `arg`. */
void loop_del_deadline(struct loop *l, void *arg);

/* Run until loop_stop(); returns the code given to it, or a negative
 * errno if epoll itself fails. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l, int code);

#endif
