/* Exchange tests: two engines over test/util/fakenet with the fake xfrm
 * backend and a deterministic RNG. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/crypto.h"
#include "ike/engine.h"
#include "ike/ike.h"
#include "ike/log.h"
#include "ike/v2.h"
#include "test/util/fakenet.h"

#define A_ADDR "198.51.100.1"
#define B_ADDR "203.0.113.7"
#define PSK "psk = \"0123456789abcdef-shared\"\n"

static uint64_t rng_state;

static void det_rng(void *buf, size_t n, void *arg)
{
	uint8_t *p = buf;

	(void)arg;
	for (size_t i = 0; i < n; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (uint8_t)(rng_state >> 24);
	}
}

/* Info lines (and above) of the engines while logcap_on, "NODE line\n". */
static char logcap[1 << 16];
static size_t logcap_len;
static bool logcap_on;

static void quiet(enum log_level lvl, const char *line, void *arg)
{
	(void)arg;
	if (logcap_on && lvl <= LOG_LVL_INFO) {
		int n = snprintf(logcap + logcap_len, sizeof(logcap) - logcap_len, "%s %s\n",
				 fakenet_active, line);

		if (n > 0 && (size_t)n < sizeof(logcap) - logcap_len)
			logcap_len += (size_t)n;
	}
	if (getenv("IKE_TEST_LOG"))
		fprintf(stderr, "%d %s %s\n", lvl, fakenet_active, line);
}

static void setup(void)
{
	logcap_on = false;
	logcap_len = 0;
	logcap[0] = '\0';
	rng_state = 0x0123456789abcdefull;
	crypto_set_rng(det_rng, NULL);
	log_init("check_exchange", 1, LOG_LVL_DEBUG);
	log_set_sink(quiet, NULL);
}

/* Config for one side: `extra` overrides/adds keys. */
static char *conf_text(const char *local, const char *remote, const char *lsub,
		       const char *rsub, const char *extra)
{
	char *s = malloc(4096);

	snprintf(s, 4096,
		 "[connection t]\n"
		 "local_address = %s\nremote_address = %s\n"
		 "local_subnets = %s\nremote_subnets = %s\n"
		 "%s"
		 "ike_version = 2\n%s",
		 local, remote, lsub, rsub, strstr(extra, "psk =") ? "" : PSK, extra);
	return s;
}

/* Both fakes hand out the same SPI sequence: move B's so a mix-up of
 * inbound and outbound SPIs cannot go unnoticed. */
static void skew_spis(struct xfrm *x)
{
	struct ike_addr a, b;
	uint32_t spi;

	addr_parse("192.0.2.1", &a);
	addr_parse("192.0.2.2", &b);
	for (int i = 0; i < 16; i++) {
		ck_assert_int_eq(xfrm_alloc_spi(x, &a, &b, XFRM_REQID_MAX, &spi), 0);
		ck_assert_int_eq(xfrm_del_sa(x, &b, spi), 0);
	}
}

/* A initiates (start=immediate), B responds. */
static struct fakenet *pair(const char *a_lsub, const char *a_rsub, const char *a_extra,
			    const char *b_lsub, const char *b_rsub, const char *b_extra)
{
	struct fakenet *net = fakenet_new();
	char *ca = conf_text(A_ADDR, B_ADDR, a_lsub, a_rsub, a_extra);
	char *cb = conf_text(B_ADDR, A_ADDR, b_lsub, b_rsub, b_extra);

	ck_assert_ptr_nonnull(net);
	ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
	ck_assert_int_eq(fakenet_add(net, 0, "A", A_ADDR, ca), 0);
	skew_spis(net->node[1].xfrm);
	free(ca);
	free(cb);
	return net;
}

#define GCM_X25519 \
	"ike_encryption = aes256gcm16\nike_integrity = sha256\nike_dh_group = 31\n" \
	"esp_encryption = aes256gcm16\nesp_pfs = none\n"
#define GCM_NOPFS \
	"ike_encryption = aes256gcm16\nike_integrity = sha256\nike_dh_group = 31\n" \
	"esp_encryption = aes256gcm16\n"
#define CBC_MODP \
	"ike_encryption = aes256\nike_integrity = sha256\nike_dh_group = 14\n" \
	"esp_encryption = aes256\nesp_integrity = sha256\nesp_pfs = 14\n"

static struct conn_status *status(struct fakenet *net, unsigned node)
{
	static struct conn_status st[2];

	ck_assert_int_eq(ike_status(net->node[node].ike, "t", &st[node]), 0);
	return &st[node];
}

/* A's outbound SA must carry the keys of B's inbound SA, and back. */
static void assert_keys_match(struct fakenet *net, const struct child_status *a,
			      const struct child_status *b)
{
	struct xfrm_sa ao, bi, ai, bo;
	struct ike_addr aa, ba;

	addr_parse(A_ADDR, &aa);
	addr_parse(B_ADDR, &ba);
	ck_assert(xfrm_fake_has_sa(net->node[0].xfrm, &ba, a->spi_out, &ao));
	ck_assert(xfrm_fake_has_sa(net->node[1].xfrm, &ba, b->spi_in, &bi));
	ck_assert(xfrm_fake_has_sa(net->node[0].xfrm, &aa, a->spi_in, &ai));
	ck_assert(xfrm_fake_has_sa(net->node[1].xfrm, &aa, b->spi_out, &bo));
	ck_assert_uint_eq(a->spi_out, b->spi_in);
	ck_assert_uint_eq(a->spi_in, b->spi_out);
	ck_assert_uint_eq(ao.encr_key_len, bi.encr_key_len);
	ck_assert(ao.encr_key_len > 0);
	ck_assert_mem_eq(ao.encr_key, bi.encr_key, ao.encr_key_len);
	ck_assert_mem_eq(ai.encr_key, bo.encr_key, ai.encr_key_len);
	ck_assert_uint_eq(ao.integ_key_len, bi.integ_key_len);
	if (ao.integ_key_len)
		ck_assert_mem_eq(ao.integ_key, bi.integ_key, ao.integ_key_len);
	ck_assert(memcmp(ao.encr_key, ai.encr_key, ao.encr_key_len) != 0);
}

static void assert_up(struct fakenet *net, unsigned n_children)
{
	struct conn_status *a = status(net, 0), *b = status(net, 1);

	ck_assert_msg(a->p1 == P1_ESTABLISHED, "A: %s %s: %s", p1_state_name(a->p1),
		      a->reason, a->detail);
	ck_assert_msg(b->p1 == P1_ESTABLISHED, "B: %s %s: %s", p1_state_name(b->p1),
		      b->reason, b->detail);
	ck_assert_uint_eq(a->n_children, n_children);
	ck_assert_uint_eq(b->n_children, n_children);
	ck_assert(a->spi_i == b->spi_i && a->spi_r == b->spi_r);
}

/* IKE_SEED_DIR=dir: write the datagrams of a test as fuzz_engine seeds
 * (first byte: 0 request to the responder on 500, 1 on 4500, 2 answer
 * to the initiator). */
static void dump_seeds(const struct fakenet *net)
{
	const char *dir = getenv("IKE_SEED_DIR");

	for (unsigned i = 0; dir && i < net->n_cap; i++) {
		const struct fakenet_pkt *c = net->cap[i];
		uint8_t mode = c->from == 1 ? 2 : c->dport == 4500 ? 1 : 0;
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cap-%u-%u", dir, (unsigned)getpid(), i);
		f = fopen(path, "wb");
		if (!f)
			continue;
		fwrite(&mode, 1, 1, f);
		fwrite(c->buf, 1, c->len, f);
		fclose(f);
	}
}

START_TEST(establish_gcm_x25519)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16",
				   GCM_X25519 "start = respond\n");
	struct conn_status *a, *b;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_str_eq(a->children[0].algs, "aes256gcm16");
	ck_assert_str_eq(a->algs, "aes256gcm16-sha256-curve25519");
	ck_assert_str_eq(a->remote_id, B_ADDR);
	ck_assert_str_eq(b->remote_id, A_ADDR);
	ck_assert_str_eq(a->local_id, A_ADDR);
	ck_assert_str_eq(b->algs, a->algs);
	assert_keys_match(net, &a->children[0], &b->children[0]);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 3);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 3);
	ck_assert_uint_eq(a->n_coverage, 1);
	ck_assert_uint_eq(a->cov[0].child_id, a->children[0].id);
	ck_assert(!a->nat_t);
	dump_seeds(net);
	fakenet_free(net);
}
END_TEST

START_TEST(establish_cbc_modp)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", CBC_MODP,
				   "10.2.0.0/16", "10.1.0.0/16",
				   CBC_MODP "start = respond\n");
	struct conn_status *a, *b;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_str_eq(a->algs, "aes256-sha256-modp2048");
	ck_assert_str_eq(b->algs, "aes256-sha256-modp2048");
	ck_assert_str_eq(a->children[0].algs, "aes256-sha256");
	assert_keys_match(net, &a->children[0], &b->children[0]);
	fakenet_free(net);
}
END_TEST


#define SUB2_A "10.1.0.0/16, 10.3.0.0/16", "10.2.0.0/16, 10.4.0.0/16"
#define SUB2_B "10.2.0.0/16, 10.4.0.0/16", "10.1.0.0/16, 10.3.0.0/16"
#define RESP "start = respond\n"

START_TEST(two_by_two_in_one_child)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519, SUB2_B, GCM_X25519 RESP);
	struct conn_status *a, *b;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_uint_eq(a->children[0].n_pairs, 4);
	ck_assert_uint_eq(b->children[0].n_pairs, 4);
	ck_assert_uint_eq(a->n_coverage, 4);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(a->cov[i].child_id, a->children[0].id);
		ck_assert_uint_eq(b->cov[i].child_id, b->children[0].id);
	}
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 12);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 12);
	assert_keys_match(net, &a->children[0], &b->children[0]);
	fakenet_free(net);
}
END_TEST

