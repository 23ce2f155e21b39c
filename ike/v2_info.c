/* Sealing/opening SK messages, and the INFORMATIONAL exchange: Delete
 * (IKE and CHILD SAs), liveness checks (DPD). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engine.h"
#include "log.h"
#include "v2_sk.h"

int v2_seal(struct ike_sa *sa, uint8_t exch, bool response, uint32_t msgid,
	    struct v2_builder *inner, struct wbuf *out)
{
	struct v2_hdr h = { 0 };
	struct v2_builder ob;
	struct sk_alg a;
	size_t body, off = 0;
	int r;

	if (!sa->have_keys)
		return -EINVAL;	/* never encrypt with missing keys */
	r = v2_build_finish(inner);
	if (r < 0)
		return r;
	v2_sk_alg_from_keys(&a, &sa->keys, sa->initiator, true);
	body = v2_sk_body_len(&a, inner->wb->len);
	if (!body)
		return -EINVAL;
	h.spi_i = sa->spi_i;
	h.spi_r = sa->spi_r;
	h.exch = exch;
	h.flags = (sa->initiator ? IKEV2_FLAG_INITIATOR : 0) |
		  (response ? IKEV2_FLAG_RESPONSE : 0);
	h.msgid = msgid;
	wbuf_reset(out);
	v2_build_begin(&ob, out, &h);
	v2_build_sk(&ob, inner->chained ? inner->first : IKEV2_PL_NONE, body, &off);
	r = v2_build_finish(&ob);
	if (r < 0)
		return r;
	/* an empty INFORMATIONAL has no plaintext buffer at all */
	return v2_sk_encrypt(&a, out->p, out->len, off,
			     inner->wb->p ? inner->wb->p : (const uint8_t *)"",
			     inner->wb->len);
}

struct ike_result v2_open(struct ike_sa *sa, struct v2_msg *m,
			  uint8_t *plain, size_t cap)
{
	struct sk_alg a;
	size_t len = 0;
	struct ike_result r;

	if (!sa->have_keys)
		return ike_drop("no keys yet");
	if (!m->count[IKEV2_PL_SK])
		return ike_drop("not encrypted");
	v2_sk_alg_from_keys(&a, &sa->keys, sa->initiator, false);
	if (v2_sk_decrypt(&a, m->raw, m->sk_hdr_off + 4, plain, cap, &len) < 0)
		return ike_drop("SK does not verify");
	r = v2_parse_inner(m->sk_next, span_make(plain, len), m);
	if (r.v == IKE_OK)
		r = v2_check_rules(m, true);
	return r;
}

/* Send and cache the response to the peer's request `req`. */
int v2_respond(struct ike_sa *sa, const struct v2_msg *req, struct v2_builder *inner)
{
	struct wbuf out;
	int r;

	wbuf_init(&out, IKE_MAX_MSG);
	r = v2_seal(sa, req->hdr.exch, true, req->hdr.msgid, inner, &out);
	if (r == 0) {
		sa_cache_response(sa, &out);
		eng_send(sa, &out);
	}
	wbuf_free(&out);
	return r;
}

/* Seal and send a new request; its response goes to the task `kind`. */
int v2_request(struct ike_sa *sa, uint8_t exch, enum task_kind kind,
	       struct v2_builder *inner)
{
	int r;

	wbuf_reset(&sa->out.msg);
	r = v2_seal(sa, exch, false, sa->msgid_next, inner, &sa->out.msg);
	if (r < 0)
		return r;
	sa->out.msgid = sa->msgid_next++;
	sa_out_start(sa, kind, eng_now(sa->ike));
	eng_send(sa, &sa->out.msg);
	return 0;
}

void v2_reply_notify(struct ike_sa *sa, const struct v2_msg *req,
		     uint16_t type, struct span data)
{
	struct wbuf pb;
	struct v2_builder b;

	wbuf_init(&pb, IKE_MAX_MSG);
	v2_build_chain(&b, &pb);
	v2_build_notify(&b, 0, span_make(NULL, 0), type, data);
	v2_respond(sa, req, &b);
	wbuf_free(&pb);
}

void v2_info_start(struct ike_sa *sa, const struct sa_task *t)
{
	struct wbuf pb;
	struct v2_builder b;
	uint8_t spi[4];

	wbuf_init(&pb, IKE_MAX_MSG);
	v2_build_chain(&b, &pb);
	switch (t->kind) {
	case TASK_DEL_CHILD:
		if (!t->child)
			goto out;
		spi[0] = (uint8_t)(t->child->spi_in >> 24);
		spi[1] = (uint8_t)(t->child->spi_in >> 16);
		spi[2] = (uint8_t)(t->child->spi_in >> 8);
		spi[3] = (uint8_t)t->child->spi_in;
		v2_build_delete(&b, IKEV2_PROTO_ESP, 4, 1, span_make(spi, 4));
		sa->out.old = t->child;
		log_info("IKE SA #%u: INFORMATIONAL: delete CHILD SA #%u",
			 sa->serial, t->child->id);
		break;
	case TASK_DEL_IKE:
		v2_build_delete(&b, IKEV2_PROTO_IKE, 0, 0, span_make(NULL, 0));
		if (sa->state == SA_ESTABLISHED)
			sa->state = SA_DELETING;
		log_info("IKE SA #%u: INFORMATIONAL: delete IKE SA", sa->serial);
		break;
	case TASK_DPD:		/* the info line comes with the answer */
		log_debug("IKE SA #%u: INFORMATIONAL: liveness check", sa->serial);
		break;
	default:
		goto out;
	}
	if (v2_request(sa, IKEV2_EXCH_INFORMATIONAL, t->kind, &b) < 0)
		log_warn("IKE SA #%u: cannot send INFORMATIONAL", sa->serial);
out:
	wbuf_free(&pb);
}

