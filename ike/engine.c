/* The engine facade: connections, timers, and dispatch of datagrams to
 * the exchange handlers (v2_init.c, v2_auth.c, v2_child.c, v2_info.c). */
#include <errno.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "alg.h"
#include "engine.h"
#include "keylog.h"
#include "log.h"

uint64_t eng_now(const struct ike *ike)
{
	return ike->env.now_ms(ike->env.arg);
}

uint64_t eng_wall(const struct ike *ike)
{
	return ike->env.wall_s ? ike->env.wall_s(ike->env.arg) : 0;
}

static const struct {
	const char *reason, *hint;
} hints[] = {
	{ "psk-mismatch", "Check `psk` here and on the peer (watch for trailing spaces)." },
	{ "id-mismatch", "Check `local_id`/`remote_id` here against the peer's identities." },
	{ "proposal-mismatch", "Check `ike_encryption`/`ike_integrity`/`ike_dh_group` (`esp_*` for phase 2) against the peer." },
	{ "dh-mismatch", "Check `ike_dh_group` (or `esp_pfs`): the peer wants a group we do not offer." },
	{ "no-response", "Check that the peer is reachable, UDP 500/4500 pass firewalls, and `nat_traversal`." },
	{ "nat-t-disabled", "A NAT sits between the gateways: set `nat_traversal = yes`." },
	{ "ts-mismatch", "Check `local_subnets`/`remote_subnets` here against the peer's." },
	{ "pfs-mismatch", "Set `esp_pfs` to the same value on both gateways." },
	{ "kernel-error", "Check that the kernel has ESP support (esp4/esp6, xfrm_user modules)." },
};

const char *eng_reason_hint(const char *reason)
{
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(hints[i].reason, reason) == 0)
			return hints[i].hint;
	return "";
}

void conn_set_state(struct conn *c, enum p1_state st)
{
	if (c->p1 == st)
		return;
	log_info("%s: phase 1 %s -> %s", c->cc->name, p1_state_name(c->p1),
		 p1_state_name(st));
	c->p1 = st;
	c->since = eng_wall(c->ike);
}

static bool conn_initiates(const struct conn *c)
{
	return c->cc->start != START_RESPOND && c->want_up;
}

static void conn_schedule_retry(struct conn *c)
{
	uint64_t d = CONN_RETRY_MS;

	for (unsigned i = 0; i < c->retry_n && d < CONN_RETRY_MAX_MS; i++)
		d *= 2;
	if (d > CONN_RETRY_MAX_MS)
		d = CONN_RETRY_MAX_MS;
	c->retry_n++;
	c->retry_at = conn_initiates(c) ? eng_now(c->ike) + d : 0;
}

/* The reason, its detail and hint, counted: what status reports. */
__attribute__((format(printf, 3, 0)))
static void record_failure(struct conn *c, const char *reason, const char *fmt,
			   va_list ap)
{
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	snprintf(c->hint, sizeof(c->hint), "%s", eng_reason_hint(reason));
	c->attempts++;
	c->last_failure = eng_wall(c->ike);
}

void conn_fail(struct conn *c, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record_failure(c, reason, fmt, ap);
	va_end(ap);
	log_info("%s: failed: %s: %s", c->cc->name, reason, c->detail);
	conn_set_state(c, P1_FAILED);
	conn_schedule_retry(c);
}

void conn_established(struct conn *c, struct ike_sa *sa)
{
	if (c->sa != sa)
		c->pair_retry_n = 0;
	c->sa = sa;
	c->retry_n = 0;
	c->retry_at = 0;
	c->reason[0] = c->detail[0] = c->hint[0] = '\0';
	conn_set_state(c, P1_ESTABLISHED);
}

static void local_for(struct conn *c, struct ike_addr *out)
{
	*out = c->cc->local_addr;
	if (!out->family && c->ike->env.route)
		c->ike->env.route(c->ike->env.arg, &c->cc->remote_addr, out);
}

void conn_initiate(struct conn *c)
{
	struct ike_sa *sa;

	c->retry_at = 0;
	if (c->sa && c->sa->state != SA_DEAD) {
		/* still tearing the old one down: come back later */
		if (c->p1 == P1_FAILED)
			c->retry_at = eng_now(c->ike) + CONN_RETRY_MS;
		else if (c->sa->state == SA_DELETING)
			c->retry_at = eng_now(c->ike) + 1000;
		return;
	}
	sa = sa_new(c->ike, true);
	if (!sa) {
		conn_schedule_retry(c);
		return;
	}
	sa->conn = c;
	sa->initiator_of_conn = true;
	sa->spi_i = sa_random_spi();
	sa->remote = c->cc->remote_addr;
	sa->rport = IKE_PORT;
	sa->lport = IKE_PORT;
	local_for(c, &sa->local);
	sa_link(c->ike, sa);
	c->sa = sa;
	conn_set_state(c, P1_CONNECTING);
	v2_init_start(c, sa);
}

struct child_endpoints eng_endpoints(const struct ike_sa *sa, const struct child_sa *c)
{
	struct child_endpoints ep;
	const struct conf_conn *cc = sa->conn ? sa->conn->cc : NULL;