START_TEST(narrowed_split_auto)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519, "10.2.0.0/16", "10.1.0.0/16",
				   GCM_X25519 RESP);
	struct conn_status *a;
	unsigned covered = 0;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	ck_assert_uint_eq(a->n_coverage, 4);
	for (unsigned i = 0; i < 4; i++) {
		char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN];
		bool want = strcmp(subnet_fmt(&a->cov[i].local, l), "10.1.0.0/16") == 0 &&
			    strcmp(subnet_fmt(&a->cov[i].remote, r), "10.2.0.0/16") == 0;

		ck_assert_msg(!!a->cov[i].child_id == want, "%s === %s: %u", l, r,
			      a->cov[i].child_id);
		if (!want)
			ck_assert_msg(strstr(a->cov[i].note, "refused"), "%s", a->cov[i].note);
		covered += !!a->cov[i].child_id;
	}
	ck_assert_uint_eq(covered, 1);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 3);
	/* the refused pairs are retried, and still refused: nothing breaks */
	fakenet_run(net, 65000);
	assert_up(net, 1);
	ck_assert(fakenet_count(net, 0, IKEV2_EXCH_CREATE_CHILD_SA, false) >= 6);
	fakenet_free(net);
}
END_TEST

/* A responder configured wider than the initiator's offer: no narrowing,
 * every pair the initiator has is covered by the one child. */
START_TEST(responder_wider_than_offer)
{
	struct fakenet *net = pair("10.1.0.0/16, 10.3.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16, 10.3.0.0/16",
				   GCM_X25519 RESP);
	struct conn_status *a;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	for (unsigned i = 0; i < a->n_coverage; i++)
		ck_assert(a->cov[i].child_id);
	fakenet_free(net);
}
END_TEST

START_TEST(narrowed_split_no)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519 "split = no\n", "10.2.0.0/16",
				   "10.1.0.0/16", GCM_X25519 RESP);
	struct conn_status *a;

	fakenet_run(net, 1000);
	a = status(net, 0);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "ts-mismatch");
	ck_assert_msg(strstr(a->detail, "10.3.0.0/16"), "%s", a->detail);
	ck_assert_msg(strstr(a->hint, "local_subnets"), "%s", a->hint);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 0);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 0);
	fakenet_free(net);
}
END_TEST

START_TEST(split_yes_one_child_per_pair)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519 "split = yes\n", SUB2_B,
				   GCM_X25519 RESP);
	struct conn_status *a, *b;

	fakenet_run(net, 2000);
	assert_up(net, 4);
	a = status(net, 0);
	b = status(net, 1);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(a->children[i].n_pairs, 1);
		ck_assert_uint_eq(a->cov[i].child_id, a->children[i].id);
		assert_keys_match(net, &a->children[i], &b->children[i]);
	}
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 8);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 12);
	fakenet_free(net);
}
END_TEST

static void assert_kernel_empty(struct fakenet *net)
{
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_uint_eq(xfrm_fake_sa_count(net->node[i].xfrm), 0);
		ck_assert_uint_eq(xfrm_fake_policy_count(net->node[i].xfrm), 0);
	}
}

START_TEST(delete_from_initiator)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519 "split = yes\n", SUB2_B,
				   GCM_X25519 RESP);

	fakenet_run(net, 2000);
	assert_up(net, 4);
	ck_assert_int_eq(ike_down(net->node[0].ike, "t"), 0);
	fakenet_run(net, 1000);
	ck_assert_int_eq(status(net, 0)->p1, P1_DOWN);
	ck_assert_int_eq(status(net, 1)->p1, P1_DOWN);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

START_TEST(delete_from_responder)
{
	struct fakenet *net = pair(SUB2_A, CBC_MODP, SUB2_B, CBC_MODP RESP);

	fakenet_run(net, 2000);
	assert_up(net, 1);
	ck_assert_int_eq(ike_down(net->node[1].ike, "t"), 0);
	fakenet_run(net, 1000);
	ck_assert_int_eq(status(net, 0)->p1, P1_DOWN);
	ck_assert_int_eq(status(net, 1)->p1, P1_DOWN);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

START_TEST(loss_converges)
{
	struct fakenet *net = pair(SUB2_A, CBC_MODP "split = yes\n", SUB2_B, CBC_MODP RESP);
	struct conn_status *a, *b;

	net->loss_pct = 30;
	fakenet_run(net, 200000);
	ck_assert(net->dropped > 0);
	assert_up(net, 4);
	a = status(net, 0);
	b = status(net, 1);
	for (unsigned i = 0; i < 4; i++)
		assert_keys_match(net, &a->children[i], &b->children[i]);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 8);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 8);
	fakenet_free(net);
}
END_TEST

START_TEST(retransmitted_request_gets_cached_response)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519, SUB2_B, GCM_X25519 RESP);
	int req, resp, resp2;
	unsigned calls;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	req = fakenet_find(net, 0, IKEV2_EXCH_IKE_AUTH, false, 0);
	resp = fakenet_find(net, 1, IKEV2_EXCH_IKE_AUTH, true, 0);
	ck_assert(req >= 0 && resp >= 0);
	calls = xfrm_fake_calls(net->node[1].xfrm);
	fakenet_replay(net, (unsigned)req);
	fakenet_run(net, 100);
	resp2 = fakenet_find(net, 1, IKEV2_EXCH_IKE_AUTH, true, 1);
	ck_assert(resp2 > resp);
	ck_assert_uint_eq(net->cap[resp2]->len, net->cap[resp]->len);
	ck_assert_mem_eq(net->cap[resp2]->buf, net->cap[resp]->buf, net->cap[resp]->len);
	ck_assert_uint_eq(xfrm_fake_calls(net->node[1].xfrm), calls);
	assert_up(net, 1);
	/* a response is never answered */
	fakenet_replay(net, (unsigned)resp);
	fakenet_run(net, 100);
	ck_assert_int_eq(fakenet_find(net, 0, IKEV2_EXCH_IKE_AUTH, true, 0), -1);
	fakenet_free(net);
}
END_TEST

START_TEST(invalid_ke_retry)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   "ike_encryption = aes256\nike_integrity = sha256\n"
				   "ike_dh_group = 14, 19\n",
				   "10.2.0.0/16", "10.1.0.0/16",
				   "ike_encryption = aes256\nike_integrity = sha256\n"
				   "ike_dh_group = 19\n" RESP);

	fakenet_run(net, 1000);
	assert_up(net, 1);
	ck_assert_uint_eq(fakenet_count(net, 0, IKEV2_EXCH_IKE_SA_INIT, false), 2);
	ck_assert_msg(strstr(status(net, 0)->algs, "ecp256") ||
		      strstr(status(net, 0)->algs, "19"), "%s", status(net, 0)->algs);
	fakenet_free(net);
}
END_TEST

START_TEST(invalid_ke_group_not_ours)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   "ike_dh_group = 14\n", "10.2.0.0/16", "10.1.0.0/16",
				   "ike_dh_group = 19, 14\n" RESP);

	/* B prefers 19 but would take 14: no INVALID_KE needed */
	fakenet_run(net, 1000);
	assert_up(net, 1);
	fakenet_free(net);
}
END_TEST

START_TEST(cookie_round_trip)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);

	fakenet_free(net);
	net = fakenet_new();
	{
		char *ca = conf_text(A_ADDR, B_ADDR, "10.1.0.0/16", "10.2.0.0/16",
				     GCM_X25519 "start = manual\n");
		char *cb = conf_text(B_ADDR, A_ADDR, "10.2.0.0/16", "10.1.0.0/16",
				     GCM_X25519 RESP);

		ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
		ck_assert_int_eq(fakenet_add(net, 0, "A", A_ADDR, ca), 0);
		free(ca);
		free(cb);
	}
	ike_set_cookie_threshold(net->node[1].ike, 0);
	ck_assert_int_eq(ike_up(net->node[0].ike, "t"), 0);
	fakenet_run(net, 1000);
	assert_up(net, 1);
	ck_assert_uint_eq(fakenet_count(net, 0, IKEV2_EXCH_IKE_SA_INIT, false), 2);
	ck_assert_uint_eq(fakenet_count(net, 1, IKEV2_EXCH_IKE_SA_INIT, true), 2);
	fakenet_free(net);
}
END_TEST

START_TEST(psk_mismatch)
{
	struct fakenet *net = fakenet_new();
	char *ca = conf_text(A_ADDR, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", GCM_X25519);
	char *cb = conf_text(B_ADDR, A_ADDR, "10.2.0.0/16", "10.1.0.0/16",
			     GCM_X25519 RESP "psk = \"another-key-entirely-00\"\n");
	struct conn_status *a, *b;

	ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
	ck_assert_int_eq(fakenet_add(net, 0, "A", A_ADDR, ca), 0);
	free(ca);
	free(cb);
	fakenet_run(net, 1000);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "psk-mismatch");
	ck_assert_int_eq(b->p1, P1_FAILED);
	ck_assert_str_eq(b->reason, "psk-mismatch");
	ck_assert_msg(strstr(b->hint, "psk"), "%s", b->hint);
	ck_assert_uint_eq(a->attempts, 1);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

START_TEST(id_mismatch)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16",
				   GCM_X25519 RESP "remote_id = fqdn:other.example\n");
	struct conn_status *b;

	fakenet_run(net, 1000);
	b = status(net, 1);
	ck_assert_int_eq(b->p1, P1_FAILED);
	ck_assert_str_eq(b->reason, "id-mismatch");
	ck_assert_msg(strstr(b->detail, "remote_id: ours fqdn:other.example; peer sent 198.51.100.1"),
		      "%s", b->detail);
	ck_assert_int_eq(status(net, 0)->p1, P1_FAILED);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

/* The initiator refuses the responder's identity after the responder
 * has set everything up: it says so (INFORMATIONAL AUTHENTICATION_FAILED),
 * and the responder, whose key check passed, reports id-mismatch and
 * removes what it installed. */
