/* IKEv2 encoder: every payload and whole messages round-trip through the
 * decoder and the rules check; the SK envelope layout; latched errors. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/v2_codec.h"

static const uint8_t spi_esp[4] = { 0xc0, 1, 2, 3 };
static uint8_t ke_data[256], nonce_data[32], auth_data[32];

static struct span S(const void *p, size_t n)
{
	return span_make(p, n);
}

static struct v2_proposal ike_prop(void)
{
	struct v2_proposal p = { .proto = IKEV2_PROTO_IKE, .n_xf = 4 };

	p.xf[0] = (struct v2_transform){ .type = IKEV2_TRANS_ENCR, .id = IKEV2_ENCR_AES_CBC, .keylen = 256 };
	p.xf[1] = (struct v2_transform){ .type = IKEV2_TRANS_PRF, .id = IKEV2_PRF_HMAC_SHA2_256 };
	p.xf[2] = (struct v2_transform){ .type = IKEV2_TRANS_INTEG, .id = IKEV2_AUTH_HMAC_SHA2_256_128 };
	p.xf[3] = (struct v2_transform){ .type = IKEV2_TRANS_DH, .id = IKEV2_DH_MODP_2048 };
	return p;
}

static struct v2_proposal esp_prop(void)
{
	struct v2_proposal p = { .proto = IKEV2_PROTO_ESP, .spi_size = 4, .n_xf = 2 };

	memcpy(p.spi, spi_esp, 4);
	p.xf[0] = (struct v2_transform){ .type = IKEV2_TRANS_ENCR, .id = IKEV2_ENCR_AES_GCM_16, .keylen = 128 };
	p.xf[1] = (struct v2_transform){ .type = IKEV2_TRANS_ESN, .id = IKEV2_ESN_NO };
	return p;
}

static struct v2_ts_set ts_set(uint8_t net)
{
	struct v2_ts_set s = { .n = 2 };

	s.ts[0] = (struct v2_ts){ .type = IKEV2_TS_IPV4_ADDR_RANGE, .ipproto = 6,
				  .port_lo = 80, .port_hi = 443 };
	s.ts[0].lo.family = s.ts[0].hi.family = AF_INET;
	s.ts[0].lo.a[0] = s.ts[0].hi.a[0] = 10;
	s.ts[0].lo.a[1] = s.ts[0].hi.a[1] = net;
	s.ts[0].hi.a[2] = s.ts[0].hi.a[3] = 255;
	s.ts[1] = (struct v2_ts){ .type = IKEV2_TS_IPV6_ADDR_RANGE, .port_hi = 65535 };
	s.ts[1].lo.family = s.ts[1].hi.family = AF_INET6;
	s.ts[1].lo.a[0] = s.ts[1].hi.a[0] = 0xfd;
	s.ts[1].lo.a[1] = s.ts[1].hi.a[1] = net;
	memset(s.ts[1].hi.a + 8, 0xff, 8);
	return s;
}

static void assert_prop_eq(const struct v2_proposal *a, const struct v2_proposal *b, unsigned num)
{
	ck_assert_uint_eq(a->num, num);
	ck_assert_uint_eq(a->proto, b->proto);
	ck_assert_uint_eq(a->spi_size, b->spi_size);
	ck_assert_mem_eq(a->spi, b->spi, b->spi_size);
	ck_assert_uint_eq(a->n_xf, b->n_xf);
	ck_assert_ptr_null(a->bad);
	for (unsigned i = 0; i < b->n_xf; i++) {
		ck_assert_uint_eq(a->xf[i].type, b->xf[i].type);
		ck_assert_uint_eq(a->xf[i].id, b->xf[i].id);
		ck_assert_uint_eq(a->xf[i].keylen, b->xf[i].keylen);
		ck_assert(!a->xf[i].unknown_attr);
	}
}

static void assert_ts_eq(const struct v2_ts_set *a, const struct v2_ts_set *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (unsigned i = 0; i < b->n; i++) {
		size_t alen = b->ts[i].type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 : 16;

		ck_assert_uint_eq(a->ts[i].type, b->ts[i].type);
		ck_assert_uint_eq(a->ts[i].ipproto, b->ts[i].ipproto);
		ck_assert_uint_eq(a->ts[i].port_lo, b->ts[i].port_lo);
		ck_assert_uint_eq(a->ts[i].port_hi, b->ts[i].port_hi);
		ck_assert_int_eq(a->ts[i].lo.family, b->ts[i].lo.family);
		ck_assert_mem_eq(a->ts[i].lo.a, b->ts[i].lo.a, alen);
		ck_assert_mem_eq(a->ts[i].hi.a, b->ts[i].hi.a, alen);
	}
}

static void assert_span(struct span s, const void *p, size_t n)
{
	ck_assert_uint_eq(s.n, n);
	if (n)
		ck_assert_mem_eq(s.p, p, n);
}

static struct v2_hdr hdr(uint8_t exch, uint8_t flags, uint64_t spi_r, uint32_t msgid)
{
	return (struct v2_hdr){ .spi_i = 0x0102030405060708ull, .spi_r = spi_r,
				.exch = exch, .flags = flags, .msgid = msgid };
}

static struct v2_msg m;

START_TEST(sa_init_round_trip)
{
	struct v2_proposal props[2] = { ike_prop(), ike_prop() };
	struct v2_hdr h = hdr(IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0, 0);
	uint8_t natd[20] = { 1, 2, 3 };
	struct v2_builder b;
	struct wbuf wb;

	props[1].xf[0].id = IKEV2_ENCR_AES_GCM_16;
	props[1].xf[2].id = IKEV2_AUTH_NONE;
	props[1].xf[3].id = 1025;	/* private use stays a number */
	wbuf_init(&wb, IKE_MAX_MSG);
	v2_build_begin(&b, &wb, &h);
	v2_build_sa(&b, props, 2);
	v2_build_ke(&b, IKEV2_DH_MODP_2048, S(ke_data, 256));
	v2_build_nonce(&b, S(nonce_data, 32));
	v2_build_notify(&b, 0, S(NULL, 0), IKEV2_N_NAT_DETECTION_SOURCE_IP, S(natd, 20));
	v2_build_vid(&b, S("ikegw", 5));
	ck_assert_int_eq(v2_build_finish(&b), 0);

	ck_assert_int_eq(v2_parse_msg(S(wb.p, wb.len), &m).v, IKE_OK);
	ck_assert_int_eq(v2_check_rules(&m, false).v, IKE_OK);
	ck_assert_uint_eq(m.hdr.length, wb.len);
	ck_assert_uint_eq(m.hdr.version, IKEV2_VERSION);
	ck_assert(m.hdr.spi_i == h.spi_i);
	ck_assert_uint_eq(m.hdr.next, IKEV2_PL_SA);
	ck_assert_uint_eq(m.sa.n_prop, 2);
	assert_prop_eq(&m.sa.prop[0], &props[0], 1);
	assert_prop_eq(&m.sa.prop[1], &props[1], 2);
	ck_assert_uint_eq(m.ke_group, IKEV2_DH_MODP_2048);
	assert_span(m.ke_data, ke_data, 256);
	assert_span(m.nonce, nonce_data, 32);
	ck_assert_uint_eq(m.n_notify, 1);
	ck_assert_uint_eq(m.notify[0].type, IKEV2_N_NAT_DETECTION_SOURCE_IP);
	assert_span(m.notify[0].data, natd, 20);
	ck_assert_uint_eq(m.n_vid, 1);
	ck_assert_uint_eq(m.n_payloads, 5);
	wbuf_free(&wb);
}
END_TEST

