/* IKE_SA_INIT, both roles: proposals, KE (with INVALID_KE_PAYLOAD retry),
 * nonces, NAT detection, and stateless cookies under load. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engine.h"
#include "keylog.h"
#include "log.h"

#define INIT_MAX_RESTARTS 3

/* SHA1(SPIi | SPIr | IP | port), RFC 7296 2.23 */
static int nat_hash(uint64_t spi_i, uint64_t spi_r, const struct ike_addr *a,
		    uint16_t port, uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	size_t n = 0, alen = addr_len(a->family);
	struct span d;

	for (int i = 0; i < 8; i++)
		buf[n++] = (uint8_t)(spi_i >> (56 - 8 * i));
	for (int i = 0; i < 8; i++)
		buf[n++] = (uint8_t)(spi_r >> (56 - 8 * i));
	memcpy(buf + n, a->a, alen);
	n += alen;
	buf[n++] = (uint8_t)(port >> 8);
	buf[n++] = (uint8_t)port;
	d = span_make(buf, n);
	return crypto_sha1(&d, 1, out);
}

static void build_nat_notifies(struct v2_builder *b, uint64_t spi_i, uint64_t spi_r,
			       const struct ike_addr *src, uint16_t sport,
			       const struct ike_addr *dst, uint16_t dport)
{
	uint8_t h[20];

	if (nat_hash(spi_i, spi_r, src, sport, h) == 0)
		v2_build_notify(b, 0, span_make(NULL, 0),
				IKEV2_N_NAT_DETECTION_SOURCE_IP, span_make(h, 20));
	if (nat_hash(spi_i, spi_r, dst, dport, h) == 0)
		v2_build_notify(b, 0, span_make(NULL, 0),
				IKEV2_N_NAT_DETECTION_DESTINATION_IP, span_make(h, 20));
}

/* Does any NAT_DETECTION notify of `type` match the hash?  *present
 * tells whether the peer sent one at all. */
static bool nat_match(const struct v2_msg *m, uint16_t type, uint64_t spi_i,
		      uint64_t spi_r, const struct ike_addr *a, uint16_t port,
		      bool *present)
{
	uint8_t h[20];

	if (nat_hash(spi_i, spi_r, a, port, h) < 0)
		return false;
	for (unsigned i = 0; i < m->n_notify && i < IKE_MAX_NOTIFIES; i++) {
		const struct v2_notify *n = &m->notify[i];

		if (n->type != type)
			continue;
		*present = true;
		if (n->data.n == 20 && memcmp(n->data.p, h, 20) == 0)
			return true;
	}
	return false;
}

static void nat_detect(struct ike_sa *sa, const struct v2_msg *m,
		       uint64_t spi_r_hash)
{
	bool present = false;

	sa->nat_remote = !nat_match(m, IKEV2_N_NAT_DETECTION_SOURCE_IP, sa->spi_i,
				    spi_r_hash, &sa->remote, sa->rport, &present);
	sa->nat_local = !nat_match(m, IKEV2_N_NAT_DETECTION_DESTINATION_IP,
				   sa->spi_i, spi_r_hash, &sa->local, sa->lport,
				   &present);
	if (!present)
		sa->nat_remote = sa->nat_local = false;	/* peer without NAT-T */
}

static void keylog_ike(struct ike_sa *sa)
{
	if (sa->ike->keylog_on)
		keylog_write_ike(sa->spi_i, sa->spi_r, &sa->keys);
}

static void suite_from_choice(const struct prop_choice *ch, struct ike_suite *s)
{
	memset(s, 0, sizeof(*s));
	s->encr = ch->encr;
	s->encr_keylen = ch->encr_keylen;
	s->prf = ch->prf;
	s->integ = ch->integ;
	s->dh = ch->dh;
}

