/* ike/peer_lint: each rule fires on the config that breaks it and stays
 * silent otherwise.  Configs go through the real parser (conf_parse), so
 * the rows are what an operator writes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/peer_lint.h"

#define BASE "[connection t]\nremote_address = 203.0.113.7\n" \
	     "local_subnets = 192.168.1.0/24\nremote_subnets = 10.2.0.0/24\n" \
	     "psk = \"0123456789abcdef0123456789\"\n"
/* Settings each peer takes by default, to show a rule in isolation; a
 * row's own line for the same key wins (see parse()). */
#define SS_OK "esp_pfs = none\n"
#define AL_OK "ike_encryption = aes128\nike_integrity = sha1\nike_dh_group = 2\n" \
	      "esp_encryption = aes128\nesp_integrity = sha1\nesp_pfs = 2\n"

/* Key of a "key = value" line, for overriding. */
static size_t key_len(const char *line)
{
	size_t n = strcspn(line, " =\n");

	return line[n] == ' ' || line[n] == '=' ? n : 0;
}

static bool key_in(const char *line, size_t kl, const char *rest)
{
	for (const char *p = rest; *p; p += strcspn(p, "\n"), p += *p == '\n')
		if (key_len(p) == kl && !strncmp(p, line, kl))
			return true;
	return false;
}

/* BASE and the row's lines; of two lines with one key the later wins. */
static struct conf *parse(const char *extra)
{
	char all[2048], buf[2048] = "", *errs = NULL;
	size_t errlen = 0;
	FILE *e = open_memstream(&errs, &errlen);
	struct conf *c = NULL;
	int err;

	snprintf(all, sizeof(all), "%s%s", BASE, extra);
	for (const char *p = all; *p; ) {
		size_t ll = strcspn(p, "\n"), kl = key_len(p);

		ll += p[ll] == '\n';
		if (!kl || !key_in(p, kl, p + ll))
			strncat(buf, p, ll);
		p += ll;
	}
	err = conf_parse("test.conf", buf, strlen(buf), &c, e);
	fclose(e);
	ck_assert_msg(err == 0, "config did not parse: %s", errs);
	free(errs);
	return c;
}

/* The findings as "rule/key" joined by ",", in order. */
static void lint_set(const struct conf_conn *cc, enum peer_kind k, char *out, size_t sz,
		     struct lint_msg *msgs, unsigned *n)
{
	*n = peer_lint(cc, k, msgs, LINT_MAX);
	ck_assert_uint_le(*n, LINT_MAX);
	out[0] = 0;
	for (unsigned i = 0; i < *n; i++)
		snprintf(out + strlen(out), sz - strlen(out), "%s%s/%s", i ? "," : "",
			 msgs[i].rule, msgs[i].key);
}

struct row {
	const char *name;
	enum peer_kind peer;
	const char *conf;
	const char *want;	/* "rule/key,..." in order; "" = silent */
	const char *text;	/* the first finding's text, or a part of it */
};

