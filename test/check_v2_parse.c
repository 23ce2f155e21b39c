/* IKEv2 decoder and rules: the hostile-input catalogue (HOSTILE-INPUTS.md
 * section 4) as vectors in test/vectors/NN-name.hex, each with its
 * expected verdict, notify and reason; plus a bit-flip / truncation sweep.
 *
 * Vectors with an SK payload carry the inner chain as plaintext in the SK
 * body (test/vectors/gen_vectors.py), so the codec-level verdict below is:
 * parse_msg, rules(clear), parse_inner(sk_body), rules(inner), then the
 * proposal and ID sanity helpers the engine applies next
 * (NO_PROPOSAL_CHOSEN / AUTHENTICATION_FAILED). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/v2_codec.h"

#define VEC_MAX 70000

static const char *vec_dir(void)
{
	const char *d = getenv("V2_VECTORS");

	return d ? d : "test/vectors";
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex text with '#' comments to bytes; aborts the test on a bad file. */
static size_t load_hex(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	int c, hi = -1;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s.hex", vec_dir(), name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while ((c = fgetc(f)) != EOF) {
		if (c == '#') {
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (hexval(c) < 0)
			continue;
		if (hi < 0) {
			hi = hexval(c);
			continue;
		}
		ck_assert_msg(n < cap, "%s too large", path);
		buf[n++] = (uint8_t)(hi << 4 | hexval(c));
		hi = -1;
	}
	fclose(f);
	ck_assert_msg(hi < 0, "%s: odd number of hex digits", path);
	return n;
}

static struct ike_result sa_verdict(const struct v2_msg *m)
{
	const char *why = m->sa.bad ? m->sa.bad : "no proposals";
	bool init = m->hdr.exch == IKEV2_EXCH_IKE_SA_INIT;

	for (unsigned i = 0; i < m->sa.n_prop; i++)
		if (v2_proposal_wellformed(&m->sa.prop[i], init, &why))
			return IKE_RESULT_OK;
	return ike_notify(IKEV2_N_NO_PROPOSAL_CHOSEN, why);
}

static struct ike_result pipeline(struct span pkt, struct v2_msg *m)
{
	struct ike_result r = v2_parse_msg(pkt, m);
	const char *why;

	if (r.v == IKE_OK)
		r = v2_check_rules(m, false);
	if (r.v == IKE_OK && m->count[IKEV2_PL_SK]) {
		r = v2_parse_inner(m->sk_next, m->sk_body, m);
		if (r.v == IKE_OK)
			r = v2_check_rules(m, true);
	}
	if (r.v == IKE_OK && m->count[IKEV2_PL_SA])
		r = sa_verdict(m);
	if (r.v == IKE_OK && m->count[IKEV2_PL_IDi] && !v2_id_wellformed(&m->idi, &why))
		r = ike_notify(IKEV2_N_AUTHENTICATION_FAILED, why);
	return r;
}

/* ---- per-row extra assertions ---- */

static void x_init_ok(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->sa.n_prop, 1);
	ck_assert_uint_eq(m->sa.prop[0].n_xf, 4);
	ck_assert_uint_eq(m->sa.prop[0].xf[0].keylen, 256);
	ck_assert_uint_eq(m->ke_group, 19);
	ck_assert_uint_eq(m->ke_data.n, 64);
	ck_assert_uint_eq(m->nonce.n, 32);
	ck_assert_uint_eq(m->n_notify, 2);
}

static void x_auth_ok(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->idi.type, IKEV2_ID_FQDN);
	ck_assert_uint_eq(m->idi.data.n, 15);
	ck_assert_uint_eq(m->auth_method, IKEV2_AUTH_PSK);
	ck_assert_uint_eq(m->sa.prop[0].proto, IKEV2_PROTO_ESP);
	ck_assert_uint_eq(m->tsi.n, 1);
	ck_assert_uint_eq(m->tsr.ts[0].lo.a[1], 2);
	ck_assert_uint_eq(m->n_outer, 1);
	ck_assert_uint_eq(m->n_payloads, 6);
}

static void x_unknown_crit(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->unknown_critical, 200);
}

static void x_ikev1(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->count[1], 1);
	ck_assert_uint_eq(m->count[8], 1);
	ck_assert_uint_eq(m->unknown_critical, 0);
}