/* Builds the outer message around the inner chain with the plaintext as
 * SK body (no cipher) into *out, parses both levels into m.  The caller
 * frees *out after its assertions (m's spans point into it). */
static void sk_round_trip(struct wbuf *plain, const struct v2_builder *ib,
			  uint8_t exch, struct wbuf *out)
{
	struct v2_hdr h = hdr(exch, IKEV2_FLAG_INITIATOR, 0x1112131415161718ull, 1);
	struct v2_builder ob;
	size_t off;

	wbuf_init(out, IKE_MAX_MSG);
	v2_build_begin(&ob, out, &h);
	v2_build_sk(&ob, ib->first, plain->len, &off);
	ck_assert_int_eq(v2_build_finish(&ob), 0);
	if (plain->len)
		memcpy(out->p + off, plain->p, plain->len);

	ck_assert_int_eq(v2_parse_msg(S(out->p, out->len), &m).v, IKE_OK);
	ck_assert_int_eq(v2_check_rules(&m, false).v, IKE_OK);
	ck_assert_uint_eq(m.sk_next, ib->first);
	ck_assert_uint_eq(m.sk_hdr_off, IKEV2_HDR_LEN);
	ck_assert_uint_eq(off, IKEV2_HDR_LEN + IKEV2_GEN_HDR_LEN);
	assert_span(m.sk_body, plain->p, plain->len);
	ck_assert_int_eq(v2_parse_inner(m.sk_next, m.sk_body, &m).v, IKE_OK);
	ck_assert_int_eq(v2_check_rules(&m, true).v, IKE_OK);
}

