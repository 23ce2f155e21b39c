/* CHILD SAs: the first one in IKE_AUTH, and CREATE_CHILD_SA for extra
 * children (split), child rekeys (make-before-break, PFS) and IKE SA
 * rekeys. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engine.h"
#include "keylog.h"
#include "log.h"

#define CHILD_TEMP_RETRY_MS 5000

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

void v2_child_free_out(struct ike_sa *sa)
{
	struct sa_out *o = &sa->out;

	free(o->offer);
	o->offer = NULL;
	dh_free(o->dh);
	o->dh = NULL;
	if (o->child) {
		if (o->child->spi_allocated && sa->ike) {
			struct child_endpoints ep = eng_endpoints(sa, o->child);

			child_uninstall(sa->ike->env.xfrm, o->child, &ep);
		}
		child_sa_free(o->child);
		o->child = NULL;
	}
	if (o->new_sa) {
		sa_free(o->new_sa);
		o->new_sa = NULL;
	}
	o->has_pair = false;
	o->old_lost = false;
	sodium_memzero(o->nonce, sizeof(o->nonce));
}

/* Every (local CIDR, remote CIDR) of a TS pair, for the policies. */
static int pairs_from_ts(struct child_sa *ch, const struct v2_ts_set *local,
			 const struct v2_ts_set *remote)
{
	struct ike_subnet ls[TS_MAX_CIDRS], rs[TS_MAX_CIDRS];
	struct child_pair pairs[CHILD_MAX_PAIRS];
	unsigned n = 0;
	int nl, nr;

	for (unsigned i = 0; i < local->n; i++) {
		nl = ts_range_to_subnets(&local->ts[i].lo, &local->ts[i].hi, ls, TS_MAX_CIDRS);
		for (unsigned j = 0; nl > 0 && j < remote->n; j++) {
			nr = ts_range_to_subnets(&remote->ts[j].lo, &remote->ts[j].hi,
						 rs, TS_MAX_CIDRS);
			for (int a = 0; a < nl; a++)
				for (int b = 0; b < nr && n < CHILD_MAX_PAIRS; b++) {
					if (ls[a].addr.family != rs[b].addr.family)
						continue;
					pairs[n].local = ls[a];
					pairs[n].remote = rs[b];
					n++;
				}
		}
	}
	return child_set_pairs(ch, pairs, n);
}

/* The TS sets that carry exactly a child's pairs (unique members). */
static void ts_from_pairs(const struct child_sa *ch, struct v2_ts_set *l,
			  struct v2_ts_set *r)
{
	struct ike_subnet ls[CHILD_MAX_PAIRS], rs[CHILD_MAX_PAIRS];
	unsigned nl = 0, nr = 0;

	for (unsigned i = 0; i < ch->n_pairs; i++) {
		bool seen = false;

		for (unsigned k = 0; k < nl && !seen; k++)
			seen = subnet_eq(&ls[k], &ch->pairs[i].local);
		if (!seen && nl < IKE_MAX_TS)
			ls[nl++] = ch->pairs[i].local;
		seen = false;
		for (unsigned k = 0; k < nr && !seen; k++)
			seen = subnet_eq(&rs[k], &ch->pairs[i].remote);
		if (!seen && nr < IKE_MAX_TS)
			rs[nr++] = ch->pairs[i].remote;
	}
	ts_from_subnets(ls, nl, l);
	ts_from_subnets(rs, nr, r);
}

/* on-traffic: one child takes the trap's reqid, so adding its outbound
 * SA consumes the kernel's ACQUIRE state (same reqid and addresses)
 * instead of leaving it to block the next ACQUIRE until it expires. */
static uint32_t trap_reqid_free(const struct ike_sa *sa)
{
	const struct conn *c = sa->conn;

	if (!c->trap_installed || !c->trap_reqid)
		return 0;
	for (const struct ike_sa *s = sa->ike->sas; s; s = s->next) {
		if (s->conn != c || s->state == SA_DEAD)
			continue;
		if (s->out.child && s->out.child->reqid == c->trap_reqid)
			return 0;
		for (const struct child_sa *ch = s->children; ch; ch = ch->next)
			if (ch->reqid == c->trap_reqid)
				return 0;
	}
	return c->trap_reqid;
}

static struct child_sa *child_new(struct ike_sa *sa, uint32_t reqid)
{
	struct child_sa *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	ch->id = ++sa->conn->next_child_id;
	if (!reqid)
		reqid = trap_reqid_free(sa);
	ch->reqid = reqid ? reqid : child_alloc_reqid(&sa->ike->next_reqid);
	ch->state = P2_CONNECTING;
	return ch;
}

static void schedule_rekey(struct ike_sa *sa, struct child_sa *ch)
{
	const struct conf_conn *cc = sa->conn->cc;
	uint64_t life = cc->esp_lifetime * 1000ull, jit = 0, now = eng_now(sa->ike);

	crypto_random(&jit, sizeof(jit));
	jit = life / 20 ? jit % (life / 20) : 0;
	ch->rekey_at_ms = now + life * 9 / 10 - jit;
	ch->rekey_at_wall = eng_wall(sa->ike) + (life * 9 / 10 - jit) / 1000;
	ch->expire_at_ms = now + life + life / 10;
}

enum child_finish_flags {
	CF_INITIATED = 1,	/* we sent the request that made it (Ni first) */
	CF_POLICIES = 2,	/* a new child: install its policies */
	CF_HOLD_OUT = 4,	/* we answered a rekey: outbound SA later */
};

/* Until the peer's Delete of the old SA shows it installed the new one;
 * a peer that never sends it gets the new SA this much later. */
#define CHILD_HOLD_OUT_MS	5000