	(void)c;
	memset(&ep, 0, sizeof(ep));
	ep.local = sa->local;
	ep.remote = sa->remote;
	ep.encap = sa->natt;
	ep.local_port = sa->lport;
	ep.remote_port = sa->rport;
	if (cc) {
		ep.hard_secs = cc->esp_lifetime + cc->esp_lifetime / 10;
		ep.soft_secs = 0;	/* the engine rekeys on its own timer */
	}
	return ep;
}

void eng_sa_destroy(struct ike *ike, struct ike_sa *sa, bool uninstall)
{
	struct conn *c = sa->conn;

	if (uninstall)
		for (struct child_sa *ch = sa->children; ch; ch = ch->next)
			eng_child_uninstall(sa, ch);
	if (sa->out.child && sa->out.child->spi_allocated) {
		struct child_endpoints ep = eng_endpoints(sa, sa->out.child);

		child_uninstall(ike->env.xfrm, sa->out.child, &ep);
	}
	sa->state = SA_DEAD;
	if (c && c->sa == sa) {
		c->sa = NULL;
		for (struct ike_sa *o = ike->sas; o; o = o->next)
			if (o != sa && o->conn == c && o->state == SA_ESTABLISHED)
				c->sa = o;
		if (!c->sa && c->p1 != P1_FAILED)
			conn_set_state(c, P1_DOWN);
		if (!c->sa && c->cc->start == START_ON_TRAFFIC)
			eng_conn_trap(c, true);
	}
}

static void reap(struct ike *ike)
{
	struct ike_sa **pp = &ike->sas, *sa;

	while ((sa = *pp)) {
		if (sa->state == SA_DEAD) {
			*pp = sa->next;
			sa_free(sa);
		} else {
			pp = &sa->next;
		}
	}
}

int eng_send_raw(struct ike *ike, const struct ike_addr *src, uint16_t sport,
		 const struct ike_addr *dst, uint16_t dport,
		 const uint8_t *buf, size_t len)
{
	uint8_t tmp[IKE_MAX_MSG + 4];

	if (sport != IKE_NATT_PORT && dport != IKE_NATT_PORT)
		return ike->env.send(ike->env.arg, src, sport, dst, dport, buf, len);
	if (len > IKE_MAX_MSG)
		return -EMSGSIZE;
	memset(tmp, 0, 4);
	memcpy(tmp + 4, buf, len);
	return ike->env.send(ike->env.arg, src, sport, dst, dport, tmp, len + 4);
}

int eng_send(struct ike_sa *sa, const struct wbuf *msg)
{
	return eng_send_raw(sa->ike, &sa->local, sa->lport, &sa->remote,
			    sa->rport, msg->p, msg->len);
}

/* Start the next queued exchange when the window is free. */
void eng_kick(struct ike_sa *sa)
{
	struct sa_task t;

	while (sa->out.kind == TASK_NONE && sa->state == SA_ESTABLISHED &&
	       sa_task_pop(sa, &t)) {
		switch (t.kind) {
		case TASK_CHILD_NEW:
		case TASK_CHILD_REKEY:
		case TASK_IKE_REKEY:
			v2_child_start(sa, &t);
			break;
		case TASK_DEL_CHILD:
		case TASK_DEL_IKE:
		case TASK_DPD:
			v2_info_start(sa, &t);
			break;
		default:
			break;
		}
	}
}

/* ---- receive ---- */

/* Which requests an SA in this state may act on (IKE_AUTH only once,
 * nothing else before it completed). */
static bool exchange_allowed(const struct ike_sa *sa, uint8_t exch)
{
	if (exch == IKEV2_EXCH_IKE_AUTH)
		return sa->state == SA_HALF_OPEN;
	if (exch == IKEV2_EXCH_CREATE_CHILD_SA)	/* REKEYED: TEMPORARY_FAILURE */
		return sa->state == SA_ESTABLISHED || sa->state == SA_REKEYED;
	return exch == IKEV2_EXCH_INFORMATIONAL && sa->state >= SA_ESTABLISHED &&
	       sa->state != SA_DEAD;
}

