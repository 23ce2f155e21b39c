#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/alg.h"
#include "ike/proposal.h"

/* ---- fixtures ---- */

/* Comma list of config names into a conf_conn (via the canonical table). */
static void set_encr(struct conf_encr *e, unsigned *n, const char *csv)
{
	char tmp[256], *save = NULL;

	*n = 0;
	snprintf(tmp, sizeof(tmp), "%s", csv);
	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		ck_assert_msg(alg_encr_lookup(t, &e[*n].id, &e[*n].keylen), "encr %s", t);
		(*n)++;
	}
}

static void set_integ(uint16_t *integ, unsigned *ni, uint16_t *prf, unsigned *np,
		      const char *csv)
{
	char tmp[256], *save = NULL;

	*ni = 0;
	snprintf(tmp, sizeof(tmp), "%s", csv);
	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint16_t p;

		ck_assert_msg(alg_integ_lookup(t, &integ[*ni], &p), "integ %s", t);
		if (prf)
			prf[(*np)++] = p;
		(*ni)++;
	}
}

static void set_dh(uint16_t *dh, unsigned *n, const char *csv)
{
	char tmp[256], *save = NULL;

	*n = 0;
	snprintf(tmp, sizeof(tmp), "%s", csv);
	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		ck_assert_msg(alg_dh_lookup(t, &dh[*n]), "dh %s", t);
		(*n)++;
	}
}

static struct conf_conn conn;

static void mk_conn(const char *ike_e, const char *ike_i, const char *ike_dh,
		    const char *esp_e, const char *esp_i, const char *pfs)
{
	memset(&conn, 0, sizeof(conn));
	set_encr(conn.ike_encr, &conn.n_ike_encr, ike_e);
	conn.n_ike_prf = 0;
	set_integ(conn.ike_integ, &conn.n_ike_integ, conn.ike_prf, &conn.n_ike_prf, ike_i);
	set_dh(conn.ike_dh, &conn.n_ike_dh, ike_dh);
	set_encr(conn.esp_encr, &conn.n_esp_encr, esp_e);
	if (*esp_i)
		set_integ(conn.esp_integ, &conn.n_esp_integ, NULL, NULL, esp_i);
	set_dh(conn.esp_pfs, &conn.n_esp_pfs, pfs);
}

/* Peer proposal from a compact spec: "E12/256 E20/128 P5 I12 D14 N0",
 * letters E/P/I/D/N for ENCR/PRF/INTEG/DH/ESN, "T6:1" for a raw type, a
 * trailing '!' marks an unknown attribute. */
static struct v2_proposal *add_prop(struct v2_sa *sa, uint8_t proto, const char *spec)
{
	struct v2_proposal *p = &sa->prop[sa->n_prop];
	char tmp[1024], *save = NULL;

	memset(p, 0, sizeof(*p));
	p->num = (uint8_t)++sa->n_prop;
	p->proto = proto;
	if (proto == IKEV2_PROTO_ESP) {
		p->spi_size = 4;
		memcpy(p->spi, "\xc0\x01\x02\x03", 4);
	}
	snprintf(tmp, sizeof(tmp), "%s", spec);
	for (char *t = strtok_r(tmp, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		struct v2_transform *x = &p->xf[p->n_xf++];
		static const char letters[] = "?EPIDN";
		const char *l = strchr(letters, t[0]);
		char *end;

		if (t[0] == 'T') {
			x->type = (uint8_t)strtoul(t + 1, &end, 10);
			end++;
		} else {
			ck_assert(l != NULL);
			x->type = (uint8_t)(l - letters);
			end = t + 1;
		}
		x->id = (uint16_t)strtoul(end, &end, 10);
		if (*end == '/')
			x->keylen = (uint16_t)strtoul(end + 1, &end, 10);
		x->unknown_attr = *end == '!';
	}
	return p;
}

static const struct v2_transform *find_xf(const struct v2_proposal *p, uint8_t type, unsigned nth)
{
	for (unsigned i = 0; i < p->n_xf; i++)
		if (p->xf[i].type == type && nth-- == 0)
			return &p->xf[i];
	return NULL;
}

static unsigned count_xf(const struct v2_proposal *p, uint8_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n_xf; i++)
		n += p->xf[i].type == type;
	return n;
}