static const struct row rows[] = {
	/* strongSwan 5.9 */
	{ "ss silent", PEER_STRONGSWAN, SS_OK, "", NULL },
	{ "ss pfs by default", PEER_STRONGSWAN, "", "strongswan-pfs/esp_pfs",
	  "strongSwan 5.9's default esp_proposals carry no DH group: the first phase 2 "
	  "comes up, but its first rekey fails; name the group in its esp_proposals (e.g. "
	  "aes256-sha256-modp2048) or set esp_pfs = none" },
	{ "ss pfs with none allowed", PEER_STRONGSWAN, "esp_pfs = 14, none\n", "", NULL },
	{ "ss md5 ike", PEER_STRONGSWAN, SS_OK "ike_integrity = md5\n",
	  "strongswan-default-ike-integ/ike_integrity",
	  "strongSwan 5.9 uses md5 only when its proposals name them explicitly (its "
	  "default IKE proposals have sha256, sha384, sha512, sha1); add sha256 here" },
	{ "ss md5 with sha256", PEER_STRONGSWAN, SS_OK "ike_integrity = md5, sha256\n", "", NULL },
	{ "ss des ike", PEER_STRONGSWAN, SS_OK "ike_encryption = des\n",
	  "strongswan-default-ike-encr/ike_encryption", "uses des only when" },
	{ "ss modp1024", PEER_STRONGSWAN, SS_OK "ike_dh_group = 2\n",
	  "strongswan-default-ike-dh/ike_dh_group", "uses DH group 2 only when" },
	{ "ss modp1536", PEER_STRONGSWAN, SS_OK "ike_dh_group = 5\n",
	  "strongswan-default-ike-dh/ike_dh_group", "uses DH group 5 only when" },
	{ "ss 3des esp", PEER_STRONGSWAN, SS_OK "esp_encryption = 3des\n",
	  "strongswan-default-esp-encr/esp_encryption", "uses 3des only when" },
	{ "ss md5 esp", PEER_STRONGSWAN, SS_OK "esp_integrity = md5\n",
	  "strongswan-default-esp-integ/esp_integrity", "uses md5 only when" },
	{ "ss md5 esp with gcm", PEER_STRONGSWAN,
	  SS_OK "esp_encryption = aes256gcm16\nesp_integrity = md5\n", "", NULL },
	{ "ss several subnets fine", PEER_STRONGSWAN,
	  SS_OK "local_subnets = 192.168.1.0/24, 192.168.2.0/24\n", "", NULL },
	{ "ss aggressive psk", PEER_STRONGSWAN,
	  SS_OK "ike_version = 1\nike_mode = aggressive\n",
	  "strongswan-aggressive-psk/ike_mode", "i_dont_care_about_security_and_use_aggressive_mode_psk" },
	{ "ss v1 pfs", PEER_STRONGSWAN, "ike_version = 1\n", "strongswan-pfs/esp_pfs",
	  "Quick Mode with PFS fails" },

	/* libreswan 4.10 */
	{ "ls silent", PEER_LIBRESWAN, "", "", NULL },
	{ "ls modp1024", PEER_LIBRESWAN, "ike_dh_group = 2\n", "libreswan-dh-weak/ike_dh_group",
	  "libreswan 4.10 cannot use MODP-1024 (group 2); use 14" },
	{ "ls modp768 beside 14", PEER_LIBRESWAN, "ike_dh_group = 1, 14\n",
	  "libreswan-dh-weak/ike_dh_group", "libreswan 4.10 cannot use MODP-768 (group 1); use 14" },
	{ "ls pfs modp1024", PEER_LIBRESWAN, "esp_pfs = 2\n", "libreswan-pfs-weak/esp_pfs",
	  "libreswan 4.10 cannot use MODP-1024 (group 2); use 14" },
	{ "ls des ike", PEER_LIBRESWAN, "ike_encryption = des\n", "libreswan-des/ike_encryption",
	  "libreswan 4.10 has no DES; use aes256 or aes128 (3des if the other choices fail)" },
	{ "ls des esp", PEER_LIBRESWAN, "esp_encryption = des\n", "libreswan-des/esp_encryption",
	  "has no DES" },
	{ "ls two subnets", PEER_LIBRESWAN, "local_subnets = 192.168.1.0/24, 192.168.2.0/24\n",
	  "libreswan-split/split",
	  "libreswan 4.10 puts one subnet pair in each CHILD SA (leftsubnets={...}); "
	  "local_subnets and remote_subnets make 2 pairs, so set split = yes" },
	{ "ls two subnets split", PEER_LIBRESWAN,
	  "local_subnets = 192.168.1.0/24, 192.168.2.0/24\nsplit = yes\n", "", NULL },
	{ "ls ikev1", PEER_LIBRESWAN, "ike_version = 1\n", "libreswan-ikev1/ike_version",
	  "libreswan 4.10 refuses IKEv1 unless its \"config setup\" has ikev1-policy=accept; "
	  "use ike_version = 2 if you can" },
	{ "ls aggressive", PEER_LIBRESWAN, "ike_version = 1\nike_mode = aggressive\n",
	  "libreswan-ikev1/ike_version,libreswan-aggressive/ike_mode", "ikev1-policy=accept" },
	{ "ls md5 ike", PEER_LIBRESWAN, "ike_integrity = md5\n", "libreswan-md5/ike_integrity",
	  "libreswan 4.10 uses MD5 only when its ike= line names it; add sha256 here" },
	{ "ls md5 esp", PEER_LIBRESWAN, "esp_integrity = md5\n", "libreswan-md5/esp_integrity",
	  "uses MD5 only when its esp= line names it" },
	{ "ls aes192 v2", PEER_LIBRESWAN, "ike_encryption = aes192\n",
	  "libreswan-default-ike-encr/ike_encryption",
	  "libreswan 4.10's default IKEv2 proposals have aes_gcm256, aes_gcm128, aes256, "
	  "aes128, not aes192; add aes256 here or name it in its ike= line" },
	{ "ls sha384 v2", PEER_LIBRESWAN, "ike_integrity = sha384\n",
	  "libreswan-default-ike-integ/ike_integrity", "use sha2_512, sha2_256, not sha384" },
	{ "ls sha1 v1 fine", PEER_LIBRESWAN, "ike_version = 1\nike_integrity = sha1\n",
	  "libreswan-ikev1/ike_version", NULL },
	{ "ls modp1536 v2", PEER_LIBRESWAN, "ike_dh_group = 5\n",
	  "libreswan-default-ike-dh/ike_dh_group", "use other DH groups than 5" },
	{ "ls modp1536 v1 fine", PEER_LIBRESWAN, "ike_version = 1\nike_dh_group = 5\nesp_pfs = 5\n",
	  "libreswan-ikev1/ike_version", NULL },
	{ "ls pfs none", PEER_LIBRESWAN, "esp_pfs = none\n", "libreswan-pfs-none/esp_pfs",
	  "defaults to pfs=yes" },

	/* Alibaba Cloud console */
	{ "al silent", PEER_ALIBABA, AL_OK, "", NULL },
	{ "al defaults differ", PEER_ALIBABA, "",
	  "alibaba-default/ike_encryption,alibaba-default/ike_integrity,"
	  "alibaba-default/ike_dh_group,alibaba-default/esp_encryption,"
	  "alibaba-default/esp_integrity,alibaba-default/esp_pfs",
	  "the Alibaba Cloud console defaults to aes (AES-128) for IKE encryption: select "
	  "aes256 there" },
	{ "al gcm", PEER_ALIBABA, AL_OK "ike_encryption = aes256gcm16\n", "alibaba-encr/ike_encryption",
	  "the Alibaba Cloud console offers only aes (AES-128), aes192, aes256, des, 3des as "
	  "IKE encryption (no GCM), not aes256gcm16; add aes256 here" },
	{ "al gcm esp", PEER_ALIBABA, AL_OK "esp_encryption = aes128gcm16\n",
	  "alibaba-encr/esp_encryption", "as IPsec encryption (no GCM), not aes128gcm16" },
	{ "al ecp", PEER_ALIBABA, AL_OK "ike_dh_group = 19, 31\n", "alibaba-dh/ike_dh_group",
	  "the Alibaba Cloud console offers only group1, group2, group5, group14 as IKE DH "
	  "group (no ECP, no Curve25519), not 19, 31; add 14 here" },
	{ "al pfs curve25519", PEER_ALIBABA, AL_OK "esp_pfs = 31\n", "alibaba-dh/esp_pfs",
	  "group14 or disabled as IPsec DH group" },
	{ "al pfs group14", PEER_ALIBABA, AL_OK "esp_pfs = 14\n", "alibaba-default/esp_pfs",
	  "the Alibaba Cloud console defaults to group2 for IPsec: select group14 there" },
	{ "al pfs none", PEER_ALIBABA, AL_OK "esp_pfs = none\n", "alibaba-default/esp_pfs",
	  "select disabled there" },
	{ "al lifetime", PEER_ALIBABA, AL_OK "ike_lifetime = 172800\n",
	  "alibaba-lifetime/ike_lifetime",
	  "the Alibaba Cloud console accepts IKE lifetimes of 0 to 86400 s, not 172800; set "
	  "86400 here" },
	{ "al v1 lifetime", PEER_ALIBABA, AL_OK "ike_version = 1\n", "alibaba-default/esp_lifetime",
	  "defaults to 86400 s for the IPsec SA and IKEv1 proposals carry the lifetime: set "
	  "3600 there" },
	{ "al v1 lifetime equal", PEER_ALIBABA, AL_OK "ike_version = 1\nesp_lifetime = 86400\n",
	  "", NULL },
};