static void recv_request(struct ike_sa *sa, struct v2_msg *m,
			 const struct ike_addr *src, uint16_t sport,
			 const struct ike_addr *dst, uint16_t dport)
{
	switch (sa_window_check(sa, m->hdr.msgid)) {
	case SA_WIN_RETRANSMIT:
		log_debug("IKE SA #%u: retransmitted request %u: cached response",
			  sa->serial, m->hdr.msgid);
		eng_send_raw(sa->ike, dst, dport, src, sport, sa->resp.p, sa->resp.len);
		return;
	case SA_WIN_OUTSIDE:
		log_debug("IKE SA #%u: request %u outside the window: dropped",
			  sa->serial, m->hdr.msgid);
		return;
	case SA_WIN_NEW:
		break;
	}
	if (!exchange_allowed(sa, m->hdr.exch)) {
		log_debug("IKE SA #%u: exchange %u not allowed now: dropped",
			  sa->serial, m->hdr.exch);
		return;
	}
	if (sa->state == SA_ESTABLISHED)
		v2_child_rekey_settle(sa, m);
	switch (m->hdr.exch) {
	case IKEV2_EXCH_IKE_AUTH:
		v2_auth_recv_request(sa, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		v2_child_recv_request(sa, m);
		break;
	default:
		v2_info_recv_request(sa, m);
		break;
	}
}

static void recv_response(struct ike_sa *sa, struct v2_msg *m)
{
	if (sa->out.kind == TASK_NONE || m->hdr.msgid != sa->out.msgid)
		return;
	switch (m->hdr.exch) {
	case IKEV2_EXCH_IKE_AUTH:
		if (sa->out.kind == TASK_AUTH)
			v2_auth_recv_response(sa, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		if (sa->out.kind == TASK_CHILD_NEW ||
		    sa->out.kind == TASK_CHILD_REKEY ||
		    sa->out.kind == TASK_IKE_REKEY)
			v2_child_recv_response(sa, m);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		if (sa->out.kind == TASK_DEL_CHILD || sa->out.kind == TASK_DEL_IKE ||
		    sa->out.kind == TASK_DPD)
			v2_info_recv_response(sa, m);
		break;
	default:
		break;
	}
}

/* Decrypt and check an encrypted message; only then may it touch state. */
static void recv_protected(struct ike *ike, struct v2_msg *m,
			   const struct ike_addr *src, uint16_t sport,
			   const struct ike_addr *dst, uint16_t dport)
{
	bool response = m->hdr.flags & IKEV2_FLAG_RESPONSE;
	bool from_initiator = m->hdr.flags & IKEV2_FLAG_INITIATOR;
	uint64_t spi = from_initiator ? m->hdr.spi_r : m->hdr.spi_i;
	struct ike_sa *sa = sa_lookup(ike, spi);
	uint8_t *plain = NULL;
	struct ike_result r;

	if (!sa || sa->initiator == from_initiator ||
	    (from_initiator ? sa->spi_i != m->hdr.spi_i : sa->spi_r != m->hdr.spi_r))
		return;
	if (!response && sa_window_check(sa, m->hdr.msgid) != SA_WIN_NEW) {
		recv_request(sa, m, src, sport, dst, dport);
		return;
	}
	if (response && (sa->out.kind == TASK_NONE || m->hdr.msgid != sa->out.msgid))
		return;
	plain = malloc(IKE_MAX_MSG);
	if (!plain)
		return;
	r = v2_open(sa, m, plain, IKE_MAX_MSG);
	if (r.v == IKE_REPLY_NOTIFY && !response && exchange_allowed(sa, m->hdr.exch)) {
		/* authentic but malformed inside: say so, inside the SA */
		uint8_t t = m->unknown_critical;

		log_info("IKE SA #%u: request %u refused: %s", sa->serial,
			 m->hdr.msgid, r.why);
		v2_reply_notify(sa, m, r.notify,
				r.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ?
				span_make(&t, 1) : span_make(NULL, 0));
		goto out;
	}
	if (r.v != IKE_OK) {
		log_debug("IKE SA #%u: dropped: %s", sa->serial, r.why);
		goto out;
	}
	sa->last_rx_ms = eng_now(ike);
	/* the initiator floated to 4500 (NAT-T): follow it */
	if (dport == IKE_NATT_PORT && !sa->natt) {
		sa->natt = true;
		sa->lport = IKE_NATT_PORT;
	}
	/* the peer moved (NAT rebinding): only after the integrity check */
	if (sa->natt && (!addr_eq(&sa->remote, src) || sa->rport != sport)) {
		sa->remote = *src;
		sa->rport = sport;
	}
	if (response)
		recv_response(sa, m);
	else
		recv_request(sa, m, src, sport, dst, dport);
out:
	sodium_memzero(plain, IKE_MAX_MSG);
	free(plain);
}

void ike_recv(struct ike *ike, const uint8_t *buf, size_t len,
	      const struct ike_addr *src, uint16_t sport,
	      const struct ike_addr *dst, uint16_t dport)
{
	static const uint8_t marker[4];
	struct v2_msg *m;
	struct ike_result r;

	if (dport == IKE_NATT_PORT) {
		if (len == 1 && buf[0] == 0xff)
			return;		/* NAT-T keepalive */
		if (len < 4 || memcmp(buf, marker, 4) != 0)
			return;		/* ESP: the kernel's business */
		buf += 4;
		len -= 4;
	}
	m = malloc(sizeof(*m));
	if (!m)
		return;
	r = v2_parse_msg(span_make(buf, len), m);
	if (r.v == IKE_OK)
		r = v2_check_rules(m, false);
	if (r.v == IKE_REPLY_NOTIFY && m->hdr.exch == IKEV2_EXCH_IKE_SA_INIT &&
	    !(m->hdr.flags & IKEV2_FLAG_RESPONSE) && m->hdr.spi_i) {
		v2_init_reply_error(ike, m, r.notify, src, sport, dst, dport);
		goto out;
	}
	if (r.v != IKE_OK) {
		log_debug("dropped datagram: %s", r.why);
		goto out;
	}
	if (m->hdr.exch == IKEV2_EXCH_IKE_SA_INIT) {
		if (!(m->hdr.flags & IKEV2_FLAG_RESPONSE)) {
			v2_init_recv_request(ike, m, src, sport, dst, dport);
		} else {
			struct ike_sa *sa = sa_lookup(ike, m->hdr.spi_i);

			if (sa && sa->initiator && sa->state == SA_INIT_SENT)
				v2_init_recv_response(sa, m, src, sport);
		}
	} else {
		recv_protected(ike, m, src, sport, dst, dport);
	}
out:
	free(m);
	reap(ike);
}

/* ---- timers ---- */

static uint64_t min_t(uint64_t a, uint64_t b)
{
	return a && a < b ? a : b;
}

static uint64_t sa_next_timer(const struct ike_sa *sa)
{
	const struct conf_conn *cc = sa->conn ? sa->conn->cc : NULL;
	uint64_t t = UINT64_MAX;

	if (sa->state == SA_DEAD)
		return t;
	if (sa->out.kind != TASK_NONE)
		t = min_t(sa->out.next_at, t);
	if (sa->state == SA_HALF_OPEN || sa->state == SA_REKEYED)
		t = min_t(sa->half_open_until, t);
	if (sa->state != SA_ESTABLISHED)
		return t;
	t = min_t(sa->rekey_at_ms, t);
	t = min_t(sa->keepalive_at, t);
	if (cc && sa->out.kind == TASK_NONE)
		t = min_t(sa->established_ms + cc->ike_lifetime * 1100ull, t);
	for (const struct child_sa *c = sa->children; c; c = c->next) {
		t = min_t(c->rekey_at_ms, t);
		t = min_t(c->expire_at_ms, t);
		t = min_t(c->out_at_ms, t);
	}
	if (cc && cc->dpd_interval && sa->out.kind == TASK_NONE)
		t = min_t(sa->last_rx_ms + cc->dpd_interval * 1000ull, t);
	if (cc && cc->dpd_interval && cc->dpd_timeout && sa->out.kind != TASK_NONE)
		t = min_t(sa->out.first_at + cc->dpd_timeout * 1000ull, t);
	if (sa->n_tasks && sa->out.kind == TASK_NONE)
		t = min_t(1, t);
	return t;
}

uint64_t ike_next_timer(struct ike *ike)
{
	uint64_t t = ike->dos.rotate_at;

	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		t = min_t(sa_next_timer(sa), t);
	for (unsigned i = 0; i < ike->n_conns; i++) {
		t = min_t(ike->conns[i].retry_at, t);
		if (ike->conns[i].sa && ike->conns[i].sa->state == SA_ESTABLISHED)
			t = min_t(ike->conns[i].pair_retry_at, t);
	}
	return t;
}

static void peer_dead(struct ike_sa *sa, const char *what)
{
	struct conn *c = sa->conn;
	char a[IKE_ADDRSTRLEN];

	log_info("IKE SA #%u: %s: no answer from %s:%u", sa->serial, what,
		 addr_fmt(&sa->remote, a), sa->rport);
	if (c && c->sa == sa)
		conn_fail(c, "no-response", "%s: no answer from %s:%u after %u tries",
			  what, a, sa->rport, sa->out.tries + 1);
	eng_sa_destroy(sa->ike, sa, true);
	if (!c)
		return;
	if (c->cc->start == START_ON_TRAFFIC)
		c->retry_at = 0;	/* traps stay; the next packet retries */
}

/* Did an inbound ESP SA carry a packet within the last `secs`?  Then
 * the peer is alive and a liveness check would only add traffic. */
static bool esp_recently_in(struct ike_sa *sa, uint32_t secs)
{
	uint64_t wall = eng_wall(sa->ike);
	struct xfrm_counters k;

	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->sa_in_installed &&
		    xfrm_get_counters(sa->ike->env.xfrm, &sa->local, c->spi_in, &k) == 0 &&
		    k.use_time && k.use_time + secs > wall)
			return true;
	return false;
}

static void sa_timers(struct ike_sa *sa, uint64_t now)
{
	const struct conf_conn *cc = sa->conn ? sa->conn->cc : NULL;
	static const uint8_t ka = 0xff;

	if (sa->state == SA_HALF_OPEN && sa->half_open_until <= now) {
		sa->state = SA_DEAD;
		return;
	}
	if (sa->state == SA_REKEYED && sa->half_open_until <= now) {
		eng_sa_destroy(sa->ike, sa, false);
		return;
	}
	if (sa->out.kind != TASK_NONE && cc && cc->dpd_interval && cc->dpd_timeout &&
	    sa->state == SA_ESTABLISHED &&
	    now >= sa->out.first_at + cc->dpd_timeout * 1000ull) {
		peer_dead(sa, "dead peer detection");
		return;
	}
	if (sa_out_retransmit_due(sa, now)) {
		if (sa_out_exhausted(sa)) {
			if (sa->out.kind == TASK_DEL_IKE || sa->state == SA_REKEYED) {
				eng_sa_destroy(sa->ike, sa, sa->state != SA_REKEYED);
				return;
			}
			peer_dead(sa, sa->state == SA_ESTABLISHED ?
				  "retransmissions exhausted" : "IKE_SA_INIT/IKE_AUTH");
			return;
		}
		sa_out_backoff(sa, now);
		log_debug("IKE SA #%u: retransmit %u of request %u", sa->serial,
			  sa->out.tries, sa->out.msgid);
		eng_send(sa, &sa->out.msg);
	}
	if (sa->state != SA_ESTABLISHED)
		return;
	if (sa->keepalive_at && sa->keepalive_at <= now) {
		/* a keepalive is the one datagram on 4500 without the marker */
		sa->ike->env.send(sa->ike->env.arg, &sa->local, sa->lport,
				  &sa->remote, sa->rport, &ka, 1);
		sa->keepalive_at = now + IKE_KEEPALIVE_MS;
	}
	if (sa->rekey_at_ms && sa->rekey_at_ms <= now) {
		sa->rekey_at_ms = 0;
		sa_task_push(sa, TASK_IKE_REKEY, NULL, NULL);
	}
	if (cc && now >= sa->established_ms + cc->ike_lifetime * 1100ull &&
	    sa->out.kind == TASK_NONE) {
		/* every rekey failed: start over rather than run on old keys */
		log_info("IKE SA #%u: lifetime over without a rekey: deleting", sa->serial);
		sa->n_tasks = 0;
		sa_task_push(sa, TASK_DEL_IKE, NULL, NULL);
		if (sa->conn && sa->conn->want_up && sa->conn->cc->start != START_RESPOND)
			sa->conn->retry_at = now + 1000;
	}
	for (struct child_sa *c = sa->children, *n; c; c = n) {
		n = c->next;
		if (c->out_at_ms && c->out_at_ms <= now)
			eng_child_out(sa, c, "no Delete of the old SA from the peer");
		if (c->expire_at_ms && c->expire_at_ms <= now) {
			c->expire_at_ms = 0;
			sa_task_push(sa, TASK_DEL_CHILD, c, NULL);
		} else if (c->rekey_at_ms && c->rekey_at_ms <= now) {
			c->rekey_at_ms = 0;
			sa_task_push(sa, TASK_CHILD_REKEY, c, NULL);
		}
	}
	if (cc && cc->dpd_interval && sa->out.kind == TASK_NONE && !sa->n_tasks &&
	    now >= sa->last_rx_ms + cc->dpd_interval * 1000ull) {
		if (esp_recently_in(sa, cc->dpd_interval))
			sa->last_rx_ms = now;	/* ESP from the peer: it is alive */
		else
			sa_task_push(sa, TASK_DPD, NULL, NULL);
	}
	eng_kick(sa);
}

static void conn_timers(struct conn *c, uint64_t now)
{
	if (c->retry_at && c->retry_at <= now && conn_initiates(c)) {
		c->retry_at = 0;
		conn_initiate(c);
	}
	if (c->pair_retry_at && c->pair_retry_at <= now) {
		c->pair_retry_at = 0;
		c->pair_retry_n++;
		if (c->sa && c->sa->state == SA_ESTABLISHED)
			v2_child_queue_missing(c->sa);
	}
}

void ike_run_timers(struct ike *ike)
{
	uint64_t now = eng_now(ike);

	dos_tick(&ike->dos, now);
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->state != SA_DEAD)
			sa_timers(sa, now);
	for (unsigned i = 0; i < ike->n_conns; i++)
		conn_timers(&ike->conns[i], now);
	reap(ike);
}