/* ---- offers ---- */

START_TEST(ike_offer_gcm_only)
{
	struct v2_sa sa;

	mk_conn("aes256gcm16", "sha256", "14", "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_ike_offer(&conn, &sa), 0);
	ck_assert_uint_eq(sa.n_prop, 1);
	ck_assert_uint_eq(sa.prop[0].num, 1);
	ck_assert_uint_eq(sa.prop[0].proto, IKEV2_PROTO_IKE);
	ck_assert_uint_eq(sa.prop[0].spi_size, 0);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_ENCR, 0)->id, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_ENCR, 0)->keylen, 256);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_PRF, 0)->id, IKEV2_PRF_HMAC_SHA2_256);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_INTEG), 0);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_DH, 0)->id, 14);
}
END_TEST

START_TEST(ike_offer_cbc_only)
{
	struct v2_sa sa;

	mk_conn("aes256,3des", "sha256,sha1", "14,2", "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_ike_offer(&conn, &sa), 0);
	ck_assert_uint_eq(sa.n_prop, 1);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_ENCR), 2);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_ENCR, 1)->id, IKEV2_ENCR_3DES);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_ENCR, 1)->keylen, 0);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_INTEG, 0)->id, IKEV2_AUTH_HMAC_SHA2_256_128);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_INTEG, 1)->id, IKEV2_AUTH_HMAC_SHA1_96);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_PRF, 1)->id, IKEV2_PRF_HMAC_SHA1);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_DH, 1)->id, 2);
}
END_TEST

START_TEST(ike_offer_mixed_two_proposals)
{
	struct v2_sa sa;

	mk_conn("aes128gcm16,aes256,aes256gcm16", "sha384", "19", "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_ike_offer(&conn, &sa), 0);
	ck_assert_uint_eq(sa.n_prop, 2);
	/* the first configured cipher is GCM: the AEAD proposal leads */
	ck_assert_uint_eq(sa.prop[0].num, 1);
	ck_assert_uint_eq(sa.prop[1].num, 2);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_ENCR), 2);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_ENCR, 0)->keylen, 128);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_ENCR, 1)->keylen, 256);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_INTEG), 0);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_PRF), 1);
	ck_assert_uint_eq(count_xf(&sa.prop[1], IKEV2_TRANS_ENCR), 1);
	ck_assert_uint_eq(find_xf(&sa.prop[1], IKEV2_TRANS_ENCR, 0)->id, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(find_xf(&sa.prop[1], IKEV2_TRANS_INTEG, 0)->id, IKEV2_AUTH_HMAC_SHA2_384_192);
	ck_assert_uint_eq(find_xf(&sa.prop[1], IKEV2_TRANS_DH, 0)->id, 19);

	mk_conn("aes256,aes256gcm16", "sha256", "14", "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_ike_offer(&conn, &sa), 0);
	ck_assert_uint_eq(sa.n_prop, 2);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_INTEG), 1);
	ck_assert_uint_eq(count_xf(&sa.prop[1], IKEV2_TRANS_INTEG), 0);
}
END_TEST