/* g^ir and the SK_* keys, once both nonces and KEs are known. */
static int derive(struct ike_sa *sa, struct span peer_ke)
{
	uint8_t gir[CRYPTO_MAX_DH_SECRET];
	size_t glen = 0;
	struct ike_suite s;
	int r;

	r = dh_derive(sa->dh, peer_ke, gir, &glen);
	if (r < 0)
		goto out;
	suite_from_choice(&sa->choice, &s);
	r = keymat_ike_init(&sa->keys, &s, span_make(gir, glen),
			    span_make(sa->ni, sa->ni_len), span_make(sa->nr, sa->nr_len),
			    sa->spi_i, sa->spi_r);
	sa->have_keys = r == 0;
out:
	sodium_memzero(gir, sizeof(gir));
	return r;
}

void v2_init_start(struct conn *c, struct ike_sa *sa)
{
	const struct conf_conn *cc = c->cc;
	struct v2_hdr h = { 0 };
	struct v2_builder b;
	char a[IKE_ADDRSTRLEN];

	sa->ke_group = c->dh_hint ? c->dh_hint : cc->ike_dh[0];
	dh_free(sa->dh);
	sa->dh = dh_new(sa->ke_group);
	if (!sa->out.offer)
		sa->out.offer = calloc(1, sizeof(*sa->out.offer));
	if (!sa->dh || !sa->out.offer || proposal_ike_offer(cc, sa->out.offer) < 0) {
		conn_fail(c, "kernel-error", "cannot set up IKE_SA_INIT (group %u)",
			  sa->ke_group);
		eng_sa_destroy(c->ike, sa, false);
		return;
	}
	if (!sa->ni_len) {
		crypto_random(sa->ni, SA_NONCE_LEN);
		sa->ni_len = SA_NONCE_LEN;
	}
	h.spi_i = sa->spi_i;
	h.exch = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_INITIATOR;
	wbuf_reset(&sa->init_req);
	v2_build_begin(&b, &sa->init_req, &h);
	if (sa->cookie_len)
		v2_build_notify(&b, 0, span_make(NULL, 0), IKEV2_N_COOKIE,
				span_make(sa->cookie, sa->cookie_len));
	v2_build_sa(&b, sa->out.offer->prop, sa->out.offer->n_prop);
	v2_build_ke(&b, sa->ke_group, dh_public(sa->dh));
	v2_build_nonce(&b, span_make(sa->ni, sa->ni_len));
	build_nat_notifies(&b, sa->spi_i, 0, &sa->local, sa->lport,
			   &sa->remote, sa->rport);
	if (v2_build_finish(&b) < 0) {
		conn_fail(c, "kernel-error", "cannot build IKE_SA_INIT");
		eng_sa_destroy(c->ike, sa, false);
		return;
	}
	wbuf_reset(&sa->out.msg);
	wbuf_put(&sa->out.msg, sa->init_req.p, sa->init_req.len);
	sa->out.msgid = 0;
	sa->msgid_next = 1;
	sa->state = SA_INIT_SENT;
	sa_out_start(sa, TASK_INIT, eng_now(c->ike));
	log_info("%s: IKE_SA_INIT -> %s:%u (IKE SA #%u, group %u%s)", cc->name,
		 addr_fmt(&sa->remote, a), sa->rport, sa->serial, sa->ke_group,
		 sa->cookie_len ? ", with cookie" : "");
	eng_send(sa, &sa->out.msg);
}

/* ---- responder ---- */

static void send_clear_notify(struct ike *ike, const struct v2_msg *req,
			      uint16_t type, struct span data,
			      const struct ike_addr *src, uint16_t sport,
			      const struct ike_addr *dst, uint16_t dport)
{
	struct v2_hdr h = { 0 };
	struct v2_builder b;
	struct wbuf wb;

	wbuf_init(&wb, IKE_MAX_MSG);
	h.spi_i = req->hdr.spi_i;
	h.exch = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_RESPONSE;
	v2_build_begin(&b, &wb, &h);
	v2_build_notify(&b, 0, span_make(NULL, 0), type, data);
	if (v2_build_finish(&b) == 0)
		eng_send_raw(ike, dst, dport, src, sport, wb.p, wb.len);
	wbuf_free(&wb);
}