START_TEST(id_mismatch_initiator_side)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   GCM_X25519 "remote_id = fqdn:gwb.example\n",
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct conn_status *a, *b;

	fakenet_run(net, 1000);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "id-mismatch");
	ck_assert_msg(strstr(a->detail, "remote_id: ours fqdn:gwb.example; peer sent"),
		      "%s", a->detail);
	ck_assert_int_eq(b->p1, P1_FAILED);
	ck_assert_str_eq(b->reason, "id-mismatch");
	ck_assert_msg(strstr(b->detail, "refused our identity"), "%s", b->detail);
	ck_assert_msg(strstr(b->hint, "remote_id"), "%s", b->hint);
	ck_assert_uint_eq(b->n_children, 0);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

/* The responder's kernel refuses IKE_AUTH's child: it answers
 * TEMPORARY_FAILURE; both sides say kernel-error, the responder with the
 * kernel's own message. */
START_TEST(kernel_error_at_responder)
{
	static const struct {
		int err;
		const char *msg;
	} refusals[] = {
		{ -ENOSYS, "Function not implemented" },
		{ -ENOENT, "Requested type not found" },
	};

	for (unsigned k = 0; k < sizeof(refusals) / sizeof(refusals[0]); k++) {
		struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
					   GCM_X25519 "start = manual\n", "10.2.0.0/16",
					   "10.1.0.0/16", GCM_X25519 RESP);
		struct conn_status *a, *b;

		xfrm_fake_fail_next(net->node[1].xfrm, refusals[k].err, refusals[k].msg);
		ck_assert_int_eq(ike_up(net->node[0].ike, "t"), 0);
		fakenet_run(net, 1000);
		a = status(net, 0);
		b = status(net, 1);
		ck_assert_int_eq(a->p1, P1_FAILED);
		ck_assert_str_eq(a->reason, "kernel-error");
		ck_assert_msg(strstr(a->detail, "TEMPORARY_FAILURE"), "%s", a->detail);
		ck_assert_str_eq(b->reason, "kernel-error");
		ck_assert_msg(strstr(b->detail, refusals[k].msg), "%s", b->detail);
		assert_kernel_empty(net);
		fakenet_free(net);
	}
}
END_TEST

START_TEST(proposal_mismatch)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   "ike_encryption = aes128\n", "10.2.0.0/16", "10.1.0.0/16",
				   "ike_encryption = aes256\n" RESP);
	struct conn_status *a, *b;

	fakenet_run(net, 1000);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_str_eq(a->reason, "proposal-mismatch");
	ck_assert_msg(strstr(a->detail, "aes128"), "%s", a->detail);
	ck_assert_str_eq(b->reason, "proposal-mismatch");
	ck_assert_msg(strstr(b->detail, "ike_encryption: ours aes256; peer offered aes128"),
		      "%s", b->detail);
	ck_assert_msg(!strstr(b->detail, "ike_dh_group"), "%s", b->detail);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

START_TEST(no_response)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct conn_status *a;

	net->node[1].down = true;
	fakenet_run(net, 130000);
	a = status(net, 0);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "no-response");
	ck_assert_msg(strstr(a->detail, "203.0.113.7:500"), "%s", a->detail);
	ck_assert_uint_eq(fakenet_count(net, 0, IKEV2_EXCH_IKE_SA_INIT, false), 6);
	/* first retransmission only after >= 2 s */
	ck_assert(net->cap[1]->at - net->cap[0]->at >= 2000);
	fakenet_free(net);
}
END_TEST

START_TEST(dpd_detects_dead_peer)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   GCM_X25519 "dpd_interval = 10\ndpd_timeout = 30\n",
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct conn_status *a;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	fakenet_run(net, 30000);
	assert_up(net, 1);	/* liveness checks answered */
	ck_assert(fakenet_count(net, 0, IKEV2_EXCH_INFORMATIONAL, false) >= 2);
	net->node[1].down = true;
	fakenet_run(net, 45000);
	a = status(net, 0);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "no-response");
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 0);
	fakenet_free(net);
}
END_TEST

/* Index of the first log line containing `needle`, or -1. */
static long log_pos(const char *log, const char *needle)
{
	const char *p = strstr(log, needle);

	return p ? p - log : -1;
}

START_TEST(child_rekey_make_before_break)
{
	struct fakenet *net = pair(SUB2_A, CBC_MODP "esp_lifetime = 300\n", SUB2_B,
				   CBC_MODP RESP "esp_lifetime = 300\n");
	struct conn_status *a, *b;
	uint32_t old_in, old_out;
	char add[64], del[64];
	const char *log;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	old_in = a->children[0].spi_in;
	old_out = a->children[0].spi_out;
	/* IKE_AUTH: no KE, so the configured group shows as not verified */
	ck_assert_uint_eq(a->children[0].pfs_group, 14);
	ck_assert(!a->children[0].pfs_verified);
	fakenet_run(net, 300000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_uint_ne(a->children[0].spi_in, old_in);
	ck_assert_uint_eq(a->children[0].pfs_group, 14);
	ck_assert(a->children[0].pfs_verified);
	assert_keys_match(net, &a->children[0], &b->children[0]);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 12);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 12);
	for (unsigned n = 0; n < 2; n++) {
		log = xfrm_fake_log(net->node[n].xfrm);
		snprintf(add, sizeof(add), "add_sa spi=0x%08x",
			 n ? status(net, 1)->children[0].spi_out : a->children[0].spi_out);
		snprintf(del, sizeof(del), "del_sa spi=0x%08x dst=%s", n ? old_in : old_out,
			 n ? A_ADDR : B_ADDR);
		ck_assert_msg(log_pos(log, add) >= 0 && log_pos(log, del) > log_pos(log, add),
			      "node %u: %s before %s?\n%s", n, add, del, log);
		ck_assert_msg(!strstr(log, "del_policy"), "%s", log);
	}
	fakenet_free(net);
}
END_TEST

/* Drops node 0's INFORMATIONAL requests (its Delete of the rekeyed SA)
 * once node 1 answered a CREATE_CHILD_SA, until `until`. */
struct drop_delete {
	struct fakenet *net;
	uint64_t until;
};

static bool drop_delete_fn(const struct fakenet_pkt *p, void *arg)
{
	const struct drop_delete *d = arg;

	return p->from == 0 && d->net->now_ms < d->until && p->len >= 28 &&
	       p->buf[18] == IKEV2_EXCH_INFORMATIONAL && !(p->buf[19] & 0x20) &&
	       fakenet_count(d->net, 1, IKEV2_EXCH_CREATE_CHILD_SA, true) > 0;
}

static bool has_out_sa(struct fakenet *net, unsigned node, uint32_t spi)
{
	struct ike_addr dst;
	struct xfrm_sa sa;

	addr_parse(node ? A_ADDR : B_ADDR, &dst);
	return xfrm_fake_has_sa(net->node[node].xfrm, &dst, spi, &sa);
}

/* The responder of a CHILD rekey sends on the new SA only once the
 * initiator has it: the kernel sends on the newest SA of a reqid, and
 * the initiator installs its inbound SA when our answer arrives.  The
 * initiator's Delete of the old SA says so; without one, after 5 s. */
static struct fakenet *rekeyed_by_a(struct drop_delete *d, uint32_t *old_out)
{
	struct fakenet *net = pair(SUB2_A, GCM_NOPFS "esp_lifetime = 300\n", SUB2_B,
				   GCM_NOPFS RESP "esp_lifetime = 3600\n");

	d->net = net;
	d->until = UINT64_MAX;
	net->drop_fn = drop_delete_fn;
	net->drop_arg = d;
	fakenet_run(net, 1000);
	assert_up(net, 1);
	*old_out = status(net, 1)->children[0].spi_out;
	logcap_on = true;
	for (unsigned t = 0; t < 4000 &&
	     !fakenet_count(net, 1, IKEV2_EXCH_CREATE_CHILD_SA, true); t++)
		fakenet_run(net, 100);
	ck_assert_uint_eq(fakenet_count(net, 0, IKEV2_EXCH_CREATE_CHILD_SA, false), 1);
	return net;
}

START_TEST(child_rekey_responder_holds_outbound_until_delete)
{
	struct drop_delete d;
	uint32_t old_out, new_out;
	struct fakenet *net = rekeyed_by_a(&d, &old_out);

	new_out = status(net, 1)->children[0].spi_out;
	ck_assert_uint_ne(new_out, old_out);
	ck_assert(has_out_sa(net, 0, status(net, 0)->children[0].spi_out));
	ck_assert(!has_out_sa(net, 1, new_out));	/* A's Delete was dropped */
	ck_assert(has_out_sa(net, 1, old_out));
	ck_assert_uint_eq(status(net, 1)->cov[0].child_id, status(net, 1)->children[0].id);
	d.until = 0;
	fakenet_run(net, 4000);		/* A retransmits its Delete */
	ck_assert(has_out_sa(net, 1, new_out));
	ck_assert(!has_out_sa(net, 1, old_out));
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 2);
	assert_keys_match(net, &status(net, 0)->children[0], &status(net, 1)->children[0]);
	ck_assert_msg(log_pos(logcap, "B IKE SA #1: peer deleted CHILD SA") >= 0 &&
		      log_pos(logcap, "B IKE SA #1: peer deleted CHILD SA") <
		      log_pos(logcap, "installed (the old SA is deleted)"), "%s", logcap);
	ck_assert(!strstr(logcap, "no Delete"));
	fakenet_free(net);
}
END_TEST

START_TEST(child_rekey_responder_outbound_without_delete)
{
	struct drop_delete d;
	uint32_t old_out, new_out;
	struct fakenet *net = rekeyed_by_a(&d, &old_out);

	new_out = status(net, 1)->children[0].spi_out;
	fakenet_run(net, 4500);
	ck_assert(!has_out_sa(net, 1, new_out));
	fakenet_run(net, 1000);
	ck_assert(has_out_sa(net, 1, new_out));
	ck_assert(has_out_sa(net, 1, old_out));	/* until the peer deletes it */
	ck_assert_msg(strstr(logcap, "installed (no Delete of the old SA from the peer)"),
		      "%s", logcap);
	d.until = 0;
	fakenet_run(net, 20000);
	ck_assert(!has_out_sa(net, 1, old_out));
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 2);
	assert_keys_match(net, &status(net, 0)->children[0], &status(net, 1)->children[0]);
	fakenet_free(net);
}
END_TEST

