/* The kernel backend: what the daemon asks of XFRM.
 *
 * ike/ talks to the kernel only through this interface, so unit and
 * exchange tests can run on the in-memory backend (xfrm_fake_open()).
 * Every call returns 0 or a negative errno; after a failure
 * xfrm_last_error() holds a sentence for the operator (the kernel's
 * extended-ack text when it gave one).
 *
 * Ownership: every SA and policy the daemon installs carries a reqid in
 * [XFRM_REQID_MIN, XFRM_REQID_MAX].  xfrm_remove_owned() deletes exactly
 * those (leftovers of a crashed run) and nothing else; the tables are
 * never flushed.
 */
#ifndef IKEGW_XFRM_H
#define IKEGW_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/addr.h"

#define XFRM_REQID_MIN 0x49470000u	/* "IG" + 16 bits */
#define XFRM_REQID_MAX 0x4947ffffu

enum xfrm_dir { XFRM_DIR_IN_, XFRM_DIR_OUT_, XFRM_DIR_FWD_ };

struct xfrm_sa {
	struct ike_addr src, dst;	/* outer (tunnel) addresses */
	uint32_t spi;			/* host byte order */
	uint32_t reqid;
	uint16_t encr_id;		/* IKEv2 ENCR_* (12 AES_CBC, 20 AES_GCM_16, 3 3DES, 2 DES, 11 NULL) */
	uint16_t encr_keylen;		/* bits, without the GCM salt */
	uint16_t integ_id;		/* IKEv2 AUTH_* (0 with GCM) */
	uint8_t encr_key[36];		/* for GCM the 4-byte salt follows the key */
	size_t encr_key_len;		/* bytes, salt included */
	uint8_t integ_key[64];
	size_t integ_key_len;
	bool encap;			/* UDP-encapsulated ESP (NAT-T) */
	uint16_t encap_sport, encap_dport;	/* host byte order */
	uint32_t replay_window;		/* packets; inbound SAs must have one */
	bool esn;
	uint64_t soft_secs, hard_secs;	/* 0 = none */
	uint64_t soft_bytes, hard_bytes;
};

struct xfrm_policy {
	struct ike_subnet src, dst;	/* selector (inner addresses) */
	enum xfrm_dir dir;
	struct ike_addr tmpl_src, tmpl_dst;	/* tunnel endpoints */
	uint32_t reqid;
	uint32_t priority;		/* 0: 2000 + 256 - src.plen - dst.plen, so
					 * more specific pairs win, and so do an
					 * operator's own policies (ip xfrm's
					 * default priority is 0) */
};

struct xfrm_counters {
	uint64_t bytes, packets;
	uint64_t add_time, use_time;	/* seconds since the epoch; 0 unused */
};

enum xfrm_event_type { XFRM_EV_SOFT_EXPIRE, XFRM_EV_HARD_EXPIRE, XFRM_EV_ACQUIRE };

struct xfrm_event {
	enum xfrm_event_type type;
	uint32_t spi;			/* expire: the SA */
	struct ike_addr dst;
	uint32_t reqid;
	struct ike_subnet sel_src, sel_dst;	/* acquire: the packet's policy */
};

struct xfrm;

struct xfrm *xfrm_nl_open(int *err);	/* netlink; NULL and *err on failure */
struct xfrm *xfrm_fake_open(void);	/* in-memory, records calls */
void xfrm_close(struct xfrm *x);
const char *xfrm_last_error(const struct xfrm *x);

/* Reserve an inbound SPI (a larval SA src -> dst); xfrm_add_sa() with
 * update = true fills it in. */
int xfrm_alloc_spi(struct xfrm *x, const struct ike_addr *src,
		   const struct ike_addr *dst, uint32_t reqid, uint32_t *spi);
int xfrm_add_sa(struct xfrm *x, const struct xfrm_sa *sa, bool update);
int xfrm_del_sa(struct xfrm *x, const struct ike_addr *dst, uint32_t spi);
int xfrm_get_counters(struct xfrm *x, const struct ike_addr *dst, uint32_t spi,
		      struct xfrm_counters *out);
int xfrm_add_policy(struct xfrm *x, const struct xfrm_policy *p);
int xfrm_del_policy(struct xfrm *x, const struct xfrm_policy *p);
/* Delete every SA and policy with a reqid in our range (for a policy: in
 * one of its templates), including the SPI-0 states an ACQUIRE leaves;
 * *n counts them.  Policies with a mark, an if_id or a sub type are never
 * touched (we install none). */
int xfrm_remove_owned(struct xfrm *x, unsigned *n);

/* Event channel (expire and acquire): a pollable fd, and a call that
 * reads what is pending and hands each event to cb. -1 for the fake.
 * Only events about our SAs and policies (reqid in range) are delivered;
 * an ACQUIRE's reqid is its policy template's. */
int xfrm_event_fd(const struct xfrm *x);
int xfrm_read_events(struct xfrm *x,
		     void (*cb)(const struct xfrm_event *ev, void *arg), void *arg);

/* Socket helpers for the IKE sockets. */
int xfrm_socket_bypass(int fd, int family);	/* per-socket bypass policy */
int xfrm_socket_encap(int fd);			/* UDP_ENCAP_ESPINUDP on 4500 */

/* Fake backend introspection for tests. */
const char *xfrm_fake_log(const struct xfrm *x);	/* one line per call */
unsigned xfrm_fake_calls(const struct xfrm *x);
unsigned xfrm_fake_sa_count(const struct xfrm *x);
unsigned xfrm_fake_policy_count(const struct xfrm *x);
/* Make the next call fail with err and this message. */
void xfrm_fake_fail_next(struct xfrm *x, int err, const char *msg);
/* Deliver an event as if the kernel had sent it. */
void xfrm_fake_push_event(struct xfrm *x, const struct xfrm_event *ev);
/* Set what xfrm_get_counters() returns for an existing SA. */
void xfrm_fake_set_counters(struct xfrm *x, const struct ike_addr *dst, uint32_t spi,
			    const struct xfrm_counters *c);
/* Is this SA installed (larval ones included)?  *out gets a copy. */
bool xfrm_fake_has_sa(const struct xfrm *x, const struct ike_addr *dst, uint32_t spi,
		      struct xfrm_sa *out);

#endif