void v2_init_reply_error(struct ike *ike, const struct v2_msg *m, uint16_t type,
			 const struct ike_addr *src, uint16_t sport,
			 const struct ike_addr *dst, uint16_t dport)
{
	uint8_t t = m->unknown_critical;

	if (!eng_clear_notify_ok(ike))
		return;
	log_debug("IKE_SA_INIT refused with notify %u", type);
	send_clear_notify(ike, m, type,
			  type == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ?
			  span_make(&t, 1) : span_make(NULL, 0), src, sport, dst, dport);
}

static struct conn *conn_for_addr(struct ike *ike, const struct ike_addr *a)
{
	for (unsigned i = 0; i < ike->n_conns; i++)
		if (addr_eq(&ike->conns[i].cc->remote_addr, a))
			return &ike->conns[i];
	return NULL;
}

static bool cookie_required(struct ike *ike, const struct v2_msg *m,
			    const struct ike_addr *src)
{
	const struct v2_notify *n;

	if (sa_count_half_open(ike) < ike->dos.threshold)
		return false;
	n = v2_msg_find_notify(m, IKEV2_N_COOKIE);
	return !n || !dos_cookie_check(&ike->dos, n->data, m->nonce, src, m->hdr.spi_i);
}

static bool responder_choose(struct conn *c, const struct v2_msg *m,
			     struct prop_choice *ch, struct v2_sa *offer,
			     char *why, size_t whysz)
{
	struct prop_mismatch mm;
	struct ike_result r;

	memset(&mm, 0, sizeof(mm));
	if (proposal_ike_offer(c->cc, offer) < 0)
		return false;
	r = proposal_choose(&m->sa, offer, IKEV2_PROTO_IKE, PROP_F_IKE_INIT,
			    m->ke_group, ch, &mm);
	if (r.v == IKE_OK)
		return true;
	proposal_mismatch_fmt(&mm, false, why, whysz);
	return false;
}

static struct ike_sa *responder_sa(struct ike *ike, struct conn *c,
				   const struct v2_msg *m,
				   const struct ike_addr *src, uint16_t sport,
				   const struct ike_addr *dst, uint16_t dport)
{
	struct ike_sa *sa = sa_new(ike, false);

	if (!sa)
		return NULL;
	sa->conn = c;
	sa->spi_i = m->hdr.spi_i;
	sa->spi_r = sa_random_spi();
	sa->local = *dst;
	sa->lport = dport;
	sa->remote = *src;
	sa->rport = sport;
	memcpy(sa->ni, m->nonce.p, m->nonce.n);
	sa->ni_len = m->nonce.n;
	crypto_random(sa->nr, SA_NONCE_LEN);
	sa->nr_len = SA_NONCE_LEN;
	return sa;
}

static int build_response(struct ike_sa *sa, const struct v2_msg *m)
{
	struct v2_hdr h = { 0 };
	struct v2_proposal p;
	struct v2_builder b;

	h.spi_i = sa->spi_i;
	h.spi_r = sa->spi_r;
	h.exch = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_RESPONSE;
	proposal_from_choice(&sa->choice, IKEV2_PROTO_IKE, NULL, 0, &p);
	wbuf_reset(&sa->init_resp);
	v2_build_begin(&b, &sa->init_resp, &h);
	v2_build_sa(&b, &p, 1);
	v2_build_ke(&b, sa->ke_group, dh_public(sa->dh));
	v2_build_nonce(&b, span_make(sa->nr, sa->nr_len));
	if (v2_msg_find_notify(m, IKEV2_N_NAT_DETECTION_SOURCE_IP))
		build_nat_notifies(&b, sa->spi_i, sa->spi_r, &sa->local, sa->lport,
				   &sa->remote, sa->rport);
	return v2_build_finish(&b);
}

static bool half_open_limited(struct ike *ike, const struct ike_addr *src)
{
	unsigned all = 0, from = 0;

	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->state != SA_HALF_OPEN)
			continue;
		all++;
		from += addr_eq(&sa->remote, src);
	}
	return all >= IKE_MAX_HALF_OPEN || from >= IKE_MAX_HALF_OPEN_PER_IP;
}