/* ---- connections ---- */

static struct conn *conn_by_name(struct ike *ike, const char *name)
{
	for (unsigned i = 0; i < ike->n_conns; i++)
		if (strcmp(ike->conns[i].cc->name, name) == 0)
			return &ike->conns[i];
	return NULL;
}

/* The trap's pairs (every configured one) and endpoints. */
static unsigned trap_pairs(struct conn *c, struct child_pair *pairs,
			   struct child_endpoints *ep)
{
	unsigned n = 0;

	for (unsigned l = 0; l < c->cc->n_local_subnets; l++)
		for (unsigned r = 0; r < c->cc->n_remote_subnets; r++) {
			pairs[n].local = c->cc->local_subnets[l];
			pairs[n].remote = c->cc->remote_subnets[r];
			n++;
		}
	memset(ep, 0, sizeof(*ep));
	local_for(c, &ep->local);
	ep->remote = c->cc->remote_addr;
	return n;
}

void eng_child_out(struct ike_sa *sa, struct child_sa *ch, const char *why)
{
	struct child_endpoints ep = eng_endpoints(sa, ch);

	ch->out_at_ms = 0;
	if (!ch->out_held || ch->rekeyed)	/* redundant: never used */
		return;
	if (child_install_held_out(sa->ike->env.xfrm, ch, &ep) < 0) {
		conn_note(sa->conn, "kernel-error", "installing the outbound SA of CHILD SA #%u: %s",
			  ch->id, xfrm_last_error(sa->ike->env.xfrm));
		return;
	}
	log_info("IKE SA #%u: CHILD SA #%u: outbound SA %08x installed (%s)", sa->serial,
		 ch->id, ch->spi_out, why);
}

