/* IKE SAs: the table keyed by our SPI, the message-ID window of one in
 * each direction, the response cache that answers retransmitted requests
 * with the same bytes, and retransmission of our own requests with
 * exponential back-off and a limit. */
#ifndef IKEGW_SA_H
#define IKEGW_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "child.h"
#include "crypto.h"
#include "keymat.h"
#include "proposal.h"
#include "ts.h"
#include "v2.h"
#include "wbuf.h"

#define SA_RETRANS_BASE_MS	2000	/* > first-use crypto self-test of a UML kernel */
#define SA_RETRANS_TRIES	5	/* sends after the first */
#define SA_MAX_TASKS		64
#define SA_NONCE_LEN		32
#define SA_REKEYED_LINGER_MS	60000

enum sa_state {
	SA_INIT_SENT,		/* initiator: IKE_SA_INIT request out */
	SA_HALF_OPEN,		/* responder: IKE_SA_INIT answered */
	SA_AUTH_SENT,		/* initiator: IKE_AUTH request out */
	SA_ESTABLISHED,
	SA_REKEYED,		/* replaced by a newer IKE SA; being deleted */
	SA_DELETING,		/* our Delete(IKE) is out */
	SA_DEAD,		/* to be freed */
};

enum task_kind {
	TASK_NONE, TASK_INIT, TASK_AUTH, TASK_CHILD_NEW, TASK_CHILD_REKEY,
	TASK_IKE_REKEY, TASK_DEL_CHILD, TASK_DEL_IKE, TASK_DPD,
};

struct sa_task {
	enum task_kind kind;
	struct child_sa *child;		/* rekey / delete target */
	struct ts_pair pair;		/* CHILD_NEW: the pair it carries */
};

/* Our one outstanding request and what its response needs. */
struct sa_out {
	enum task_kind kind;		/* TASK_NONE: idle */
	uint32_t msgid;
	struct wbuf msg;		/* as sent, without the non-ESP marker */
	unsigned tries;
	uint64_t next_at;
	uint64_t first_at;
	uint32_t timeout_ms;
	struct child_sa *child;		/* the child being created */
	struct child_sa *old;		/* rekey / delete target */
	bool old_lost;			/* the peer deleted it after winning a
					 * rekey collision (RFC 7296 2.8.1) */
	struct ts_pair pair;
	bool has_pair;
	struct dh *dh;			/* KE of a PFS child or an IKE rekey */
	uint8_t nonce[SA_NONCE_LEN];
	struct v2_sa *offer;		/* what we proposed (heap: it is large) */
	struct v2_ts_set tsi, tsr;
	struct ike_sa *new_sa;		/* IKE rekey: the SA being made */
};

/* Record the peer's exchange (its Ni, our Nr). */
void sa_collision_note(struct sa_collision *c, uint64_t spi, struct span ni,
		       struct span nr);
/* Our exchange (our Ni, its Nr) holds the lowest of the four nonces? */
bool sa_collision_ours_redundant(const struct sa_collision *c, struct span ni,
				 struct span nr);

struct conn;
struct ike;

struct ike_sa {
	struct ike_sa *next;
	struct ike *ike;
	struct conn *conn;		/* the connection (responder: after IKE_AUTH) */
	unsigned serial;
	enum sa_state state;
	bool initiator;			/* we sent the first IKE_SA_INIT (or the rekey) */
	bool initiator_of_conn;		/* we brought the connection up: we add its children */
	uint64_t spi_i, spi_r;
	struct ike_addr local, remote;
	uint16_t lport, rport;
	bool nat_local, nat_remote;	/* we are / the peer is behind a NAT */
	bool natt;			/* floated to 4500 */

	struct prop_choice choice;
	struct ike_keys keys;
	bool have_keys;
	struct dh *dh;
	uint16_t ke_group;
	uint8_t ni[IKE_MAX_NONCE], nr[IKE_MAX_NONCE];
	size_t ni_len, nr_len;
	struct wbuf init_req, init_resp;	/* IKE_SA_INIT as on the wire (AUTH signs them) */
	uint8_t cookie[IKE_MAX_COOKIE];
	size_t cookie_len;
	unsigned init_restarts;		/* COOKIE / INVALID_KE restarts (bounded) */

	uint32_t msgid_next;		/* our next request */
	uint32_t msgid_peer;		/* the peer's next request */
	struct wbuf resp;		/* cached response to msgid_peer - 1 */
	bool have_resp;
	struct sa_out out;
	struct sa_task tasks[SA_MAX_TASKS];
	unsigned n_tasks;

	struct child_sa *children;
	uint64_t created_ms, established_ms, last_rx_ms;
	uint64_t rekey_at_ms, rekey_at_wall;
	uint64_t keepalive_at;
	uint64_t half_open_until;	/* also: when a REKEYED SA goes */
	struct sa_collision coll;	/* the peer rekeyed it while we did */
	bool initial_contact;		/* peer sent INITIAL_CONTACT */
	char peer_id[STATUS_TEXT_LEN];	/* as the peer sent it (escaped), after AUTH */
};

struct ike_sa *sa_new(struct ike *ike, bool initiator);
void sa_free(struct ike_sa *sa);	/* unlinked already; frees children structs only */
uint64_t sa_local_spi(const struct ike_sa *sa);
/* Our SPI (the one we chose), from a header and the direction. */
struct ike_sa *sa_lookup(struct ike *ike, uint64_t local_spi);
struct ike_sa *sa_lookup_half_open(struct ike *ike, uint64_t spi_i,
				   const struct ike_addr *remote);
unsigned sa_count_half_open(const struct ike *ike);
void sa_link(struct ike *ike, struct ike_sa *sa);
void sa_unlink(struct ike *ike, struct ike_sa *sa);
uint64_t sa_random_spi(void);

/* Window of one, responder side. */
enum sa_window { SA_WIN_NEW, SA_WIN_RETRANSMIT, SA_WIN_OUTSIDE };
enum sa_window sa_window_check(const struct ike_sa *sa, uint32_t msgid);
/* Store the response we sent for msgid_peer and advance the window. */
void sa_cache_response(struct ike_sa *sa, const struct wbuf *msg);

/* Initiator side: start tracking a request whose bytes are in out.msg. */
void sa_out_start(struct ike_sa *sa, enum task_kind kind, uint64_t now);
void sa_out_done(struct ike_sa *sa);	/* response handled: free the slot */
/* Retransmission due at now?  false when the limit is reached. */
bool sa_out_retransmit_due(const struct ike_sa *sa, uint64_t now);
bool sa_out_exhausted(const struct ike_sa *sa);
void sa_out_backoff(struct ike_sa *sa, uint64_t now);

int sa_task_push(struct ike_sa *sa, enum task_kind kind, struct child_sa *c,
		 const struct ts_pair *pair);
bool sa_task_pop(struct ike_sa *sa, struct sa_task *t);
void sa_task_drop_child(struct ike_sa *sa, const struct child_sa *c);

void sa_add_child(struct ike_sa *sa, struct child_sa *c);
void sa_remove_child(struct ike_sa *sa, struct child_sa *c);	/* unlinks and frees */
struct child_sa *sa_child_by_spi_in(struct ike_sa *sa, uint32_t spi);
struct child_sa *sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi);

#endif