/* Derive the keys and install (flags: enum child_finish_flags). */
static int child_finish(struct ike_sa *sa, struct child_sa *ch,
			const struct prop_choice *pc, struct dh *dh,
			struct span peer_ke, struct span ni, struct span nr,
			unsigned flags)
{
	bool we_initiated = flags & CF_INITIATED, policies = flags & CF_POLICIES;
	bool hold = flags & CF_HOLD_OUT;
	uint8_t gir[CRYPTO_MAX_DH_SECRET];
	size_t glen = 0;
	struct child_suite s = { pc->encr, pc->encr_keylen, pc->integ, pc->esn != 0 };
	struct child_keys ck;
	struct child_dir_keys kin, kout;
	struct child_endpoints ep = eng_endpoints(sa, ch);
	bool trap = policies && sa->conn->trap_installed;
	const struct ike_addr *local_kl = sa->nat_local ? NULL : &sa->local;
	const struct ike_addr *remote_kl = sa->nat_remote ? NULL : &sa->remote;
	int r;

	memset(&ck, 0, sizeof(ck));
	if (dh) {
		r = dh_derive(dh, peer_ke, gir, &glen);
		if (r < 0)
			goto out;
	}
	r = keymat_child(&ck, &s, &sa->keys, span_make(gir, glen), ni, nr);
	if (r < 0)
		goto out;
	ch->encr = pc->encr;
	ch->encr_keylen = pc->encr_keylen;
	ch->integ = pc->integ;
	ch->esn = pc->esn;
	ch->spi_out = (uint32_t)pc->spi_val;
	memset(&kin, 0, sizeof(kin));
	memset(&kout, 0, sizeof(kout));
	memcpy(kout.encr, we_initiated ? ck.ei : ck.er, ck.e_len);
	memcpy(kin.encr, we_initiated ? ck.er : ck.ei, ck.e_len);
	memcpy(kout.integ, we_initiated ? ck.ai : ck.ar, ck.a_len);
	memcpy(kin.integ, we_initiated ? ck.ar : ck.ai, ck.a_len);
	kin.encr_len = kout.encr_len = ck.e_len;
	kin.integ_len = kout.integ_len = ck.a_len;
	/* on-traffic: the child's out policies replace the trap's in place */
	r = hold ? child_hold_out(ch, &kout) : 0;
	if (r == 0)
		r = child_install(sa->ike->env.xfrm, ch, &ep, &kin, hold ? NULL : &kout,
				  !policies ? CHILD_POL_NONE : trap ? CHILD_POL_REPLACE :
				  CHILD_POL_ADD);
	if (r == 0 && hold)
		ch->out_at_ms = eng_now(sa->ike) + CHILD_HOLD_OUT_MS;
	if (r < 0 && trap) {
		/* the undo may have removed replaced ones: the trap again */
		sa->conn->trap_installed = false;
		eng_conn_trap(sa->conn, true);
	}
	if (r == 0 && sa->ike->keylog_on)	/* behind a NAT: "*" (keylog.h) */
		keylog_write_child(we_initiated ? local_kl : remote_kl,
				   we_initiated ? remote_kl : local_kl,
				   we_initiated ? ch->spi_in : ch->spi_out,
				   we_initiated ? ch->spi_out : ch->spi_in, &ck);
	sodium_memzero(&kin, sizeof(kin));
	sodium_memzero(&kout, sizeof(kout));
	if (r < 0)
		goto out;
	ch->state = P2_ESTABLISHED;
	ch->since = eng_wall(sa->ike);
	ch->pfs_group = pc->dh;
	schedule_rekey(sa, ch);
out:
	keymat_child_wipe(&ck);
	sodium_memzero(gir, sizeof(gir));
	return r;
}

static void kernel_error(struct ike_sa *sa, const char *what)
{
	conn_note(sa->conn, "kernel-error", "%s: %s", what,
		  xfrm_last_error(sa->ike->env.xfrm));
}

/* ---- initiator: IKE_AUTH's child ---- */

int v2_child_setup_first(struct ike_sa *sa, struct v2_builder *b)
{
	const struct conf_conn *cc = sa->conn->cc;
	struct sa_out *o = &sa->out;
	struct child_endpoints ep = eng_endpoints(sa, NULL);
	struct child_sa *ch;
	struct ts_pair p0 = { 0, 0 };

	ch = child_new(sa, 0);
	o->offer = calloc(1, sizeof(*o->offer));
	if (!ch || !o->offer) {
		free(ch);
		return -1;
	}
	o->child = ch;
	if (cc->split == SPLIT_YES)
		ts_for_pair(cc, p0, &o->tsi, &o->tsr);
	else if (ts_from_subnets(cc->local_subnets, cc->n_local_subnets, &o->tsi) < 0 ||
		 ts_from_subnets(cc->remote_subnets, cc->n_remote_subnets, &o->tsr) < 0)
		return -1;
	if (sa->conn->has_trigger && cc->split != SPLIT_YES) {
		/* best effort: a full set just goes without the trigger */
		struct v2_ts_set ti = o->tsi, tr = o->tsr;

		if (ts_prepend_trigger(&ti, &sa->conn->trigger_src, 0, 0) == 0 &&
		    ts_prepend_trigger(&tr, &sa->conn->trigger_dst, 0, 0) == 0) {
			o->tsi = ti;
			o->tsr = tr;
		}
		sa->conn->has_trigger = false;
	}
	if (child_alloc_spi(sa->ike->env.xfrm, ch, &ep) < 0 ||
	    proposal_esp_offer(cc, false, 0, ch->spi_in, o->offer) < 0)
		return -1;
	v2_build_sa(b, o->offer->prop, o->offer->n_prop);
	v2_build_ts(b, IKEV2_PL_TSi, &o->tsi);
	v2_build_ts(b, IKEV2_PL_TSr, &o->tsr);
	return 0;
}

static void set_pair_notes(struct conn *c, const char *note)
{
	const struct conf_conn *cc = c->cc;

	for (unsigned l = 0; l < cc->n_local_subnets; l++)
		for (unsigned r = 0; r < cc->n_remote_subnets; r++)
			snprintf(c->pair_note[l][r], sizeof(c->pair_note[l][r]), "%s", note);
}

static const char *notify_name(uint16_t t)
{
	switch (t) {
	case IKEV2_N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case IKEV2_N_SINGLE_PAIR_REQUIRED: return "SINGLE_PAIR_REQUIRED";
	case IKEV2_N_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
	case IKEV2_N_INTERNAL_ADDRESS_FAILURE: return "INTERNAL_ADDRESS_FAILURE";
	case IKEV2_N_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case IKEV2_N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case IKEV2_N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	default: return "an error notify";
	}
}

/* A failed child notify: text for status, and whether it is about PFS. */
static bool child_refused(struct ike_sa *sa, const struct v2_msg *m,
			  const char *what, bool rekey)
{
	struct conn *c = sa->conn;
	char offer[160], ti[96], tr[96];

	if (v2_msg_find_notify(m, IKEV2_N_NO_PROPOSAL_CHOSEN)) {
		proposal_sa_fmt(sa->out.offer, offer, sizeof(offer));
		if (rekey)
			conn_note(c, "pfs-mismatch", "%s: peer refused our proposals %s "
				  "(esp_pfs differs?)", what, offer);
		else
			conn_note(c, "proposal-mismatch", "%s: peer accepted none of our ESP "
				  "proposals: we offered %s", what, offer);
		return true;
	}
	if (v2_msg_find_notify(m, IKEV2_N_TS_UNACCEPTABLE) ||
	    v2_msg_find_notify(m, IKEV2_N_INVALID_SELECTORS) ||
	    v2_msg_find_notify(m, IKEV2_N_SINGLE_PAIR_REQUIRED)) {
		ts_set_fmt(&sa->out.tsi, ti, sizeof(ti));
		ts_set_fmt(&sa->out.tsr, tr, sizeof(tr));
		conn_note(c, "ts-mismatch", "%s: peer refused the pairs %s === %s",
			  what, ti, tr);
		return true;
	}
	for (unsigned i = 0; i < m->n_notify && i < IKE_MAX_NOTIFIES; i++)
		if (m->notify[i].type < IKEV2_N_INITIAL_CONTACT) {
			conn_note(c, "proposal-mismatch", "%s: peer refused it with "
				  "%s (%u); see the peer's log", what,
				  notify_name(m->notify[i].type), m->notify[i].type);
			return true;
		}
	return false;
}