void eng_child_uninstall(struct ike_sa *sa, struct child_sa *ch)
{
	struct child_endpoints ep = eng_endpoints(sa, ch), tep;
	struct child_pair pairs[CHILD_MAX_PAIRS], keep[CHILD_MAX_PAIRS];
	struct conn *c = sa->conn;
	unsigned n, nk = 0;

	if (c && c->trap_installed && ch->policies_installed) {
		n = trap_pairs(c, pairs, &tep);
		nk = child_pairs_shared(ch, pairs, n, keep);
		/* the trap takes these out policies back first: traffic is
		 * held for a new CHILD SA, never sent in the clear */
		if (nk && child_install_trap(sa->ike->env.xfrm, keep, nk, &tep,
					     c->trap_reqid) < 0)
			nk = 0;
	}
	child_uninstall_keep(sa->ike->env.xfrm, ch, &ep, keep, nk);
}

void eng_conn_trap(struct conn *c, bool on)
{
	struct child_pair pairs[CHILD_MAX_PAIRS];
	struct child_endpoints ep;
	unsigned n = trap_pairs(c, pairs, &ep);

	if (on == c->trap_installed)
		return;
	if (!c->trap_reqid)
		c->trap_reqid = child_alloc_reqid(&c->ike->next_reqid);
	if (on) {
		if (child_install_trap(c->ike->env.xfrm, pairs, n, &ep, c->trap_reqid) == 0)
			c->trap_installed = true;
	} else {
		child_remove_trap(c->ike->env.xfrm, pairs, n, &ep, c->trap_reqid);
		c->trap_installed = false;
	}
}

