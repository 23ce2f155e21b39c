/* Internal to xfrm/: the backend operations table and the shared handle.
 *
 * xfrm.c owns the public entry points; each backend (netlink, fake)
 * embeds struct xfrm first in its own state and fills in an ops table,
 * so the daemon and the tests call exactly the same API.
 */
#ifndef IKEGW_XFRM_INT_H
#define IKEGW_XFRM_INT_H

#include "xfrm/xfrm.h"

#define XFRM_ERRLEN 320

struct xfrm_ops {
	void (*close)(struct xfrm *x);
	int (*alloc_spi)(struct xfrm *x, const struct ike_addr *src,
			 const struct ike_addr *dst, uint32_t reqid, uint32_t *spi);
	int (*add_sa)(struct xfrm *x, const struct xfrm_sa *sa, bool update);
	int (*del_sa)(struct xfrm *x, const struct ike_addr *dst, uint32_t spi);
	int (*get_counters)(struct xfrm *x, const struct ike_addr *dst,
			    uint32_t spi, struct xfrm_counters *out);
	int (*add_policy)(struct xfrm *x, const struct xfrm_policy *p);
	int (*del_policy)(struct xfrm *x, const struct xfrm_policy *p);
	int (*remove_owned)(struct xfrm *x, unsigned *n);
	int (*event_fd)(const struct xfrm *x);
	int (*read_events)(struct xfrm *x,
			   void (*cb)(const struct xfrm_event *ev, void *arg),
			   void *arg);
};

struct xfrm {
	const struct xfrm_ops *ops;
	char err[XFRM_ERRLEN];
};

/* Record the sentence xfrm_last_error() returns. */
void xfrm_set_error(struct xfrm *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

extern const struct xfrm_ops xfrm_fake_ops;

#endif