START_TEST(ike_auth_inner_round_trip)
{
	struct v2_proposal p = esp_prop();
	struct v2_ts_set tsi = ts_set(1), tsr = ts_set(2);
	static const uint8_t cpa[] = { 0, 1, 0, 0 };	/* INTERNAL_IP4_ADDRESS, empty */
	struct v2_builder ib;
	struct wbuf plain, out;

	wbuf_init(&plain, IKE_MAX_MSG);
	v2_build_chain(&ib, &plain);
	v2_build_id(&ib, IKEV2_PL_IDi, IKEV2_ID_FQDN, S("gw1.example.net", 15));
	v2_build_notify(&ib, 0, S(NULL, 0), IKEV2_N_INITIAL_CONTACT, S(NULL, 0));
	v2_build_id(&ib, IKEV2_PL_IDr, IKEV2_ID_IPV4_ADDR, S("\xc0\x00\x02\x01", 4));
	v2_build_auth(&ib, IKEV2_AUTH_PSK, S(auth_data, 32));
	v2_build_cp(&ib, IKEV2_CFG_REQUEST, S(cpa, 4));
	v2_build_sa(&ib, &p, 1);
	v2_build_ts(&ib, IKEV2_PL_TSi, &tsi);
	v2_build_ts(&ib, IKEV2_PL_TSr, &tsr);
	ck_assert_int_eq(v2_build_finish(&ib), 0);
	ck_assert_uint_eq(ib.first, IKEV2_PL_IDi);

	sk_round_trip(&plain, &ib, IKEV2_EXCH_IKE_AUTH, &out);
	ck_assert_uint_eq(m.idi.type, IKEV2_ID_FQDN);
	assert_span(m.idi.data, "gw1.example.net", 15);
	ck_assert_uint_eq(m.idi.body.n, 19);
	ck_assert_uint_eq(m.idr.type, IKEV2_ID_IPV4_ADDR);
	ck_assert_uint_eq(m.auth_method, IKEV2_AUTH_PSK);
	assert_span(m.auth_data, auth_data, 32);
	ck_assert_uint_eq(m.cp_type, IKEV2_CFG_REQUEST);
	assert_span(m.cp_attrs, cpa, 4);
	assert_prop_eq(&m.sa.prop[0], &p, 1);
	assert_ts_eq(&m.tsi, &tsi);
	assert_ts_eq(&m.tsr, &tsr);
	ck_assert_uint_eq(m.notify[0].type, IKEV2_N_INITIAL_CONTACT);
	ck_assert_uint_eq(m.n_payloads, 9);
	ck_assert_uint_eq(m.n_outer, 1);
	wbuf_free(&plain);
	wbuf_free(&out);
}
END_TEST

START_TEST(create_child_inner_round_trip)
{
	struct v2_proposal p = esp_prop();
	struct v2_ts_set tsi = ts_set(1), tsr = ts_set(2);
	struct v2_builder ib;
	struct wbuf plain, out;

	wbuf_init(&plain, IKE_MAX_MSG);
	v2_build_chain(&ib, &plain);
	v2_build_notify(&ib, IKEV2_PROTO_ESP, S(spi_esp, 4), IKEV2_N_REKEY_SA, S(NULL, 0));
	v2_build_sa(&ib, &p, 1);
	v2_build_nonce(&ib, S(nonce_data, 32));
	v2_build_ke(&ib, IKEV2_DH_CURVE25519, S(ke_data, 32));
	v2_build_ts(&ib, IKEV2_PL_TSi, &tsi);
	v2_build_ts(&ib, IKEV2_PL_TSr, &tsr);
	ck_assert_int_eq(v2_build_finish(&ib), 0);

	sk_round_trip(&plain, &ib, IKEV2_EXCH_CREATE_CHILD_SA, &out);
	ck_assert_uint_eq(m.notify[0].type, IKEV2_N_REKEY_SA);
	ck_assert_uint_eq(m.notify[0].proto, IKEV2_PROTO_ESP);
	assert_span(m.notify[0].spi, spi_esp, 4);
	assert_prop_eq(&m.sa.prop[0], &p, 1);
	ck_assert_uint_eq(m.ke_group, IKEV2_DH_CURVE25519);
	assert_span(m.nonce, nonce_data, 32);
	assert_ts_eq(&m.tsr, &tsr);
	wbuf_free(&plain);
	wbuf_free(&out);
}
END_TEST