/* Bring a connection to its configured resting state. */
static void conn_start(struct conn *c)
{
	switch (c->cc->start) {
	case START_IMMEDIATE:
		c->want_up = true;
		conn_initiate(c);
		break;
	case START_ON_TRAFFIC:
		eng_conn_trap(c, true);
		break;
	default:
		break;
	}
}

static void conn_stop(struct conn *c, bool send_delete)
{
	struct ike *ike = c->ike;

	c->want_up = false;
	c->retry_at = 0;
	c->pair_retry_at = 0;
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->conn != c || sa->state == SA_DEAD)
			continue;
		if (send_delete && sa->state == SA_ESTABLISHED) {
			struct sa_task t = { .kind = TASK_DEL_IKE };

			/* best effort: one send, no waiting */
			v2_info_start(sa, &t);
		}
		eng_sa_destroy(ike, sa, true);
	}
	eng_conn_trap(c, false);
	c->sa = NULL;
	conn_set_state(c, P1_DOWN);
}

static int conns_build(struct ike *ike, const struct conf *conf)
{
	struct conn *cs = NULL;
	unsigned n = 0;

	if (conf->n_conns) {
		cs = calloc(conf->n_conns, sizeof(*cs));
		if (!cs)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < conf->n_conns; i++) {
		if (conf->conns[i].ike_version != 2)
			continue;	/* IKEv1 is another engine's job */
		cs[n].cc = &conf->conns[i];
		cs[n].ike = ike;
		cs[n].p1 = P1_DOWN;
		cs[n].since = eng_wall(ike);
		n++;
	}
	ike->conns = cs;
	ike->n_conns = n;
	ike->conf = conf;
	return 0;
}

struct ike *ike_new(const struct ike_env *env, const struct conf *conf)
{
	struct ike *ike = calloc(1, sizeof(*ike));

	if (!ike)
		return NULL;
	if (crypto_init() < 0)
		goto fail;
	ike->env = *env;
	ike->next_reqid = XFRM_REQID_MIN + 1;
	dos_init(&ike->dos, eng_now(ike));
	if (env->keylog && env->keylog[0])
		ike->keylog_on = keylog_open(env->keylog) == 0;
	if (conns_build(ike, conf) < 0)
		goto fail;
	for (unsigned i = 0; i < ike->n_conns; i++)
		conn_start(&ike->conns[i]);
	return ike;
fail:
	free(ike);
	return NULL;
}

void ike_free(struct ike *ike)
{
	if (!ike)
		return;
	/* tell the peers (one best-effort Delete each), then clean the kernel */
	for (unsigned i = 0; i < ike->n_conns; i++)
		conn_stop(&ike->conns[i], true);
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->state != SA_DEAD)
			eng_sa_destroy(ike, sa, true);
	reap(ike);
	if (ike->keylog_on)
		keylog_close();
	dos_wipe(&ike->dos);
	free(ike->conns);
	free(ike);
}

int ike_up(struct ike *ike, const char *name)
{
	struct conn *c = conn_by_name(ike, name);

	if (!c)
		return -ENOENT;
	if (c->cc->start == START_RESPOND)
		return -EPERM;
	c->want_up = true;
	c->retry_n = 0;
	conn_initiate(c);
	reap(ike);
	return 0;
}

int ike_down(struct ike *ike, const char *name)
{
	struct conn *c = conn_by_name(ike, name);

	if (!c)
		return -ENOENT;
	conn_stop(c, true);
	reap(ike);
	return 0;
}