static void remove_child(struct ike_sa *sa, struct child_sa *c)
{
	/* the old SA of a rekey we answered goes: the peer has the new
	 * one, so our traffic moves to it before the old outbound SA goes */
	for (struct child_sa *o = sa->children; o && c->sa_out_installed; o = o->next)
		if (o != c && o->reqid == c->reqid && o->out_held)
			eng_child_out(sa, o, "the old SA is deleted");
	/* after a rekey collision two children share the policies (same
	 * reqid): one still in use, or still being rekeyed, keeps them */
	for (struct child_sa *o = sa->children; o && c->policies_installed; o = o->next)
		if (o != c && o->reqid == c->reqid && (o->rekeying || !o->rekeyed)) {
			o->policies_installed = true;
			c->policies_installed = false;
		}
	eng_child_uninstall(sa, c);
	sa_remove_child(sa, c);
}

/* A child the peer closed (not a rekeyed one): its pairs are missing
 * now; the side that brought the connection up negotiates them again. */
static void lost_pairs(struct ike_sa *sa)
{
	struct conn *c = sa->conn;

	if (!c || !sa->initiator_of_conn || !c->want_up || c->pair_retry_at)
		return;
	c->pair_retry_at = eng_now(sa->ike) + CONN_PAIR_RETRY_MS;
	for (unsigned l = 0; l < CONF_MAX_SUBNETS; l++)
		for (unsigned r = 0; r < CONF_MAX_SUBNETS; r++)
			snprintf(c->pair_note[l][r], sizeof(c->pair_note[l][r]),
				 "deleted by the peer; retry in %us", CONN_PAIR_RETRY_MS / 1000);
}

/* The peer deletes CHILD SAs: answer with our SPIs of the same pairs. */
static void delete_children(struct ike_sa *sa, const struct v2_delete *d,
			    struct v2_builder *b)
{
	uint8_t spis[IKE_MAX_DELETE_SPIS * 4];
	struct span s = d->spis;
	uint16_t n = 0;
	uint32_t spi;

	if (d->proto != IKEV2_PROTO_ESP || d->spi_size != 4)
		return;
	for (unsigned i = 0; i < d->n_spi && n < IKE_MAX_DELETE_SPIS; i++) {
		struct child_sa *c;

		if (!span_be32(&s, &spi))
			break;
		c = sa_child_by_spi_out(sa, spi);
		if (!c)
			continue;
		spis[4 * n] = (uint8_t)(c->spi_in >> 24);
		spis[4 * n + 1] = (uint8_t)(c->spi_in >> 16);
		spis[4 * n + 2] = (uint8_t)(c->spi_in >> 8);
		spis[4 * n + 3] = (uint8_t)c->spi_in;
		n++;
		log_info("IKE SA #%u: peer deleted CHILD SA #%u", sa->serial, c->id);
		if (!c->rekeyed)
			lost_pairs(sa);
		remove_child(sa, c);
	}
	if (n)
		v2_build_delete(b, IKEV2_PROTO_ESP, 4, n, span_make(spis, 4u * n));
}

void v2_info_recv_request(struct ike_sa *sa, struct v2_msg *m)
{
	struct wbuf pb;
	struct v2_builder b;
	bool del_ike = false;

	wbuf_init(&pb, IKE_MAX_MSG);
	v2_build_chain(&b, &pb);
	/* the initiator refused our IKE_AUTH answer: the SA is dead to it */
	if (v2_msg_find_notify(m, IKEV2_N_AUTHENTICATION_FAILED) && !sa->initiator) {
		v2_auth_peer_refused(sa);
		del_ike = true;
	}
	for (unsigned i = 0; i < m->n_delete && i < 4; i++) {
		if (m->del[i].proto == IKEV2_PROTO_IKE)
			del_ike = true;
		else
			delete_children(sa, &m->del[i], &b);
	}
	if (del_ike) {
		wbuf_reset(&pb);
		v2_build_chain(&b, &pb);
	}
	if (!m->n_delete && !m->n_notify)
		log_info("IKE SA #%u: INFORMATIONAL: liveness check from the peer answered",
			 sa->serial);
	v2_respond(sa, m, &b);
	wbuf_free(&pb);
	if (del_ike) {
		struct conn *c = sa->conn;
		bool was_current = c && c->sa == sa;

		log_info("IKE SA #%u: peer deleted the IKE SA", sa->serial);
		/* we saw a rekey collision the peer did not (RFC 7296 2.8.2) */
		v2_child_peer_rekey_wins(sa);
		eng_sa_destroy(sa->ike, sa, sa->state != SA_REKEYED);
		if (c && was_current && !c->sa && c->want_up &&
		    c->cc->start != START_RESPOND && !c->retry_at)
			c->retry_at = eng_now(sa->ike) + CONN_RETRY_MS;
		return;
	}
	eng_kick(sa);
}

void v2_info_recv_response(struct ike_sa *sa, struct v2_msg *m)
{
	enum task_kind kind = sa->out.kind;
	struct child_sa *old = sa->out.old;

	(void)m;
	if (kind == TASK_DPD)
		log_info("IKE SA #%u: INFORMATIONAL: liveness check answered in %llu ms%s",
			 sa->serial, (unsigned long long)(eng_now(sa->ike) - sa->out.first_at),
			 sa->out.tries ? " (after retransmissions)" : "");
	sa->out.old = NULL;
	sa_out_done(sa);
	switch (kind) {
	case TASK_DEL_CHILD:
		if (old)
			remove_child(sa, old);
		break;
	case TASK_DEL_IKE:
		eng_sa_destroy(sa->ike, sa, sa->state != SA_REKEYED);
		return;
	default:
		break;
	}
	eng_kick(sa);
}