START_TEST(esp_offer_pfs)
{
	struct v2_sa sa;

	mk_conn("aes256", "sha256", "14", "aes256gcm16,aes128", "sha1", "14,19");
	ck_assert_int_eq(proposal_esp_offer(&conn, false, 0, 0xc1c2c3c4, &sa), 0);
	ck_assert_uint_eq(sa.n_prop, 2);
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_uint_eq(sa.prop[i].proto, IKEV2_PROTO_ESP);
		ck_assert_uint_eq(sa.prop[i].spi_size, 4);
		ck_assert(memcmp(sa.prop[i].spi, "\xc1\xc2\xc3\xc4", 4) == 0);
		ck_assert_uint_eq(count_xf(&sa.prop[i], IKEV2_TRANS_DH), 0);
		ck_assert_uint_eq(count_xf(&sa.prop[i], IKEV2_TRANS_ESN), 1);
		ck_assert_uint_eq(find_xf(&sa.prop[i], IKEV2_TRANS_ESN, 0)->id, IKEV2_ESN_NO);
		ck_assert_uint_eq(count_xf(&sa.prop[i], IKEV2_TRANS_PRF), 0);
	}
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_INTEG), 0);
	ck_assert_uint_eq(count_xf(&sa.prop[1], IKEV2_TRANS_INTEG), 1);

	ck_assert_int_eq(proposal_esp_offer(&conn, true, 0, 1, &sa), 0);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_DH), 2);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_DH, 0)->id, 14);
	ck_assert_int_eq(proposal_esp_offer(&conn, true, 19, 1, &sa), 0);
	ck_assert_uint_eq(count_xf(&sa.prop[1], IKEV2_TRANS_DH), 2);
	ck_assert_uint_eq(find_xf(&sa.prop[1], IKEV2_TRANS_DH, 0)->id, 19);
	ck_assert_uint_eq(find_xf(&sa.prop[1], IKEV2_TRANS_DH, 1)->id, 14);

	/* esp_pfs = none: no DH transform even when PFS could be used */
	mk_conn("aes256", "sha256", "14", "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_esp_offer(&conn, true, 0, 1, &sa), 0);
	ck_assert_uint_eq(count_xf(&sa.prop[0], IKEV2_TRANS_DH), 0);
	/* "14, none": PFS optional, DH NONE offered */
	mk_conn("aes256", "sha256", "14", "aes128", "sha1", "14,none");
	ck_assert_int_eq(proposal_esp_offer(&conn, true, 0, 1, &sa), 0);
	ck_assert_uint_eq(find_xf(&sa.prop[0], IKEV2_TRANS_DH, 1)->id, IKEV2_DH_NONE);
}
END_TEST

START_TEST(offer_rejects_incomplete_config)
{
	struct v2_sa sa;

	mk_conn("aes256", "sha256", "14", "aes128", "", "none");
	ck_assert_int_eq(proposal_esp_offer(&conn, false, 0, 1, &sa), -EINVAL);
	conn.n_ike_dh = 0;
	ck_assert_int_eq(proposal_ike_offer(&conn, &sa), -EINVAL);
}
END_TEST

/* ---- choose ---- */

static struct v2_sa ours, peer;
static struct prop_choice ch;
static struct prop_mismatch mm;

static void ours_ike(const char *e, const char *i, const char *dh)
{
	mk_conn(e, i, dh, "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_ike_offer(&conn, &ours), 0);
	memset(&peer, 0, sizeof(peer));
}

START_TEST(choose_first_acceptable_in_peer_order)
{
	struct ike_result r;

	ours_ike("aes256,aes128", "sha256,sha1", "14,19");
	add_prop(&peer, IKEV2_PROTO_IKE, "E3 I2 P2 D2");		/* nothing we take */
	add_prop(&peer, IKEV2_PROTO_IKE, "E12/128 E12/256 I2 I12 P2 P5 D19 D14");
	add_prop(&peer, IKEV2_PROTO_IKE, "E12/256 I12 P5 D14");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 0, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.num, 2);
	/* the peer's preference within its proposal, not ours */
	ck_assert_uint_eq(ch.encr, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(ch.encr_keylen, 128);
	ck_assert_uint_eq(ch.integ, IKEV2_AUTH_HMAC_SHA1_96);
	ck_assert_uint_eq(ch.prf, IKEV2_PRF_HMAC_SHA1);
	ck_assert_uint_eq(ch.dh, 19);
	ck_assert_uint_eq(ch.spi_size, 0);
	/* the KE payload's group wins among acceptable groups */
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.dh, 14);
}
END_TEST

START_TEST(choose_aead_against_our_aead_proposal)
{
	struct ike_result r;

	ours_ike("aes256,aes256gcm16", "sha256", "14");
	add_prop(&peer, IKEV2_PROTO_IKE, "E20/256 P5 D14");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, NULL);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(ch.integ, 0);
	/* INTEG NONE alongside AEAD is legal */
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_IKE, "E20/256 P5 I0 D14");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, NULL);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.integ, 0);
	/* a mixed proposal: GCM is never paired with INTEG, CBC is */
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_IKE, "E20/256 E12/256 I12 P5 D14");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, NULL);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.encr, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(ch.integ, IKEV2_AUTH_HMAC_SHA2_256_128);
}
END_TEST

