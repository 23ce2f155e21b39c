/* IKE_AUTH with pre-shared keys: identities, AUTH payloads, choosing the
 * connection as responder, and the first CHILD SA (v2_child.c). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "engine.h"
#include "log.h"

/* ID payload body: type | 3 reserved | data (what AUTH signs). */
int v2_id_body(const struct conf_id *id, const struct ike_addr *dflt,
	       uint8_t *buf, size_t cap, size_t *len)
{
	size_t alen = addr_len(dflt->family);

	if (id->len && (size_t)id->len + 4 <= cap) {
		buf[0] = id->type;
		memset(buf + 1, 0, 3);
		memcpy(buf + 4, id->data, id->len);
		*len = 4 + id->len;
		return 0;
	}
	if (!alen || alen + 4 > cap)
		return -1;
	buf[0] = dflt->family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
	memset(buf + 1, 0, 3);
	memcpy(buf + 4, dflt->a, alen);
	*len = 4 + alen;
	return 0;
}

static struct span psk_of(const struct conn *c)
{
	return span_make(c->cc->psk, c->cc->psk_len);
}

static struct span sk_p(const struct ike_sa *sa, bool initiator_side)
{
	return span_make(initiator_side ? sa->keys.sk_pi : sa->keys.sk_pr,
			 sa->keys.prf_len);
}

/* A configured remote_id must match exactly; the default (the peer's
 * address) accepts whatever the peer calls itself, as %any would. */
static bool id_matches(const struct conf_id *want, const struct v2_id *got)
{
	if (want->is_default)
		return true;
	return want->type == got->type && want->len == got->data.n &&
	       memcmp(want->data, got->data.p, want->len) == 0;
}

static void id_text(const struct v2_id *id, char *buf, size_t sz)
{
	char esc[STATUS_TEXT_LEN], a[IKE_ADDRSTRLEN];
	struct ike_addr ad = { 0 };

	if ((id->type == IKEV2_ID_IPV4_ADDR && id->data.n == 4) ||
	    (id->type == IKEV2_ID_IPV6_ADDR && id->data.n == 16)) {
		ad.family = id->data.n == 4 ? AF_INET : AF_INET6;
		memcpy(ad.a, id->data.p, id->data.n);
		snprintf(buf, sz, "%s", addr_fmt(&ad, a));
		return;
	}
	snprintf(buf, sz, "%s%s",
		 id->type == IKEV2_ID_FQDN ? "fqdn:" :
		 id->type == IKEV2_ID_RFC822_ADDR ? "email:" :
		 id->type == IKEV2_ID_KEY_ID ? "keyid:" : "",
		 log_escape(id->data.p, id->data.n, esc, sizeof(esc)));
}

static void conf_id_text(const struct conf_id *id, char *buf, size_t sz)
{
	struct v2_id v = { .type = id->type, .data = span_make(id->data, id->len) };

	id_text(&v, buf, sz);
}

static void schedule_ike_rekey(struct ike_sa *sa)
{
	const struct conf_conn *cc = sa->conn->cc;
	uint64_t life = cc->ike_lifetime * 1000ull, jit = 0;

	crypto_random(&jit, sizeof(jit));
	jit = life / 20 ? jit % (life / 20) : 0;
	sa->rekey_at_ms = eng_now(sa->ike) + life * 9 / 10 - jit;
	sa->rekey_at_wall = eng_wall(sa->ike) + (life * 9 / 10 - jit) / 1000;
}

void v2_sa_established(struct ike_sa *sa)
{
	sa->state = SA_ESTABLISHED;
	sa->established_ms = eng_now(sa->ike);
	/* whoever sits behind the NAT keeps its mapping open */
	if (sa->natt && sa->nat_local && !sa->keepalive_at)
		sa->keepalive_at = sa->established_ms + IKE_KEEPALIVE_MS;
	schedule_ike_rekey(sa);
}