START_TEST(ike_rekey)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519 "ike_lifetime = 600\n", SUB2_B,
				   GCM_X25519 RESP "ike_lifetime = 600\n");
	struct conn_status *a;
	uint64_t spi_i;
	unsigned calls;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	spi_i = status(net, 0)->spi_i;
	calls = xfrm_fake_calls(net->node[0].xfrm);
	fakenet_run(net, 600000);
	assert_up(net, 1);
	a = status(net, 0);
	ck_assert(a->spi_i != spi_i);
	assert_keys_match(net, &a->children[0], &status(net, 1)->children[0]);
	/* the children moved to the new IKE SA untouched (only counters read) */
	ck_assert_msg(!strstr(xfrm_fake_log(net->node[0].xfrm) + 0, "del_sa") ||
		      xfrm_fake_calls(net->node[0].xfrm) >= calls, "%s",
		      xfrm_fake_log(net->node[0].xfrm));
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	/* and the new IKE SA works: delete goes through */
	ck_assert_int_eq(ike_down(net->node[0].ike, "t"), 0);
	fakenet_run(net, 1000);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

#define NAT_PRIV "10.0.0.2"
#define NAT_PUB "192.0.2.100"

START_TEST(nat_traversal)
{
	struct fakenet *net = fakenet_new();
	char *ca = conf_text(NAT_PRIV, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", GCM_X25519);
	char *cb = conf_text(B_ADDR, NAT_PUB, "10.2.0.0/16", "10.1.0.0/16",
			     GCM_X25519 RESP);
	struct conn_status *a, *b;
	struct xfrm_sa sa;
	struct ike_addr ba;

	ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
	skew_spis(net->node[1].xfrm);
	fakenet_set_nat(net, 0, NAT_PUB);
	ck_assert_int_eq(fakenet_add(net, 0, "A", NAT_PRIV, ca), 0);
	free(ca);
	free(cb);
	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert(a->nat_t && b->nat_t);
	ck_assert_uint_eq(a->local_port, 4500);
	ck_assert_uint_eq(a->remote_port, 4500);
	ck_assert_uint_eq(b->local_port, 4500);
	ck_assert_uint_eq(b->remote_port, 4500 + FAKENET_NAT_PORT_SHIFT);
	addr_parse(B_ADDR, &ba);
	ck_assert(xfrm_fake_has_sa(net->node[0].xfrm, &ba, a->children[0].spi_out, &sa));
	ck_assert(sa.encap);
	ck_assert_uint_eq(sa.encap_sport, 4500);
	ck_assert_uint_eq(sa.encap_dport, 4500);
	ck_assert(xfrm_fake_has_sa(net->node[1].xfrm, &ba, b->children[0].spi_in, &sa));
	ck_assert(sa.encap);
	ck_assert_uint_eq(sa.encap_sport, 4500 + FAKENET_NAT_PORT_SHIFT);
	/* keepalives from the NATed side */
	{
		unsigned before = net->n_cap, ka = 0;

		fakenet_run(net, 45000);
		for (unsigned i = before; i < net->n_cap; i++)
			ka += net->cap[i]->from == 0 && net->cap[i]->len == 1 &&
			      net->cap[i]->buf[0] == 0xff;
		ck_assert_uint_ge(ka, 2);
	}
	assert_up(net, 1);
	fakenet_free(net);
}
END_TEST

START_TEST(nat_detected_but_disabled)
{
	struct fakenet *net = fakenet_new();
	char *ca = conf_text(NAT_PRIV, B_ADDR, "10.1.0.0/16", "10.2.0.0/16",
			     GCM_X25519 "nat_traversal = no\n");
	char *cb = conf_text(B_ADDR, NAT_PUB, "10.2.0.0/16", "10.1.0.0/16",
			     GCM_X25519 RESP);
	struct conn_status *a;

	ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
	fakenet_set_nat(net, 0, NAT_PUB);
	ck_assert_int_eq(fakenet_add(net, 0, "A", NAT_PRIV, ca), 0);
	free(ca);
	free(cb);
	fakenet_run(net, 1000);
	a = status(net, 0);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "nat-t-disabled");
	ck_assert_msg(strstr(a->hint, "nat_traversal"), "%s", a->hint);
	fakenet_free(net);
	/* a responder with nat_traversal = no says so too */
	net = fakenet_new();
	ca = conf_text(NAT_PRIV, B_ADDR, "10.1.0.0/16", "10.2.0.0/16",
		       GCM_X25519 "nat_traversal = no\n");
	cb = conf_text(B_ADDR, NAT_PUB, "10.2.0.0/16", "10.1.0.0/16",
		       GCM_X25519 RESP "nat_traversal = no\n");
	ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
	fakenet_set_nat(net, 0, NAT_PUB);
	ck_assert_int_eq(fakenet_add(net, 0, "A", NAT_PRIV, ca), 0);
	free(ca);
	free(cb);
	fakenet_run(net, 1000);
	ck_assert_str_eq(status(net, 0)->reason, "nat-t-disabled");
	a = status(net, 1);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "nat-t-disabled");
	ck_assert_msg(strstr(a->detail, "in front of the peer"), "%s", a->detail);
	assert_kernel_empty(net);
	fakenet_free(net);
}
END_TEST

START_TEST(pfs_mismatch_on_rekey)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   CBC_MODP "pfs_check = yes\n", "10.2.0.0/16", "10.1.0.0/16",
				   "ike_encryption = aes256\nike_integrity = sha256\n"
				   "ike_dh_group = 14\nesp_encryption = aes256\n"
				   "esp_integrity = sha256\nesp_pfs = none\n" RESP);
	struct conn_status *a;

	fakenet_run(net, 2000);
	/* pfs_check: the refused PFS rekey takes the connection down at once */
	a = status(net, 0);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "pfs-mismatch");
	ck_assert_msg(strstr(a->hint, "esp_pfs"), "%s", a->hint);
	ck_assert_uint_eq(a->n_children, 0);
	a = status(net, 1);
	ck_assert_str_eq(a->reason, "pfs-mismatch");
	ck_assert_uint_eq(a->n_children, 0);
	fakenet_free(net);
}
END_TEST

START_TEST(kernel_error)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519 "start = manual\n",
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct conn_status *a;

	xfrm_fake_fail_next(net->node[0].xfrm, -ENOENT, "Requested type not found");
	ck_assert_int_eq(ike_up(net->node[0].ike, "t"), 0);
	fakenet_run(net, 1000);
	a = status(net, 0);
	ck_assert_int_eq(a->p1, P1_FAILED);
	ck_assert_str_eq(a->reason, "kernel-error");
	ck_assert_msg(strstr(a->detail, "Requested type not found"), "%s", a->detail);
	fakenet_free(net);
}
END_TEST

START_TEST(both_sides_immediate)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519, SUB2_B, GCM_X25519);
	struct conn_status *a, *b;

	fakenet_run(net, 3000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	assert_keys_match(net, &a->children[0], &b->children[0]);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 12);
	fakenet_run(net, 60000);
	assert_up(net, 1);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	fakenet_free(net);
}
END_TEST

static void hard_expire(struct fakenet *net, unsigned node)
{
	struct xfrm_event ev;
	struct conn_status *st = status(net, node);

	memset(&ev, 0, sizeof(ev));
	ev.type = XFRM_EV_HARD_EXPIRE;
	ev.spi = st->children[0].spi_in;
	addr_parse(node ? B_ADDR : A_ADDR, &ev.dst);
	ike_xfrm_event(net->node[node].ike, &ev);
}

static const char *next_line(const char *l)
{
	const char *e = strchr(l, '\n');

	return e ? e + 1 : NULL;
}

/* Replay a fake xfrm log: from the first SA towards dst on, one is
 * installed at every point (make-before-break). */
static void assert_no_sa_gap(const char *log, const char *dst)
{
	uint32_t live[64];
	unsigned n = 0, spi;
	bool seen = false;
	char d[64];

	for (const char *l = log; l && *l; l = next_line(l)) {
		if (strstr(l, " -> fail") && strstr(l, " -> fail") < strchr(l, '\n'))
			continue;
		if ((strncmp(l, "add_sa ", 7) == 0 || strncmp(l, "update_sa ", 10) == 0) &&
		    sscanf(l, "%*s spi=0x%x src=%*s dst=%63s", &spi, d) == 2 &&
		    strcmp(d, dst) == 0 && n < 64) {
			live[n++] = spi;
		} else if (sscanf(l, "del_sa spi=0x%x dst=%63s", &spi, d) == 2 &&
			   strcmp(d, dst) == 0) {
			for (unsigned i = 0; i < n; i++)
				if (live[i] == spi) {
					live[i] = live[--n];
					break;
				}
		}
		seen |= n > 0;
		ck_assert_msg(!seen || n > 0, "no SA towards %s after: %.80s\n%s", dst, l, log);
	}
	ck_assert(seen);
}

/* The same for the out policy of one selector pair ("src dst"). */
static void assert_no_out_policy_gap(const char *log, const char *src, const char *dst)
{
	char sel[160];
	unsigned n = 0;
	bool seen = false;

	snprintf(sel, sizeof(sel), "dir=out src=%s dst=%s ", src, dst);
	for (const char *l = log; l && *l; l = next_line(l)) {
		const char *e = strchr(l, '\n');
		const char *f = strstr(l, " -> fail");

		if ((f && (!e || f < e)) || strncmp(strchr(l, ' ') + 1, sel, strlen(sel)) != 0)
			continue;
		if (strncmp(l, "add_policy ", 11) == 0)
			n++;
		else if (strncmp(l, "update_policy ", 14) == 0)
			n = n ? n : 1;
		else if (strncmp(l, "del_policy ", 11) == 0 && n)
			n--;
		seen |= n > 0;
		ck_assert_msg(!seen || n > 0, "no out policy %s after: %.80s\n%s", sel, l, log);
	}
	ck_assert(seen);
}