START_TEST(choose_esp_pfs_rules)
{
	struct ike_result r;
	char buf[256];

	mk_conn("aes256", "sha256", "14", "aes128", "sha1", "14");
	/* IKE_AUTH: DH transforms in the peer's offer are ignored */
	ck_assert_int_eq(proposal_esp_offer(&conn, false, 0, 7, &ours), 0);
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_ESP, "E12/128 I2 D14 N0");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_ESP, PROP_F_NO_KE, 0, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.dh, 0);
	ck_assert_uint_eq(ch.spi_val, 0xc0010203);
	ck_assert_uint_eq(ch.esn, IKEV2_ESN_NO);

	/* CREATE_CHILD_SA with PFS required, peer without DH: pfs mismatch */
	ck_assert_int_eq(proposal_esp_offer(&conn, true, 0, 7, &ours), 0);
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_ESP, "E12/128 I2 N0");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_ESP, 0, 0, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_REPLY_NOTIFY);
	ck_assert_uint_eq(r.notify, IKEV2_N_NO_PROPOSAL_CHOSEN);
	proposal_mismatch_fmt(&mm, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "esp_pfs: ours 14; peer offered none");

	/* peer demands ESN only */
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_ESP, "E12/128 I2 D14 N1");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_ESP, 0, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_REPLY_NOTIFY);
	proposal_mismatch_fmt(&mm, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "esp_esn: ours no; peer offered yes");

	/* we have no PFS, peer offers "14 or none" */
	mk_conn("aes256", "sha256", "14", "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_esp_offer(&conn, true, 0, 7, &ours), 0);
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_ESP, "E12/128 I2 D14 D0 N0");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_ESP, 0, 0, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.dh, 0);
}
END_TEST

struct mm_case {
	const char *e, *i, *dh;		/* ours */
	const char *peer1, *peer2;	/* peer proposals (peer2 may be NULL) */
	const char *text;
};

static const struct mm_case mm_cases[] = {
	{ "aes256", "sha256", "14", "E12/128 E3 I12 P5 D14", NULL,
	  "ike_encryption: ours aes256; peer offered aes128, 3des" },
	{ "aes256", "sha256", "14", "E12/256 I2 I1 P5 D14", NULL,
	  "ike_integrity: ours sha256; peer offered sha1, md5" },
	{ "aes256", "sha256", "14", "E12/256 I12 P5 D2", "E12/256 I12 P5 D5",
	  "ike_dh_group: ours 14; peer offered 2, 5" },
	{ "aes256,aes128", "sha256", "14,19", "E3 I2 P2 D2", NULL,
	  "ike_encryption: ours aes256, aes128; peer offered 3des; "
	  "ike_integrity (prf): ours sha256; peer offered sha1; "
	  "ike_integrity: ours sha256; peer offered sha1; ike_dh_group: ours 14, 19; peer offered 2" },
	{ "aes256gcm16", "sha256", "14", "E20/128 P5 D14", NULL,
	  "ike_encryption: ours aes256gcm16; peer offered aes128gcm16" },
	{ "aes256gcm16", "sha256", "14", "E20/256 P2 D14", NULL,
	  "ike_integrity (prf): ours sha256; peer offered sha1" },
	{ "aes256", "sha256", "14", "E1030 I12 P5 D1025", NULL,
	  "ike_encryption: ours aes256; peer offered encr-1030; "
	  "ike_dh_group: ours 14; peer offered 1025" },
	/* each type overlaps, no proposal combines them */
	{ "aes256", "sha256", "14,2", "E12/256 I12 P5 D19", "E12/128 I12 P5 D2",
	  "every algorithm type overlaps, but no single proposal of the peer combines "
	  "them as ours do (AEAD vs. integrity)" },
};