/* Both gateways initiating at once would make two IKE SAs and clashing
 * policies.  The side with the lower address keeps its own attempt and
 * ignores the peer's; the other abandons its own and answers. */
static bool simultaneous_ok(struct conn *c, const struct ike_addr *local,
			    const struct ike_addr *remote)
{
	struct ike_sa *own = c->sa;
	size_t n = addr_len(local->family);

	if (!own || (own->state != SA_INIT_SENT && own->state != SA_AUTH_SENT))
		return true;
	if (local->family == remote->family && memcmp(local->a, remote->a, n) < 0) {
		log_info("%s: both sides initiate: keeping ours", c->cc->name);
		return false;
	}
	log_info("%s: both sides initiate: answering the peer's", c->cc->name);
	eng_sa_destroy(c->ike, own, true);
	return true;
}

/* Cheap checks before any DH work: retransmission, a connection for
 * this peer, half-open limits, cookies.  NULL: handled or dropped. */
static struct conn *init_gate(struct ike *ike, const struct v2_msg *m,
			      const struct ike_addr *src, uint16_t sport,
			      const struct ike_addr *dst, uint16_t dport)
{
	struct ike_sa *sa = sa_lookup_half_open(ike, m->hdr.spi_i, src);
	uint8_t cookie[DOS_COOKIE_LEN];
	char a[IKE_ADDRSTRLEN];
	struct conn *c;

	if (sa) {
		if (sa->have_resp && m->hdr.msgid == 0)
			eng_send_raw(ike, dst, dport, src, sport, sa->resp.p, sa->resp.len);
		return NULL;
	}
	c = conn_for_addr(ike, src);
	if (!c) {
		log_debug("IKE_SA_INIT from %s: no connection for this peer",
			  addr_fmt(src, a));
		return NULL;
	}
	if (m->nonce.n < IKE_MIN_NONCE || m->nonce.n > IKE_MAX_NONCE ||
	    !m->count[IKEV2_PL_SA] || !m->count[IKEV2_PL_KE] ||
	    half_open_limited(ike, src))
		return NULL;
	if (cookie_required(ike, m, src)) {
		if (dos_cookie_make(&ike->dos, m->nonce, src, m->hdr.spi_i, cookie) == 0)
			send_clear_notify(ike, m, IKEV2_N_COOKIE,
					  span_make(cookie, sizeof(cookie)),
					  src, sport, dst, dport);
		log_debug("%s: IKE_SA_INIT from %s: cookie demanded", c->cc->name,
			  addr_fmt(src, a));
		return NULL;
	}
	return simultaneous_ok(c, dst, src) ? c : NULL;
}

/* The half-open SA: keys derived, response built, cached and sent. */
static void init_answer(struct ike *ike, struct conn *c, const struct v2_msg *m,
			const struct prop_choice *ch,
			const struct ike_addr *src, uint16_t sport,
			const struct ike_addr *dst, uint16_t dport)
{
	struct ike_sa *sa = responder_sa(ike, c, m, src, sport, dst, dport);
	char a[IKE_ADDRSTRLEN];

	if (!sa)
		return;
	sa->choice = *ch;
	sa->ke_group = ch->dh;
	sa->dh = dh_new(ch->dh);
	if (!sa->dh || derive(sa, m->ke_data) < 0 || build_response(sa, m) < 0) {
		log_info("%s: IKE_SA_INIT from %s: bad KE or local failure: dropped",
			 c->cc->name, addr_fmt(src, a));
		sa_free(sa);
		return;
	}
	nat_detect(sa, m, 0);
	if ((sa->nat_local || sa->nat_remote) && !c->cc->nat_traversal) {
		/* answer anyway: the NAT_DETECTION hashes let the initiator
		 * see the NAT and say so too; keep no state */
		log_info("%s: IKE_SA_INIT from %s:%u: NAT detected, nat_traversal = no",
			 c->cc->name, addr_fmt(src, a), sport);
		eng_send_raw(ike, dst, dport, src, sport, sa->init_resp.p, sa->init_resp.len);
		if (c->p1 != P1_ESTABLISHED)
			conn_fail(c, "nat-t-disabled", "NAT detected (%s) but nat_traversal = no",
				  sa->nat_local ? "in front of us" : "in front of the peer");
		sa_free(sa);
		return;
	}
	wbuf_put(&sa->init_req, m->raw.p, m->raw.n);
	sa->msgid_peer = 0;
	sa_cache_response(sa, &sa->init_resp);
	sa->state = SA_HALF_OPEN;
	sa->half_open_until = eng_now(ike) + IKE_HALF_OPEN_TIMEOUT * 1000ull;
	sa_link(ike, sa);
	keylog_ike(sa);
	log_info("%s: IKE_SA_INIT from %s:%u answered (IKE SA #%u%s)", c->cc->name,
		 addr_fmt(src, a), sport, sa->serial,
		 sa->nat_local || sa->nat_remote ? ", NAT detected" : "");
	eng_send_raw(ike, dst, dport, src, sport, sa->init_resp.p, sa->init_resp.len);
}