START_TEST(informational_inner_round_trip)
{
	static const uint8_t spis[8] = { 0xc0, 1, 2, 3, 0xc0, 4, 5, 6 };
	struct v2_builder ib;
	struct wbuf plain, out;

	wbuf_init(&plain, IKE_MAX_MSG);
	v2_build_chain(&ib, &plain);
	v2_build_delete(&ib, IKEV2_PROTO_ESP, 4, 2, S(spis, 8));
	v2_build_delete(&ib, IKEV2_PROTO_IKE, 0, 0, S(NULL, 0));
	v2_build_notify(&ib, 0, S(NULL, 0), 40000, S("x", 1));
	ck_assert_int_eq(v2_build_finish(&ib), 0);

	sk_round_trip(&plain, &ib, IKEV2_EXCH_INFORMATIONAL, &out);
	ck_assert_uint_eq(m.n_delete, 2);
	ck_assert_uint_eq(m.del[0].proto, IKEV2_PROTO_ESP);
	ck_assert_uint_eq(m.del[0].n_spi, 2);
	assert_span(m.del[0].spis, spis, 8);
	ck_assert_uint_eq(m.del[1].proto, IKEV2_PROTO_IKE);
	ck_assert_uint_eq(m.notify[0].type, 40000);
	wbuf_free(&plain);
	wbuf_free(&out);
}
END_TEST

/* Empty INFORMATIONAL (DPD): SK with no inner payloads, next = 0. */
START_TEST(empty_informational)
{
	struct v2_builder ib;
	struct wbuf plain, out;

	wbuf_init(&plain, 64);
	v2_build_chain(&ib, &plain);
	ck_assert_int_eq(v2_build_finish(&ib), 0);
	ck_assert_uint_eq(ib.first, IKEV2_PL_NONE);
	sk_round_trip(&plain, &ib, IKEV2_EXCH_INFORMATIONAL, &out);
	ck_assert_uint_eq(m.n_payloads, 1);
	wbuf_free(&plain);
	wbuf_free(&out);
}
END_TEST

/* Layout the crypto code relies on: IKE hdr | SK hdr | IV | ct | ICV. */
START_TEST(sk_layout)
{
	struct v2_hdr h = hdr(IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_RESPONSE, 9, 1);
	size_t iv = 16, icv = 16, ct = v2_sk_padded_len(100, 16), off;
	struct v2_builder b;
	struct wbuf wb;

	wbuf_init(&wb, IKE_MAX_MSG);
	v2_build_begin(&b, &wb, &h);
	v2_build_sk(&b, IKEV2_PL_IDr, iv + ct + icv, &off);
	ck_assert_int_eq(v2_build_finish(&b), 0);
	ck_assert_uint_eq(ct, 112);
	ck_assert_uint_eq(wb.len, 28 + 4 + iv + ct + icv);
	ck_assert_uint_eq(off, 32);
	ck_assert_uint_eq(wb.p[16], IKEV2_PL_SK);	/* header next */
	ck_assert_uint_eq(wb.p[28], IKEV2_PL_IDr);	/* SK next = first inner */
	ck_assert_uint_eq((wb.p[30] << 8) | wb.p[31], 4 + iv + ct + icv);
	ck_assert_uint_eq(((uint32_t)wb.p[26] << 8) | wb.p[27], wb.len);
	ck_assert_int_eq(v2_parse_msg(S(wb.p, wb.len), &m).v, IKE_OK);
	ck_assert_uint_eq(m.sk_body.n, iv + ct + icv);
	ck_assert_ptr_eq(m.sk_body.p, wb.p + off);
	wbuf_free(&wb);
}
END_TEST

START_TEST(padded_len)
{
	ck_assert_uint_eq(v2_sk_padded_len(0, 16), 16);
	ck_assert_uint_eq(v2_sk_padded_len(14, 16), 16);
	ck_assert_uint_eq(v2_sk_padded_len(15, 16), 16);
	ck_assert_uint_eq(v2_sk_padded_len(16, 16), 32);
	ck_assert_uint_eq(v2_sk_padded_len(10, 1), 11);
	ck_assert_uint_eq(v2_sk_padded_len(10, 0), 11);
	ck_assert_uint_eq(v2_sk_padded_len(7, 8), 8);
}
END_TEST