static void x_second_good(const struct v2_msg *m)
{
	const char *why;

	ck_assert(!v2_proposal_wellformed(&m->sa.prop[0], true, &why));
	ck_assert(v2_proposal_wellformed(&m->sa.prop[1], true, &why));
}

static void x_40x28(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->sa.n_prop, IKE_MAX_PROPOSALS);
	ck_assert_uint_eq(m->sa.n_ignored, 8);
	ck_assert_uint_eq(m->sa.prop[31].n_xf, 28);
	ck_assert_uint_eq(m->sa.prop[31].xf[27].id, 1025 + 23);
}

static void x_private(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->sa.prop[0].xf[0].id, 1030);
	ck_assert_uint_eq(m->sa.prop[0].xf[4].id, 1025);
	ck_assert_uint_eq(m->ke_group, 1025);
}

static void x_ts_unknown(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->tsi.n, 0);
	ck_assert_uint_eq(m->tsi.n_unknown, 1);
}

static void x_ts_opaque(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->tsi.ts[0].port_lo, 65535);
	ck_assert_uint_eq(m->tsi.ts[0].port_hi, 0);
}

static void x_cookie(const struct v2_msg *m)
{
	ck_assert(v2_msg_find_notify(m, IKEV2_N_COOKIE) != NULL);
	ck_assert_uint_eq(v2_msg_find_notify(m, IKEV2_N_COOKIE)->data.n, 16);
}

static void x_delete(const struct v2_msg *m)
{
	ck_assert_uint_eq(m->n_delete, 1);
	ck_assert_uint_eq(m->del[0].n_spi, 2);
	ck_assert_uint_eq(m->del[0].spis.n, 8);
}

#define OK_ IKE_OK, 0, "ok"
#define DROP(w) IKE_DROP, 0, w
#define NTF(n, w) IKE_REPLY_NOTIFY, IKEV2_N_##n, w

struct row {
	const char *name;
	enum ike_verdict v;
	uint16_t notify;
	const char *why;
	const char *xf_why;	/* first rejected transform of proposal 1 */
	void (*extra)(const struct v2_msg *m);
};