/* A CHILD_NEW task for every configured pair at once (split = no). */
static const struct ts_pair all_pairs = { 0xff, 0xff };

/* After the first child (or at a retry): negotiate the pairs no child
 * carries yet, one CHILD SA each. */
void v2_child_queue_missing(struct ike_sa *sa)
{
	const struct conf_conn *cc = sa->conn->cc;
	bool cov[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS];
	struct ts_pair miss[CONF_MAX_SUBNETS * CONF_MAX_SUBNETS];
	struct v2_ts_set l, r;
	unsigned n;

	if (!sa->initiator_of_conn)
		return;
	memset(cov, 0, sizeof(cov));
	for (struct child_sa *ch = sa->children; ch; ch = ch->next) {
		bool c1[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS];

		if (ch->rekeyed || ch->state != P2_ESTABLISHED)
			continue;
		ts_from_pairs(ch, &l, &r);
		ts_covered_pairs(cc, &l, &r, c1);
		for (unsigned i = 0; i < CONF_MAX_SUBNETS; i++)
			for (unsigned j = 0; j < CONF_MAX_SUBNETS; j++)
				cov[i][j] |= c1[i][j];
	}
	n = ts_uncovered_pairs(cc, cov, miss, sizeof(miss) / sizeof(miss[0]));
	if (cc->split != SPLIT_YES && n && !sa->children) {
		/* nothing left (the peer closed it): one child for everything again */
		sa_task_push(sa, TASK_CHILD_NEW, NULL, &all_pairs);
		return;
	}
	if (cc->split == SPLIT_NO)
		return;
	for (unsigned i = 0; i < n; i++)
		sa_task_push(sa, TASK_CHILD_NEW, NULL, &miss[i]);
}

static void fail_ike(struct ike_sa *sa, const char *reason_in, const char *detail_in)
{
	struct conn *c = sa->conn;
	char reason[STATUS_REASON_LEN], detail[STATUS_TEXT_LEN * 2];

	/* the caller may pass c->reason/c->detail themselves */
	snprintf(reason, sizeof(reason), "%s", reason_in);
	snprintf(detail, sizeof(detail), "%s", detail_in);

	/* IKE_AUTH's slot is still busy: the delete goes out right after */
	conn_fail(c, reason, "%s", detail);
	sa->n_tasks = 0;
	sa_task_push(sa, TASK_DEL_IKE, NULL, NULL);
}

static bool narrowed(const struct conf_conn *cc, const struct v2_ts_set *off_l,
		     const struct v2_ts_set *off_r, const struct v2_ts_set *got_l,
		     const struct v2_ts_set *got_r)
{
	bool want[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS], got[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS];

	ts_covered_pairs(cc, off_l, off_r, want);
	ts_covered_pairs(cc, got_l, got_r, got);
	for (unsigned i = 0; i < CONF_MAX_SUBNETS; i++)
		for (unsigned j = 0; j < CONF_MAX_SUBNETS; j++)
			if (want[i][j] && !got[i][j])
				return true;
	return false;
}

/* Initiator: the child part of the IKE_AUTH response. */
void v2_child_first_response(struct ike_sa *sa, struct v2_msg *m)
{
	struct conn *c = sa->conn;
	const struct conf_conn *cc = c->cc;
	struct sa_out *o = &sa->out;
	struct child_sa *ch = o->child;
	struct prop_choice pc;
	struct ike_result r;
	char ti[96], tr[96], gi[96], gr[96];

	if (!ch)
		return;
	if (v2_msg_find_notify(m, IKEV2_N_TEMPORARY_FAILURE)) {
		/* what an ikegw responder answers when its kernel refused
		 * the SA; IKE_AUTH's child has no later retry to wait for */
		fail_ike(sa, "kernel-error", "the peer answered TEMPORARY_FAILURE to the "
			 "first CHILD SA: it could not install it (its log names the "
			 "kernel's error)");
		return;
	}
	if (child_refused(sa, m, "first CHILD SA", false)) {
		fail_ike(sa, c->reason, c->detail);
		return;
	}
	r = proposal_check_reply(&m->sa, o->offer, PROP_F_NO_KE, &pc);
	if (r.v != IKE_OK || !m->count[IKEV2_PL_SA]) {
		fail_ike(sa, "proposal-mismatch", r.v != IKE_OK ? r.why : "no SA in reply");
		return;
	}
	r = ts_check_reply(&o->tsi, &o->tsr, &m->tsi, &m->tsr);
	if (r.v != IKE_OK) {
		fail_ike(sa, "ts-mismatch", r.why);
		return;
	}
	if (narrowed(cc, &o->tsi, &o->tsr, &m->tsi, &m->tsr) && cc->split == SPLIT_NO) {
		char d[STATUS_TEXT_LEN * 2];

		ts_set_fmt(&o->tsi, ti, sizeof(ti));
		ts_set_fmt(&o->tsr, tr, sizeof(tr));
		ts_set_fmt(&m->tsi, gi, sizeof(gi));
		ts_set_fmt(&m->tsr, gr, sizeof(gr));
		snprintf(d, sizeof(d), "offered %s === %s; peer accepted %s === %s (split = no)",
			 ti, tr, gi, gr);
		fail_ike(sa, "ts-mismatch", d);
		return;
	}
	if (pairs_from_ts(ch, &m->tsi, &m->tsr) < 0 ||
	    child_finish(sa, ch, &pc, NULL, span_make(NULL, 0),
			 span_make(sa->ni, sa->ni_len), span_make(sa->nr, sa->nr_len),
			 CF_INITIATED | CF_POLICIES) < 0) {
		kernel_error(sa, "installing the first CHILD SA");
		fail_ike(sa, "kernel-error", c->detail);
		return;
	}
	o->child = NULL;
	sa_add_child(sa, ch);
	set_pair_notes(c, "peer narrowed; negotiating as an extra CHILD SA");
	log_info("%s: CHILD SA #%u established (spi in %08x out %08x)", cc->name,
		 ch->id, ch->spi_in, ch->spi_out);
	v2_child_queue_missing(sa);
	if (cc->pfs_check && cc->n_esp_pfs && cc->esp_pfs[0])
		sa_task_push(sa, TASK_CHILD_REKEY, ch, NULL);
}