void v2_init_recv_request(struct ike *ike, const struct v2_msg *m,
			  const struct ike_addr *src, uint16_t sport,
			  const struct ike_addr *dst, uint16_t dport)
{
	struct conn *c = init_gate(ike, m, src, sport, dst, dport);
	struct v2_sa *offer;
	struct prop_choice ch;
	char why[STATUS_TEXT_LEN];
	uint8_t grp[2];

	if (!c || !(offer = calloc(1, sizeof(*offer))))
		return;
	if (!responder_choose(c, m, &ch, offer, why, sizeof(why))) {
		if (eng_clear_notify_ok(ike))
			send_clear_notify(ike, m, IKEV2_N_NO_PROPOSAL_CHOSEN,
					  span_make(NULL, 0), src, sport, dst, dport);
		if (c->p1 != P1_ESTABLISHED)
			conn_fail(c, "proposal-mismatch", "%s", why);
	} else if (ch.dh != m->ke_group) {
		grp[0] = (uint8_t)(ch.dh >> 8);
		grp[1] = (uint8_t)ch.dh;
		if (eng_clear_notify_ok(ike))
			send_clear_notify(ike, m, IKEV2_N_INVALID_KE_PAYLOAD,
					  span_make(grp, 2), src, sport, dst, dport);
		log_info("%s: IKE_SA_INIT: peer's KE group %u, asking for %u",
			 c->cc->name, m->ke_group, ch.dh);
	} else {
		init_answer(ike, c, m, &ch, src, sport, dst, dport);
	}
	free(offer);
}

/* ---- initiator: the answer ---- */

static bool restart(struct ike_sa *sa)
{
	if (++sa->init_restarts > INIT_MAX_RESTARTS)
		return false;
	sa_out_done(sa);
	v2_init_start(sa->conn, sa);
	return true;
}

static bool group_configured(const struct conf_conn *cc, uint16_t g)
{
	for (unsigned i = 0; i < cc->n_ike_dh; i++)
		if (cc->ike_dh[i] == g)
			return true;
	return false;
}

static void fail_sa(struct ike_sa *sa, const char *reason, const char *detail)
{
	struct conn *c = sa->conn;

	if (c)
		conn_fail(c, reason, "%s", detail);
	eng_sa_destroy(sa->ike, sa, true);
}