START_TEST(on_traffic_acquire)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   GCM_X25519 "start = on-traffic\n", "10.2.0.0/16",
				   "10.1.0.0/16", GCM_X25519 RESP);
	struct xfrm_event ev;
	const char *log;

	fakenet_run(net, 5000);
	ck_assert_int_eq(status(net, 0)->p1, P1_DOWN);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 1);	/* trap */
	log = xfrm_fake_log(net->node[0].xfrm);
	ck_assert_msg(strstr(log, "update_policy dir=out src=10.1.0.0/16 dst=10.2.0.0/16"),
		      "%s", log);
	ck_assert_uint_eq(fakenet_count(net, 0, 0, false), 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = XFRM_EV_ACQUIRE;
	ev.reqid = 0x49470001;	/* the trap's: the first reqid handed out */
	subnet_parse("10.1.0.5/32", &ev.sel_src, NULL);
	subnet_parse("10.2.0.9/32", &ev.sel_dst, NULL);
	ike_xfrm_event(net->node[0].ike, &ev);
	fakenet_run(net, 1000);
	assert_up(net, 1);
	/* the trigger went first in the TS; the answer is the whole subnets */
	{
		char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN];
		struct conn_status *a = status(net, 0);

		ck_assert_uint_eq(a->children[0].n_pairs, 1);
		ck_assert_str_eq(subnet_fmt(&a->children[0].pairs[0].local, l), "10.1.0.0/16");
		ck_assert_str_eq(subnet_fmt(&a->children[0].pairs[0].remote, r), "10.2.0.0/16");
	}
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 3);
	/* the child's out policy replaced the trap in place: never none */
	assert_no_out_policy_gap(xfrm_fake_log(net->node[0].xfrm), "10.1.0.0/16",
				 "10.2.0.0/16");
	/* down again: the trap comes back, as it came: in place */
	ck_assert_int_eq(ike_down(net->node[1].ike, "t"), 0);
	fakenet_run(net, 1000);
	ck_assert_int_eq(status(net, 0)->p1, P1_DOWN);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 1);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 0);
	log = xfrm_fake_log(net->node[0].xfrm);
	assert_no_out_policy_gap(log, "10.1.0.0/16", "10.2.0.0/16");
	ck_assert_msg(strstr(log, "update_policy dir=out src=10.1.0.0/16 dst=10.2.0.0/16 "
			     "tmpl=198.51.100.1->203.0.113.7 reqid=0x49470001"), "%s", log);
	fakenet_free(net);
}
END_TEST

/* on-traffic with one CHILD SA per pair: every pair keeps an out policy
 * from the trap's first install on, through children coming, a child
 * the peer closes (its pair goes back to the trap, then gets a new
 * child) and the whole connection going down. */
START_TEST(on_traffic_pairs_never_without_out_policy)
{
	static const char *const pairs[][2] = {
		{ "10.1.0.0/16", "10.2.0.0/16" }, { "10.1.0.0/16", "10.4.0.0/16" },
		{ "10.3.0.0/16", "10.2.0.0/16" }, { "10.3.0.0/16", "10.4.0.0/16" },
	};
	struct fakenet *net = pair(SUB2_A, GCM_X25519 "start = on-traffic\nsplit = yes\n",
				   SUB2_B, GCM_X25519 RESP);
	struct xfrm *x = net->node[0].xfrm;
	struct xfrm_event ev;

	fakenet_run(net, 1000);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 4);	/* the traps */
	memset(&ev, 0, sizeof(ev));
	ev.type = XFRM_EV_ACQUIRE;
	ev.reqid = 0x49470001;
	subnet_parse("10.3.0.5/32", &ev.sel_src, NULL);
	subnet_parse("10.4.0.9/32", &ev.sel_dst, NULL);
	ike_xfrm_event(net->node[0].ike, &ev);
	fakenet_run(net, 2000);
	assert_up(net, 4);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 12);
	/* B closes one child: A's pair goes back to the trap */
	hard_expire(net, 1);
	fakenet_run(net, 1000);
	assert_up(net, 3);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 10);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 6);
	fakenet_run(net, 31000);	/* and is negotiated again */
	assert_up(net, 4);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 12);
	ck_assert_int_eq(ike_down(net->node[1].ike, "t"), 0);
	fakenet_run(net, 1000);
	ck_assert_int_eq(status(net, 0)->p1, P1_DOWN);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 4);
	ck_assert_uint_eq(xfrm_fake_sa_count(x), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_no_out_policy_gap(xfrm_fake_log(x), pairs[i][0], pairs[i][1]);
	/* and a real stop removes the traps too */
	ck_assert_int_eq(ike_down(net->node[0].ike, "t"), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(x), 0);
	fakenet_free(net);
}
END_TEST

START_TEST(soft_expire_rekeys_child)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct xfrm_event ev;
	uint32_t old;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	old = status(net, 1)->children[0].spi_in;
	memset(&ev, 0, sizeof(ev));
	ev.type = XFRM_EV_SOFT_EXPIRE;
	ev.spi = old;
	addr_parse(B_ADDR, &ev.dst);
	ike_xfrm_event(net->node[1].ike, &ev);	/* the responder rekeys too */
	fakenet_run(net, 1000);
	assert_up(net, 1);
	ck_assert_uint_ne(status(net, 1)->children[0].spi_in, old);
	assert_keys_match(net, &status(net, 0)->children[0], &status(net, 1)->children[0]);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 2);
	fakenet_free(net);
}
END_TEST

START_TEST(keylog_written)
{
	char dir[] = "/tmp/ikegw-keylog-XXXXXX", path[256];
	struct fakenet *net;
	FILE *f;
	char line[1024];
	unsigned n = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	net = fakenet_new();
	{
		char *ca = conf_text(A_ADDR, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", GCM_X25519);
		char *cb = conf_text(B_ADDR, A_ADDR, "10.2.0.0/16", "10.1.0.0/16",
				     GCM_X25519 RESP);

		ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
		ck_assert_int_eq(fakenet_add_keylog(net, 0, "A", A_ADDR, ca, dir), 0);
		free(ca);
		free(cb);
	}
	fakenet_run(net, 1000);
	assert_up(net, 1);
	snprintf(path, sizeof(path), "%s/esp_sa", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	ck_assert_uint_eq(n, 2);
	fakenet_free(net);
	snprintf(path, sizeof(path), "%s/esp_sa", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ikev2_decryption_table", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A NATed initiator logs its ESP SAs with "*" for its own address: a
 * capture on either side of the NAT matches (ike/keylog.h). */
START_TEST(keylog_with_nat)
{
	char dir[] = "/tmp/ikegw-keylog-XXXXXX", path[256], all[2048] = "";
	char line[1024];
	struct fakenet *net;
	unsigned n = 0;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	net = fakenet_new();
	{
		char *ca = conf_text(NAT_PRIV, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", GCM_X25519);
		char *cb = conf_text(B_ADDR, NAT_PUB, "10.2.0.0/16", "10.1.0.0/16",
				     GCM_X25519 RESP);

		ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
		fakenet_set_nat(net, 0, NAT_PUB);
		ck_assert_int_eq(fakenet_add_keylog(net, 0, "A", NAT_PRIV, ca, dir), 0);
		free(ca);
		free(cb);
	}
	fakenet_run(net, 1000);
	assert_up(net, 1);
	ck_assert(status(net, 0)->nat_t);
	snprintf(path, sizeof(path), "%s/esp_sa", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) && n++ < 4)
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	fclose(f);
	ck_assert_uint_eq(n, 2);
	ck_assert_msg(strstr(all, "\"IPv4\",\"*\",\"" B_ADDR "\",\"0x"), "%s", all);
	ck_assert_msg(strstr(all, "\"IPv4\",\"" B_ADDR "\",\"*\",\"0x"), "%s", all);
	ck_assert_msg(!strstr(all, NAT_PRIV), "%s", all);
	fakenet_free(net);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ikev2_decryption_table", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

static void soft_expire(struct fakenet *net, unsigned node)
{
	struct xfrm_event ev;
	struct conn_status *st = status(net, node);

	memset(&ev, 0, sizeof(ev));
	ev.type = XFRM_EV_SOFT_EXPIRE;
	ev.spi = st->children[0].spi_in;
	addr_parse(node ? B_ADDR : A_ADDR, &ev.dst);
	ike_xfrm_event(net->node[node].ike, &ev);
}

START_TEST(reload_renegotiates_only_changed)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct conf *same, *changed;
	char *txt;
	uint64_t spi;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	spi = status(net, 0)->spi_i;
	txt = conf_text(A_ADDR, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", GCM_X25519);
	ck_assert_int_eq(conf_parse("A2", txt, strlen(txt), &same, stderr), 0);
	free(txt);
	ck_assert_int_eq(ike_reload(net->node[0].ike, same), 0);
	conf_free(net->node[0].conf);
	net->node[0].conf = same;
	fakenet_run(net, 1000);
	assert_up(net, 1);
	ck_assert(status(net, 0)->spi_i == spi);
	txt = conf_text(A_ADDR, B_ADDR, "10.1.0.0/16", "10.2.0.0/16",
			GCM_X25519 "esp_lifetime = 1800\n");
	ck_assert_int_eq(conf_parse("A3", txt, strlen(txt), &changed, stderr), 0);
	free(txt);
	ck_assert_int_eq(ike_reload(net->node[0].ike, changed), 0);
	conf_free(net->node[0].conf);
	net->node[0].conf = changed;
	fakenet_run(net, 1000);
	assert_up(net, 1);
	ck_assert(status(net, 0)->spi_i != spi);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 2);
	fakenet_free(net);
}
END_TEST

/* Replays of old datagrams, truncations and bit flips: no state moves. */
START_TEST(hostile_replays_change_nothing)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519, SUB2_B, GCM_X25519 RESP);
	struct conn_status before;
	unsigned calls, ncap;
	uint8_t junk[64];

	fakenet_run(net, 1000);
	assert_up(net, 1);
	before = *status(net, 1);
	calls = xfrm_fake_calls(net->node[1].xfrm);
	ncap = net->n_cap;
	for (unsigned i = 0; i < ncap; i++) {
		struct fakenet_pkt *c = net->cap[i];

		fakenet_replay(net, i);
		for (size_t cut = 0; cut < c->len; cut += 7) {
			uint8_t save = c->buf[cut];

			c->buf[cut] ^= 0x40;
			fakenet_replay(net, i);
			c->buf[cut] = save;
		}
	}
	memset(junk, 0, sizeof(junk));
	for (unsigned i = 0; i < 3; i++)
		ike_recv(net->node[1].ike, junk, i * 20, &net->node[0].addr, 4500,
			 &net->node[1].addr, 4500);
	fakenet_run(net, 200);
	ck_assert_uint_eq(xfrm_fake_calls(net->node[1].xfrm), calls);
	assert_up(net, 1);
	ck_assert(status(net, 1)->spi_r == before.spi_r);
	ck_assert_uint_eq(status(net, 1)->children[0].spi_in, before.children[0].spi_in);
	fakenet_free(net);
}
END_TEST

START_TEST(responder_behind_static_nat)
{
	struct fakenet *net = fakenet_new();
	char *ca = conf_text(A_ADDR, NAT_PUB, "10.1.0.0/16", "10.2.0.0/16", GCM_X25519);
	char *cb = conf_text(NAT_PRIV, A_ADDR, "10.2.0.0/16", "10.1.0.0/16",
			     GCM_X25519 RESP);
	struct conn_status *a, *b;
	unsigned before, ka = 0;

	ck_assert_int_eq(fakenet_add(net, 1, "B", NAT_PRIV, cb), 0);
	fakenet_set_nat(net, 1, NAT_PUB);
	net->nat_1to1 = true;
	ck_assert_int_eq(fakenet_add(net, 0, "A", A_ADDR, ca), 0);
	free(ca);
	free(cb);
	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert(a->nat_t && b->nat_t);
	ck_assert_uint_eq(a->remote_port, 4500);
	ck_assert_uint_eq(b->local_port, 4500);
	before = net->n_cap;
	fakenet_run(net, 45000);
	for (unsigned i = before; i < net->n_cap; i++)
		ka += net->cap[i]->from == 1 && net->cap[i]->len == 1;
	ck_assert_uint_ge(ka, 2);	/* the NATed responder sends them */
	fakenet_free(net);
}
END_TEST

static unsigned sa_count(struct ike *ike)
{
	unsigned n = 0;

	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		n += sa->state != SA_DEAD;
	return n;
}

static bool drop_auth(const struct fakenet_pkt *p, void *arg)
{
	size_t off = p->sport == 4500 || p->dport == 4500 ? 4 : 0;

	(void)arg;
	return p->len > off + 18 && p->buf[off + 18] == IKEV2_EXCH_IKE_AUTH;
}

/* Row 29: nothing but IKE_AUTH may follow IKE_SA_INIT. */
START_TEST(hostile_informational_before_auth)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct ike_sa *a_sa, *b_sa;
	struct sa_task t = { .kind = TASK_DPD };

	net->drop_fn = drop_auth;
	fakenet_run(net, 500);
	a_sa = net->node[0].ike->sas;
	b_sa = net->node[1].ike->sas;
	ck_assert_ptr_nonnull(a_sa);
	ck_assert_ptr_nonnull(b_sa);
	ck_assert_int_eq(b_sa->state, SA_HALF_OPEN);
	ck_assert_uint_eq(b_sa->msgid_peer, 1);
	/* A has keys now: make it send an (encrypted, authentic) INFORMATIONAL */
	a_sa->out.kind = TASK_NONE;
	a_sa->msgid_next = 1;	/* inside B's window: only the state check stops it */
	v2_info_start(a_sa, &t);
	fakenet_run(net, 100);
	ck_assert_uint_eq(fakenet_count(net, 0, IKEV2_EXCH_INFORMATIONAL, false), 1);
	ck_assert_uint_eq(fakenet_count(net, 1, IKEV2_EXCH_INFORMATIONAL, true), 0);
	ck_assert_int_eq(b_sa->state, SA_HALF_OPEN);
	ck_assert_uint_eq(b_sa->msgid_peer, 1);
	ck_assert_uint_eq(xfrm_fake_calls(net->node[1].xfrm), 16 * 2);	/* skew only */
	fakenet_free(net);
}
END_TEST

/* Row 41: a request far above the window is dropped, not answered. */
START_TEST(hostile_msgid_above_window)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct ike_sa *a_sa;
	struct sa_task t = { .kind = TASK_DPD };
	uint32_t peer;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	a_sa = net->node[0].ike->sas;
	peer = net->node[1].ike->sas->msgid_peer;
	a_sa->msgid_next += 5;
	v2_info_start(a_sa, &t);
	fakenet_run(net, 1000);
	ck_assert_uint_eq(fakenet_count(net, 1, IKEV2_EXCH_INFORMATIONAL, true), 0);
	ck_assert_uint_eq(net->node[1].ike->sas->msgid_peer, peer);
	fakenet_free(net);
}
END_TEST