void v2_auth_established(struct ike_sa *sa)
{
	v2_sa_established(sa);
	conn_established(sa->conn, sa);
}

void v2_auth_start(struct ike_sa *sa)
{
	struct conn *c = sa->conn;
	uint8_t idb[4 + IKE_MAX_ID], auth[CRYPTO_MAX_PRF];
	size_t idlen = 0, alen = 0;
	struct wbuf pb;
	struct v2_builder b;
	int r = -1;

	wbuf_init(&pb, IKE_MAX_MSG);
	if (v2_id_body(&c->cc->local_id, &sa->local, idb, sizeof(idb), &idlen) < 0 ||
	    keymat_psk_auth(sa->choice.prf, psk_of(c),
			    span_make(sa->init_req.p, sa->init_req.len),
			    span_make(sa->nr, sa->nr_len), sk_p(sa, true),
			    span_make(idb, idlen), auth, &alen) < 0)
		goto out;
	v2_build_chain(&b, &pb);
	v2_build_id(&b, IKEV2_PL_IDi, idb[0], span_make(idb + 4, idlen - 4));
	v2_build_auth(&b, IKEV2_AUTH_PSK, span_make(auth, alen));
	v2_build_notify(&b, 0, span_make(NULL, 0), IKEV2_N_INITIAL_CONTACT,
			span_make(NULL, 0));
	if (v2_child_setup_first(sa, &b) < 0)
		goto out;
	sa->state = SA_AUTH_SENT;
	r = v2_request(sa, IKEV2_EXCH_IKE_AUTH, TASK_AUTH, &b);
	if (r == 0)
		log_info("%s: IKE_AUTH -> (IKE SA #%u%s)", c->cc->name, sa->serial,
			 sa->natt ? ", NAT-T on 4500" : "");
out:
	sodium_memzero(auth, sizeof(auth));
	wbuf_free(&pb);
	if (r < 0) {
		conn_fail(c, "kernel-error", "cannot start IKE_AUTH: %s",
			  xfrm_last_error(c->ike->env.xfrm));
		eng_sa_destroy(sa->ike, sa, true);
	}
}

/* Responder: which connection is this peer?  By address, then by ID. */
static struct conn *pick_conn(struct ike_sa *sa, const struct v2_id *idi,
			      struct conn **by_addr)
{
	struct ike *ike = sa->ike;

	*by_addr = NULL;
	for (unsigned i = 0; i < ike->n_conns; i++) {
		struct conn *c = &ike->conns[i];

		if (!addr_eq(&c->cc->remote_addr, &sa->remote))
			continue;
		if (!*by_addr)
			*by_addr = c;
		if (id_matches(&c->cc->remote_id, idi))
			return c;
	}
	return NULL;
}

static void auth_failed(struct ike_sa *sa, struct v2_msg *m, struct conn *c,
			const char *reason, const char *detail)
{
	v2_reply_notify(sa, m, IKEV2_N_AUTHENTICATION_FAILED, span_make(NULL, 0));
	if (c && c->p1 != P1_ESTABLISHED)
		conn_fail(c, reason, "%s", detail);
	else if (c)
		log_info("%s: %s: %s", c->cc->name, reason, detail);
	eng_sa_destroy(sa->ike, sa, true);
}

/* Other IKE SAs of the connection are stale after INITIAL_CONTACT. */
static void initial_contact(struct ike_sa *sa)
{
	for (struct ike_sa *o = sa->ike->sas; o; o = o->next)
		if (o != sa && o->conn == sa->conn && o->state != SA_DEAD &&
		    o->state != SA_HALF_OPEN) {
			log_info("%s: INITIAL_CONTACT: dropping IKE SA #%u", sa->conn->cc->name,
				 o->serial);
			eng_sa_destroy(sa->ike, o, true);
		}
}

