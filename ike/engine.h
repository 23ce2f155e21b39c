/* Engine internals shared by engine.c and the exchange modules
 * (v2_init.c, v2_auth.c, v2_child.c, v2_info.c).  Not a public API:
 * the daemon uses ike.h.
 *
 * Decisions an operator may notice (strongSwan/libreswan users expect
 * most of them):
 * - Only the initiator of an exchange retransmits: first after 2 s (a
 *   UML kernel needs ~2 s to instantiate an ESP algorithm), doubling, 5
 *   retransmissions, so a dead peer is declared after ~2 minutes, or
 *   after dpd_timeout when that is shorter.
 * - A default remote_id (the peer's address) accepts any identity the
 *   peer authenticates with, like %any; a configured one must match.
 * - Both sides initiating at once: the lower address keeps its attempt.
 * - Simultaneous rekeys of one SA (RFC 7296 2.8.1, 2.8.2): both
 *   exchanges complete; the new SA of the exchange with the lowest of the
 *   four nonces is deleted by its initiator, the other initiator deletes
 *   the old SA (after an IKE rekey the survivor takes the children).  A
 *   request to rekey an SA we already replaced gets TEMPORARY_FAILURE
 *   (2.25); its sender then sees our Delete of the old SA.  Redundant SAs
 *   the peer never deletes go after SA_REKEYED_LINGER_MS.
 * - Answering the peer's CHILD rekey, the new inbound SA goes in at once
 *   and the outbound one when the peer deletes the old SA (or 5 s later
 *   without a Delete): the kernel sends on the newest SA, which the peer
 *   installs only when our answer arrives.  strongSwan does the same.
 * - split = auto: pairs the peer narrowed away are tried as one CHILD SA
 *   each, retried after 30 s, doubling up to 5 min.
 * - An IKE SA whose rekeys all failed is deleted at 110% of ike_lifetime
 *   and negotiated again; CHILD SAs are hard-expired at 110% of
 *   esp_lifetime (also as the kernel's hard lifetime).
 * - DPD is skipped while inbound ESP flows (the kernel's use time).
 *   Each liveness exchange logs one info line on each side, when it is
 *   answered (with the round trip); retransmissions are debug, and a
 *   peer that never answers ends in one "dead peer detection" line.  So
 *   at most one line per dpd_interval per connection while idle, none
 *   while traffic flows.
 */
#ifndef IKEGW_ENGINE_H
#define IKEGW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "dos.h"
#include "ike.h"
#include "sa.h"
#include "v2_codec.h"

#define CONN_RETRY_MS		30000	/* first retry after a failure */
#define CONN_RETRY_MAX_MS	300000
#define CONN_PAIR_RETRY_MS	30000	/* split=auto: pairs the peer refused */
#define IKE_KEEPALIVE_MS	20000
#define IKE_PORT		500
#define IKE_NATT_PORT		4500
#define ENG_CLEAR_NOTIFY_PER_S	20

struct conn {
	const struct conf_conn *cc;
	struct ike *ike;
	enum p1_state p1;
	uint64_t since;			/* wall seconds */
	struct ike_sa *sa;		/* current IKE SA, or NULL */
	bool want_up;			/* initiate / keep up */
	uint64_t retry_at;		/* engine ms, 0: none */
	unsigned retry_n;
	uint16_t dh_hint;		/* group the peer asked for (INVALID_KE) */
	uint16_t pfs_hint;		/* the same for CREATE_CHILD_SA */

	char reason[STATUS_REASON_LEN];
	char detail[STATUS_TEXT_LEN];
	char hint[STATUS_TEXT_LEN];
	unsigned attempts;
	uint64_t last_failure;

	/* split: pairs the peer refused or narrowed away */
	char pair_note[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS][96];
	uint64_t pair_retry_at;
	unsigned pair_retry_n;
	unsigned next_child_id;
	bool trap_installed;
	uint32_t trap_reqid;
	bool replaced;			/* ike_reload: torn down, not carried over */
	bool has_trigger;		/* on-traffic: the packet that started it */
	struct ike_addr trigger_src, trigger_dst;
};

struct ike {
	struct ike_env env;
	const struct conf *conf;
	struct conn *conns;
	unsigned n_conns;
	struct ike_sa *sas;
	unsigned next_serial;
	uint32_t next_reqid;
	struct dos dos;
	bool keylog_on;
	uint64_t notify_window;		/* rate limit of unprotected notifies */
	unsigned notify_count;
};