START_TEST(rule_rows)
{
	const struct row *r = &rows[_i];
	struct conf *c = parse(r->conf);
	struct lint_msg m[LINT_MAX];
	char got[1024];
	unsigned n;

	lint_set(conf_find(c, "t"), r->peer, got, sizeof(got), m, &n);
	ck_assert_msg(!strcmp(got, r->want), "%s: got '%s' want '%s' (%s)", r->name, got,
		      r->want, n ? m[0].text : "");
	if (r->text)
		ck_assert_msg(strstr(m[0].text, r->text), "%s: '%s' lacks '%s'", r->name,
			      m[0].text, r->text);
	conf_free(c);
}
END_TEST

START_TEST(brief_example_format)
{
	struct conf *c = parse("ike_dh_group = 2\n");
	struct lint_msg m[4];
	char line[LINT_TEXT_LEN + 32];

	ck_assert_uint_eq(peer_lint(conf_find(c, "t"), PEER_LIBRESWAN, m, 4), 1);
	ck_assert_uint_eq(lint_msg_fmt(&m[0], line, sizeof(line)), strlen(line));
	ck_assert_str_eq(line, "ike_dh_group: libreswan 4.10 cannot use MODP-1024 (group 2); "
			 "use 14");
	conf_free(c);
}
END_TEST