void v2_auth_recv_request(struct ike_sa *sa, struct v2_msg *m)
{
	uint8_t idb[4 + IKE_MAX_ID], auth[CRYPTO_MAX_PRF];
	size_t idlen = 0, alen = 0;
	char d[STATUS_TEXT_LEN * 2], ours[STATUS_TEXT_LEN / 2], theirs[STATUS_TEXT_LEN / 2];
	struct conn *c, *by_addr;
	const char *why = NULL;
	struct wbuf pb;
	struct v2_builder b;

	wbuf_init(&pb, IKE_MAX_MSG);
	if (!m->count[IKEV2_PL_IDi] || !m->count[IKEV2_PL_AUTH] ||
	    m->auth_method != IKEV2_AUTH_PSK || !v2_id_wellformed(&m->idi, &why)) {
		auth_failed(sa, m, NULL, "psk-mismatch", "bad IKE_AUTH");
		goto out;
	}
	c = pick_conn(sa, &m->idi, &by_addr);
	if (!c) {
		id_text(&m->idi, theirs, sizeof(theirs));
		conf_id_text(by_addr ? &by_addr->cc->remote_id : &sa->conn->cc->remote_id,
			     ours, sizeof(ours));
		snprintf(d, sizeof(d), "remote_id: ours %s; peer sent %s", ours, theirs);
		auth_failed(sa, m, by_addr, "id-mismatch", d);
		goto out;
	}
	if (keymat_psk_verify(sa->choice.prf, psk_of(c),
			      span_make(sa->init_req.p, sa->init_req.len),
			      span_make(sa->nr, sa->nr_len), sk_p(sa, true),
			      m->idi.body, m->auth_data) != 0) {
		snprintf(d, sizeof(d), "AUTH from the peer did not verify: the pre-shared keys differ");
		auth_failed(sa, m, c, "psk-mismatch", d);
		goto out;
	}
	sa->conn = c;
	id_text(&m->idi, sa->peer_id, sizeof(sa->peer_id));
	if (v2_msg_find_notify(m, IKEV2_N_INITIAL_CONTACT))
		initial_contact(sa);
	if (v2_id_body(&c->cc->local_id, &sa->local, idb, sizeof(idb), &idlen) < 0 ||
	    keymat_psk_auth(sa->choice.prf, psk_of(c),
			    span_make(sa->init_resp.p, sa->init_resp.len),
			    span_make(sa->ni, sa->ni_len), sk_p(sa, false),
			    span_make(idb, idlen), auth, &alen) < 0) {
		auth_failed(sa, m, c, "psk-mismatch", "cannot compute our AUTH");
		goto out;
	}
	v2_build_chain(&b, &pb);
	v2_build_id(&b, IKEV2_PL_IDr, idb[0], span_make(idb + 4, idlen - 4));
	v2_build_auth(&b, IKEV2_AUTH_PSK, span_make(auth, alen));
	v2_auth_established(sa);
	log_info("%s: IKE_AUTH from peer verified (IKE SA #%u)", c->cc->name, sa->serial);
	v2_child_first_request(sa, m, &b);
	if (v2_respond(sa, m, &b) < 0)
		log_warn("%s: cannot send IKE_AUTH response", c->cc->name);
out:
	sodium_memzero(auth, sizeof(auth));
	wbuf_free(&pb);
}

/* The responder's identity or AUTH failed here, but it has already set
 * up the IKE SA and the first child: tell it (RFC 7296 2.21.2, an
 * INFORMATIONAL with AUTHENTICATION_FAILED) so it takes them down and
 * knows why; the SA goes when that exchange ends or times out. */
static void reject_responder(struct ike_sa *sa)
{
	struct wbuf pb;
	struct v2_builder b;

	sa_out_done(sa);
	wbuf_init(&pb, IKE_MAX_MSG);
	v2_build_chain(&b, &pb);
	v2_build_notify(&b, 0, span_make(NULL, 0), IKEV2_N_AUTHENTICATION_FAILED,
			span_make(NULL, 0));
	if (v2_request(sa, IKEV2_EXCH_INFORMATIONAL, TASK_DEL_IKE, &b) < 0)
		eng_sa_destroy(sa->ike, sa, true);
	wbuf_free(&pb);
}