/* ---- responder: choosing and installing a child ---- */

struct child_req {
	struct prop_choice pc;
	struct ts_narrowed nar;
	struct child_sa *old;		/* rekey */
	struct dh *dh;
};

/* Returns 0 with req filled, or the notify to answer with. */
static uint16_t child_choose(struct ike_sa *sa, struct v2_msg *m, bool in_auth,
			     struct child_req *req)
{
	struct conn *c = sa->conn;
	struct v2_sa *offer = calloc(1, sizeof(*offer));
	struct prop_mismatch mm;
	struct ike_result r;
	char why[STATUS_TEXT_LEN];
	uint16_t n = 0;

	memset(&mm, 0, sizeof(mm));
	if (!offer)
		return IKEV2_N_TEMPORARY_FAILURE;
	if (proposal_esp_offer(c->cc, !in_auth, m->count[IKEV2_PL_KE] ? m->ke_group : 0,
			       1, offer) < 0) {
		n = IKEV2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	r = proposal_choose(&m->sa, offer, IKEV2_PROTO_ESP, in_auth ? PROP_F_NO_KE : 0,
			    m->count[IKEV2_PL_KE] ? m->ke_group : 0, &req->pc, &mm);
	if (r.v != IKE_OK) {
		proposal_mismatch_fmt(&mm, true, why, sizeof(why));
		conn_note(c, mm.t[IKEV2_TRANS_DH].no_overlap ||
			  mm.t[IKEV2_TRANS_DH].peer_missing ? "pfs-mismatch" :
			  "proposal-mismatch", "%s", why);
		n = IKEV2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	if (req->pc.dh && (!m->count[IKEV2_PL_KE] || m->ke_group != req->pc.dh)) {
		n = IKEV2_N_INVALID_KE_PAYLOAD;
		goto out;
	}
	r = ts_narrow(c->cc, &m->tsi, &m->tsr, &req->nar);
	if (r.v != IKE_OK) {
		ts_mismatch_fmt(c->cc, &m->tsr, &m->tsi, why, sizeof(why));
		conn_note(c, "ts-mismatch", "%s", why);
		n = r.notify ? r.notify : IKEV2_N_TS_UNACCEPTABLE;
	}
out:
	free(offer);
	return n;
}

/* Responder: make the child and add SA [KE] TSi TSr to the response. */
static uint16_t child_accept(struct ike_sa *sa, struct v2_msg *m,
			     struct child_req *req, struct span ni, struct span nr,
			     struct v2_builder *b, bool with_nonce)
{
	struct child_endpoints ep = eng_endpoints(sa, NULL);
	struct child_sa *ch = child_new(sa, req->old ? req->old->reqid : 0);
	struct v2_proposal p;
	uint8_t spi[4];

	if (!ch)
		return IKEV2_N_TEMPORARY_FAILURE;
	if (req->old ? child_set_pairs(ch, req->old->pairs, req->old->n_pairs) :
	    pairs_from_ts(ch, &req->nar.local, &req->nar.remote))
		goto fail;
	if (req->pc.dh && !(req->dh = dh_new(req->pc.dh)))
		goto fail;
	if (child_alloc_spi(sa->ike->env.xfrm, ch, &ep) < 0 ||
	    child_finish(sa, ch, &req->pc, req->dh, m->ke_data, ni, nr,
			 req->old ? CF_HOLD_OUT : CF_POLICIES) < 0) {
		kernel_error(sa, "installing a CHILD SA");
		child_uninstall(sa->ike->env.xfrm, ch, &ep);
		goto fail;
	}
	if (req->old) {
		ch->policies_installed = req->old->policies_installed;
		req->old->policies_installed = false;
		req->old->rekeyed = true;
		req->old->state = P2_REKEYING;
		req->old->rekey_at_ms = 0;
		ch->pfs_verified = req->pc.dh != 0;
		if (req->old->rekeying) {
			/* RFC 7296 2.8.1: both rekeys complete, the nonces decide */
			sa_collision_note(&req->old->coll, ch->spi_in, ni, nr);
			log_info("%s: CHILD SA #%u: the peer rekeys it too (simultaneous rekey)",
				 sa->conn->cc->name, req->old->id);
		}
	}
	sa_add_child(sa, ch);
	be32(spi, ch->spi_in);
	proposal_from_choice(&req->pc, IKEV2_PROTO_ESP, spi, 4, &p);
	v2_build_sa(b, &p, 1);
	if (with_nonce)
		v2_build_nonce(b, nr);
	if (req->dh)
		v2_build_ke(b, req->pc.dh, dh_public(req->dh));
	v2_build_ts(b, IKEV2_PL_TSi, &req->nar.remote);
	v2_build_ts(b, IKEV2_PL_TSr, &req->nar.local);
	log_info("%s: CHILD SA #%u %s (spi in %08x out %08x)", sa->conn->cc->name,
		 ch->id, req->old ? "rekeyed" : "established", ch->spi_in, ch->spi_out);
	return 0;
fail:
	child_sa_free(ch);
	return IKEV2_N_TEMPORARY_FAILURE;
}

void v2_child_first_request(struct ike_sa *sa, struct v2_msg *m,
			    struct v2_builder *b)
{
	struct child_req req;
	uint16_t n;

	memset(&req, 0, sizeof(req));
	if (!m->count[IKEV2_PL_SA])
		return;
	n = child_choose(sa, m, true, &req);
	if (!n)
		n = child_accept(sa, m, &req, span_make(sa->ni, sa->ni_len),
				 span_make(sa->nr, sa->nr_len), b, false);
	if (n)
		v2_build_notify(b, 0, span_make(NULL, 0), n, span_make(NULL, 0));
	dh_free(req.dh);
}

/* ---- CREATE_CHILD_SA: initiator ---- */

static int start_child(struct ike_sa *sa, const struct sa_task *t, struct v2_builder *b)
{
	const struct conf_conn *cc = sa->conn->cc;
	struct sa_out *o = &sa->out;
	struct child_endpoints ep = eng_endpoints(sa, NULL);
	struct child_sa *old = t->kind == TASK_CHILD_REKEY ? t->child : NULL;
	uint16_t pfs = sa->conn->pfs_hint ? sa->conn->pfs_hint :
		       cc->n_esp_pfs ? cc->esp_pfs[0] : 0;
	uint8_t spi[4];

	if (old && (old->rekeyed || !sa_child_by_spi_in(sa, old->spi_in)))
		return -1;
	o->child = child_new(sa, old ? old->reqid : 0);
	o->offer = calloc(1, sizeof(*o->offer));
	if (!o->child || !o->offer)
		return -1;
	if (old) {
		if (child_set_pairs(o->child, old->pairs, old->n_pairs) < 0)
			return -1;
		ts_from_pairs(old, &o->tsi, &o->tsr);
		o->old = old;
		old->rekeying = true;
	} else if (t->pair.l == all_pairs.l && t->pair.r == all_pairs.r) {
		if (ts_from_subnets(cc->local_subnets, cc->n_local_subnets, &o->tsi) < 0 ||
		    ts_from_subnets(cc->remote_subnets, cc->n_remote_subnets, &o->tsr) < 0)
			return -1;
	} else {
		if (ts_for_pair(cc, t->pair, &o->tsi, &o->tsr) < 0)
			return -1;
		o->pair = t->pair;
		o->has_pair = true;
	}
	if (child_alloc_spi(sa->ike->env.xfrm, o->child, &ep) < 0 ||
	    proposal_esp_offer(cc, true, pfs, o->child->spi_in, o->offer) < 0)
		return -1;
	if (pfs && !(o->dh = dh_new(pfs)))
		return -1;
	crypto_random(o->nonce, SA_NONCE_LEN);
	if (old) {
		be32(spi, old->spi_in);
		v2_build_notify(b, IKEV2_PROTO_ESP, span_make(spi, 4), IKEV2_N_REKEY_SA,
				span_make(NULL, 0));
	}
	v2_build_sa(b, o->offer->prop, o->offer->n_prop);
	v2_build_nonce(b, span_make(o->nonce, SA_NONCE_LEN));
	if (o->dh)
		v2_build_ke(b, pfs, dh_public(o->dh));
	v2_build_ts(b, IKEV2_PL_TSi, &o->tsi);
	v2_build_ts(b, IKEV2_PL_TSr, &o->tsr);
	return 0;
}

static int start_ike_rekey(struct ike_sa *sa, struct v2_builder *b)
{
	struct sa_out *o = &sa->out;
	struct ike_sa *n = sa_new(sa->ike, true);

	o->new_sa = n;
	o->offer = calloc(1, sizeof(*o->offer));
	if (!n || !o->offer || proposal_ike_offer(sa->conn->cc, o->offer) < 0)
		return -1;
	n->conn = sa->conn;
	n->spi_i = sa_random_spi();
	for (unsigned i = 0; i < o->offer->n_prop; i++) {
		o->offer->prop[i].spi_size = 8;
		be64(o->offer->prop[i].spi, n->spi_i);
	}
	n->ke_group = sa->choice.dh;
	o->dh = dh_new(n->ke_group);
	if (!o->dh)
		return -1;
	crypto_random(o->nonce, SA_NONCE_LEN);
	v2_build_sa(b, o->offer->prop, o->offer->n_prop);
	v2_build_nonce(b, span_make(o->nonce, SA_NONCE_LEN));
	v2_build_ke(b, n->ke_group, dh_public(o->dh));
	return 0;
}

void v2_child_start(struct ike_sa *sa, const struct sa_task *t)
{
	struct wbuf pb;
	struct v2_builder b;
	int r;

	wbuf_init(&pb, IKE_MAX_MSG);
	v2_build_chain(&b, &pb);
	r = t->kind == TASK_IKE_REKEY ? start_ike_rekey(sa, &b) : start_child(sa, t, &b);
	if (r == 0)
		r = v2_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, t->kind, &b);
	if (r < 0) {
		if (sa->out.old)
			sa->out.old->rekeying = false;
		sa->out.old = NULL;
		sa_out_done(sa);
		if (t->kind != TASK_IKE_REKEY && t->kind != TASK_CHILD_REKEY)
			kernel_error(sa, "starting CREATE_CHILD_SA");
	} else {
		log_info("%s: CREATE_CHILD_SA -> (%s, IKE SA #%u)", sa->conn->cc->name,
			 t->kind == TASK_IKE_REKEY ? "rekey IKE SA" :
			 t->kind == TASK_CHILD_REKEY ? "rekey CHILD SA" : "new CHILD SA",
			 sa->serial);
	}
	wbuf_free(&pb);
}

/* ---- CREATE_CHILD_SA: responder ---- */

static void move_children(struct ike_sa *from, struct ike_sa *to)
{
	struct child_sa **pp = &to->children;
	struct sa_task t;

	while (*pp)
		pp = &(*pp)->next;
	*pp = from->children;
	from->children = NULL;
	while (sa_task_pop(from, &t))
		if (t.kind != TASK_IKE_REKEY && t.kind != TASK_DEL_IKE && t.kind != TASK_DPD)
			sa_task_push(to, t.kind, t.child, &t.pair);
}

/* A new IKE SA from a rekey of old: same endpoints, established. */
static void ike_new_link(struct ike_sa *old, struct ike_sa *n)
{
	n->local = old->local;
	n->remote = old->remote;
	n->lport = old->lport;
	n->rport = old->rport;
	n->natt = old->natt;
	n->nat_local = old->nat_local;
	n->nat_remote = old->nat_remote;
	n->keepalive_at = old->keepalive_at;
	n->initiator_of_conn = old->initiator_of_conn;
	memcpy(n->peer_id, old->peer_id, sizeof(n->peer_id));
	n->have_keys = true;
	n->last_rx_ms = eng_now(old->ike);
	sa_link(old->ike, n);
	v2_sa_established(n);
}

/* n replaces old: children, queued tasks, the connection. */
static void ike_takeover(struct ike_sa *old, struct ike_sa *n)
{
	move_children(old, n);
	old->state = SA_REKEYED;
	old->rekey_at_ms = 0;
	old->coll.set = false;
	/* if the peer's Delete never comes, the old SA goes anyway */
	old->half_open_until = eng_now(old->ike) + SA_REKEYED_LINGER_MS;
	conn_established(n->conn, n);
}

static void adopt_new_ike(struct ike_sa *old, struct ike_sa *n)
{
	ike_new_link(old, n);
	ike_takeover(old, n);
}

/* The SA a rekey collision made redundant: no children, no rekey; the
 * peer deletes it, or it goes after a while. */
static void ike_redundant(struct ike_sa *sa)
{
	sa->state = SA_REKEYED;
	sa->rekey_at_ms = 0;
	sa->half_open_until = eng_now(sa->ike) + SA_REKEYED_LINGER_MS;
}

void v2_child_rekey_settle(struct ike_sa *sa, const struct v2_msg *m)
{
	for (unsigned i = 0; i < m->n_delete && i < 4; i++)
		if (m->del[i].proto == IKEV2_PROTO_IKE)
			return;		/* the peer drops its redundant SA */
	for (struct ike_sa *o = sa->ike->sas; o; o = o->next)
		if (o != sa && o->coll.set && o->coll.spi == sa_local_spi(sa) &&
		    o->conn == sa->conn && o->state == SA_ESTABLISHED) {
			v2_child_peer_rekey_wins(o);
			return;
		}
}

bool v2_child_peer_rekey_wins(struct ike_sa *old)
{
	struct ike_sa *theirs = old->coll.set ? sa_lookup(old->ike, old->coll.spi) : NULL;

	old->coll.set = false;
	if (!theirs || theirs->state != SA_ESTABLISHED || theirs->conn != old->conn)
		return false;
	log_info("%s: simultaneous IKE SA rekey: the peer's IKE SA #%u replaces #%u",
		 old->conn->cc->name, theirs->serial, old->serial);
	ike_takeover(old, theirs);
	return true;
}

static int rekey_keys(struct ike_sa *old, struct ike_sa *n, struct dh *dh,
		      struct span peer_ke, struct span ni, struct span nr)
{
	uint8_t gir[CRYPTO_MAX_DH_SECRET];
	size_t glen = 0;
	struct ike_suite s = { n->choice.encr, n->choice.encr_keylen, n->choice.prf,
			       n->choice.integ, n->choice.dh };
	int r = dh_derive(dh, peer_ke, gir, &glen);