/* Row 3: major version 3 gets N(INVALID_MAJOR_VERSION) and no state. */
START_TEST(hostile_major_version)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519 "start = manual\n",
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	int req, resp;

	ck_assert_int_eq(ike_up(net->node[0].ike, "t"), 0);
	net->node[1].down = true;
	fakenet_run(net, 10);
	net->node[1].down = false;
	req = fakenet_find(net, 0, IKEV2_EXCH_IKE_SA_INIT, false, 0);
	ck_assert_int_ge(req, 0);
	net->cap[req]->buf[17] = 0x30;
	fakenet_replay(net, (unsigned)req);
	fakenet_run(net, 10);
	resp = fakenet_find(net, 1, IKEV2_EXCH_IKE_SA_INIT, true, 0);
	ck_assert_int_ge(resp, 0);
	ck_assert_uint_eq(sa_count(net->node[1].ike), 0);
	/* header + one notify payload: 8 bytes of notify header, no data */
	ck_assert_uint_eq(net->cap[resp]->len, 28 + 8);
	ck_assert_uint_eq(net->cap[resp]->buf[28 + 6], 0);
	ck_assert_uint_eq(net->cap[resp]->buf[28 + 7], IKEV2_N_INVALID_MAJOR_VERSION);
	fakenet_free(net);
}
END_TEST

/* Row 44: a forged datagram from elsewhere does not move the peer. */
START_TEST(hostile_address_update_needs_integrity)
{
	struct fakenet *net = fakenet_new();
	char *ca = conf_text(NAT_PRIV, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", GCM_X25519);
	char *cb = conf_text(B_ADDR, NAT_PUB, "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct ike_addr evil;
	struct ike_sa *b_sa;
	int last;
	uint8_t buf[IKE_MAX_MSG + 4];
	size_t len;

	ck_assert_int_eq(fakenet_add(net, 1, "B", B_ADDR, cb), 0);
	fakenet_set_nat(net, 0, NAT_PUB);
	ck_assert_int_eq(fakenet_add(net, 0, "A", NAT_PRIV, ca), 0);
	free(ca);
	free(cb);
	fakenet_run(net, 1000);
	assert_up(net, 1);
	b_sa = net->node[1].ike->sas;
	ck_assert(b_sa->natt);
	last = fakenet_find(net, 0, IKEV2_EXCH_IKE_AUTH, false, 0);
	len = net->cap[last]->len;
	memcpy(buf, net->cap[last]->buf, len);
	/* as if sent next: right msgid, bad ICV */
	buf[4 + 20] = (uint8_t)(b_sa->msgid_peer >> 24);
	buf[4 + 21] = (uint8_t)(b_sa->msgid_peer >> 16);
	buf[4 + 22] = (uint8_t)(b_sa->msgid_peer >> 8);
	buf[4 + 23] = (uint8_t)b_sa->msgid_peer;
	buf[len - 1] ^= 1;
	addr_parse("192.0.2.66", &evil);
	ike_recv(net->node[1].ike, buf, len, &evil, 4444, &net->node[1].addr, 4500);
	ck_assert(!addr_eq(&b_sa->remote, &evil));
	ck_assert_uint_eq(b_sa->rport, 4500 + FAKENET_NAT_PORT_SHIFT);
	fakenet_free(net);
}
END_TEST

/* The responder closes the only child: the initiator sees the pairs
 * missing, then negotiates them again. */
START_TEST(peer_deletes_child_then_renegotiated)
{
	static const char *const splits[] = { "split = auto\n", "split = no\n" };

	for (unsigned k = 0; k < 2; k++) {
		char extra[256];
		struct fakenet *net;
		struct conn_status *a;

		snprintf(extra, sizeof(extra), "%s%s", GCM_X25519, splits[k]);
		net = pair(SUB2_A, extra, SUB2_B, GCM_X25519 RESP);
		fakenet_run(net, 1000);
		assert_up(net, 1);
		hard_expire(net, 1);
		fakenet_run(net, 1000);
		a = status(net, 0);
		ck_assert_int_eq(a->p1, P1_ESTABLISHED);
		ck_assert_uint_eq(a->n_children, 0);
		ck_assert_uint_eq(a->cov[0].child_id, 0);
		ck_assert_msg(strstr(a->cov[0].note, "deleted by the peer"), "%s", a->cov[0].note);
		assert_kernel_empty(net);
		fakenet_run(net, 31000);
		a = status(net, 0);
		ck_assert_msg(a->n_children == 1, "%s", splits[k]);
		for (unsigned i = 0; i < 4; i++)
			ck_assert(a->cov[i].child_id);
		ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 12);
		ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 12);
		fakenet_free(net);
	}
}
END_TEST

START_TEST(invalid_ke_on_child_rekey)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   GCM_NOPFS "esp_pfs = 14, 19\npfs_check = yes\n",
				   "10.2.0.0/16", "10.1.0.0/16",
				   GCM_NOPFS "esp_pfs = 19\n" RESP);
	struct conn_status *a;

	fakenet_run(net, 2000);
	assert_up(net, 1);
	a = status(net, 0);
	ck_assert_uint_eq(a->children[0].pfs_group, 19);
	ck_assert(a->children[0].pfs_verified);
	ck_assert_str_eq(a->reason, "");
	assert_keys_match(net, &a->children[0], &status(net, 1)->children[0]);
	fakenet_free(net);
}
END_TEST