/* engine.c */
uint64_t eng_now(const struct ike *ike);
uint64_t eng_wall(const struct ike *ike);
void conn_set_state(struct conn *c, enum p1_state st);
/* Record a failure (reason per DESIGN.md) and schedule a retry. */
void conn_fail(struct conn *c, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conn_established(struct conn *c, struct ike_sa *sa);
void conn_initiate(struct conn *c);
/* on-traffic: trap (out) policies for every configured pair.  They stay
 * while the connection is up: a CHILD SA's out policy replaces the trap
 * of its pair in place, and the trap takes it back when the child goes,
 * so no pair is ever without an out policy. */
void eng_conn_trap(struct conn *c, bool on);
/* Remove a child's SAs and policies (its pairs go back to the trap). */
void eng_child_uninstall(struct ike_sa *sa, struct child_sa *ch);
/* Install the outbound SA a rekey's responder held back (child_hold_out);
 * why goes to the log. */
void eng_child_out(struct ike_sa *sa, struct child_sa *ch, const char *why);
/* A child-level failure: reason recorded, phase 1 untouched. */
void conn_note(struct conn *c, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The IKE SA is gone (deleted, dead, failed): drop kernel state. */
void eng_sa_destroy(struct ike *ike, struct ike_sa *sa, bool uninstall);
void eng_kick(struct ike_sa *sa);		/* start the next queued task */
int eng_send(struct ike_sa *sa, const struct wbuf *msg);
int eng_send_raw(struct ike *ike, const struct ike_addr *src, uint16_t sport,
		 const struct ike_addr *dst, uint16_t dport,
		 const uint8_t *buf, size_t len);
struct child_endpoints eng_endpoints(const struct ike_sa *sa, const struct child_sa *c);
const char *eng_reason_hint(const char *reason);

/* sealing and opening SK messages (v2_info.c) */
int v2_seal(struct ike_sa *sa, uint8_t exch, bool response, uint32_t msgid,
	    struct v2_builder *inner, struct wbuf *out);
struct ike_result v2_open(struct ike_sa *sa, struct v2_msg *m,
			  uint8_t *plain, size_t cap);
int v2_respond(struct ike_sa *sa, const struct v2_msg *req, struct v2_builder *inner);
int v2_request(struct ike_sa *sa, uint8_t exch, enum task_kind kind,
	       struct v2_builder *inner);
/* Encrypted response with a single notify (errors inside an SA). */
void v2_reply_notify(struct ike_sa *sa, const struct v2_msg *req,
		     uint16_t type, struct span data);

bool eng_clear_notify_ok(struct ike *ike);

/* v2_init.c */
void v2_init_reply_error(struct ike *ike, const struct v2_msg *m, uint16_t type,
			 const struct ike_addr *src, uint16_t sport,
			 const struct ike_addr *dst, uint16_t dport);
void v2_init_start(struct conn *c, struct ike_sa *sa);
void v2_init_recv_request(struct ike *ike, const struct v2_msg *m,
			  const struct ike_addr *src, uint16_t sport,
			  const struct ike_addr *dst, uint16_t dport);
void v2_init_recv_response(struct ike_sa *sa, const struct v2_msg *m,
			   const struct ike_addr *src, uint16_t sport);

/* v2_auth.c */
void v2_auth_start(struct ike_sa *sa);
void v2_auth_established(struct ike_sa *sa);
/* Established and timed, but not (yet) the connection's current SA. */
void v2_sa_established(struct ike_sa *sa);
void v2_auth_recv_request(struct ike_sa *sa, struct v2_msg *m);
void v2_auth_recv_response(struct ike_sa *sa, struct v2_msg *m);
void v2_auth_peer_refused(struct ike_sa *sa);
int v2_id_body(const struct conf_id *id, const struct ike_addr *dflt,
	       uint8_t *buf, size_t cap, size_t *len);

/* v2_child.c */
int v2_child_setup_first(struct ike_sa *sa, struct v2_builder *b);
void v2_child_first_response(struct ike_sa *sa, struct v2_msg *m);
void v2_child_first_request(struct ike_sa *sa, struct v2_msg *m,
			    struct v2_builder *b);
void v2_child_start(struct ike_sa *sa, const struct sa_task *t);
void v2_child_recv_request(struct ike_sa *sa, struct v2_msg *m);
void v2_child_recv_response(struct ike_sa *sa, struct v2_msg *m);
void v2_child_queue_missing(struct ike_sa *sa);
void v2_child_free_out(struct ike_sa *sa);
/* An IKE rekey collision ends with the peer's new IKE SA: it takes the
 * children and the connection.  false when there is none (any more). */
bool v2_child_peer_rekey_wins(struct ike_sa *old);
/* A request on the peer's new IKE SA while our rekey collision is open:
 * the peer uses it, so it is the survivor (RFC 7296 2.8.2).  Settle
 * before the request looks for children. */
void v2_child_rekey_settle(struct ike_sa *sa, const struct v2_msg *m);

/* v2_info.c */
void v2_info_start(struct ike_sa *sa, const struct sa_task *t);
void v2_info_recv_request(struct ike_sa *sa, struct v2_msg *m);
void v2_info_recv_response(struct ike_sa *sa, struct v2_msg *m);

#endif
