/* The IKE engine as the daemon sees it.
 *
 * The engine owns no sockets, clocks or timers of its own: the daemon
 * (or a test's fake network) hands it datagrams and the time, and it
 * sends through env->send.  That keeps two engines in one process
 * possible, which is what the exchange tests do.
 */
#ifndef IKEGW_IKE_H
#define IKEGW_IKE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"
#include "status.h"
#include "xfrm/xfrm.h"

struct ike_env {
	/* Send one datagram.  sport/dport are 500 or 4500 (with 4500 the
	 * engine has already prepended the non-ESP marker). */
	int (*send)(void *arg, const struct ike_addr *src, uint16_t sport,
		    const struct ike_addr *dst, uint16_t dport,
		    const uint8_t *buf, size_t len);
	uint64_t (*now_ms)(void *arg);		/* monotonic milliseconds */
	uint64_t (*wall_s)(void *arg);		/* unix seconds, for status */
	void *arg;
	/* Optional: the source address the host would use towards dst, for
	 * connections without local_address.  NULL: learn it from the
	 * peer's packets (NAT detection may then report a NAT). */
	int (*route)(void *arg, const struct ike_addr *dst, struct ike_addr *src);
	struct xfrm *xfrm;
	const char *keylog;			/* path, or NULL */
};

struct ike;

struct ike *ike_new(const struct ike_env *env, const struct conf *conf);
void ike_free(struct ike *ike);		/* deletes every SA it installed */

/* A datagram arrived on port `dport` (500/4500; with 4500 still with
 * its non-ESP marker). */
void ike_recv(struct ike *ike, const uint8_t *buf, size_t len,
	      const struct ike_addr *src, uint16_t sport,
	      const struct ike_addr *dst, uint16_t dport);
/* Absolute now_ms() of the next timer, or UINT64_MAX. */
uint64_t ike_next_timer(struct ike *ike);
void ike_run_timers(struct ike *ike);
void ike_xfrm_event(struct ike *ike, const struct xfrm_event *ev);

/* 0, -ENOENT for an unknown connection. */
int ike_up(struct ike *ike, const char *name);
int ike_down(struct ike *ike, const char *name);
/* Swap in a new configuration (already validated): connections whose
 * settings changed are torn down and renegotiated, removed ones deleted,
 * new ones started per `start`.  The engine keeps a pointer to conf. */
int ike_reload(struct ike *ike, const struct conf *conf);
int ike_status(struct ike *ike, const char *name, struct conn_status *out);
/* Half-open IKE SAs from which on IKE_SA_INIT must carry a COOKIE
 * (default IKE_COOKIE_THRESHOLD; 0: always). */
void ike_set_cookie_threshold(struct ike *ike, unsigned n);
/* Rekey the connection's IKE SA now (tests; a future `ikegw rekey`).
 * 0, -ENOENT, -ENOTCONN when it has no established IKE SA. */
int ike_test_rekey_ike(struct ike *ike, const char *name);

#endif