START_TEST(critical_and_raw)
{
	struct v2_builder b;
	struct wbuf wb;

	wbuf_init(&wb, 256);
	v2_build_chain(&b, &wb);
	v2_build_payload_begin(&b, 200, true);
	wbuf_put(&wb, "abc", 3);
	v2_build_payload_end(&b);
	v2_build_raw(&b, IKEV2_PL_V, S("vid", 3));
	ck_assert_int_eq(v2_build_finish(&b), 0);
	ck_assert_uint_eq(wb.len, 14);
	ck_assert_uint_eq(wb.p[0], IKEV2_PL_V);
	ck_assert_uint_eq(wb.p[1], IKEV2_CRITICAL);
	ck_assert_uint_eq(wb.p[3], 7);
	ck_assert_uint_eq(wb.p[7], 0);
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(v2_parse_inner(b.first, S(wb.p, wb.len), &m).v, IKE_OK);
	ck_assert_uint_eq(m.unknown_critical, 200);
	ck_assert(m.unknown_critical_inner);
	wbuf_free(&wb);
}
END_TEST

START_TEST(misuse_latches)
{
	struct v2_proposal p = ike_prop();
	struct v2_builder b;
	struct wbuf wb;
	size_t off;

	wbuf_init(&wb, 1024);
	v2_build_chain(&b, &wb);
	v2_build_sk(&b, IKEV2_PL_IDi, 8, &off);
	v2_build_nonce(&b, S(nonce_data, 32));	/* nothing after SK */
	ck_assert_int_eq(v2_build_finish(&b), -EINVAL);

	wbuf_reset(&wb);
	v2_build_chain(&b, &wb);
	v2_build_payload_begin(&b, IKEV2_PL_V, false);
	ck_assert_int_eq(v2_build_finish(&b), -EINVAL);	/* still open */

	wbuf_reset(&wb);
	v2_build_chain(&b, &wb);
	v2_build_sa(&b, &p, 0);
	ck_assert_int_eq(v2_build_finish(&b), -EINVAL);

	wbuf_reset(&wb);
	v2_build_chain(&b, &wb);
	v2_build_delete(&b, IKEV2_PROTO_ESP, 4, 2, S(spi_esp, 4));
	ck_assert_int_eq(v2_build_finish(&b), -EINVAL);
	wbuf_free(&wb);

	wbuf_init(&wb, 40);	/* too small: the wbuf's cap error latches */
	v2_build_chain(&b, &wb);
	v2_build_nonce(&b, S(nonce_data, 32));
	v2_build_nonce(&b, S(nonce_data, 32));
	v2_build_vid(&b, S("x", 1));
	ck_assert_int_lt(v2_build_finish(&b), 0);
	wbuf_free(&wb);
}
END_TEST

START_TEST(proposal_helper)
{
	struct v2_proposal p = ike_prop();
	const char *why;

	ck_assert(v2_proposal_wellformed(&p, true, &why));
	ck_assert(!v2_proposal_wellformed(&p, false, &why));
	ck_assert_str_eq(why, "IKE rekey proposal SPI size not 8");
	p.spi_size = 8;
	p.spi[7] = 1;
	ck_assert(v2_proposal_wellformed(&p, false, &why));
	p = esp_prop();
	ck_assert(v2_proposal_wellformed(&p, false, &why));
	p.xf[0].keylen = 0;
	ck_assert(!v2_proposal_wellformed(&p, false, &why));
	ck_assert_str_eq(why, "proposal without a usable cipher");
	ck_assert(!v2_transform_wellformed(&p.xf[0], &why));
	ck_assert_str_eq(why, "AES key length missing or not 128/192/256");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("v2_build");
	TCase *tc = tcase_create("round_trip");
	SRunner *sr;
	int nf;

	for (size_t i = 0; i < sizeof(ke_data); i++)
		ke_data[i] = (uint8_t)(i * 3 + 1);
	for (size_t i = 0; i < sizeof(nonce_data); i++)
		nonce_data[i] = (uint8_t)(i * 5 + 2);
	for (size_t i = 0; i < sizeof(auth_data); i++)
		auth_data[i] = (uint8_t)(i * 11 + 3);
	tcase_add_test(tc, sa_init_round_trip);
	tcase_add_test(tc, ike_auth_inner_round_trip);
	tcase_add_test(tc, create_child_inner_round_trip);
	tcase_add_test(tc, informational_inner_round_trip);
	tcase_add_test(tc, empty_informational);
	tcase_add_test(tc, sk_layout);
	tcase_add_test(tc, padded_len);
	tcase_add_test(tc, critical_and_raw);
	tcase_add_test(tc, misuse_latches);
	tcase_add_test(tc, proposal_helper);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