	if (r == 0)
		r = keymat_ike_rekey(&n->keys, &s, &old->keys, span_make(gir, glen),
				     ni, nr, n->spi_i, n->spi_r);
	sodium_memzero(gir, sizeof(gir));
	if (r == 0 && old->ike->keylog_on)
		keylog_write_ike(n->spi_i, n->spi_r, &n->keys);
	return r;
}

static uint16_t ike_rekey_request(struct ike_sa *sa, struct v2_msg *m, struct v2_builder *b)
{
	struct v2_sa *offer = calloc(1, sizeof(*offer));
	struct prop_mismatch mm;
	struct prop_choice pc;
	struct ike_sa *n = NULL;
	struct dh *dh = NULL;
	struct v2_proposal p;
	uint8_t spi[8], nr[SA_NONCE_LEN];
	uint16_t ret = IKEV2_N_NO_PROPOSAL_CHOSEN;

	if (!offer || proposal_ike_offer(sa->conn->cc, offer) < 0)
		goto out;
	if (proposal_choose(&m->sa, offer, IKEV2_PROTO_IKE, PROP_F_IKE_REKEY,
			    m->ke_group, &pc, &mm).v != IKE_OK)
		goto out;
	ret = IKEV2_N_INVALID_KE_PAYLOAD;
	if (!m->count[IKEV2_PL_KE] || m->ke_group != pc.dh)
		goto out;
	ret = IKEV2_N_TEMPORARY_FAILURE;
	n = sa_new(sa->ike, false);
	dh = dh_new(pc.dh);
	if (!n || !dh)
		goto out;
	n->conn = sa->conn;
	n->choice = pc;
	n->spi_i = pc.spi_val;
	n->spi_r = sa_random_spi();
	crypto_random(nr, sizeof(nr));
	if (rekey_keys(sa, n, dh, m->ke_data, m->nonce, span_make(nr, sizeof(nr))) < 0) {
		ret = IKEV2_N_INVALID_SYNTAX;
		goto out;
	}
	be64(spi, n->spi_r);
	proposal_from_choice(&pc, IKEV2_PROTO_IKE, spi, 8, &p);
	v2_build_sa(b, &p, 1);
	v2_build_nonce(b, span_make(nr, sizeof(nr)));
	v2_build_ke(b, pc.dh, dh_public(dh));
	if (sa->out.kind == TASK_IKE_REKEY) {
		/* RFC 7296 2.8.2: our rekey is in flight too; once it completes
		 * the nonces decide which new SA takes the children */
		ike_new_link(sa, n);
		sa_collision_note(&sa->coll, n->spi_r, m->nonce, span_make(nr, sizeof(nr)));
		log_info("%s: IKE SA #%u: the peer rekeys it too, as #%u (simultaneous rekey)",
			 sa->conn->cc->name, sa->serial, n->serial);
	} else {
		adopt_new_ike(sa, n);
		log_info("%s: IKE SA #%u rekeyed by the peer as #%u", sa->conn->cc->name,
			 sa->serial, n->serial);
	}
	n = NULL;
	ret = 0;
out:
	sa_free(n);
	dh_free(dh);
	free(offer);
	return ret;
}

static struct child_sa *rekey_target(struct ike_sa *sa, const struct v2_msg *m)
{
	const struct v2_notify *n = v2_msg_find_notify(m, IKEV2_N_REKEY_SA);
	struct span s;
	uint32_t spi;