/* Rules the parser cannot produce (it refuses these configs) still hold
 * for a connection built by other code. */
START_TEST(rules_beyond_the_parser)
{
	struct conf *c = parse(AL_OK "ike_version = 1\nesp_lifetime = 86400\nike_mode = aggressive\n"
			       "local_subnets = 192.168.1.0/24, 192.168.2.0/24\n");
	struct conf_conn *cc = (struct conf_conn *)conf_find(c, "t");
	struct lint_msg m[LINT_MAX];
	char got[1024];
	unsigned n;

	cc->split = SPLIT_NO;
	lint_set(cc, PEER_ALIBABA, got, sizeof(got), m, &n);
	ck_assert_str_eq(got, "alibaba-split/split");
	cc->ike_dh[1] = 14;
	cc->n_ike_dh = 2;
	lint_set(cc, PEER_LIBRESWAN, got, sizeof(got), m, &n);
	ck_assert_str_eq(got, "libreswan-dh-weak/ike_dh_group,libreswan-pfs-weak/esp_pfs,"
			 "libreswan-split/split,libreswan-ikev1/ike_version,"
			 "libreswan-aggressive/ike_mode,libreswan-aggressive-dh/ike_dh_group");
	conf_free(c);
}
END_TEST

START_TEST(truncation_counts_all)
{
	struct conf *c = parse("");
	struct lint_msg m[2];

	/* six findings, room for two: all counted, two written */
	ck_assert_uint_eq(peer_lint(conf_find(c, "t"), PEER_ALIBABA, m, 2), 6);
	ck_assert_str_eq(m[1].key, "ike_integrity");
	ck_assert_uint_eq(peer_lint(conf_find(c, "t"), PEER_ALIBABA, NULL, 0), 6);
	conf_free(c);
}
END_TEST

START_TEST(kind_names)
{
	enum peer_kind k;

	ck_assert(peer_kind_parse("libreswan", &k) && k == PEER_LIBRESWAN);
	ck_assert(peer_kind_parse("StrongSwan", &k) && k == PEER_STRONGSWAN);
	ck_assert(peer_kind_parse("alibaba", &k) && k == PEER_ALIBABA);
	ck_assert(!peer_kind_parse("openswan", &k));
	ck_assert(!peer_kind_parse("", &k));
	ck_assert(!peer_kind_parse(NULL, &k));
	ck_assert_str_eq(peer_kind_name(PEER_STRONGSWAN), "strongswan");
	ck_assert_str_eq(peer_kind_name((enum peer_kind)7), "?");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("peer_lint");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int nf;

	tcase_add_loop_test(tc, rule_rows, 0, sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, brief_example_format);
	tcase_add_test(tc, rules_beyond_the_parser);
	tcase_add_test(tc, truncation_counts_all);
	tcase_add_test(tc, kind_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
