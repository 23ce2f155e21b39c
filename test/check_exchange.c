/* Exchange tests: two engines over test/util/fakenet with the fake xfrm
 * backend and a deterministic RNG. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
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

static void quiet(enum log_level lvl, const char *line, void *arg)
{
	(void)arg;
	if (getenv("IKE_TEST_LOG"))
		fprintf(stderr, "%d %s\n", lvl, line);
}

static void setup(void)
{
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
		 PSK
		 "ike_version = 2\n%s",
		 local, remote, lsub, rsub, extra);
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
	assert_keys_match(net, &a->children[0], &b->children[0]);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[0].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_sa_count(net->node[1].xfrm), 2);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[0].xfrm), 3);
	ck_assert_uint_eq(xfrm_fake_policy_count(net->node[1].xfrm), 3);
	ck_assert_uint_eq(a->n_coverage, 1);
	ck_assert_uint_eq(a->cov[0].child_id, a->children[0].id);
	ck_assert(!a->nat_t);
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
	ck_assert_msg(strstr(a->algs, "aes256") && strstr(a->algs, "sha256"), "%s", a->algs);
	ck_assert_str_eq(a->children[0].algs, "aes256-sha256");
	assert_keys_match(net, &a->children[0], &b->children[0]);
	fakenet_free(net);
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