	if (!n)
		return NULL;
	s = n->spi;
	if (n->proto != IKEV2_PROTO_ESP || n->spi_size != 4 || !span_be32(&s, &spi))
		return NULL;
	return sa_child_by_spi_out(sa, spi);
}

void v2_child_recv_request(struct ike_sa *sa, struct v2_msg *m)
{
	struct wbuf pb;
	struct v2_builder b;
	struct child_req req;
	uint8_t nr[SA_NONCE_LEN], grp[2];
	uint16_t n = 0;
	bool ike_rekey = m->count[IKEV2_PL_SA] && m->sa.n_prop &&
			 m->sa.prop[0].proto == IKEV2_PROTO_IKE;

	memset(&req, 0, sizeof(req));
	wbuf_init(&pb, IKE_MAX_MSG);
	v2_build_chain(&b, &pb);
	if (sa->state != SA_ESTABLISHED || sa->coll.set) {
		/* being replaced (RFC 7296 2.25, 2.8.2) */
		n = IKEV2_N_TEMPORARY_FAILURE;
	} else if (!m->count[IKEV2_PL_SA] || m->nonce.n < IKE_MIN_NONCE ||
		   m->nonce.n > IKE_MAX_NONCE) {
		n = IKEV2_N_INVALID_SYNTAX;
	} else if (ike_rekey) {
		/* a child exchange of ours in flight must land on this SA: let
		 * the peer retry; our own IKE rekey is a collision (2.8.2) */
		n = sa->out.kind != TASK_NONE && sa->out.kind != TASK_IKE_REKEY ?
		    IKEV2_N_TEMPORARY_FAILURE : ike_rekey_request(sa, m, &b);
	} else if (v2_msg_find_notify(m, IKEV2_N_REKEY_SA) &&
		   !(req.old = rekey_target(sa, m))) {
		/* it may be the child our own exchange in flight creates (the
		 * peer answered, the answer is on its way): not yet, not never */
		n = sa->out.child ? IKEV2_N_TEMPORARY_FAILURE : IKEV2_N_CHILD_SA_NOT_FOUND;
	} else if (req.old && req.old->rekeyed) {
		n = IKEV2_N_TEMPORARY_FAILURE;	/* replaced already (RFC 7296 2.25) */
	} else if (!(n = child_choose(sa, m, false, &req))) {
		crypto_random(nr, sizeof(nr));
		n = child_accept(sa, m, &req, m->nonce, span_make(nr, sizeof(nr)), &b, true);
	}
	if (n) {
		wbuf_reset(&pb);
		v2_build_chain(&b, &pb);
		grp[0] = (uint8_t)(req.pc.dh >> 8);
		grp[1] = (uint8_t)req.pc.dh;
		v2_build_notify(&b, 0, span_make(NULL, 0), n,
				n == IKEV2_N_INVALID_KE_PAYLOAD ? span_make(grp, 2) :
				span_make(NULL, 0));
		log_info("%s: CREATE_CHILD_SA refused: notify %u", sa->conn->cc->name, n);
	}
	v2_respond(sa, m, &b);
	dh_free(req.dh);
	wbuf_free(&pb);
}

/* ---- CREATE_CHILD_SA: initiator gets the answer ---- */

/* Both sides retrying at the same moment would collide again. */
static uint64_t retry_later(struct ike_sa *sa)
{
	uint32_t j = 0;

	crypto_random(&j, sizeof(j));
	return eng_now(sa->ike) + CHILD_TEMP_RETRY_MS + j % (4 * CHILD_TEMP_RETRY_MS);
}

static void ike_rekey_failed(struct ike_sa *sa)
{
	sa_out_done(sa);
	/* the peer's rekey of this SA went through while ours did not */
	if (v2_child_peer_rekey_wins(sa) || sa->state == SA_REKEYED)
		return;
	log_info("%s: IKE SA rekey refused; retrying later", sa->conn->cc->name);
	sa->rekey_at_ms = retry_later(sa);
}

/* RFC 7296 2.8.2: the peer rekeyed this SA during our rekey and both
 * exchanges completed.  The new SA of the exchange with the lowest of
 * the four nonces is redundant and deleted by its initiator; the other
 * takes the children, and its initiator deletes the old SA. */
static bool ike_collision_lost(struct ike_sa *sa, struct span ni, struct span nr,
			       struct ike_sa **theirs)
{
	*theirs = sa->coll.set ? sa_lookup(sa->ike, sa->coll.spi) : NULL;
	if (*theirs && (*theirs)->state != SA_ESTABLISHED)
		*theirs = NULL;
	return *theirs && sa_collision_ours_redundant(&sa->coll, ni, nr);
}

static void ike_rekey_response(struct ike_sa *sa, struct v2_msg *m)
{
	struct sa_out *o = &sa->out;
	struct ike_sa *n = o->new_sa, *theirs = NULL;
	struct sa_task del = { .kind = TASK_DEL_IKE };
	struct prop_choice pc;
	bool lost;

	if (v2_msg_has_error_notify(m) ||
	    proposal_check_reply(&m->sa, o->offer, PROP_F_IKE_REKEY, &pc).v != IKE_OK ||
	    !m->count[IKEV2_PL_KE] || m->ke_group != n->ke_group || pc.dh != n->ke_group ||
	    m->nonce.n < IKE_MIN_NONCE || m->nonce.n > IKE_MAX_NONCE) {
		ike_rekey_failed(sa);
		return;
	}
	n->choice = pc;
	n->spi_r = pc.spi_val;
	if (rekey_keys(sa, n, o->dh, m->ke_data, span_make(o->nonce, SA_NONCE_LEN),
		       m->nonce) < 0) {
		ike_rekey_failed(sa);
		return;
	}
	o->new_sa = NULL;
	/* REKEYED already: the peer's new SA took over before this answer */
	lost = sa->state == SA_REKEYED ||
	       ike_collision_lost(sa, span_make(o->nonce, SA_NONCE_LEN), m->nonce, &theirs);
	sa_out_done(sa);
	if (lost) {
		ike_new_link(sa, n);
		v2_child_peer_rekey_wins(sa);
		log_info("%s: simultaneous IKE SA rekey: our #%u is redundant: deleting it",
			 sa->conn->cc->name, n->serial);
		v2_info_start(n, &del);
		return;
	}
	sa->coll.set = false;
	adopt_new_ike(sa, n);
	log_info("%s: IKE SA #%u rekeyed as #%u", sa->conn->cc->name, sa->serial, n->serial);
	if (theirs) {
		log_info("%s: simultaneous IKE SA rekey: the peer's #%u is redundant",
			 sa->conn->cc->name, theirs->serial);
		ike_redundant(theirs);
	}
	v2_info_start(sa, &del);
}

/* Pairs a peer keeps refusing are retried less and less often. */
static uint64_t pair_retry_delay(struct conn *c)
{
	uint64_t d = CONN_PAIR_RETRY_MS;

	for (unsigned i = 0; i < c->pair_retry_n && d < CONN_RETRY_MAX_MS; i++)
		d *= 2;
	return d < CONN_RETRY_MAX_MS ? d : CONN_RETRY_MAX_MS;
}

/* INVALID_KE_PAYLOAD: retry at once with the peer's group if esp_pfs
 * lists it, else it is a PFS mismatch. */
static bool invalid_ke(struct ike_sa *sa, const struct v2_msg *m)
{
	const struct v2_notify *n = v2_msg_find_notify(m, IKEV2_N_INVALID_KE_PAYLOAD);
	const struct conf_conn *cc = sa->conn->cc;
	struct sa_out *o = &sa->out;
	uint16_t g;

	if (!n)
		return false;
	if (n->data.n != 2)
		return true;
	g = (uint16_t)(n->data.p[0] << 8 | n->data.p[1]);
	for (unsigned i = 0; i < cc->n_esp_pfs; i++) {
		if (!g || cc->esp_pfs[i] != g || g == sa->conn->pfs_hint)
			continue;
		sa->conn->pfs_hint = g;
		if (o->old)
			sa_task_push(sa, TASK_CHILD_REKEY, o->old, NULL);
		else if (o->has_pair)
			sa_task_push(sa, TASK_CHILD_NEW, NULL, &o->pair);
		return true;
	}
	conn_note(sa->conn, "pfs-mismatch", "esp_pfs: the peer wants group %u, "
		  "which is not in ours", g);
	if (o->old)
		o->old->rekey_at_ms = eng_now(sa->ike) + CONN_PAIR_RETRY_MS;
	return true;
}

/* Error notifies in a CREATE_CHILD_SA answer; true when one was handled. */
static bool child_response_error(struct ike_sa *sa, const struct v2_msg *m)
{
	struct conn *c = sa->conn;
	struct sa_out *o = &sa->out;
	struct child_sa *old = o->old;
	bool rekey = o->kind == TASK_CHILD_REKEY;

	if (invalid_ke(sa, m))
		return true;
	if (v2_msg_find_notify(m, IKEV2_N_TEMPORARY_FAILURE)) {
		if (old)
			old->rekey_at_ms = retry_later(sa);
		else if (o->has_pair && !c->pair_retry_at)
			c->pair_retry_at = eng_now(sa->ike) + CHILD_TEMP_RETRY_MS;
		return true;
	}
	if (v2_msg_find_notify(m, IKEV2_N_CHILD_SA_NOT_FOUND) && (old || rekey)) {
		/* without old: the peer deleted it meanwhile (a rekey collision
		 * it won), nothing is missing */
		if (old)
			sa_task_push(sa, TASK_DEL_CHILD, old, NULL);
		return true;
	}
	/* the first child (no KE) worked: a refusal of one with KE is PFS */
	if (!child_refused(sa, m, rekey ? "CHILD SA rekey" : "extra CHILD SA",
			   rekey || o->dh))
		return false;
	if (old && rekey && c->cc->pfs_check && !strcmp(c->reason, "pfs-mismatch")) {
		/* pfs_check: the operator asked to learn it now, not when the
		 * tunnel dies at its first real rekey */
		fail_ike(sa, c->reason, c->detail);
	} else if (old) {
		old->rekey_at_ms = eng_now(sa->ike) + CONN_PAIR_RETRY_MS;
	} else if (o->has_pair) {
		uint64_t d = pair_retry_delay(c);

		snprintf(c->pair_note[o->pair.l][o->pair.r], sizeof(c->pair_note[0][0]),
			 "peer refused (%s); retry in %us", c->reason, (unsigned)(d / 1000));
		if (!c->pair_retry_at)
			c->pair_retry_at = eng_now(sa->ike) + d;
	}
	return true;
}

/* Waiting for its delete; the policies (same reqid) go to heir. */
static void child_redundant(struct child_sa *c, struct child_sa *heir)
{
	if (heir) {
		heir->policies_installed |= c->policies_installed;
		c->policies_installed = false;
	}
	c->rekeyed = true;
	c->state = P2_REKEYING;
	c->rekey_at_ms = 0;
}

/* RFC 7296 2.8.1: our rekey of old and the peer's both completed.  The
 * new SA of the exchange with the lowest of the four nonces is redundant
 * and its initiator deletes it; the survivor's initiator deletes old. */
static void child_collision(struct ike_sa *sa, struct child_sa *old,
			    struct child_sa *ours, struct span ni, struct span nr)
{
	struct child_sa *theirs = sa_child_by_spi_in(sa, (uint32_t)old->coll.spi);
	bool lost;