static const struct row rows[] = {
	{ "00-valid-sa-init", OK_, NULL, x_init_ok },
	{ "00-valid-sa-init-resp", OK_, NULL, NULL },
	{ "00-valid-cookie-resp", OK_, NULL, x_cookie },
	{ "00-valid-ike-auth", OK_, NULL, x_auth_ok },
	{ "00-valid-ike-auth-resp", OK_, NULL, NULL },
	{ "00-valid-create-child", OK_, NULL, NULL },
	{ "00-valid-informational", OK_, NULL, x_delete },
	{ "00-valid-dpd", OK_, NULL, NULL },
	{ "01-short", DROP("message shorter than the IKE header"), NULL, NULL },
	{ "01-keepalive", DROP("message shorter than the IKE header"), NULL, NULL },
	{ "02-len-gt-datagram", DROP("header length differs from datagram length"), NULL, NULL },
	{ "02-len-lt-28", DROP("header length differs from datagram length"), NULL, NULL },
	{ "02-trailing-bytes", DROP("header length differs from datagram length"), NULL, NULL },
	{ "02-huge", DROP("message larger than IKE_MAX_MSG"), NULL, NULL },
	{ "03-major-3", NTF(INVALID_MAJOR_VERSION, "major version not 2"), NULL, NULL },
	{ "03-minor-7", OK_, NULL, NULL },
	{ "03-reserved-flags", OK_, NULL, NULL },
	{ "04-resp-no-spir", DROP("IKE_SA_INIT response without responder SPI"), NULL, NULL },
	{ "05-spii-zero", DROP("initiator SPI is zero"), NULL, NULL },
	{ "05-spir-nonzero", DROP("IKE_SA_INIT request with responder SPI"), NULL, NULL },
	{ "05-msgid-nonzero", DROP("IKE_SA_INIT message ID not zero"), NULL, NULL },
	{ "05-exch-99", DROP("unknown exchange type"), NULL, NULL },
	{ "05-auth-spir-zero", DROP("responder SPI is zero"), NULL, NULL },
	{ "06-genlen-lt-4", DROP("payload length below 4 or past the message"), NULL, NULL },
	{ "06-genlen-past-end", DROP("payload length below 4 or past the message"), NULL, NULL },
	{ "06-inner-genlen-lt-4", NTF(INVALID_SYNTAX, "payload length below 4 or past the message"), NULL, NULL },
	{ "07-bytes-after-chain", DROP("bytes after the last payload"), NULL, NULL },
	{ "07-next-at-end", DROP("payload chain runs past the message"), NULL, NULL },
	{ "08-16k-vids-64k", DROP("message larger than IKE_MAX_MSG"), NULL, NULL },
	{ "08-2400-unknown", DROP("more payloads than IKE_MAX_PAYLOADS"), NULL, NULL },
	{ "08-30-vids", DROP("more vendor IDs than IKE_MAX_VIDS"), NULL, NULL },
	{ "08-25-notifies", DROP("more notifies than IKE_MAX_NOTIFIES"), NULL, NULL },
	{ "09-unknown-noncritical", OK_, NULL, NULL },
	{ "09-unknown-critical", NTF(UNSUPPORTED_CRITICAL_PAYLOAD, "unknown critical payload"), NULL, x_unknown_crit },
	{ "09-inner-unknown-critical", NTF(UNSUPPORTED_CRITICAL_PAYLOAD, "unknown critical payload"), NULL, NULL },
	{ "09-critical-known-ok", OK_, NULL, NULL },
	{ "10-two-sa", DROP("duplicate payload"), NULL, NULL },
	{ "10-two-ke", DROP("duplicate payload"), NULL, NULL },
	{ "10-two-ni", DROP("duplicate payload"), NULL, NULL },
	{ "10-two-auth", NTF(INVALID_SYNTAX, "duplicate payload"), NULL, NULL },
	{ "10-two-tsi", NTF(INVALID_SYNTAX, "duplicate payload"), NULL, NULL },
	{ "11-init-no-ke", DROP("mandatory payload missing"), NULL, NULL },
	{ "11-init-no-ni", DROP("mandatory payload missing"), NULL, NULL },
	{ "11-auth-no-idi", NTF(INVALID_SYNTAX, "mandatory payload missing"), NULL, NULL },
	{ "11-auth-no-auth", NTF(INVALID_SYNTAX, "mandatory payload missing"), NULL, NULL },
	{ "12-idi-in-init", DROP("payload not allowed in the clear here"), NULL, NULL },
	{ "12-ts-in-init", DROP("payload not allowed in the clear here"), NULL, NULL },
	{ "12-cp-in-init", DROP("payload not allowed in the clear here"), NULL, NULL },
	{ "12-auth-clear-beside-sk", DROP("payloads in the clear beside SK"), NULL, NULL },
	{ "12-delete-clear-beside-sk", DROP("payloads in the clear beside SK"), NULL, NULL },
	{ "12-sk-not-last", DROP("bytes after the SK payload"), NULL, NULL },
	{ "12-sk-in-init", DROP("payload not allowed in the clear here"), NULL, NULL },
	{ "12-sk-inside-sk", NTF(INVALID_SYNTAX, "SK inside SK"), NULL, NULL },
	{ "13-ikev1-payload", OK_, NULL, x_ikev1 },
	{ "13-ikev1-critical", NTF(UNSUPPORTED_CRITICAL_PAYLOAD, "unknown critical payload"), NULL, NULL },
	{ "14-prop-len-lt-8", DROP("proposal length below header or past SA payload"), NULL, NULL },
	{ "14-prop-len-past", DROP("proposal length below header or past SA payload"), NULL, NULL },
	{ "14-prop-more-on-last", DROP("proposal last/more contradicts remaining bytes"), NULL, NULL },
	{ "14-prop-last-not-last", DROP("proposal last/more contradicts remaining bytes"), NULL, NULL },
	{ "14-prop-flag-invalid", DROP("proposal last/more value invalid"), NULL, NULL },
	{ "14-xf-len-lt-8", DROP("transform length below header or past proposal"), NULL, NULL },
	{ "14-xf-last-early", DROP("transform last/more contradicts remaining bytes"), NULL, NULL },
	{ "14-xf-more-on-last", DROP("transform last/more contradicts remaining bytes"), NULL, NULL },
	{ "14-sa-empty", DROP("SA payload without proposals"), NULL, NULL },
	{ "15-prop-num-2", NTF(NO_PROPOSAL_CHOSEN, "proposal numbers not 1,2,3..."), NULL, NULL },
	{ "15-prop-num-gap", NTF(NO_PROPOSAL_CHOSEN, "proposal numbers not 1,2,3..."), NULL, NULL },
	{ "15-proto-0", NTF(NO_PROPOSAL_CHOSEN, "proposal protocol ID not 1..3"), NULL, NULL },
	{ "15-proto-4", NTF(NO_PROPOSAL_CHOSEN, "proposal protocol ID not 1..3"), NULL, NULL },
	{ "15-zero-xf", NTF(NO_PROPOSAL_CHOSEN, "proposal without transforms"), NULL, NULL },
	{ "15-count-gt", NTF(NO_PROPOSAL_CHOSEN, "transform count differs from transforms present"), NULL, NULL },
	{ "15-count-lt", NTF(NO_PROPOSAL_CHOSEN, "transform count differs from transforms present"), NULL, NULL },
	{ "15-second-good", OK_, NULL, x_second_good },
	{ "16-ike-spi-8-init", NTF(NO_PROPOSAL_CHOSEN, "IKE proposal SPI size not 0 in IKE_SA_INIT"), NULL, NULL },
	{ "16-esp-spi-3", NTF(NO_PROPOSAL_CHOSEN, "ESP/AH proposal SPI size not 4"), NULL, NULL },
	{ "16-esp-spi-zero", NTF(NO_PROPOSAL_CHOSEN, "proposal SPI is zero"), NULL, NULL },
	{ "16-spi-size-9", NTF(NO_PROPOSAL_CHOSEN, "proposal SPI longer than 8 bytes"), NULL, NULL },
	{ "17-40x28", OK_, NULL, x_40x28 },
	{ "17-255-xf", NTF(NO_PROPOSAL_CHOSEN, "more transforms than IKE_MAX_TRANSFORMS"), NULL, NULL },
	{ "17-255-props", NTF(NO_PROPOSAL_CHOSEN, "proposal without transforms"), NULL, NULL },
	{ "17-255x255-cut", DROP("message larger than IKE_MAX_MSG"), NULL, NULL },
	{ "18-keylen-tlv", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "unknown or malformed transform attribute", NULL },
	{ "18-attr-past-xf", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "unknown or malformed transform attribute", NULL },
	{ "18-attr-stray-byte", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "unknown or malformed transform attribute", NULL },
	{ "18-aes-no-keylen", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "AES key length missing or not 128/192/256", NULL },
	{ "18-aes-keylen-0", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "AES key length missing or not 128/192/256", NULL },
	{ "18-aes-keylen-129", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "AES key length missing or not 128/192/256", NULL },
	{ "18-unknown-attr", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "unknown or malformed transform attribute", NULL },
	{ "18-keylen-on-3des", NTF(NO_PROPOSAL_CHOSEN, "proposal without a usable cipher"),
	  "key length attribute on a fixed-length transform", NULL },
	{ "18-bad-then-good", OK_, "AES key length missing or not 128/192/256", NULL },
	{ "19-ike-no-dh", NTF(NO_PROPOSAL_CHOSEN, "IKE proposal without DH group"), NULL, NULL },
	{ "19-ike-no-prf", NTF(NO_PROPOSAL_CHOSEN, "IKE proposal without PRF"), NULL, NULL },
	{ "19-aead-plus-integ", NTF(NO_PROPOSAL_CHOSEN, "AEAD cipher with an integrity transform"), NULL, NULL },
	{ "19-cbc-no-integ", NTF(NO_PROPOSAL_CHOSEN, "non-AEAD proposal without integrity"), NULL, NULL },
	{ "19-gmac-with-aes", NTF(NO_PROPOSAL_CHOSEN, "AES-GMAC integrity with a non-NULL cipher"), NULL, NULL },
	{ "19-aead-and-cbc", NTF(NO_PROPOSAL_CHOSEN, "AEAD and non-AEAD ciphers in one proposal"), NULL, NULL },
	{ "20-private-ids", OK_, NULL, x_private },
	{ "20-private-encr-with-gcm", OK_, NULL, NULL },
	{ "22-ke-empty", DROP("KE payload without key data"), NULL, NULL },
	{ "22-ke-short-header", DROP("KE payload shorter than 4 bytes"), NULL, NULL },
	{ "22-ke-too-long", DROP("KE data longer than IKE_MAX_KE"), NULL, NULL },
	{ "24-nonce-15", DROP("nonce size outside 16..256"), NULL, NULL },
	{ "24-nonce-257", DROP("nonce size outside 16..256"), NULL, NULL },
	{ "24-nonce-16", OK_, NULL, NULL },
	{ "24-nonce-256", OK_, NULL, NULL },
	{ "24-inner-nonce-15", NTF(INVALID_SYNTAX, "nonce size outside 16..256"), NULL, NULL },
	{ "26-rekey-proto-1", NTF(INVALID_SYNTAX, "REKEY_SA with bad protocol ID or SPI size"), NULL, NULL },
	{ "26-rekey-proto-9", NTF(INVALID_SYNTAX, "notify protocol ID not 0..3"), NULL, NULL },
	{ "26-rekey-spi-3", NTF(INVALID_SYNTAX, "notify SPI size not 0, 4 or 8"), NULL, NULL },
	{ "26-rekey-proto-0-no-spi", NTF(INVALID_SYNTAX, "REKEY_SA with bad protocol ID or SPI size"), NULL, NULL },
	{ "26-notify-spi-past", NTF(INVALID_SYNTAX, "notify SPI past payload"), NULL, NULL },
	{ "26-unknown-notify", OK_, NULL, NULL },
	{ "26-delete-proto-9", NTF(INVALID_SYNTAX, "DELETE protocol ID not 1..3"), NULL, NULL },
	{ "26-delete-proto-0", NTF(INVALID_SYNTAX, "DELETE protocol ID not 1..3"), NULL, NULL },
	{ "26-delete-spi-3", NTF(INVALID_SYNTAX, "child DELETE SPI size not 4"), NULL, NULL },
	{ "26-delete-count-gt", NTF(INVALID_SYNTAX, "DELETE SPI count differs from SPIs present"), NULL, NULL },
	{ "26-delete-ike-with-spi", NTF(INVALID_SYNTAX, "IKE DELETE with SPIs"), NULL, NULL },
	{ "26-delete-esp-none", NTF(INVALID_SYNTAX, "child DELETE SPI count not 1..IKE_MAX_DELETE_SPIS"), NULL, NULL },
	{ "26-five-deletes", NTF(INVALID_SYNTAX, "too many DELETE payloads"), NULL, NULL },
	{ "27-auth-in-clear", DROP("payloads in the clear beside SK"), NULL, NULL },
	{ "27-child-in-clear", DROP("payloads in the clear beside SK"), NULL, NULL },
	{ "27-info-in-clear", DROP("payloads in the clear beside SK"), NULL, NULL },
	{ "27-info-empty-clear", DROP("mandatory payload missing"), NULL, NULL },
	{ "27-unknown-beside-sk", DROP("payloads in the clear beside SK"), NULL, NULL },
	{ "33-ts-count-gt", NTF(INVALID_SYNTAX, "TS count exceeds selectors present"), NULL, NULL },
	{ "33-ts-count-lt", NTF(INVALID_SYNTAX, "bytes after the declared selectors"), NULL, NULL },
	{ "33-ts-len-20", NTF(INVALID_SYNTAX, "selector length wrong for its type"), NULL, NULL },
	{ "33-ts-len-lt-4", NTF(INVALID_SYNTAX, "TS count exceeds selectors present"), NULL, NULL },
	{ "33-ts-unknown-type", OK_, NULL, x_ts_unknown },
	{ "33-ts-start-gt-end", NTF(INVALID_SYNTAX, "selector start address above end address"), NULL, NULL },
	{ "33-ts-zero", NTF(INVALID_SYNTAX, "TS payload with zero selectors"), NULL, NULL },
	{ "33-ts-opaque-ports", OK_, NULL, x_ts_opaque },
	{ "33-ts-40-sels", NTF(INVALID_SYNTAX, "more selectors than IKE_MAX_TS"), NULL, NULL },
	{ "34-id-unknown-type", NTF(AUTHENTICATION_FAILED, "unknown ID type"), NULL, NULL },
	{ "34-id-empty", NTF(AUTHENTICATION_FAILED, "ID data length not 1..IKE_MAX_ID"), NULL, NULL },
	{ "34-id-fqdn-nul", NTF(AUTHENTICATION_FAILED, "FQDN/RFC822 ID with non-printable bytes"), NULL, NULL },
	{ "34-id-fqdn-ctrl", NTF(AUTHENTICATION_FAILED, "FQDN/RFC822 ID with non-printable bytes"), NULL, NULL },
	{ "34-id-fqdn-300", NTF(AUTHENTICATION_FAILED, "ID data length not 1..IKE_MAX_ID"), NULL, NULL },
	{ "34-id-ipv4-5", NTF(AUTHENTICATION_FAILED, "ID_IPV4_ADDR not 4 bytes"), NULL, NULL },
	{ "34-id-short", NTF(INVALID_SYNTAX, "ID payload shorter than 4 bytes"), NULL, NULL },
	{ "34-id-der-dn", OK_, NULL, NULL },
	{ "36-skf-in-auth", DROP("SKF: IKE fragmentation not supported"), NULL, NULL },
	{ "37-skf-in-init", DROP("SKF: IKE fragmentation not supported"), NULL, NULL },
	{ "37-skf-inside-sk", NTF(INVALID_SYNTAX, "SKF: IKE fragmentation not supported"), NULL, NULL },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static uint8_t vbuf[VEC_MAX];
static struct v2_msg vmsg;

static void check_xf_why(const struct row *r, const struct v2_msg *m)
{
	const char *why = NULL;

	ck_assert_uint_ge(m->sa.n_prop, 1);
	for (unsigned i = 0; i < m->sa.prop[0].n_xf && !why; i++)
		v2_transform_wellformed(&m->sa.prop[0].xf[i], &why);
	ck_assert_msg(why && !strcmp(why, r->xf_why), "%s: transform why '%s', want '%s'",
		      r->name, why ? why : "(none)", r->xf_why);
}

START_TEST(hostile_row)
{
	const struct row *r = &rows[_i];
	size_t n = load_hex(r->name, vbuf, sizeof(vbuf));
	struct ike_result res = pipeline(span_make(vbuf, n), &vmsg);

	ck_assert_msg(res.v == r->v && res.notify == r->notify && !strcmp(res.why, r->why),
		      "%s: got verdict %d notify %u why '%s'; want %d %u '%s'",
		      r->name, res.v, res.notify, res.why, r->v, r->notify, r->why);
	if (r->xf_why)
		check_xf_why(r, &vmsg);
	if (r->extra)
		r->extra(&vmsg);
}
END_TEST

/* Every vector file in the directory has a row (no silent extras). */
START_TEST(every_vector_has_a_row)
{
	char cmd[600], name[256];
	FILE *p;
	unsigned files = 0;

	snprintf(cmd, sizeof(cmd), "ls %s", vec_dir());
	p = popen(cmd, "r");
	ck_assert(p != NULL);
	while (fgets(name, sizeof(name), p)) {
		char *dot = strstr(name, ".hex\n");
		bool found = false;

		if (!dot)
			continue;
		*dot = 0;
		files++;
		for (size_t i = 0; i < N_ROWS && !found; i++)
			found = !strcmp(rows[i].name, name);
		ck_assert_msg(found, "vector %s has no expectation row", name);
	}
	pclose(p);
	ck_assert_uint_eq(files, N_ROWS);
}
END_TEST

/* Row 8: the payload cap stops the walk early, so cost does not grow with
 * the number of payloads in the datagram. */
START_TEST(payload_flood_is_linear)
{
	static uint8_t big[IKE_MAX_MSG];
	size_t n = IKEV2_HDR_LEN;
	clock_t t0;

	memset(big, 0, sizeof(big));
	for (; n + 4 <= sizeof(big); n += 4) {
		big[n] = 200;
		big[n + 3] = 4;
	}
	big[n - 4] = 0;
	memcpy(big, "\0\0\0\0\0\0\0\1", 8);
	big[16] = 200;
	big[17] = IKEV2_VERSION;
	big[18] = IKEV2_EXCH_IKE_SA_INIT;
	big[19] = IKEV2_FLAG_INITIATOR;
	big[24] = (uint8_t)(n >> 24);
	big[25] = (uint8_t)(n >> 16);
	big[26] = (uint8_t)(n >> 8);
	big[27] = (uint8_t)n;
	t0 = clock();
	for (int i = 0; i < 1000; i++) {
		struct ike_result r = v2_parse_msg(span_make(big, n), &vmsg);
		ck_assert_int_eq(r.v, IKE_DROP);
		ck_assert_str_eq(r.why, "more payloads than IKE_MAX_PAYLOADS");
		ck_assert_uint_eq(vmsg.n_payloads, IKE_MAX_PAYLOADS);
	}
	ck_assert_msg(clock() - t0 < 5 * CLOCKS_PER_SEC, "1000 floods took too long");
}
END_TEST

/* Flip every bit and cut at every length of each valid message: the
 * pipeline must return a verdict with a reason and never touch memory
 * outside the datagram (ASan/UBSan). */
static void sweep(const char *name)
{
	uint8_t *copy;
	size_t n = load_hex(name, vbuf, sizeof(vbuf));

	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++) {
			copy = malloc(n);	/* exact size: ASan sees overreads */
			ck_assert(copy != NULL);
			memcpy(copy, vbuf, n);
			copy[i] ^= (uint8_t)(1u << b);
			ck_assert(pipeline(span_make(copy, n), &vmsg).why != NULL);
			free(copy);
		}
	for (size_t len = 0; len <= n; len++) {
		copy = malloc(len ? len : 1);
		ck_assert(copy != NULL);
		memcpy(copy, vbuf, len);
		if (len >= IKEV2_HDR_LEN) {	/* keep the header consistent */
			copy[24] = (uint8_t)(len >> 24);
			copy[25] = (uint8_t)(len >> 16);
			copy[26] = (uint8_t)(len >> 8);
			copy[27] = (uint8_t)len;
		}
		ck_assert(pipeline(span_make(copy, len), &vmsg).why != NULL);
		free(copy);
	}
}