START_TEST(shutdown_cleans_kernel_and_tells_peer)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519 "split = yes\n", SUB2_B,
				   GCM_X25519 RESP);

	fakenet_run(net, 2000);
	assert_up(net, 4);
	ike_free(net->node[0].ike);
	net->node[0].ike = NULL;
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 0);
	fakenet_run(net, 1000);
	ck_assert_int_eq(status(net, 1)->p1, P1_DOWN);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 0);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 0);
	fakenet_free(net);
}
END_TEST

START_TEST(establish_ipv6)
{
	struct fakenet *net = fakenet_new();
	char *ca = conf_text("2001:db8::1", "2001:db8::2", "fd00:1::/64", "fd00:2::/64",
			     GCM_X25519);
	char *cb = conf_text("2001:db8::2", "2001:db8::1", "fd00:2::/64", "fd00:1::/64",
			     GCM_X25519 RESP);
	struct conn_status *a, *b;
	struct xfrm_sa ao, bi;
	struct ike_addr ba;
	char l[IKE_SUBNETSTRLEN];

	ck_assert_int_eq(fakenet_add(net, 1, "B", "2001:db8::2", cb), 0);
	ck_assert_int_eq(fakenet_add(net, 0, "A", "2001:db8::1", ca), 0);
	free(ca);
	free(cb);
	fakenet_run(net, 1000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_str_eq(subnet_fmt(&a->children[0].pairs[0].remote, l), "fd00:2::/64");
	addr_parse("2001:db8::2", &ba);
	ck_assert(xfrm_fake_has_sa(net->node[0].xfrm, &ba, a->children[0].spi_out, &ao));
	ck_assert(xfrm_fake_has_sa(net->node[1].xfrm, &ba, b->children[0].spi_in, &bi));
	ck_assert_mem_eq(ao.encr_key, bi.encr_key, ao.encr_key_len);
	ck_assert_str_eq(a->remote_id, "2001:db8::2");
	fakenet_free(net);
}
END_TEST

/* RFC 7296 2.6.1: COOKIE, then INVALID_KE_PAYLOAD, then success. */
START_TEST(cookie_then_invalid_ke)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   "ike_dh_group = 14, 19\nstart = manual\n",
				   "10.2.0.0/16", "10.1.0.0/16",
				   "ike_dh_group = 19\n" RESP);

	ike_set_cookie_threshold(net->node[1].ike, 0);
	ck_assert_int_eq(ike_up(net->node[0].ike, "t"), 0);
	fakenet_run(net, 1000);
	assert_up(net, 1);
	ck_assert_uint_eq(fakenet_count(net, 0, IKEV2_EXCH_IKE_SA_INIT, false), 3);
	fakenet_free(net);
}
END_TEST

/* Inbound ESP counts as a sign of life: no liveness checks while it flows. */
START_TEST(dpd_skipped_while_esp_flows)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   GCM_X25519 "dpd_interval = 10\ndpd_timeout = 30\n",
				   "10.2.0.0/16", "10.1.0.0/16",
				   GCM_X25519 RESP "dpd_interval = 0\n");
	struct xfrm_counters k = { 0 };
	struct ike_addr aa;
	unsigned before;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	addr_parse(A_ADDR, &aa);
	before = fakenet_count(net, 0, IKEV2_EXCH_INFORMATIONAL, false);
	for (int i = 0; i < 6; i++) {
		k.packets += 10;
		k.use_time = 1800000000ull + net->now_ms / 1000;
		xfrm_fake_set_counters(net->node[0].xfrm, &aa, status(net, 0)->children[0].spi_in, &k);
		fakenet_run(net, 5000);
	}
	ck_assert_uint_eq(fakenet_count(net, 0, IKEV2_EXCH_INFORMATIONAL, false), before);
	fakenet_run(net, 25000);	/* traffic stopped: checks resume */
	ck_assert_uint_gt(fakenet_count(net, 0, IKEV2_EXCH_INFORMATIONAL, false), before);
	assert_up(net, 1);
	fakenet_free(net);
}
END_TEST

static unsigned count_str(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Drop the n-th INFORMATIONAL request A sends (arg: countdown). */
static bool drop_nth_info(const struct fakenet_pkt *p, void *arg)
{
	unsigned *left = arg;
	size_t off = p->sport == 4500 || p->dport == 4500 ? 4 : 0;

	if (p->from != 0 || p->len <= off + 19 || p->buf[off + 18] != IKEV2_EXCH_INFORMATIONAL ||
	    (p->buf[off + 19] & IKEV2_FLAG_RESPONSE))
		return false;
	return *left && --*left == 0;
}

/* Issue 5 item 7: one info line per liveness exchange on each side,
 * retransmissions not counted. */
START_TEST(dpd_one_info_line_per_exchange)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16",
				   GCM_X25519 "dpd_interval = 10\ndpd_timeout = 60\n",
				   "10.2.0.0/16", "10.1.0.0/16",
				   GCM_X25519 RESP "dpd_interval = 0\n");
	unsigned before, n, drop = 2;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	before = fakenet_count(net, 0, IKEV2_EXCH_INFORMATIONAL, false);
	logcap_on = true;
	net->drop_fn = drop_nth_info;
	net->drop_arg = &drop;
	fakenet_run(net, 45000);
	logcap_on = false;
	n = fakenet_count(net, 0, IKEV2_EXCH_INFORMATIONAL, false) - before;
	ck_assert_uint_ge(n, 4);	/* 3 or 4 exchanges, one of them sent twice */
	ck_assert_uint_eq(count_str(logcap, "A IKE SA #1: INFORMATIONAL: liveness check answered in "),
			  n - 1);
	ck_assert_uint_eq(count_str(logcap, " (after retransmissions)"), 1);
	ck_assert_uint_eq(count_str(logcap, "B IKE SA #1: INFORMATIONAL: liveness check from "
				    "the peer answered\n"), n - 1);
	ck_assert_msg(count_str(logcap, "\n") == 2 * (n - 1), "%s", logcap);
	assert_up(net, 1);
	fakenet_free(net);
}
END_TEST

/* A reload while a responder SA is half open keeps it usable. */
START_TEST(reload_with_half_open_sa)
{
	struct fakenet *net = pair("10.1.0.0/16", "10.2.0.0/16", GCM_X25519,
				   "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	struct conf *same;
	char *txt;

	net->drop_fn = drop_auth;
	fakenet_run(net, 500);
	ck_assert_int_eq(net->node[1].ike->sas->state, SA_HALF_OPEN);
	txt = conf_text(B_ADDR, A_ADDR, "10.2.0.0/16", "10.1.0.0/16", GCM_X25519 RESP);
	ck_assert_int_eq(conf_parse("B2", txt, strlen(txt), &same, stderr), 0);
	free(txt);
	ck_assert_int_eq(ike_reload(net->node[1].ike, same), 0);
	conf_free(net->node[1].conf);
	net->node[1].conf = same;
	net->drop_fn = NULL;
	fakenet_run(net, 5000);	/* A retransmits IKE_AUTH */
	assert_up(net, 1);
	fakenet_free(net);
}
END_TEST

/* ---- simultaneous rekeys (RFC 7296 2.8.1, 2.8.2) ---- */

START_TEST(collision_nonce_order)
{
	static const uint8_t a[] = { 1, 2, 3 }, b[] = { 1, 2, 4 }, pre[] = { 1, 2 };
	static const uint8_t two[] = { 0x02 }, low[] = { 0x01, 0xff };
	struct sa_collision c;

	sa_collision_note(&c, 7, span_make(b, 3), span_make(a, 3));
	ck_assert(c.set);
	ck_assert_uint_eq(c.spi, 7);
	ck_assert_uint_eq(c.nonce_len, 3);
	ck_assert_mem_eq(c.nonce, a, 3);	/* the lower of the peer's pair */
	ck_assert(!sa_collision_ours_redundant(&c, span_make(b, 3), span_make(b, 3)));
	ck_assert(!sa_collision_ours_redundant(&c, span_make(a, 3), span_make(b, 3)));
	/* a prefix is the lower nonce */
	ck_assert(sa_collision_ours_redundant(&c, span_make(b, 3), span_make(pre, 2)));
	/* octet by octet, not as integers: 01ff is lower than 02 */
	sa_collision_note(&c, 1, span_make(two, 1), span_make(two, 1));
	ck_assert(sa_collision_ours_redundant(&c, span_make(low, 2), span_make(two, 1)));
	sa_collision_note(&c, 1, span_make(low, 2), span_make(two, 1));
	ck_assert(!sa_collision_ours_redundant(&c, span_make(two, 1), span_make(two, 1)));
}
END_TEST

static void assert_no_gaps(struct fakenet *net)
{
	for (unsigned i = 0; i < 2; i++) {
		const char *log = xfrm_fake_log(net->node[i].xfrm);

		assert_no_sa_gap(log, A_ADDR);
		assert_no_sa_gap(log, B_ADDR);
		ck_assert_msg(!strstr(log, "del_policy"), "%s", log);
		if (i == 0)
			assert_no_out_policy_gap(log, "10.1.0.0/16", "10.2.0.0/16");
	}
}

static uint32_t own_rekey_spi(struct fakenet *net, unsigned node)
{
	struct ike_sa *sa = net->node[node].ike->conns[0].sa;

	ck_assert(sa->out.kind == TASK_CHILD_REKEY && sa->out.child);
	return sa->out.child->spi_in;
}

/* Both kernels report the soft expiry of the same child in one tick.
 * Returns whether A's exchange made the surviving CHILD SA. */
static bool child_collision_run(uint64_t seed)
{
	struct fakenet *net = pair(SUB2_A, CBC_MODP, SUB2_B, CBC_MODP RESP);
	struct conn_status *a, *b;
	uint32_t old, mine_a, mine_b;
	bool a_won;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	old = status(net, 0)->children[0].spi_in;
	rng_state = seed;
	soft_expire(net, 0);
	soft_expire(net, 1);
	mine_a = own_rekey_spi(net, 0);
	mine_b = own_rekey_spi(net, 1);
	/* both exchanges and the deletes, well before any linger timer */
	fakenet_run(net, 3000);
	assert_up(net, 1);
	a = status(net, 0);
	b = status(net, 1);
	ck_assert_uint_ne(a->children[0].spi_in, old);
	assert_keys_match(net, &a->children[0], &b->children[0]);
	a_won = a->children[0].spi_in == mine_a;
	ck_assert_msg(a_won != (b->children[0].spi_in == mine_b),
		      "seed %llu: both or neither kept their own", (unsigned long long)seed);
	ck_assert(a_won || a->children[0].spi_in != mine_a);
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_uint_eq(xfrm_fake_sa_count(net->node[i].xfrm), 2);
		ck_assert_uint_eq(xfrm_fake_policy_count(net->node[i].xfrm), 12);
		ck_assert_ptr_null(net->node[i].ike->conns[0].sa->children->next);
	}
	assert_no_gaps(net);
	/* the survivor rekeys and deletes normally */
	ck_assert_int_eq(ike_down(net->node[1].ike, "t"), 0);
	fakenet_run(net, 1000);
	assert_kernel_empty(net);
	fakenet_free(net);
	return a_won;
}