START_TEST(mismatch_clauses)
{
	const struct mm_case *c = &mm_cases[_i];
	struct ike_result r;
	char buf[512];

	ours_ike(c->e, c->i, c->dh);
	add_prop(&peer, IKEV2_PROTO_IKE, c->peer1);
	if (c->peer2)
		add_prop(&peer, IKEV2_PROTO_IKE, c->peer2);
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 0, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_REPLY_NOTIFY);
	ck_assert_uint_eq(r.notify, IKEV2_N_NO_PROPOSAL_CHOSEN);
	proposal_mismatch_fmt(&mm, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, c->text);
}
END_TEST

/* HOSTILE-INPUTS.md section 4, rows 15-20, at the matching level: each
 * proposal would match but for its defect. */
struct hostile_case {
	const char *name;
	uint8_t proto;
	unsigned flags;
	const char *spec;
	void (*twist)(struct v2_proposal *p);
};

static void num_0(struct v2_proposal *p) { p->num = 0; }
static void num_7(struct v2_proposal *p) { p->num = 7; }
static void proto_0(struct v2_proposal *p) { p->proto = 0; }
static void proto_4(struct v2_proposal *p) { p->proto = 4; }
static void no_xf(struct v2_proposal *p) { p->n_xf = 0; }
static void spi_8(struct v2_proposal *p) { p->spi_size = 8; memset(p->spi, 1, 8); }
static void spi_3(struct v2_proposal *p) { p->spi_size = 3; }
static void spi_zero(struct v2_proposal *p) { memset(p->spi, 0, sizeof(p->spi)); }
static void spi_none(struct v2_proposal *p) { p->spi_size = 0; }