static const char *const sweep_names[] = {
	"00-valid-sa-init", "00-valid-sa-init-resp", "00-valid-ike-auth",
	"00-valid-ike-auth-resp", "00-valid-create-child", "00-valid-informational",
};

START_TEST(bitflip_truncation_sweep)
{
	sweep(sweep_names[_i]);
}
END_TEST

/* Inner decode alone on an arbitrary plaintext never needs a header. */
START_TEST(inner_garbage)
{
	uint8_t junk[64];
	struct ike_result r;

	for (unsigned seed = 0; seed < 2000; seed++) {
		srand(seed);
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rand();
		memset(&vmsg, 0, sizeof(vmsg));
		vmsg.hdr.exch = IKEV2_EXCH_IKE_AUTH;
		vmsg.outer_count[IKEV2_PL_SK] = vmsg.count[IKEV2_PL_SK] = 1;
		vmsg.n_outer = vmsg.n_payloads = 1;
		r = v2_parse_inner(junk[0] % 60, span_make(junk, (size_t)(seed % 64)), &vmsg);
		ck_assert(r.v == IKE_OK || (r.v == IKE_REPLY_NOTIFY &&
					    r.notify == IKEV2_N_INVALID_SYNTAX));
		if (r.v == IKE_OK)
			r = v2_check_rules(&vmsg, true);
		ck_assert(r.why != NULL);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("v2_parse");
	TCase *tc = tcase_create("hostile");
	TCase *ts = tcase_create("sweep");
	SRunner *sr;
	int nf;

	tcase_add_loop_test(tc, hostile_row, 0, (int)N_ROWS);
	tcase_add_test(tc, every_vector_has_a_row);
	tcase_add_test(tc, payload_flood_is_linear);
	tcase_add_test(tc, inner_garbage);
	tcase_set_timeout(ts, 300);
	tcase_add_loop_test(ts, bitflip_truncation_sweep, 0,
			    (int)(sizeof(sweep_names) / sizeof(sweep_names[0])));
	suite_add_tcase(s, tc);
	suite_add_tcase(s, ts);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
