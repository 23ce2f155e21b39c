/* CHILD SAs as the kernel sees them: an inbound/outbound ESP SA pair and
 * in/out/fwd policies for every (local subnet, remote subnet) pair it
 * carries.  This module talks to xfrm/ and nothing else: the exchanges
 * decide, child_* installs and removes exactly what it installed. */
#ifndef IKEGW_CHILD_H
#define IKEGW_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "limits.h"
#include "status.h"
#include "xfrm/xfrm.h"

#define CHILD_MAX_PAIRS STATUS_MAX_CHILDREN

/* RFC 7296 2.8.1/2.8.2: the peer rekeyed an SA while our own rekey of
 * it was in flight.  What its exchange made (our SPI of the new SA) and
 * the lower of its two nonces; when our exchange completes, the one with
 * the lowest of the four nonces is redundant (engine: sa.c). */
struct sa_collision {
	bool set;
	uint64_t spi;			/* new child: spi_in; new IKE SA: our SPI */
	uint8_t nonce[IKE_MAX_NONCE];
	size_t nonce_len;
};

struct child_pair {
	struct ike_subnet local, remote;
};

/* Keys for one direction, as the kernel wants them (GCM: salt appended). */
struct child_dir_keys {
	uint8_t encr[36];
	size_t encr_len;
	uint8_t integ[64];
	size_t integ_len;
};

struct child_sa {
	struct child_sa *next;
	unsigned id;			/* "SA #id" */
	enum p2_state state;
	uint64_t since;			/* unix seconds */
	uint32_t reqid;
	uint32_t spi_in, spi_out;	/* host order; spi_in allocated by us */
	uint16_t encr, encr_keylen, integ, esn;
	uint16_t pfs_group;
	bool pfs_verified;
	unsigned n_pairs;
	struct child_pair *pairs;	/* n_pairs of them (child_set_pairs) */
	bool sa_in_installed, sa_out_installed;
	bool spi_allocated;
	bool policies_installed;	/* this child owns the policies of its pairs */
	uint64_t rekey_at_ms, expire_at_ms;	/* engine clock */
	uint64_t rekey_at_wall;
	bool rekeying;			/* a CREATE_CHILD_SA for it is in flight */
	bool rekeyed;			/* replaced (or redundant): waiting for its delete */
	/* Responder of a rekey: the outbound SA waits until the peer has
	 * installed its inbound one (child_hold_out). */
	struct child_dir_keys *out_held;
	uint64_t out_at_ms;		/* engine clock: install it anyway then */
	struct sa_collision coll;	/* the peer rekeyed it while we did */
};

/* Where the SA pair lives: outer addresses and, with NAT-T, UDP ports. */
struct child_endpoints {
	struct ike_addr local, remote;
	bool encap;
	uint16_t local_port, remote_port;
	uint64_t soft_secs, hard_secs;
};

uint32_t child_alloc_reqid(uint32_t *next);
/* Reserve the inbound SPI (remote -> local). */
/* Copy the (local, remote) pairs a child carries: at most CHILD_MAX_PAIRS,
 * allocated to size (a fixed array of 256 was most of a tunnel's memory).
 * 0 or -ENOMEM (the child keeps its old pairs). */
int child_set_pairs(struct child_sa *c, const struct child_pair *p, unsigned n);
/* Wipe and free a child that is unlinked from everything. */
void child_sa_free(struct child_sa *c);

int child_alloc_spi(struct xfrm *x, struct child_sa *c,
		    const struct child_endpoints *ep);
enum child_policies {
	CHILD_POL_NONE,		/* a rekey keeps the old child's (same reqid) */
	CHILD_POL_ADD,
	CHILD_POL_REPLACE,	/* out policies take over trap policies in place */
};

/* Install the SA pair, then in/out/fwd policies for each pair: the SAs
 * are there before any policy points at them.  out NULL: inbound only
 * (the outbound keys were held with child_hold_out). */
int child_install(struct xfrm *x, struct child_sa *c,
		  const struct child_endpoints *ep,
		  const struct child_dir_keys *in, const struct child_dir_keys *out,
		  enum child_policies policies);
/* Keep the outbound keys of a child whose outbound SA must wait.  The
 * kernel sends on the newest SA of a reqid, so the responder of a rekey
 * that installed it at once would send on an SA the initiator has not
 * installed until our response reaches it: packets lost mid-rekey.
 * 0 or -ENOMEM; the copy is wiped when installed or freed. */
int child_hold_out(struct child_sa *c, const struct child_dir_keys *out);
/* Install the held outbound SA (nothing if none is held).  0 or -errno;
 * the held keys are gone either way. */
int child_install_held_out(struct xfrm *x, struct child_sa *c,
			   const struct child_endpoints *ep);
/* Remove the SAs (and the policies if this child owns them). */
void child_uninstall(struct xfrm *x, struct child_sa *c,
		     const struct child_endpoints *ep);
/* The same, but the out policies of the pairs in keep stay: a trap took
 * them over already. */
void child_uninstall_keep(struct xfrm *x, struct child_sa *c,
			  const struct child_endpoints *ep,
			  const struct child_pair *keep, unsigned n_keep);
/* The child's pairs that are also in set (same subnets), into out. */
unsigned child_pairs_shared(const struct child_sa *c, const struct child_pair *set,
			    unsigned n, struct child_pair *out);
/* Trap policies for on-traffic start: out policies for every pair,
 * replacing any of the same selectors in one step (XFRM update). */
int child_install_trap(struct xfrm *x, const struct child_pair *pairs,
		       unsigned n, const struct child_endpoints *ep,
		       uint32_t reqid);
void child_remove_trap(struct xfrm *x, const struct child_pair *pairs,
		       unsigned n, const struct child_endpoints *ep,
		       uint32_t reqid);
void child_read_counters(struct xfrm *x, const struct child_sa *c,
			 const struct child_endpoints *ep,
			 struct child_status *st);

#endif