	if (theirs && (theirs->rekeyed || theirs == ours))
		theirs = NULL;	/* the peer deleted or replaced it already */
	lost = theirs && sa_collision_ours_redundant(&old->coll, ni, nr);
	old->coll.set = false;
	log_info("%s: simultaneous rekey of CHILD SA #%u: #%u stays, %s #%u is redundant",
		 sa->conn->cc->name, old->id, lost ? theirs->id : ours->id,
		 lost ? "our" : "the peer's", lost ? ours->id : theirs ? theirs->id : 0);
	if (lost) {
		child_redundant(ours, theirs);
		sa_task_push(sa, TASK_DEL_CHILD, ours, NULL);
		return;
	}
	if (theirs) {
		child_redundant(theirs, ours);
		/* the peer deletes it; if it never does, we do */
		theirs->expire_at_ms = eng_now(sa->ike) + SA_REKEYED_LINGER_MS;
	}
	sa_task_push(sa, TASK_DEL_CHILD, old, NULL);
}

static void child_response(struct ike_sa *sa, struct v2_msg *m)
{
	struct conn *c = sa->conn;
	struct sa_out *o = &sa->out;
	struct child_sa *ch = o->child, *old = o->old;
	struct prop_choice pc;
	struct ike_result r;
	char ti[64], tr[64];

	if (old)
		old->rekeying = false;
	if (child_response_error(sa, m))
		return;
	r = proposal_check_reply(&m->sa, o->offer, 0, &pc);
	if (r.v == IKE_OK && pc.dh && (!o->dh || m->ke_group != pc.dh))
		r = ike_drop("KE missing or of another group");
	if (r.v == IKE_OK)
		r = ts_check_reply(&o->tsi, &o->tsr, &m->tsi, &m->tsr);
	if (r.v != IKE_OK || m->nonce.n < IKE_MIN_NONCE || m->nonce.n > IKE_MAX_NONCE) {
		conn_note(c, "proposal-mismatch", "invalid CREATE_CHILD_SA reply: %s", r.why);
		return;
	}
	if ((!old && pairs_from_ts(ch, &m->tsi, &m->tsr) < 0) ||
	    child_finish(sa, ch, &pc, pc.dh ? o->dh : NULL, m->ke_data,
			 span_make(o->nonce, SA_NONCE_LEN), m->nonce,
			 CF_INITIATED | (!old && !o->old_lost ? CF_POLICIES : 0)) < 0) {
		kernel_error(sa, "installing a CHILD SA");
		return;
	}
	o->child = NULL;
	sa_add_child(sa, ch);
	if (old) {
		ch->policies_installed = old->policies_installed;
		old->policies_installed = false;
		old->rekeyed = true;
		old->state = P2_REKEYING;
		ch->pfs_verified = pc.dh != 0;
		if (old->coll.set)
			child_collision(sa, old, ch, span_make(o->nonce, SA_NONCE_LEN),
					m->nonce);
		else
			sa_task_push(sa, TASK_DEL_CHILD, old, NULL);
	} else if (o->old_lost) {
		/* the peer won a rekey collision and deleted what we rekeyed
		 * before our answer came: ours is the redundant one */
		child_redundant(ch, NULL);
		sa_task_push(sa, TASK_DEL_CHILD, ch, NULL);
		log_info("%s: simultaneous rekey: the peer's CHILD SA won; our #%u is redundant",
			 c->cc->name, ch->id);
	} else if (o->has_pair) {
		c->pair_note[o->pair.l][o->pair.r][0] = '\0';
	}
	ts_set_fmt(&m->tsi, ti, sizeof(ti));
	ts_set_fmt(&m->tsr, tr, sizeof(tr));
	log_info("%s: CHILD SA #%u %s: %s === %s (spi in %08x out %08x)", c->cc->name,
		 ch->id, old ? "rekeyed" : "established", ti, tr, ch->spi_in, ch->spi_out);
}

void v2_child_recv_response(struct ike_sa *sa, struct v2_msg *m)
{
	if (sa->out.kind == TASK_IKE_REKEY) {
		ike_rekey_response(sa, m);
	} else {
		child_response(sa, m);
		sa->out.old = NULL;
		sa_out_done(sa);
	}
	eng_kick(sa);
}