/* Responder: the initiator refused our IKE_AUTH answer after we had
 * verified its AUTH with our key, so the keys match: it does not accept
 * the identity we sent. */
void v2_auth_peer_refused(struct ike_sa *sa)
{
	struct conn *c = sa->conn;
	char ours[STATUS_TEXT_LEN / 2];

	if (!c || c->sa != sa)
		return;
	conf_id_text(&c->cc->local_id, ours, sizeof(ours));
	if (c->cc->local_id.is_default && !c->cc->local_id.len) {
		struct v2_id v = { .type = sa->local.family == AF_INET ? IKEV2_ID_IPV4_ADDR :
				   IKEV2_ID_IPV6_ADDR,
				   .data = span_make(sa->local.a, addr_len(sa->local.family)) };
		id_text(&v, ours, sizeof(ours));
	}
	conn_fail(c, "id-mismatch", "the peer answered AUTHENTICATION_FAILED after our "
		  "IKE_AUTH: the pre-shared keys match, so it refused our identity %s "
		  "(its remote_id)", ours);
}

void v2_auth_recv_response(struct ike_sa *sa, struct v2_msg *m)
{
	struct conn *c = sa->conn;
	char d[STATUS_TEXT_LEN * 2], ours[STATUS_TEXT_LEN / 2], theirs[STATUS_TEXT_LEN / 2];
	char a[IKE_ADDRSTRLEN];
	const char *why = NULL;

	if (v2_msg_find_notify(m, IKEV2_N_AUTHENTICATION_FAILED)) {
		conf_id_text(&c->cc->local_id, ours, sizeof(ours));
		snprintf(d, sizeof(d), "%s answered AUTHENTICATION_FAILED: the pre-shared keys "
			 "differ (or the peer does not accept local_id %s)",
			 addr_fmt(&sa->remote, a), ours);
		conn_fail(c, "psk-mismatch", "%s", d);
		eng_sa_destroy(sa->ike, sa, true);
		return;
	}
	if (!m->count[IKEV2_PL_IDr] || !m->count[IKEV2_PL_AUTH] ||
	    m->auth_method != IKEV2_AUTH_PSK || !v2_id_wellformed(&m->idr, &why)) {
		conn_fail(c, "psk-mismatch", "IKE_AUTH reply without a usable IDr/AUTH");
		eng_sa_destroy(sa->ike, sa, true);
		return;
	}
	if (!id_matches(&c->cc->remote_id, &m->idr)) {
		id_text(&m->idr, theirs, sizeof(theirs));
		conf_id_text(&c->cc->remote_id, ours, sizeof(ours));
		snprintf(d, sizeof(d), "remote_id: ours %s; peer sent %s", ours, theirs);
		conn_fail(c, "id-mismatch", "%s", d);
		reject_responder(sa);
		return;
	}
	if (keymat_psk_verify(sa->choice.prf, psk_of(c),
			      span_make(sa->init_resp.p, sa->init_resp.len),
			      span_make(sa->ni, sa->ni_len), sk_p(sa, false),
			      m->idr.body, m->auth_data) != 0) {
		conn_fail(c, "psk-mismatch",
			  "AUTH from the peer did not verify: the pre-shared keys differ");
		reject_responder(sa);
		return;
	}
	id_text(&m->idr, sa->peer_id, sizeof(sa->peer_id));
	v2_auth_established(sa);
	log_info("%s: IKE_AUTH answered and verified (IKE SA #%u)", c->cc->name, sa->serial);
	v2_child_first_response(sa, m);
	sa_out_done(sa);
	eng_kick(sa);
}