START_TEST(simultaneous_child_rekey)
{
	unsigned won = 0, n = 8;

	for (uint64_t seed = 1; seed <= n; seed++)
		won += child_collision_run(seed * 0x9e3779b97f4a7c15ull);
	/* the nonces decided, both ways */
	ck_assert_uint_gt(won, 0);
	ck_assert_uint_lt(won, n);
}
END_TEST

/* ike_test_rekey_ike on both in the same tick.  Returns whether A's
 * exchange made the surviving IKE SA. */
static bool ike_collision_run(uint64_t seed)
{
	struct fakenet *net = pair(SUB2_A, GCM_X25519 "ike_lifetime = 600\n", SUB2_B,
				   GCM_X25519 RESP "ike_lifetime = 600\n");
	size_t mark[2];
	uint64_t spi;
	bool a_won;

	fakenet_run(net, 1000);
	assert_up(net, 1);
	spi = status(net, 0)->spi_i;
	for (unsigned i = 0; i < 2; i++)
		mark[i] = strlen(xfrm_fake_log(net->node[i].xfrm));
	rng_state = seed;
	ck_assert_int_eq(ike_test_rekey_ike(net->node[0].ike, "t"), 0);
	ck_assert_int_eq(ike_test_rekey_ike(net->node[1].ike, "t"), 0);
	fakenet_run(net, 3000);
	assert_up(net, 1);
	ck_assert(status(net, 0)->spi_i != spi);
	/* old and redundant IKE SAs deleted by their exchanges, not timers */
	ck_assert_uint_eq(sa_count(net->node[0].ike), 1);
	ck_assert_uint_eq(sa_count(net->node[1].ike), 1);
	a_won = net->node[0].ike->conns[0].sa->initiator;
	ck_assert(net->node[1].ike->conns[0].sa->initiator == !a_won);
	assert_keys_match(net, &status(net, 0)->children[0], &status(net, 1)->children[0]);
	for (unsigned i = 0; i < 2; i++) {
		const char *log = xfrm_fake_log(net->node[i].xfrm) + mark[i];

		/* the children moved untouched */
		ck_assert_msg(!strstr(log, "_sa ") && !strstr(log, "_policy "), "%s", log);
		ck_assert_uint_eq(xfrm_fake_sa_count(net->node[i].xfrm), 2);
		ck_assert_uint_eq(xfrm_fake_policy_count(net->node[i].xfrm), 12);
	}
	/* the survivor works: a delete through it clears both kernels */
	ck_assert_int_eq(ike_down(net->node[a_won].ike, "t"), 0);
	fakenet_run(net, 1000);
	assert_kernel_empty(net);
	ck_assert_uint_eq(sa_count(net->node[!a_won].ike), 0);
	fakenet_free(net);
	return a_won;
}

START_TEST(simultaneous_ike_rekey)
{
	unsigned won = 0, n = 8;

	for (uint64_t seed = 1; seed <= n; seed++)
		won += ike_collision_run(seed * 0x9e3779b97f4a7c15ull);
	ck_assert_uint_gt(won, 0);
	ck_assert_uint_lt(won, n);
}
END_TEST

/* Collisions under loss: whatever order requests, answers and deletes
 * arrive in, both sides end with the same single SA and clean kernels. */
START_TEST(simultaneous_rekeys_under_loss)
{
	for (uint64_t seed = 1; seed <= 60; seed++) {
		if (getenv("SEED") && strtoull(getenv("SEED"), NULL, 0) != seed)
			continue;
		struct fakenet *net = pair(SUB2_A, CBC_MODP "ike_lifetime = 3600\n", SUB2_B,
					   CBC_MODP RESP "ike_lifetime = 3600\n");

		fakenet_run(net, 1000);
		assert_up(net, 1);
		rng_state = seed * 0x9e3779b97f4a7c15ull;
		net->rng = rng_state;
		net->loss_pct = 35;
		/* the second side starts up to one latency later */
		soft_expire(net, 0);
		fakenet_run(net, seed % (FAKENET_LATENCY_MS + 2));
		soft_expire(net, 1);
		if (seed % 2) {
			ike_test_rekey_ike(net->node[0].ike, "t");
			fakenet_run(net, seed % (FAKENET_LATENCY_MS + 3));
			ike_test_rekey_ike(net->node[1].ike, "t");
		}
		fakenet_run(net, 20000);
		net->loss_pct = 0;
		fakenet_run(net, 130000);	/* lingering leftovers gone too */
		assert_up(net, 1);
		assert_keys_match(net, &status(net, 0)->children[0],
				  &status(net, 1)->children[0]);
		for (unsigned i = 0; i < 2; i++) {
			/* rekeyed, not torn down and negotiated again */
			ck_assert_msg(status(net, i)->attempts == 0, "seed %llu node %u: %s: %s",
				      (unsigned long long)seed, i, status(net, i)->reason,
				      status(net, i)->detail);
			ck_assert_msg(sa_count(net->node[i].ike) == 1, "seed %llu node %u: %u IKE SAs",
				      (unsigned long long)seed, i, sa_count(net->node[i].ike));
			ck_assert_msg(xfrm_fake_sa_count(net->node[i].xfrm) == 2 &&
				      xfrm_fake_policy_count(net->node[i].xfrm) == 12,
				      "seed %llu node %u: %u SAs, %u policies",
				      (unsigned long long)seed, i,
				      xfrm_fake_sa_count(net->node[i].xfrm),
				      xfrm_fake_policy_count(net->node[i].xfrm));
		}
		ck_assert_int_eq(ike_down(net->node[0].ike, "t"), 0);
		fakenet_run(net, 1000);
		assert_kernel_empty(net);
		fakenet_free(net);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange");
	TCase *tc = tcase_create("establish");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, establish_gcm_x25519);
	tcase_add_test(tc, establish_cbc_modp);
	tcase_add_test(tc, two_by_two_in_one_child);
	tcase_add_test(tc, narrowed_split_auto);
	tcase_add_test(tc, responder_wider_than_offer);
	tcase_add_test(tc, narrowed_split_no);
	tcase_add_test(tc, split_yes_one_child_per_pair);
	tcase_add_test(tc, delete_from_initiator);
	tcase_add_test(tc, delete_from_responder);
	tcase_add_test(tc, loss_converges);
	tcase_add_test(tc, retransmitted_request_gets_cached_response);
	tcase_add_test(tc, invalid_ke_retry);
	tcase_add_test(tc, invalid_ke_group_not_ours);
	tcase_add_test(tc, cookie_round_trip);
	tcase_add_test(tc, psk_mismatch);
	tcase_add_test(tc, id_mismatch);
	tcase_add_test(tc, id_mismatch_initiator_side);
	tcase_add_test(tc, kernel_error_at_responder);
	tcase_add_test(tc, proposal_mismatch);
	tcase_add_test(tc, no_response);
	tcase_add_test(tc, dpd_detects_dead_peer);
	tcase_add_test(tc, child_rekey_make_before_break);
	tcase_add_test(tc, child_rekey_responder_holds_outbound_until_delete);
	tcase_add_test(tc, child_rekey_responder_outbound_without_delete);
	tcase_add_test(tc, ike_rekey);
	tcase_add_test(tc, nat_traversal);
	tcase_add_test(tc, nat_detected_but_disabled);
	tcase_add_test(tc, pfs_mismatch_on_rekey);
	tcase_add_test(tc, kernel_error);
	tcase_add_test(tc, both_sides_immediate);
	tcase_add_test(tc, on_traffic_acquire);
	tcase_add_test(tc, on_traffic_pairs_never_without_out_policy);
	tcase_add_test(tc, soft_expire_rekeys_child);
	tcase_add_test(tc, keylog_written);
	tcase_add_test(tc, keylog_with_nat);
	tcase_add_test(tc, reload_renegotiates_only_changed);
	tcase_add_test(tc, hostile_replays_change_nothing);
	tcase_add_test(tc, responder_behind_static_nat);
	tcase_add_test(tc, hostile_informational_before_auth);
	tcase_add_test(tc, hostile_msgid_above_window);
	tcase_add_test(tc, hostile_major_version);
	tcase_add_test(tc, hostile_address_update_needs_integrity);
	tcase_add_test(tc, peer_deletes_child_then_renegotiated);
	tcase_add_test(tc, invalid_ke_on_child_rekey);
	tcase_add_test(tc, shutdown_cleans_kernel_and_tells_peer);
	tcase_add_test(tc, establish_ipv6);
	tcase_add_test(tc, cookie_then_invalid_ke);
	tcase_add_test(tc, dpd_skipped_while_esp_flows);
	tcase_add_test(tc, dpd_one_info_line_per_exchange);
	tcase_add_test(tc, reload_with_half_open_sa);
	suite_add_tcase(s, tc);

	tc = tcase_create("collision");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, collision_nonce_order);
	tcase_add_test(tc, simultaneous_child_rekey);
	tcase_add_test(tc, simultaneous_ike_rekey);
	tcase_add_test(tc, simultaneous_rekeys_under_loss);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
