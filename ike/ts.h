/* IKEv2 traffic selectors (RFC 7296 2.9, 3.13): our selectors from the
 * configured subnets, responder narrowing, the initiator's check of the
 * narrowed reply, coverage of the configured (local, remote) subnet pairs,
 * and ranges back to CIDRs for XFRM policies.
 *
 * Pure and bounded.  "local"/"remote" are from our point of view: as
 * responder local = TSr, remote = TSi; as initiator local = TSi,
 * remote = TSr.  A configuration allows every (local, remote) pair, so
 * a TS set pair stands for the cartesian product of its members.
 */
#ifndef IKEGW_TS_H
#define IKEGW_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"
#include "result.h"
#include "v2.h"

/* Enough CIDRs for any IPv6 range (at most 2 * 128 - 2). */
#define TS_MAX_CIDRS 256

/* Well-formed: known type matching the address family of lo and hi,
 * lo <= hi, ports lo <= hi or the OPAQUE form (65535, 0).  *why (may be
 * NULL) gets a static reason on failure. */
bool ts_valid(const struct v2_ts *ts, const char **why);

/* Ranges with ipproto 0 and ports 0-65535, one per subnet.  -E2BIG when
 * n > IKE_MAX_TS, -EINVAL for a subnet with no family. */
int ts_from_subnets(const struct ike_subnet *nets, unsigned n, struct v2_ts_set *out);

/* Initiator after a kernel acquire (RFC 7296 2.9): put the triggering
 * packet's selector first, a single address with its protocol and port
 * (port 0 = any), so the responder can narrow around it.  -E2BIG when the
 * set is full, -EINVAL for a family that does not fit. */
int ts_prepend_trigger(struct v2_ts_set *set, const struct ike_addr *addr,
		       uint8_t ipproto, uint16_t port);

/* Responder narrowing result. */
struct ts_narrowed {
	struct v2_ts_set local;		/* answer as TSr */
	struct v2_ts_set remote;	/* answer as TSi */
	bool narrowed;		/* strictly smaller than the peer's offer */
	bool had_trigger;	/* the peer's first TSi/TSr were one packet's addresses */
	bool trigger_covered;	/* ... and that packet is inside the answer */
};

/* Responder: intersect the peer's TSi with remote_subnets and its TSr
 * with local_subnets, per address family and range by range (not just
 * equality), keeping the peer's ipproto and ports.  Results contained in
 * another result are dropped; beyond IKE_MAX_TS the answer is cut (a
 * further, still legal narrowing).  A first TSi/TSr that is a single
 * address contained in a later selector is taken as the acquire trigger
 * (RFC 7296 2.9): it is dropped from the answer (a wider selector covers
 * it) and reported.  Invalid selectors are ignored; N(TS_UNACCEPTABLE)
 * when one side has no intersection, N(INVALID_SYNTAX) for an empty set. */
struct ike_result ts_narrow(const struct conf_conn *c,
			    const struct v2_ts_set *peer_tsi,
			    const struct v2_ts_set *peer_tsr,
			    struct ts_narrowed *out);

/* Initiator: every address of every reply selector must lie inside what
 * we offered (union of the offered selectors of the same family, with
 * compatible ipproto/ports).  IKE_OK, or ike_notify(TS_UNACCEPTABLE, why)
 * as the verdict: the engine then deletes the CHILD SA it just got. */
struct ike_result ts_check_reply(const struct v2_ts_set *offered_i,
				 const struct v2_ts_set *offered_r,
				 const struct v2_ts_set *reply_i,
				 const struct v2_ts_set *reply_r);

/* covered[l][r]: local_subnets[l] x remote_subnets[r] lies entirely inside
 * local x remote (only selectors with ipproto 0 and ports 0-65535 count:
 * a port-restricted SA does not carry the whole pair).  Returns the number
 * of covered pairs. */
unsigned ts_covered_pairs(const struct conf_conn *c,
			  const struct v2_ts_set *local,
			  const struct v2_ts_set *remote,
			  bool covered[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS]);

struct ts_pair {
	uint8_t l, r;		/* indexes into local_subnets / remote_subnets */
};

/* split = auto: the configured pairs not covered, row by row; at most
 * max.  Returns the count written. */
unsigned ts_uncovered_pairs(const struct conf_conn *c,
			    const bool covered[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS],
			    struct ts_pair *out, unsigned max);

/* split = yes (and each extra child of split = auto): the selectors for
 * one pair.  -EINVAL for an index out of range. */
int ts_for_pair(const struct conf_conn *c, struct ts_pair p,
		struct v2_ts_set *local, struct v2_ts_set *remote);

/* Minimal list of CIDRs exactly covering lo..hi (same family, lo <= hi).
 * Returns the count, -EINVAL for a bad range, -E2BIG when max is too
 * small (nothing useful written). */
int ts_range_to_subnets(const struct ike_addr *lo, const struct ike_addr *hi,
			struct ike_subnet *out, unsigned max);

/* "10.2.0.0/16" when the range is a CIDR, else "10.0.0.1-10.0.0.6";
 * " proto 6 port 80" / " port 1000-2000" appended when restricted. */
size_t ts_fmt(const struct v2_ts *ts, char *buf, size_t bufsz);
/* Members joined by ", "; "none" when empty. */
size_t ts_set_fmt(const struct v2_ts_set *set, char *buf, size_t bufsz);

/* "remote_subnets: ours 10.2.0.0/16; peer offered 10.3.0.0/16", one
 * clause per side that has no intersection, joined by "; " (both clauses
 * when neither side is at fault, e.g. the peer's selectors were invalid).
 * peer_local/peer_remote in our point of view (responder: TSr, TSi). */
size_t ts_mismatch_fmt(const struct conf_conn *c,
		       const struct v2_ts_set *peer_local,
		       const struct v2_ts_set *peer_remote,
		       char *buf, size_t bufsz);

#endif