/* Unprotected error notifies are how a responder refuses IKE_SA_INIT. */
static bool handle_notify(struct ike_sa *sa, const struct v2_msg *m)
{
	const struct conf_conn *cc = sa->conn->cc;
	const struct v2_notify *n;
	char buf[STATUS_TEXT_LEN], offer[160];
	uint16_t g;

	if ((n = v2_msg_find_notify(m, IKEV2_N_COOKIE))) {
		if (n->data.n < 1 || n->data.n > IKE_MAX_COOKIE || sa->cookie_len)
			return true;	/* ignore; retransmission goes on */
		memcpy(sa->cookie, n->data.p, n->data.n);
		sa->cookie_len = n->data.n;
		log_info("%s: IKE_SA_INIT: responder demands a cookie", cc->name);
		if (!restart(sa))
			fail_sa(sa, "no-response", "too many IKE_SA_INIT restarts");
		return true;
	}
	if ((n = v2_msg_find_notify(m, IKEV2_N_INVALID_KE_PAYLOAD))) {
		if (n->data.n != 2)
			return true;
		g = (uint16_t)(n->data.p[0] << 8 | n->data.p[1]);
		if (group_configured(cc, g) && g != sa->ke_group) {
			log_info("%s: IKE_SA_INIT: peer wants DH group %u", cc->name, g);
			sa->conn->dh_hint = g;
			if (!restart(sa))
				fail_sa(sa, "dh-mismatch", "too many INVALID_KE_PAYLOAD");
			return true;
		}
		snprintf(buf, sizeof(buf), "ike_dh_group: peer wants %u, which is not in ours", g);
		fail_sa(sa, "dh-mismatch", buf);
		return true;
	}
	if (v2_msg_find_notify(m, IKEV2_N_NO_PROPOSAL_CHOSEN)) {
		proposal_sa_fmt(sa->out.offer, offer, sizeof(offer));
		snprintf(buf, sizeof(buf), "peer accepted none of our IKE proposals: we offered %s",
			 offer);
		fail_sa(sa, "proposal-mismatch", buf);
		return true;
	}
	return v2_msg_has_error_notify(m);	/* other errors: ignore, keep waiting */
}

void v2_init_recv_response(struct ike_sa *sa, const struct v2_msg *m,
			   const struct ike_addr *src, uint16_t sport)
{
	struct conn *c = sa->conn;
	struct prop_choice ch;
	struct ike_result r;
	char buf[STATUS_TEXT_LEN], a[IKE_ADDRSTRLEN];

	(void)src;
	(void)sport;
	if (m->hdr.msgid != 0 || !c)
		return;
	if (handle_notify(sa, m))
		return;
	if (!m->count[IKEV2_PL_SA] || !m->count[IKEV2_PL_KE] || !m->hdr.spi_r ||
	    m->nonce.n < IKE_MIN_NONCE || m->nonce.n > IKE_MAX_NONCE)
		return;
	r = proposal_check_reply(&m->sa, sa->out.offer, PROP_F_IKE_INIT, &ch);
	if (r.v != IKE_OK || ch.dh != sa->ke_group || m->ke_group != sa->ke_group) {
		snprintf(buf, sizeof(buf), "invalid IKE_SA_INIT reply: %s",
			 r.v != IKE_OK ? r.why : "KE group differs");
		fail_sa(sa, "proposal-mismatch", buf);
		return;
	}
	sa->choice = ch;
	sa->spi_r = m->hdr.spi_r;
	memcpy(sa->nr, m->nonce.p, m->nonce.n);
	sa->nr_len = m->nonce.n;
	if (derive(sa, m->ke_data) < 0) {
		sa->spi_r = 0;
		return;		/* bad KE: as if never received */
	}
	wbuf_put(&sa->init_resp, m->raw.p, m->raw.n);
	nat_detect(sa, m, sa->spi_r);
	sa_out_done(sa);
	keylog_ike(sa);
	log_info("%s: IKE_SA_INIT answered by %s (IKE SA #%u%s)", c->cc->name,
		 addr_fmt(&sa->remote, a), sa->serial,
		 sa->nat_local || sa->nat_remote ? ", NAT detected" : "");
	if (sa->nat_local || sa->nat_remote) {
		if (!c->cc->nat_traversal) {
			snprintf(buf, sizeof(buf), "NAT detected (%s) but nat_traversal = no",
				 sa->nat_local ? "in front of us" : "in front of the peer");
			fail_sa(sa, "nat-t-disabled", buf);
			return;
		}
		sa->natt = true;
		sa->lport = IKE_NATT_PORT;
		sa->rport = IKE_NATT_PORT;
		if (sa->nat_local)
			sa->keepalive_at = eng_now(sa->ike) + IKE_KEEPALIVE_MS;
	}
	v2_auth_start(sa);
}