int ike_reload(struct ike *ike, const struct conf *conf)
{
	struct conn *old = ike->conns;
	unsigned n_old = ike->n_conns;
	char diff[256];
	int r;

	for (unsigned i = 0; i < n_old; i++) {
		const struct conf_conn *nc = conf_find(conf, old[i].cc->name);

		diff[0] = '\0';
		if (nc)
			conf_conn_diff(old[i].cc, nc, diff, sizeof(diff));
		if (!nc || diff[0]) {
			log_info("%s: %s", old[i].cc->name,
				 nc ? "settings changed: renegotiating" : "removed");
			conn_stop(&old[i], true);
			old[i].replaced = true;
		}
	}
	reap(ike);
	r = conns_build(ike, conf);
	if (r < 0) {
		ike->conns = old;
		ike->n_conns = n_old;
		return r;
	}
	/* carry unchanged connections over: their SAs now point at new conns */
	for (unsigned i = 0; i < ike->n_conns; i++) {
		struct conn *nc = &ike->conns[i];
		struct conn *oc = NULL;

		for (unsigned j = 0; j < n_old; j++)
			if (!old[j].replaced && strcmp(old[j].cc->name, nc->cc->name) == 0)
				oc = &old[j];
		if (!oc) {
			conn_start(nc);	/* new, or changed and torn down above */
			continue;
		}
		/* unchanged: same state, same SAs (half-open ones included) */
		const struct conf_conn *cc = nc->cc;

		*nc = *oc;
		nc->cc = cc;
		for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
			if (sa->conn == oc)
				sa->conn = nc;
	}
	free(old);
	return 0;
}

/* ---- status ---- */

static void id_fmt(const struct conf_id *id, char *buf, size_t sz)
{
	char tmp[IKE_ADDRSTRLEN];
	struct ike_addr a;

	memset(&a, 0, sizeof(a));
	if (id->type == IKEV2_ID_IPV4_ADDR && id->len == 4) {
		a.family = AF_INET;
		memcpy(a.a, id->data, 4);
		snprintf(buf, sz, "%s", addr_fmt(&a, tmp));
	} else if (id->type == IKEV2_ID_IPV6_ADDR && id->len == 16) {
		a.family = AF_INET6;
		memcpy(a.a, id->data, 16);
		snprintf(buf, sz, "%s", addr_fmt(&a, tmp));
	} else {
		const char *pfx = id->type == IKEV2_ID_FQDN ? "fqdn:" :
				  id->type == IKEV2_ID_RFC822_ADDR ? "email:" :
				  id->type == IKEV2_ID_KEY_ID ? "keyid:" : "";
		char esc[STATUS_TEXT_LEN];

		snprintf(buf, sz, "%s%s", pfx,
			 log_escape(id->data, id->len, esc, sizeof(esc)));
	}
}

static void child_status_fill(struct ike_sa *sa, struct child_sa *c,
			      struct child_status *st)
{
	char eb[ALG_NAMELEN], ib[ALG_NAMELEN];
	const char *e;
	struct child_endpoints ep = eng_endpoints(sa, c);

	memset(st, 0, sizeof(*st));
	st->id = c->id;
	st->state = c->rekeying ? P2_REKEYING : c->state;
	st->since = c->since;
	e = alg_encr_name(c->encr, c->encr_keylen, eb);
	if (c->integ)
		snprintf(st->algs, sizeof(st->algs), "%s-%s", e,
			 alg_integ_name(c->integ, ib));
	else
		snprintf(st->algs, sizeof(st->algs), "%s", e);
	/* IKE_AUTH's child has no key exchange: until a rekey with KE has
	 * worked, show the configured group as not yet verified. */
	st->pfs_group = c->pfs_group;
	if (!st->pfs_group && sa->conn && sa->conn->cc->n_esp_pfs)
		st->pfs_group = sa->conn->cc->esp_pfs[0];
	st->pfs_verified = c->pfs_verified;
	st->spi_in = c->spi_in;
	st->spi_out = c->spi_out;
	st->rekey_at = c->rekey_at_wall;
	child_read_counters(sa->ike->env.xfrm, c, &ep, st);
	st->n_pairs = c->n_pairs < STATUS_MAX_PAIRS ? c->n_pairs : STATUS_MAX_PAIRS;
	for (unsigned k = 0; k < st->n_pairs; k++) {
		st->pairs[k].local = c->pairs[k].local;
		st->pairs[k].remote = c->pairs[k].remote;
	}
}

static bool subnet_within(const struct ike_subnet *in, const struct ike_subnet *out)
{
	return in->addr.family == out->addr.family && out->plen <= in->plen &&
	       subnet_contains(out, &in->addr);
}

static unsigned pair_child(const struct ike_sa *sa, const struct ike_subnet *l,
			   const struct ike_subnet *r)
{
	if (!sa || sa->state == SA_DEAD)
		return 0;
	for (const struct child_sa *c = sa->children; c; c = c->next) {
		if (c->rekeyed || !(c->sa_out_installed || c->out_held))
			continue;	/* held: the old SA carries it meanwhile */
		for (unsigned k = 0; k < c->n_pairs; k++)
			if (subnet_within(l, &c->pairs[k].local) &&
			    subnet_within(r, &c->pairs[k].remote))
				return c->id;
	}
	return 0;
}