static const struct hostile_case hostile[] = {
	{ "num 0", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14", num_0 },
	{ "num 7", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14", num_7 },
	{ "proto 0", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14", proto_0 },
	{ "proto 4", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14", proto_4 },
	{ "0 transforms", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14", no_xf },
	{ "SPI 8 in SA_INIT", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14", spi_8 },
	{ "no SPI in IKE rekey", IKEV2_PROTO_IKE, PROP_F_IKE_REKEY, "E12/256 I12 P5 D14", NULL },
	{ "ESP SPI size 3", IKEV2_PROTO_ESP, 0, "E12/256 I12 N0", spi_3 },
	{ "ESP SPI 0", IKEV2_PROTO_ESP, 0, "E12/256 I12 N0", spi_zero },
	{ "ESP no SPI", IKEV2_PROTO_ESP, 0, "E12/256 I12 N0", spi_none },
	{ "AES keylen missing", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12 I12 P5 D14", NULL },
	{ "AES keylen 129", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/129 I12 P5 D14", NULL },
	{ "unknown attribute", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256! I12 P5 D14", NULL },
	{ "keylen on PRF", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5/256 D14", NULL },
	{ "IKE without DH", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5", NULL },
	{ "IKE with DH NONE", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D0", NULL },
	{ "IKE without PRF", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 D14", NULL },
	{ "AEAD + INTEG", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E20/256 I12 P5 D14", NULL },
	{ "non-AEAD without INTEG", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 P5 D14", NULL },
	{ "non-AEAD with INTEG NONE", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I0 P5 D14", NULL },
	{ "ESP non-AEAD without INTEG", IKEV2_PROTO_ESP, 0, "E12/256 N0", NULL },
	{ "private-use DH 1025", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D1025", NULL },
	{ "private-use ENCR 1030", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E1030/256 I12 P5 D14", NULL },
	{ "unknown type 6", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14 T6:0", NULL },
	{ "type 0", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14 T0:1", NULL },
	{ "ESN in IKE", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E12/256 I12 P5 D14 N0", NULL },
	{ "PRF in ESP", IKEV2_PROTO_ESP, 0, "E12/256 I12 P5 N0", NULL },
	{ "ENCR NULL in IKE", IKEV2_PROTO_IKE, PROP_F_IKE_INIT, "E11 I12 P5 D14", NULL },
};

START_TEST(hostile_proposals_rejected)
{
	const struct hostile_case *h = &hostile[_i];
	struct ike_result r;
	char buf[512];

	mk_conn("aes256,null", "sha256", "14", "aes256,null", "sha256", "none");
	if (h->proto == IKEV2_PROTO_IKE)
		ck_assert_int_eq(proposal_ike_offer(&conn, &ours), 0);
	else
		ck_assert_int_eq(proposal_esp_offer(&conn, false, 0, 5, &ours), 0);
	memset(&peer, 0, sizeof(peer));
	struct v2_proposal *p = add_prop(&peer, h->proto, h->spec);
	unsigned flags = h->flags | (h->proto == IKEV2_PROTO_ESP ? PROP_F_NO_KE : 0);

	if (h->twist) {
		/* control: untwisted, the same proposal is accepted */
		r = proposal_choose(&peer, &ours, h->proto, flags, 0, &ch, &mm);
		ck_assert_msg(r.v == IKE_OK, "%s: control refused", h->name);
		h->twist(p);
	}
	r = proposal_choose(&peer, &ours, h->proto, flags, 0, &ch, &mm);
	ck_assert_msg(r.v == IKE_REPLY_NOTIFY && r.notify == IKEV2_N_NO_PROPOSAL_CHOSEN,
		      "%s accepted", h->name);
	proposal_mismatch_fmt(&mm, h->proto == IKEV2_PROTO_ESP, buf, sizeof(buf));
	ck_assert_msg(buf[0] != '\0', "%s: empty diagnosis", h->name);
}
END_TEST

START_TEST(malformed_then_good)
{
	struct ike_result r;
	char buf[256];

	ours_ike("aes256", "sha256", "14");
	add_prop(&peer, IKEV2_PROTO_IKE, "E12/256 I12 P5");		/* no DH */
	add_prop(&peer, IKEV2_PROTO_IKE, "E12/256 I12 P5 D14");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.num, 2);
	/* all malformed: the diagnosis says so */
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_IKE, "E12/256 I12 D14");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_REPLY_NOTIFY);
	proposal_mismatch_fmt(&mm, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1 of the peer's 1 proposal(s) malformed: IKE proposal without PRF");
	/* only proposals of another protocol */
	memset(&peer, 0, sizeof(peer));
	add_prop(&peer, IKEV2_PROTO_AH, "I12 N0");
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_REPLY_NOTIFY);
	proposal_mismatch_fmt(&mm, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, "peer offered no IKE proposal");
}
END_TEST

START_TEST(maximal_sa_is_bounded)
{
	struct ike_result r;

	ours_ike("aes256", "sha256", "14");
	peer.n_prop = IKE_MAX_PROPOSALS;
	for (unsigned i = 0; i < IKE_MAX_PROPOSALS; i++) {
		struct v2_proposal *p = &peer.prop[i];

		p->num = (uint8_t)(i + 1);
		p->proto = IKEV2_PROTO_IKE;
		p->n_xf = IKE_MAX_TRANSFORMS;
		for (unsigned j = 0; j < IKE_MAX_TRANSFORMS; j++)
			p->xf[j] = (struct v2_transform){ .type = (uint8_t)(1 + j % 4),
							  .id = (uint16_t)(1000 + j) };
	}
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_REPLY_NOTIFY);
	ck_assert_uint_eq(mm.t[IKEV2_TRANS_ENCR].n_peer, 16);
	/* the last one made acceptable is found */
	peer.prop[31].xf[0] = (struct v2_transform){ IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 256, false };
	peer.prop[31].xf[1] = (struct v2_transform){ IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, 0, false };
	peer.prop[31].xf[2] = (struct v2_transform){ IKEV2_TRANS_INTEG, IKEV2_AUTH_HMAC_SHA2_256_128, 0, false };
	peer.prop[31].xf[3] = (struct v2_transform){ IKEV2_TRANS_DH, 14, 0, false };
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.num, 32);
	/* an n_xf beyond the array is refused, not read */
	peer.prop[31].n_xf = IKE_MAX_TRANSFORMS + 1;
	r = proposal_choose(&peer, &ours, IKEV2_PROTO_IKE, PROP_F_IKE_INIT, 14, &ch, &mm);
	ck_assert_int_eq(r.v, IKE_REPLY_NOTIFY);
}
END_TEST

/* ---- reply ---- */

START_TEST(reply_round_trip)
{
	struct v2_sa reply = { 0 };
	struct prop_choice got;
	struct ike_result r;
	static const uint8_t spi[4] = { 0xde, 0xad, 0xbe, 0xef };

	mk_conn("aes256", "sha256", "14", "aes256gcm16,aes128", "sha1", "14,none");
	ck_assert_int_eq(proposal_esp_offer(&conn, true, 0, 0x11223344, &ours), 0);
	/* the responder is simulated by choosing against our own offer */
	r = proposal_choose(&ours, &ours, IKEV2_PROTO_ESP, 0, 0, &ch, NULL);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(ch.encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(ch.dh, 14);
	proposal_from_choice(&ch, IKEV2_PROTO_ESP, spi, 4, &reply.prop[0]);
	reply.n_prop = 1;
	ck_assert_uint_eq(reply.prop[0].n_xf, 3);	/* ENCR, DH, ESN */
	r = proposal_check_reply(&reply, &ours, 0, &got);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(got.encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(got.encr_keylen, 256);
	ck_assert_uint_eq(got.dh, 14);
	ck_assert_uint_eq(got.spi_val, 0xdeadbeef);
	ck_assert_uint_eq(got.num, 1);
}
END_TEST

START_TEST(reply_rejects_what_we_never_offered)
{
	struct v2_sa reply;
	struct prop_choice got;
	struct ike_result r;

	ours_ike("aes256,aes128gcm16", "sha256", "14");
	/* a proper subset */
	memset(&reply, 0, sizeof(reply));
	add_prop(&reply, IKEV2_PROTO_IKE, "E12/256 P5 I12 D14");
	r = proposal_check_reply(&reply, &ours, PROP_F_IKE_INIT, &got);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(got.prf, IKEV2_PRF_HMAC_SHA2_256);

	static const char *const bad[] = {
		"E12/128 P5 I12 D14",		/* keylen not offered */
		"E12/256 P5 I2 D14",		/* INTEG not offered */
		"E12/256 P5 I12 D2",		/* DH not offered */
		"E12/256 P5 D14",		/* INTEG missing */
		"E12/256 I12 D14",		/* PRF missing */
		"E12/256 P5 I12",		/* DH missing */
		"E12/256 E12/256 P5 I12 D14",	/* two ENCR */
		"E12/256! P5 I12 D14",		/* unknown attribute */
		"E12/256 P5 I12 D14 T6:0",	/* unknown type */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&reply, 0, sizeof(reply));
		add_prop(&reply, IKEV2_PROTO_IKE, bad[i]);
		r = proposal_check_reply(&reply, &ours, PROP_F_IKE_INIT, &got);
		ck_assert_msg(r.v != IKE_OK, "accepted %s", bad[i]);
	}
	/* GCM from proposal 2 named as proposal 1 */
	memset(&reply, 0, sizeof(reply));
	add_prop(&reply, IKEV2_PROTO_IKE, "E20/128 P5 D14");
	ck_assert_int_ne(proposal_check_reply(&reply, &ours, PROP_F_IKE_INIT, &got).v, IKE_OK);
	reply.prop[0].num = 2;
	ck_assert_int_eq(proposal_check_reply(&reply, &ours, PROP_F_IKE_INIT, &got).v, IKE_OK);
	/* two proposals back */
	add_prop(&reply, IKEV2_PROTO_IKE, "E20/128 P5 D14");
	ck_assert_int_ne(proposal_check_reply(&reply, &ours, PROP_F_IKE_INIT, &got).v, IKE_OK);
	/* an SPI where IKE_SA_INIT has none */
	memset(&reply, 0, sizeof(reply));
	add_prop(&reply, IKEV2_PROTO_IKE, "E12/256 P5 I12 D14")->spi_size = 8;
	ck_assert_int_ne(proposal_check_reply(&reply, &ours, PROP_F_IKE_INIT, &got).v, IKE_OK);
}
END_TEST

/* ---- names and formats ---- */

START_TEST(alg_names)
{
	char b[ALG_NAMELEN];
	uint16_t id, kl, integ, prf;

	ck_assert_str_eq(alg_encr_name(IKEV2_ENCR_AES_CBC, 256, b), "aes256");
	ck_assert_str_eq(alg_encr_name(IKEV2_ENCR_AES_GCM_16, 128, b), "aes128gcm16");
	ck_assert_str_eq(alg_encr_name(IKEV2_ENCR_3DES, 0, b), "3des");
	ck_assert_str_eq(alg_encr_name(IKEV2_ENCR_AES_CBC, 129, b), "encr-12/129");
	ck_assert_str_eq(alg_encr_name(1030, 0, b), "encr-1030");
	ck_assert_str_eq(alg_integ_name(IKEV2_AUTH_HMAC_SHA2_512_256, b), "sha512");
	ck_assert_str_eq(alg_integ_name(99, b), "integ-99");
	ck_assert_str_eq(alg_prf_name(IKEV2_PRF_HMAC_SHA1, b), "sha1");
	ck_assert_str_eq(alg_dh_name(14, b), "14");
	ck_assert_str_eq(alg_dh_name(0, b), "none");
	ck_assert_str_eq(alg_dh_desc(14), "modp2048");
	ck_assert_str_eq(alg_dh_desc(31), "curve25519");
	ck_assert(alg_encr_lookup("aes192", &id, &kl) && id == 12 && kl == 192);
	ck_assert(!alg_encr_lookup("aes512", &id, &kl));
	ck_assert(alg_integ_lookup("sha384", &integ, &prf) && integ == 13 && prf == 6);
	ck_assert(alg_dh_lookup("modp2048", &id) && id == 14);
	ck_assert(alg_dh_lookup("31", &id) && id == 31);
	ck_assert(!alg_dh_lookup("1025", &id));
	ck_assert(alg_encr_is_aead(IKEV2_ENCR_AES_GCM_8) && !alg_encr_is_aead(IKEV2_ENCR_AES_CBC));
	ck_assert(alg_dh_known(19) && !alg_dh_known(0) && !alg_dh_known(1025));
}
END_TEST

START_TEST(formats)
{
	char buf[128];
	struct prop_choice c = { .encr = 12, .encr_keylen = 256, .prf = 5, .integ = 12, .dh = 14 };

	proposal_choice_fmt(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256-sha256-modp2048");
	c = (struct prop_choice){ .encr = 20, .encr_keylen = 256 };
	proposal_choice_fmt(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256gcm16");

	mk_conn("aes256,aes128,aes256gcm16", "sha256,sha1", "14,2", "aes128", "sha1", "none");
	ck_assert_int_eq(proposal_ike_offer(&conn, &ours), 0);
	proposal_sa_fmt(&ours, buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256/aes128-sha256/sha1-14/2, aes256gcm16-sha256/sha1-14/2");
	/* truncation is safe and terminated */
	ck_assert_uint_eq(proposal_sa_fmt(&ours, buf, 10), 9);
	ck_assert_str_eq(buf, "aes256/ae");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("proposal");
	TCase *t = tcase_create("core");

	tcase_add_test(t, ike_offer_gcm_only);
	tcase_add_test(t, ike_offer_cbc_only);
	tcase_add_test(t, ike_offer_mixed_two_proposals);
	tcase_add_test(t, esp_offer_pfs);
	tcase_add_test(t, offer_rejects_incomplete_config);
	tcase_add_test(t, choose_first_acceptable_in_peer_order);
	tcase_add_test(t, choose_aead_against_our_aead_proposal);
	tcase_add_test(t, choose_esp_pfs_rules);
	tcase_add_loop_test(t, mismatch_clauses, 0, sizeof(mm_cases) / sizeof(mm_cases[0]));
	tcase_add_loop_test(t, hostile_proposals_rejected, 0, sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(t, malformed_then_good);
	tcase_add_test(t, maximal_sa_is_bounded);
	tcase_add_test(t, reply_round_trip);
	tcase_add_test(t, reply_rejects_what_we_never_offered);
	tcase_add_test(t, alg_names);
	tcase_add_test(t, formats);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