static void coverage_fill(struct conn *c, struct conn_status *out)
{
	const struct conf_conn *cc = c->cc;
	unsigned n = 0;

	for (unsigned l = 0; l < cc->n_local_subnets; l++)
		for (unsigned r = 0; r < cc->n_remote_subnets; r++) {
			struct coverage *cv = &out->cov[n++];

			cv->local = cc->local_subnets[l];
			cv->remote = cc->remote_subnets[r];
			cv->child_id = pair_child(c->sa, &cv->local, &cv->remote);
			if (!cv->child_id)
				snprintf(cv->note, sizeof(cv->note), "%s",
					 !c->sa ? "phase 1 down" :
					 c->pair_note[l][r][0] ? c->pair_note[l][r] :
					 "not negotiated");
		}
	out->n_coverage = n;
}

int ike_status(struct ike *ike, const char *name, struct conn_status *out)
{
	struct conn *c = conn_by_name(ike, name);
	static const char *const starts[] = { "immediate", "on-traffic",
					      "manual", "respond" };
	struct ike_sa *sa;

	if (!c)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", c->cc->name);
	out->ike_version = 2;
	out->p1 = c->p1;
	out->since = c->since;
	out->start = starts[c->cc->start];
	snprintf(out->reason, sizeof(out->reason), "%s", c->reason);
	snprintf(out->detail, sizeof(out->detail), "%s", c->detail);
	snprintf(out->hint, sizeof(out->hint), "%s", c->hint);
	out->attempts = c->attempts;
	out->last_failure = c->last_failure;
	id_fmt(&c->cc->local_id, out->local_id, sizeof(out->local_id));
	id_fmt(&c->cc->remote_id, out->remote_id, sizeof(out->remote_id));
	out->local = c->cc->local_addr;
	out->remote = c->cc->remote_addr;
	sa = c->sa;
	if (sa && sa->state != SA_DEAD) {
		out->local = sa->local;
		out->remote = sa->remote;
		out->local_port = sa->lport;
		out->remote_port = sa->rport;
		out->nat_t = sa->natt;
		if (sa->peer_id[0])	/* what the peer really calls itself */
			snprintf(out->remote_id, sizeof(out->remote_id), "%s", sa->peer_id);
		out->spi_i = sa->spi_i;
		out->spi_r = sa->spi_r;
		out->rekey_at = sa->rekey_at_wall;
		if (sa->have_keys)
			proposal_choice_fmt(&sa->choice, out->algs, sizeof(out->algs));
		if (sa->out.kind == TASK_IKE_REKEY)
			out->p1 = P1_REKEYING;
		for (struct child_sa *ch = sa->children; ch; ch = ch->next) {
			if (out->n_children >= STATUS_MAX_CHILDREN)
				break;
			if (ch->rekeyed)
				continue;
			child_status_fill(sa, ch, &out->children[out->n_children++]);
		}
	}
	coverage_fill(c, out);
	return 0;
}

void ike_xfrm_event(struct ike *ike, const struct xfrm_event *ev)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->state != SA_ESTABLISHED)
			continue;
		for (struct child_sa *c = sa->children; c; c = c->next) {
			if (ev->type == XFRM_EV_ACQUIRE || c->spi_in != ev->spi)
				continue;
			sa_task_push(sa, ev->type == XFRM_EV_SOFT_EXPIRE ?
				     TASK_CHILD_REKEY : TASK_DEL_CHILD, c, NULL);
			eng_kick(sa);
			return;
		}
	}
	if (ev->type != XFRM_EV_ACQUIRE)
		return;
	for (unsigned i = 0; i < ike->n_conns; i++) {
		struct conn *c = &ike->conns[i];

		if (c->cc->start == START_ON_TRAFFIC && c->trap_installed &&
		    ev->reqid == c->trap_reqid && !c->sa) {
			size_t bits = 8 * addr_len(ev->sel_src.addr.family);

			/* a single packet's addresses go first in the TS (RFC 7296 2.9) */
			c->has_trigger = bits && ev->sel_src.plen == bits &&
					 ev->sel_dst.plen == bits &&
					 ev->sel_src.addr.family == ev->sel_dst.addr.family;
			c->trigger_src = ev->sel_src.addr;
			c->trigger_dst = ev->sel_dst.addr;
			c->want_up = true;
			conn_initiate(c);
		}
	}
	reap(ike);
}

void conn_note(struct conn *c, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record_failure(c, reason, fmt, ap);
	va_end(ap);
	log_info("%s: phase 2: %s: %s", c->cc->name, reason, c->detail);
}

void ike_set_cookie_threshold(struct ike *ike, unsigned n)
{
	ike->dos.threshold = n;
}

int ike_test_rekey_ike(struct ike *ike, const char *name)
{
	struct conn *c = conn_by_name(ike, name);

	if (!c)
		return -ENOENT;
	if (!c->sa || c->sa->state != SA_ESTABLISHED)
		return -ENOTCONN;
	sa_task_push(c->sa, TASK_IKE_REKEY, NULL, NULL);
	eng_kick(c->sa);
	return 0;
}

/* Unprotected error notifies go to unauthenticated sources: cap them so
 * the daemon cannot be used as a reflector. */
bool eng_clear_notify_ok(struct ike *ike)
{
	uint64_t now = eng_now(ike);

	if (now - ike->notify_window >= 1000) {
		ike->notify_window = now;
		ike->notify_count = 0;
	}
	return ++ike->notify_count <= ENG_CLEAR_NOTIFY_PER_S;
}
