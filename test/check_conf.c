/* /etc/ikegw.conf parser: every key's forms and defaults, the exact
 * diagnostics for bad input (table-driven), secret-file permissions,
 * limits and hostile bytes. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ike/conf.h"
#include "ike/log.h"
#include "ike/v2.h"

/* The smallest valid connection: lines 1-5, so row text starts at 6. */
#define C "[connection a]\n"
#define R "remote_address = 203.0.113.1\n"
#define L "local_subnets = 10.0.0.0/24\n"
#define S "remote_subnets = 10.1.0.0/24\n"
#define P "psk = \"0123456789abcdef\"\n"
#define MIN C R L S P
#define CRP C R P	/* lines 1-3, subnets follow at 4 */

struct res {
	int rc;
	struct conf *c;
	char *err;
	size_t errlen;
};

static struct res run_len(const char *text, size_t len)
{
	struct res r = { 0 };
	FILE *f = open_memstream(&r.err, &r.errlen);

	ck_assert_ptr_nonnull(f);
	r.rc = conf_parse("t.conf", text, len, &r.c, f);
	fclose(f);
	return r;
}

static struct res run(const char *text)
{
	return run_len(text, strlen(text));
}

static void done(struct res *r)
{
	conf_free(r->c);
	free(r->err);
}

/* `line` appears as a whole line of the diagnostics. */
static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, line, n) == 0 && p[n] == '\n')
			return true;
	return false;
}

static unsigned count_lines(const char *out)
{
	unsigned n = 0;

	for (; out && *out; out++)
		n += *out == '\n';
	return n;
}

static const struct conf_conn *ok_conn(struct res *r, const char *text)
{
	*r = run(text);
	ck_assert_msg(r->rc == 0, "rc %d for:\n%s\nerrors:\n%s", r->rc, text, r->err);
	ck_assert_uint_ge(r->c->n_conns, 1);
	return &r->c->conns[0];
}

/* ---- defaults and valid forms ---------------------------------------- */

START_TEST(defaults)
{
	struct res r;
	const struct conf_conn *c = ok_conn(&r, MIN);

	ck_assert_str_eq(c->name, "a");
	ck_assert_int_eq(c->line, 1);
	ck_assert_str_eq(c->file, "t.conf");
	ck_assert_int_eq(c->local_addr.family, 0);
	ck_assert_int_eq(c->remote_addr.family, AF_INET);
	ck_assert_uint_eq(c->n_local_subnets, 1);
	ck_assert_uint_eq(c->local_subnets[0].plen, 24);
	ck_assert_uint_eq(c->psk_len, 16);
	ck_assert_mem_eq(c->psk, "0123456789abcdef", 16);
	ck_assert_str_eq(c->psk_file, "");
	ck_assert_int_eq(c->ike_version, 2);
	ck_assert_int_eq(c->ike_mode, MODE_MAIN);
	ck_assert_uint_eq(c->n_ike_encr, 1);
	ck_assert_uint_eq(c->ike_encr[0].id, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(c->ike_encr[0].keylen, 256);
	ck_assert_uint_eq(c->n_ike_integ, 1);
	ck_assert_uint_eq(c->ike_integ[0], IKEV2_AUTH_HMAC_SHA2_256_128);
	ck_assert_uint_eq(c->n_ike_prf, 1);
	ck_assert_uint_eq(c->ike_prf[0], IKEV2_PRF_HMAC_SHA2_256);
	ck_assert_uint_eq(c->n_ike_dh, 1);
	ck_assert_uint_eq(c->ike_dh[0], 14);
	ck_assert_uint_eq(c->ike_lifetime, 86400);
	ck_assert(c->local_id.is_default);
	ck_assert_uint_eq(c->local_id.len, 0);
	ck_assert(c->remote_id.is_default);
	ck_assert_uint_eq(c->remote_id.type, IKEV2_ID_IPV4_ADDR);
	ck_assert_uint_eq(c->remote_id.len, 4);
	ck_assert_mem_eq(c->remote_id.data, "\xcb\x00\x71\x01", 4);
	ck_assert_uint_eq(c->n_esp_encr, 1);
	ck_assert_uint_eq(c->esp_encr[0].id, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(c->esp_encr[0].keylen, 256);
	ck_assert_uint_eq(c->n_esp_integ, 1);
	ck_assert_uint_eq(c->esp_integ[0], IKEV2_AUTH_HMAC_SHA2_256_128);
	ck_assert_uint_eq(c->n_esp_pfs, 1);
	ck_assert_uint_eq(c->esp_pfs[0], 14);
	ck_assert_uint_eq(c->esp_lifetime, 3600);
	ck_assert(c->nat_traversal);
	ck_assert(!c->pfs_check);
	ck_assert_uint_eq(c->dpd_interval, 30);
	ck_assert_uint_eq(c->dpd_timeout, 150);
	ck_assert_int_eq(c->start, START_IMMEDIATE);
	ck_assert_int_eq(c->split, SPLIT_AUTO);
	ck_assert_int_eq(r.c->global.log_level, LOG_LVL_INFO);
	ck_assert_str_eq(r.c->global.keylog, "");
	ck_assert_uint_eq(r.c->n_warnings, 0);
	ck_assert_str_eq(r.err, "");
	done(&r);
}
END_TEST

START_TEST(every_key_set)
{
	struct res r;
	const struct conf_conn *c = ok_conn(&r,
		"# comment\n\n[global]\nlog_level = debug\n"
		"[connection x.y-z_1]  # trailing comment\n"
		"local_address = 198.51.100.2\n"
		"remote_address = 203.0.113.9   # peer\n"
		"local_subnets = 192.168.1.0/24 , 192.168.2.5\n"
		"remote_subnets = 0.0.0.0/0\n"
		"psk = \"a key with spaces # and hash\"\n"
		"ike_version = 2\n"
		"ike_encryption = aes128gcm16, aes256gcm16\n"
		"ike_integrity = sha512,sha1\n"
		"ike_dh_group = 31, 19, 21\n"
		"ike_lifetime = 28800\n"
		"local_id = fqdn:gw.example.com\n"
		"remote_id = keyid:peer one\n"
		"esp_encryption = aes192, aes128gcm16\n"
		"esp_integrity = sha384\n"
		"esp_pfs = none, 20\n"
		"esp_lifetime = 60\n"
		"nat_traversal = no\n"
		"pfs_check = yes\n"
		"dpd_interval = 0\n"
		"dpd_timeout = 0\n"
		"start = on-traffic\n"
		"split = no\n");

	ck_assert_str_eq(c->name, "x.y-z_1");
	ck_assert_int_eq(c->line, 5);
	ck_assert_int_eq(c->local_addr.family, AF_INET);
	ck_assert_uint_eq(c->n_local_subnets, 2);
	ck_assert_uint_eq(c->local_subnets[1].plen, 32);
	ck_assert_uint_eq(c->remote_subnets[0].plen, 0);
	ck_assert_uint_eq(c->psk_len, 28);
	ck_assert_mem_eq(c->psk, "a key with spaces # and hash", 28);
	ck_assert_uint_eq(c->n_ike_encr, 2);
	ck_assert_uint_eq(c->ike_encr[0].id, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(c->ike_encr[0].keylen, 128);
	ck_assert_uint_eq(c->ike_encr[1].keylen, 256);
	ck_assert_uint_eq(c->n_ike_integ, 0);	/* GCM only: PRFs only */
	ck_assert_uint_eq(c->n_ike_prf, 2);
	ck_assert_uint_eq(c->ike_prf[0], IKEV2_PRF_HMAC_SHA2_512);
	ck_assert_uint_eq(c->ike_prf[1], IKEV2_PRF_HMAC_SHA1);
	ck_assert_uint_eq(c->n_ike_dh, 3);
	ck_assert_uint_eq(c->ike_dh[0], 31);
	ck_assert_uint_eq(c->ike_dh[2], 21);
	ck_assert_uint_eq(c->ike_lifetime, 28800);
	ck_assert_uint_eq(c->local_id.type, IKEV2_ID_FQDN);
	ck_assert_uint_eq(c->local_id.len, 14);
	ck_assert_mem_eq(c->local_id.data, "gw.example.com", 14);
	ck_assert(!c->local_id.is_default);
	ck_assert_uint_eq(c->remote_id.type, IKEV2_ID_KEY_ID);
	ck_assert_mem_eq(c->remote_id.data, "peer one", 8);
	ck_assert_uint_eq(c->esp_encr[0].keylen, 192);
	ck_assert_uint_eq(c->n_esp_integ, 1);	/* one cipher is not GCM */
	ck_assert_uint_eq(c->esp_integ[0], IKEV2_AUTH_HMAC_SHA2_384_192);
	ck_assert_uint_eq(c->n_esp_pfs, 2);
	ck_assert_uint_eq(c->esp_pfs[0], 0);
	ck_assert_uint_eq(c->esp_pfs[1], 20);
	ck_assert_uint_eq(c->esp_lifetime, 60);
	ck_assert(!c->nat_traversal);
	ck_assert(c->pfs_check);
	ck_assert_uint_eq(c->dpd_interval, 0);
	ck_assert_uint_eq(c->dpd_timeout, 0);
	ck_assert_int_eq(c->start, START_ON_TRAFFIC);
	ck_assert_int_eq(c->split, SPLIT_NO);
	ck_assert_int_eq(r.c->global.log_level, LOG_LVL_DEBUG);
	ck_assert_str_eq(r.err, "");
	ck_assert_ptr_eq(conf_find(r.c, "x.y-z_1"), c);
	ck_assert_ptr_null(conf_find(r.c, "x"));
	done(&r);
}
END_TEST

START_TEST(algorithm_ids)
{
	static const struct { const char *name; uint16_t id, keylen; } encr[] = {
		{ "aes256", 12, 256 }, { "aes192", 12, 192 }, { "aes128", 12, 128 },
		{ "3des", 3, 0 }, { "des", 2, 0 }, { "aes128gcm16", 20, 128 },
		{ "aes256gcm16", 20, 256 }, { "null", 11, 0 },
	};
	static const struct { const char *name; uint16_t auth, prf; } integ[] = {
		{ "sha256", 12, 5 }, { "sha1", 2, 2 }, { "sha384", 13, 6 },
		{ "sha512", 14, 7 }, { "md5", 1, 1 },
	};
	static const char *const dh[] = { "14", "1", "2", "5", "15", "16", "19",
					  "20", "21", "31" };
	char text[512];
	struct res r;
	const struct conf_conn *c;

	for (size_t i = 0; i < sizeof(encr) / sizeof(encr[0]); i++) {
		snprintf(text, sizeof(text), MIN "esp_encryption = %s\n%s%s\n",
			 encr[i].name, i == 7 ? "" : "ike_encryption = ",
			 i == 7 ? "" : encr[i].name);
		c = ok_conn(&r, text);
		ck_assert_uint_eq(c->esp_encr[0].id, encr[i].id);
		ck_assert_uint_eq(c->esp_encr[0].keylen, encr[i].keylen);
		if (i != 7) {
			ck_assert_uint_eq(c->ike_encr[0].id, encr[i].id);
			ck_assert_uint_eq(c->ike_encr[0].keylen, encr[i].keylen);
		}
		ck_assert_uint_eq(c->n_esp_integ, encr[i].id == 20 ? 0 : 1);
		done(&r);
	}
	for (size_t i = 0; i < sizeof(integ) / sizeof(integ[0]); i++) {
		snprintf(text, sizeof(text), MIN "ike_integrity = %s\nesp_integrity = %s\n",
			 integ[i].name, integ[i].name);
		c = ok_conn(&r, text);
		ck_assert_uint_eq(c->ike_integ[0], integ[i].auth);
		ck_assert_uint_eq(c->ike_prf[0], integ[i].prf);
		ck_assert_uint_eq(c->esp_integ[0], integ[i].auth);
		done(&r);
	}
	for (size_t i = 0; i < sizeof(dh) / sizeof(dh[0]); i++) {
		snprintf(text, sizeof(text), MIN "ike_dh_group = %s\nesp_pfs = %s\n",
			 dh[i], dh[i]);
		c = ok_conn(&r, text);
		ck_assert_uint_eq(c->ike_dh[0], (unsigned)atoi(dh[i]));
		ck_assert_uint_eq(c->esp_pfs[0], (unsigned)atoi(dh[i]));
		done(&r);
	}
}
END_TEST

START_TEST(identities)
{
	static const struct {
		const char *v;
		uint8_t type;
		const char *data;
		size_t len;
	} rows[] = {
		{ "fqdn:vpn.example.com", IKEV2_ID_FQDN, "vpn.example.com", 15 },
		{ "ip:192.0.2.1", IKEV2_ID_IPV4_ADDR, "\xc0\x00\x02\x01", 4 },
		{ "ip:2001:db8::1", IKEV2_ID_IPV6_ADDR,
		  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16 },
		{ "email:ops@example.com", IKEV2_ID_RFC822_ADDR, "ops@example.com", 15 },
		{ "keyid:branch 7", IKEV2_ID_KEY_ID, "branch 7", 8 },
		{ "192.0.2.1", IKEV2_ID_IPV4_ADDR, "\xc0\x00\x02\x01", 4 },
		{ "2001:db8::1", IKEV2_ID_IPV6_ADDR,
		  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16 },
		{ "@peer.example", IKEV2_ID_FQDN, "peer.example", 12 },
		{ "ops@example.com", IKEV2_ID_RFC822_ADDR, "ops@example.com", 15 },
		{ "gateway1", IKEV2_ID_FQDN, "gateway1", 8 },
	};
	char text[512];
	struct res r;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct conf_conn *c;

		snprintf(text, sizeof(text), MIN "local_id = %s\nremote_id = %s\n",
			 rows[i].v, rows[i].v);
		c = ok_conn(&r, text);
		ck_assert_msg(c->local_id.type == rows[i].type, "%s", rows[i].v);
		ck_assert_uint_eq(c->local_id.len, rows[i].len);
		ck_assert_mem_eq(c->local_id.data, rows[i].data, rows[i].len);
		ck_assert(!c->local_id.is_default);
		ck_assert_mem_eq(&c->remote_id, &c->local_id, sizeof(c->local_id));
		done(&r);
	}
}
END_TEST

START_TEST(local_id_default_is_local_address)
{
	struct res r;
	const struct conf_conn *c;

	c = ok_conn(&r, C "local_address = 2001:db8::7\nremote_address = 2001:db8::9\n"
		    L S P);
	ck_assert(c->local_id.is_default);
	ck_assert_uint_eq(c->local_id.type, IKEV2_ID_IPV6_ADDR);
	ck_assert_uint_eq(c->local_id.len, 16);
	ck_assert_mem_eq(c->local_id.data, c->local_addr.a, 16);
	ck_assert_uint_eq(c->remote_id.type, IKEV2_ID_IPV6_ADDR);
	done(&r);
}
END_TEST

START_TEST(psk_encodings)
{
	static const struct { const char *v; const char *bytes; size_t len; } rows[] = {
		{ "0x000102030405060708090a0b0c0d0e0f",
		  "\0\1\2\3\4\5\6\7\x8\x9\xa\xb\xc\xd\xe\xf", 16 },
		{ "0sAAECAwQFBgcICQoLDA0ODw==",
		  "\0\1\2\3\4\5\6\7\x8\x9\xa\xb\xc\xd\xe\xf", 16 },
		{ "plain-unquoted-key-123", "plain-unquoted-key-123", 22 },
		{ "\"with \\\"quote\\\" and \\\\ backslash\"",
		  "with \"quote\" and \\ backslash", 28 },
		{ "\"  keeps blanks  \"", "  keeps blanks  ", 16 },
		{ "密钥密钥密钥密钥", "密钥密钥密钥密钥", 24 },
	};
	char text[512];
	struct res r;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct conf_conn *c;

		snprintf(text, sizeof(text), C R L S "psk = %s\n", rows[i].v);
		c = ok_conn(&r, text);
		ck_assert_uint_eq(c->psk_len, rows[i].len);
		ck_assert_mem_eq(c->psk, rows[i].bytes, rows[i].len);
		ck_assert_str_eq(r.err, "");
		done(&r);
	}
}
END_TEST

START_TEST(split_default_follows_version)
{
	struct res r;
	const struct conf_conn *c = ok_conn(&r, MIN "ike_version = 1\n");

	ck_assert_int_eq(c->ike_version, 1);
	ck_assert_int_eq(c->split, SPLIT_YES);
	done(&r);
	c = ok_conn(&r, C R P "local_subnets = 10.0.0.0/24, 10.0.1.0/24\n"
		    "remote_subnets = 10.1.0.0/24, 10.2.0.0/24\nsplit = no\n");
	ck_assert_int_eq(c->split, SPLIT_NO);	/* v2 may: one SA, all pairs */
	done(&r);
	c = ok_conn(&r, MIN "start = manual\n");
	ck_assert_int_eq(c->start, START_MANUAL);
	done(&r);
	c = ok_conn(&r, MIN "start = respond\nsplit = yes\n");
	ck_assert_int_eq(c->start, START_RESPOND);
	ck_assert_int_eq(c->split, SPLIT_YES);
	done(&r);
}
END_TEST

START_TEST(global_keys)
{
	struct res r;

	ok_conn(&r, "[global]\nlog_level = error\nkeylog = /run/ikegw/keys\n" MIN);
	ck_assert_int_eq(r.c->global.log_level, LOG_LVL_ERR);
	ck_assert_str_eq(r.c->global.keylog, "/run/ikegw/keys");
	done(&r);
	ok_conn(&r, "[global]\nlog_level = warning\nkeylog =\n" MIN);
	ck_assert_int_eq(r.c->global.log_level, LOG_LVL_WARN);
	ck_assert_str_eq(r.c->global.keylog, "");
	done(&r);
}
END_TEST

/* ---- bad configurations: the exact diagnostic ---------------------- */

static const struct { const char *text; const char *want; } bad[] = {
	{ MIN "ike_dh_group = 13\n",
	  "t.conf:6: ike_dh_group: unknown group '13'; allowed: 14, 1, 2, 5, 15, 16, 19, 20, 21, 31" },
	{ MIN "rekey_tme = 3600\n",
	  "t.conf:6: rekey_tme: unknown key 'rekey_tme' (did you mean 'ike_lifetime'?)" },
	{ MIN "ike_lifetim = 3600\n",
	  "t.conf:6: ike_lifetim: unknown key 'ike_lifetim' (did you mean 'ike_lifetime'?)" },
	{ MIN "frobnicate_everything = 1\n",
	  "t.conf:6: frobnicate_everything: unknown key 'frobnicate_everything'; see ikegw.conf(5)" },
	{ MIN "log_level = debug\n",
	  "t.conf:6: log_level: 'log_level' belongs in [global], not in a [connection] section" },
	{ "[global]\npsk = x\n" MIN,
	  "t.conf:2: psk: 'psk' belongs in a [connection NAME] section, not in [global]" },
	{ MIN "psk = \"another key of 16+\"\n",
	  "t.conf:6: psk: duplicate key (first set at line 5)" },
	{ MIN MIN,
	  "t.conf:6: connection a: duplicate connection name (first defined at line 1)" },
	{ "[global]\n[global]\n" MIN,
	  "t.conf:2: global: duplicate [global] section (first at line 1)" },
	{ C L S P,
	  "t.conf:1: connection a: missing required key 'remote_address'" },
	{ C R L S,
	  "t.conf:1: connection a: missing required key 'psk' (or 'psk_file')" },
	{ C R S P,
	  "t.conf:1: connection a: missing required key 'local_subnets'" },
	{ C R L P,
	  "t.conf:1: connection a: missing required key 'remote_subnets'" },
	{ CRP "local_subnets = 10.0.0.0/33\n" S,
	  "t.conf:4: local_subnets: '10.0.0.0/33': prefix length must be 0..32 for IPv4" },
	{ CRP L "remote_subnets = 2001:db8::/129\n",
	  "t.conf:5: remote_subnets: '2001:db8::/129': prefix length must be 0..128 for IPv6" },
	{ CRP "local_subnets = 10.0.0/24\n" S,
	  "t.conf:4: local_subnets: '10.0.0/24' is not a CIDR (address/prefix, e.g. 10.1.0.0/16)" },
	{ CRP "local_subnets = 10.0.0.1/24\n" S,
	  "t.conf:4: local_subnets: '10.0.0.1/24' has host bits set; did you mean '10.0.0.0/24'?" },
	{ CRP "local_subnets = 10.0.0.0/24\nremote_subnets = 2001:db8::/64\n",
	  "t.conf:5: remote_subnets: are IPv6 but local_subnets (line 4) are IPv4; "
	  "the two sides of a tunnel must be one family" },
	{ CRP "local_subnets = 10.0.0.0/24, 2001:db8::/64\n" S,
	  "t.conf:4: local_subnets: '2001:db8::/64' is IPv6 but '10.0.0.0/24' is IPv4; "
	  "one address family per list" },
	{ CRP "local_subnets = 10.0.0.0/24,10.0.0.0/24\n" S,
	  "t.conf:4: local_subnets: '10.0.0.0/24' listed twice" },
	{ CRP "local_subnets = 10.0.0.0/24,,10.0.1.0/24\n" S,
	  "t.conf:4: local_subnets: empty item in the list (stray comma?)" },
	{ CRP "local_subnets = 10.0.0.0/24/8\n" S,
	  "t.conf:4: local_subnets: '10.0.0.0/24/8': prefix length must be 0..32 for IPv4" },
	{ MIN "local_address = 2001:db8::1\n",
	  "t.conf:6: local_address: is IPv6 but remote_address (line 2) is IPv4; "
	  "both ends of the IKE connection must be one family" },
	{ MIN "local_address = vpn.example.com\n",
	  "t.conf:6: local_address: 'vpn.example.com' is not an IPv4 or IPv6 address" },
	{ MIN "local_address = 0.0.0.0\n",
	  "t.conf:6: local_address: '0.0.0.0' is the unspecified address; give a real one "
	  "or leave local_address out" },
	{ CRP "local_subnets = 10.0.0.0/24, 10.0.1.0/24\n" S "ike_version = 1\nsplit = no\n",
	  "t.conf:7: split: IKEv1 negotiates one subnet pair per Quick Mode SA, but "
	  "local_subnets and remote_subnets make 2 pairs; use split = yes or ike_version = 2" },
	{ MIN "ike_version = 3\n",
	  "t.conf:6: ike_version: unknown value '3'; allowed: 2, 1" },
	{ MIN "ike_lifetime = 12x\n",
	  "t.conf:6: ike_lifetime: '12x' is not a number of seconds in 60..31536000" },
	{ MIN "ike_lifetime = -5\n",
	  "t.conf:6: ike_lifetime: '-5' is not a number of seconds in 60..31536000" },
	{ MIN "esp_lifetime = 99999999999999999999\n",
	  "t.conf:6: esp_lifetime: '99999999999999999999' is not a number of seconds in 60..31536000" },
	{ MIN "esp_lifetime = 59\n",
	  "t.conf:6: esp_lifetime: '59' is not a number of seconds in 60..31536000" },
	{ MIN "esp_lifetime = 0x100\n",
	  "t.conf:6: esp_lifetime: '0x100' is not a number of seconds in 60..31536000" },
	{ MIN "dpd_interval = 86401\n",
	  "t.conf:6: dpd_interval: '86401' is not a number of seconds in 0..86400 (0 disables)" },
	{ MIN "dpd_timeout = 10\n",
	  "t.conf:6: dpd_timeout: dpd_timeout (10 s) is shorter than dpd_interval (30 s)" },
	{ C R L S "psk = \"\"\n",
	  "t.conf:5: psk: the pre-shared key is empty" },
	{ C R L S "psk =\n",
	  "t.conf:5: psk: the pre-shared key is empty" },
	{ C R L S "psk = 0xZZ\n",
	  "t.conf:5: psk: '0x' must be followed by hex digits and '0s' by base64 (at most 256 "
	  "bytes decoded); write a key that starts with '0x' or '0s' in hex" },
	{ C R L S "psk = 0s!!!!\n",
	  "t.conf:5: psk: '0x' must be followed by hex digits and '0s' by base64 (at most 256 "
	  "bytes decoded); write a key that starts with '0x' or '0s' in hex" },
	{ MIN "psk_file = /nonexistent/ikegw.psk\n",
	  "t.conf:6: psk_file: cannot open '/nonexistent/ikegw.psk': No such file or directory" },
	{ MIN "ike_version = 1\nike_encryption = aes128gcm16\n",
	  "t.conf:7: ike_encryption: AES-GCM needs ike_version = 2: IKEv1 has no AEAD cipher "
	  "for phase 1; use aes256 or aes128" },
	{ MIN "ike_version = 1\nike_mode = aggressive\nike_dh_group = 14, 19\n",
	  "t.conf:8: ike_dh_group: aggressive mode sends its key exchange in the first "
	  "message, so list exactly one group" },
	{ MIN "ike_version = 1\nesp_pfs = 14, 19\n",
	  "t.conf:7: esp_pfs: IKEv1 Quick Mode carries one key exchange, so list exactly one value" },
	{ C R L S "psk = \"abc\n",
	  "t.conf:5: psk: unterminated quoted value (the quote opens at column 7)" },
	{ C R L S "psk = abc#def\n",
	  "t.conf:5: psk: '#' inside a value; quote the value (\"...\") or put a blank before a comment" },
	{ C R L S "psk = \"abcdefghijklmnopq\" junk\n",
	  "t.conf:5: psk: text after the closing quote" },
	{ C R L S "psk = \"abc\\n\"\n",
	  "t.conf:5: psk: unknown escape in quoted value; only \\\" and \\\\ are allowed" },
	{ "[conection a]\n" R L S P,
	  "t.conf:1: syntax: unknown section '[conection a]'; expected [global] or [connection NAME]" },
	{ "[connection a/b]\n" R L S P,
	  "t.conf:1: connection: invalid name 'a/b'; use 1 to 63 letters, digits, '_', '.' or '-'" },
	{ "[connection a234567890123456789012345678901234567890123456789012345678901234]\n" R L S P,
	  "t.conf:1: connection: invalid name 'a234567890123456789012345678901234567890123456789012345678901234'; "
	  "use 1 to 63 letters, digits, '_', '.' or '-'" },
	{ "[connection]\n" R L S P,
	  "t.conf:1: connection: missing name: [connection NAME]" },
	{ "[connection a\n" R L S P,
	  "t.conf:1: syntax: section header without ']'" },
	{ "[connection a] x\n" R L S P,
	  "t.conf:1: syntax: text after the section header" },
	{ R MIN,
	  "t.conf:1: remote_address: key outside a section; put it under [global] or [connection NAME]" },
	{ MIN "remote_address 203.0.113.1\n",
	  "t.conf:6: syntax: expected 'key = value', '[section]' or a '#' comment" },
	{ MIN "ike_encryption = aes256, aes256\n",
	  "t.conf:6: ike_encryption: 'aes256' listed twice" },
	{ MIN "ike_encryption = null\n",
	  "t.conf:6: ike_encryption: unknown algorithm 'null'; allowed: aes256, aes192, aes128, "
	  "3des, des, aes128gcm16, aes256gcm16" },
	{ MIN "esp_encryption = aes257\n",
	  "t.conf:6: esp_encryption: unknown algorithm 'aes257'; allowed: aes256, aes192, aes128, "
	  "3des, des, aes128gcm16, aes256gcm16, null" },
	{ MIN "esp_integrity = sha3\n",
	  "t.conf:6: esp_integrity: unknown algorithm 'sha3'; allowed: sha256, sha1, sha384, sha512, md5" },
	{ MIN "esp_pfs = 14, 15, 16, 19, 20, 21, 31, none, 2\n",
	  "t.conf:6: esp_pfs: too many items in the list; at most 8" },
	{ MIN "ike_dh_group = no\n",
	  "t.conf:6: ike_dh_group: unknown group 'no'; allowed: 14, 1, 2, 5, 15, 16, 19, 20, 21, 31" },
	{ MIN "local_id = fqdn:bad name\n",
	  "t.conf:6: local_id: 'fqdn:bad name' is not an identity; use fqdn:NAME, ip:ADDRESS, "
	  "email:USER@DOMAIN, keyid:TEXT, or a bare address or host name" },
	{ MIN "remote_id = email:nobody\n",
	  "t.conf:6: remote_id: 'email:nobody' is not an identity; use fqdn:NAME, ip:ADDRESS, "
	  "email:USER@DOMAIN, keyid:TEXT, or a bare address or host name" },
	{ MIN "remote_id = ip:10.0.0.300\n",
	  "t.conf:6: remote_id: 'ip:10.0.0.300' is not an identity; use fqdn:NAME, ip:ADDRESS, "
	  "email:USER@DOMAIN, keyid:TEXT, or a bare address or host name" },
	{ MIN "start = later\n",
	  "t.conf:6: start: unknown value 'later'; allowed: immediate, on-traffic, manual, respond" },
	{ MIN "split = maybe\n",
	  "t.conf:6: split: unknown value 'maybe'; allowed: auto, yes, no" },
	{ MIN "nat_traversal = true\n",
	  "t.conf:6: nat_traversal: unknown value 'true'; allowed: yes, no" },
	{ "[global]\nlog_level = verbose\n" MIN,
	  "t.conf:2: log_level: unknown value 'verbose'; allowed: error, warning, info, debug" },
	{ "[global]\nkeylog = keys.txt\n" MIN,
	  "t.conf:2: keylog: 'keys.txt' must be an absolute path of at most 255 bytes" },
	{ MIN "psk_file = /etc/passwd\n",
	  "t.conf:6: psk_file: 'psk' is also set (line 5); set only one of psk and psk_file" },
	{ MIN "remote_address = 203.0.113.1\r\n",
	  "t.conf:6: syntax: line ends with CR (DOS line endings); convert the file, e.g. with dos2unix" },
	{ MIN "# caf\xc3\xa9 ok\nremote_id = \xff\n",
	  "t.conf:7: syntax: invalid UTF-8 at column 13" },
	{ MIN "remote_id = \xed\xa0\x80\n",	/* a UTF-16 surrogate */
	  "t.conf:6: syntax: invalid UTF-8 at column 13" },
	{ MIN "remote_id = \xc0\xaf\n",	/* overlong '/' */
	  "t.conf:6: syntax: invalid UTF-8 at column 13" },
	{ MIN "psk\x01 = x\n",
	  "t.conf:6: syntax: control character 0x01 at column 4" },
};

START_TEST(bad_config)
{
	struct res r = run(bad[_i].text);

	ck_assert_msg(r.rc == -EINVAL, "row %d: rc %d", _i, r.rc);
	ck_assert_ptr_null(r.c);
	ck_assert_msg(has_line(r.err, bad[_i].want), "row %d: want\n%s\ngot\n%s",
		      _i, bad[_i].want, r.err);
	done(&r);
}
END_TEST

/* ---- legacy choices: accepted, with the risk named ------------------ */

static const struct { const char *text; const char *want; } warn[] = {
	{ MIN "ike_version = 1\n",
	  "t.conf:6: ike_version: warning: IKEv1 is deprecated (RFC 9395 makes it historic); "
	  "use ike_version = 2 when the peer supports it" },
	{ MIN "ike_version = 1\nike_mode = aggressive\n",
	  "t.conf:7: ike_mode: warning: aggressive mode exposes a hash of the pre-shared key: "
	  "anyone who sees one exchange can guess the key offline; use main mode if the peer "
	  "allows it" },
	{ MIN "ike_mode = main\n",
	  "t.conf:6: ike_mode: warning: ignored with ike_version = 2 (IKEv2 has no main or "
	  "aggressive mode)" },
	{ MIN "ike_encryption = des\n",
	  "t.conf:6: ike_encryption: warning: des: DES has a 56-bit key that can be brute-forced; "
	  "use aes256 if the peer allows" },
	{ MIN "esp_encryption = aes256, 3des\n",
	  "t.conf:6: esp_encryption: warning: 3des: 3DES has a 64-bit block (Sweet32: recoverable "
	  "plaintext after some GiB under one key); use aes256 if the peer allows" },
	{ MIN "esp_encryption = null\n",
	  "t.conf:6: esp_encryption: warning: null: null encryption sends traffic in the clear "
	  "(integrity only)" },
	{ MIN "ike_integrity = md5\n",
	  "t.conf:6: ike_integrity: warning: md5: MD5 is a broken hash, kept only for old peers; "
	  "use sha256 if the peer allows" },
	{ MIN "ike_dh_group = 1\n",
	  "t.conf:6: ike_dh_group: warning: 1: group 1 (768-bit) is a small MODP group (Logjam: "
	  "breakable by a well-funded attacker); use 14 or 19 if the peer allows" },
	{ MIN "ike_dh_group = 14, 2\n",
	  "t.conf:6: ike_dh_group: warning: 2: group 2 (1024-bit) is a small MODP group (Logjam: "
	  "breakable by a well-funded attacker); use 14 or 19 if the peer allows" },
	{ MIN "esp_pfs = 5\n",
	  "t.conf:6: esp_pfs: warning: 5: group 5 (1536-bit) is a small MODP group (Logjam: "
	  "breakable by a well-funded attacker); use 14 or 19 if the peer allows" },
	{ C R L S "psk = short\n",
	  "t.conf:5: psk: warning: the key has only 5 bytes: a short key can be guessed offline "
	  "from one captured exchange; use at least 16 random bytes (some peers refuse shorter keys)" },
	{ MIN "esp_pfs = none\npfs_check = yes\n",
	  "t.conf:7: pfs_check: warning: has no effect with esp_pfs = none" },
	{ "[global]\nkeylog = /tmp/k\n" MIN,
	  "t.conf:2: keylog: warning: session keys will be written to '/tmp/k'; for debugging "
	  "with Wireshark only" },
	{ "# nothing\n",
	  "t.conf: warning: no [connection NAME] section: nothing to do" },
};

START_TEST(legacy_warns)
{
	struct res r = run(warn[_i].text);

	ck_assert_msg(r.rc == 0, "row %d: rc %d\n%s", _i, r.rc, r.err);
	ck_assert_uint_ge(r.c->n_warnings, 1);
	ck_assert_msg(has_line(r.err, warn[_i].want), "row %d: want\n%s\ngot\n%s",
		      _i, warn[_i].want, r.err);
	done(&r);
}
END_TEST

/* ---- whole-file behaviour -------------------------------------------- */

START_TEST(all_errors_reported)
{
	struct res r = run(MIN "ike_dh_group = 13\nesp_lifetime = 1\n"
			   "[connection b]\nbogus = 1\n");

	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert(has_line(r.err, "t.conf:6: ike_dh_group: unknown group '13'; allowed: "
			   "14, 1, 2, 5, 15, 16, 19, 20, 21, 31"));
	ck_assert(has_line(r.err, "t.conf:7: esp_lifetime: '1' is not a number of "
			   "seconds in 60..31536000"));
	ck_assert(has_line(r.err, "t.conf:9: bogus: unknown key 'bogus'; see ikegw.conf(5)"));
	ck_assert(has_line(r.err, "t.conf:8: connection b: missing required key 'remote_address'"));
	ck_assert_uint_eq(count_lines(r.err), 7);	/* + 3 more missing keys */
	done(&r);
}
END_TEST

START_TEST(crlf_reported_once)
{
	struct res r = run("[connection a]\r\nremote_address = 203.0.113.1\r\n"
			   "local_subnets = 10.0.0.0/24\r\nremote_subnets = 10.1.0.0/24\r\n"
			   "psk = \"0123456789abcdef\"\r\n");

	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert_str_eq(r.err, "t.conf:1: syntax: line ends with CR (DOS line endings); "
			 "convert the file, e.g. with dos2unix\n");
	done(&r);
}
END_TEST

START_TEST(nul_bytes_and_junk)
{
	static const char nul[] = MIN "remote_id = ab\0cd\n";
	unsigned char junk[4096];
	struct res r = run_len(nul, sizeof(nul) - 1);

	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert_str_eq(r.err, "t.conf:6: syntax: NUL byte at column 15\n");
	done(&r);
	srand(7);
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (unsigned char)rand();
		r = run_len((const char *)junk, sizeof(junk));
		ck_assert_int_eq(r.rc, -EINVAL);
		ck_assert_ptr_null(r.c);
		ck_assert_msg(strncmp(r.err, "t.conf:", 7) == 0, "%s", r.err);
		done(&r);
	}
}
END_TEST

START_TEST(long_line)
{
	size_t n = CONF_MAX_LINE + 100;
	char *t = malloc(strlen(MIN) + n + 2);
	struct res r;

	strcpy(t, MIN);
	memset(t + strlen(MIN), '#', n);
	strcpy(t + strlen(MIN) + n, "\n");
	r = run(t);
	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert_str_eq(r.err, "t.conf:6: syntax: line longer than 4096 bytes\n");
	done(&r);
	t[strlen(MIN) + CONF_MAX_LINE] = '\0';	/* exactly at the limit: fine */
	r = run(t);
	ck_assert_int_eq(r.rc, 0);
	done(&r);
	free(t);
}
END_TEST

START_TEST(two_hundred_connections)
{
	size_t cap = 200 * 256, off = 0;
	char *t = malloc(cap), name[16];
	struct res r;

	for (int i = 0; i < 200; i++)
		off += (size_t)snprintf(t + off, cap - off,
			"[connection c%d]\nremote_address = 203.0.%d.%d\n"
			"local_subnets = 10.%d.0.0/16\nremote_subnets = 172.16.%d.0/24\n"
			"psk = 0x%032x\nesp_pfs = %s\n\n",
			i, i / 100, i % 100 + 1, i, i, i + 1, i % 2 ? "none" : "19");
	r = run(t);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_uint_eq(r.c->n_conns, 200);
	for (int i = 0; i < 200; i += 37) {
		const struct conf_conn *c;

		snprintf(name, sizeof(name), "c%d", i);
		c = conf_find(r.c, name);
		ck_assert_ptr_nonnull(c);
		ck_assert_uint_eq(c->psk_len, 16);
		ck_assert_uint_eq(c->psk[15], i + 1);
		ck_assert_uint_eq(c->esp_pfs[0], i % 2 ? 0 : 19);
	}
	done(&r);
	free(t);
}
END_TEST

START_TEST(too_large)
{
	size_t n = CONF_MAX_FILE + 1;
	char *t = malloc(n);
	struct res r;

	memset(t, '\n', n);
	r = run_len(t, n);
	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert_str_eq(r.err, "t.conf: file is larger than 1048576 bytes\n");
	done(&r);
	free(t);
}
END_TEST

/* ---- files: permissions ---------------------------------------------- */

static char tmpdir[64];

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/check_conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static int load(const char *path, struct conf **c, char **err)
{
	size_t n;
	FILE *f = open_memstream(err, &n);
	int rc = conf_load(path, c, f);

	fclose(f);
	return rc;
}

START_TEST(config_mode_checked)
{
	char path[128], want[512], *err;
	struct conf *c;

	snprintf(path, sizeof(path), "%s/ikegw.conf", tmpdir);
	write_file(path, MIN, strlen(MIN), 0644);
	ck_assert_int_eq(load(path, &c, &err), -EPERM);
	ck_assert_ptr_null(c);
	snprintf(want, sizeof(want), "%s: '%s' has mode 0644: it holds pre-shared keys "
		 "and must not be accessible to group or others; run: chmod 600 %s\n",
		 path, path, path);
	ck_assert_str_eq(err, want);
	free(err);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(load(path, &c, &err), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "0640"));
	free(err);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(load(path, &c, &err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(c->path, path);
	ck_assert_str_eq(c->conns[0].file, path);
	conf_free(c);
	free(err);
	ck_assert_int_eq(load(tmpdir, &c, &err), -EPERM);	/* a directory */
	ck_assert_ptr_nonnull(strstr(err, "is not a regular file"));
	free(err);
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	ck_assert_int_eq(load(path, &c, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	free(err);
}
END_TEST

START_TEST(config_load_reports_errors)
{
	char path[128], want[512], *err;
	struct conf *c;

	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	write_file(path, MIN "ike_version = 9\n", strlen(MIN) + 16, 0600);
	ck_assert_int_eq(load(path, &c, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:6: ike_version: unknown value '9'; allowed: 2, 1\n", path);
	ck_assert_str_eq(err, want);
	free(err);
}
END_TEST

START_TEST(config_load_too_large)
{
	char path[128], *err, *big = malloc(CONF_MAX_FILE + 10);
	struct conf *c;

	memset(big, '#', CONF_MAX_FILE + 10);
	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	write_file(path, big, CONF_MAX_FILE + 10, 0600);
	ck_assert_int_eq(load(path, &c, &err), -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, "is larger than 1048576 bytes"));
	free(err);
	free(big);
}
END_TEST

START_TEST(psk_file_read_and_checked)
{
	char psk[128], text[512];
	struct res r;
	const struct conf_conn *c;

	snprintf(psk, sizeof(psk), "%s/peer.psk", tmpdir);
	write_file(psk, "0x00112233445566778899aabbccddeeff\n", 35, 0600);
	snprintf(text, sizeof(text), C R L S "psk_file = %s\n", psk);
	c = ok_conn(&r, text);
	ck_assert_uint_eq(c->psk_len, 16);
	ck_assert_mem_eq(c->psk, "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
			 "\xcc\xdd\xee\xff", 16);
	ck_assert_str_eq(c->psk_file, psk);
	done(&r);

	write_file(psk, "raw key with one trailing newline\n\n", 35, 0600);
	c = ok_conn(&r, text);
	ck_assert_uint_eq(c->psk_len, 34);	/* only one newline stripped */
	ck_assert_mem_eq(c->psk, "raw key with one trailing newline\n", 34);
	done(&r);

	write_file(psk, "0123456789abcdef", 16, 0604);
	r = run(text);
	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err, "t.conf:5: psk_file: '"));
	ck_assert_ptr_nonnull(strstr(r.err, "' has mode 0604: it holds pre-shared keys and "
				     "must not be accessible to group or others; run: chmod 600 "));
	done(&r);

	write_file(psk, "\n", 1, 0600);
	r = run(text);
	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert(has_line(r.err, "t.conf:5: psk_file: the pre-shared key is empty"));
	done(&r);
}
END_TEST

START_TEST(psk_file_relative_to_config)
{
	char path[128], psk[128], *err;
	static const char text[] = C R L S "psk_file = peer.psk\n";
	struct conf *c;

	snprintf(path, sizeof(path), "%s/ikegw.conf", tmpdir);
	snprintf(psk, sizeof(psk), "%s/peer.psk", tmpdir);
	write_file(path, text, strlen(text), 0600);
	write_file(psk, "relative-file-key-16+", 21, 0600);
	ck_assert_int_eq(load(path, &c, &err), 0);
	ck_assert_str_eq(c->conns[0].psk_file, psk);
	ck_assert_uint_eq(c->conns[0].psk_len, 21);
	conf_free(c);
	free(err);
}
END_TEST

/* ---- output ---------------------------------------------------------- */

START_TEST(print_masks_psk)
{
	struct res r;
	char *out;
	size_t n;
	FILE *f;

	ok_conn(&r, MIN "ike_encryption = aes128gcm16, aes192\nike_integrity = sha384\n"
		"esp_encryption = aes256gcm16\nesp_pfs = none\nlocal_id = @gw.example\n");
	f = open_memstream(&out, &n);
	conf_print(r.c, f);
	fclose(f);
	ck_assert_ptr_null(strstr(out, "0123456789abcdef"));
	ck_assert(has_line(out, "psk = ******** (16 bytes)"));
	ck_assert(has_line(out, "ike_encryption = aes128gcm16, aes192"));
	ck_assert(has_line(out, "ike_integrity = sha384"));
	ck_assert(has_line(out, "esp_encryption = aes256gcm16"));
	ck_assert(has_line(out, "esp_pfs = none"));
	ck_assert(has_line(out, "local_id = fqdn:gw.example"));
	ck_assert(has_line(out, "remote_id = ip:203.0.113.1 (default)"));
	ck_assert(has_line(out, "local_subnets = 10.0.0.0/24"));
	ck_assert(has_line(out, "split = auto"));
	ck_assert(has_line(out, "[connection a]\t# t.conf:1"));
	free(out);
	done(&r);
}
END_TEST

START_TEST(diff_names_changed_keys)
{
	struct res a, b;
	char buf[256];

	ok_conn(&a, MIN);
	ok_conn(&b, MIN);
	conf_conn_diff(&a.c->conns[0], &b.c->conns[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	done(&b);
	ok_conn(&b, C R "local_subnets = 10.0.0.0/24, 10.9.0.0/16\n" S
		"psk = \"0123456789abcdeF\"\nesp_pfs = 19\nremote_id = 203.0.113.1\n");
	conf_conn_diff(&a.c->conns[0], &b.c->conns[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "local_subnets,psk,esp_pfs");	/* remote_id: same value */
	conf_conn_diff(&a.c->conns[0], &b.c->conns[0], buf, 10);
	ck_assert_str_eq(buf, "local_sub");	/* truncated, terminated */
	done(&a);
	done(&b);
}
END_TEST

START_TEST(sample_config_is_clean)
{
	FILE *f = fopen("etc/ikegw.conf", "r");
	static char buf[65536];
	size_t n;
	struct res r;

	ck_assert_msg(f != NULL, "run from the repository root");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	r = run(buf);
	ck_assert_msg(r.rc == 0 && r.err[0] == '\0', "rc %d:\n%s", r.rc, r.err);
	ck_assert_uint_ge(r.c->n_conns, 1);
	done(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("values"), *tb = tcase_create("bad"),
	      *tf = tcase_create("files");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key_set);
	tcase_add_test(tc, algorithm_ids);
	tcase_add_test(tc, identities);
	tcase_add_test(tc, local_id_default_is_local_address);
	tcase_add_test(tc, psk_encodings);
	tcase_add_test(tc, split_default_follows_version);
	tcase_add_test(tc, global_keys);
	tcase_add_test(tc, print_masks_psk);
	tcase_add_test(tc, diff_names_changed_keys);
	tcase_add_test(tc, sample_config_is_clean);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(tb, bad_config, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_loop_test(tb, legacy_warns, 0, sizeof(warn) / sizeof(warn[0]));
	tcase_add_test(tb, all_errors_reported);
	tcase_add_test(tb, crlf_reported_once);
	tcase_add_test(tb, nul_bytes_and_junk);
	tcase_add_test(tb, long_line);
	tcase_add_test(tb, two_hundred_connections);
	tcase_add_test(tb, too_large);
	suite_add_tcase(s, tb);

	tcase_add_checked_fixture(tf, tmp_setup, tmp_teardown);
	tcase_add_test(tf, config_mode_checked);
	tcase_add_test(tf, config_load_reports_errors);
	tcase_add_test(tf, config_load_too_large);
	tcase_add_test(tf, psk_file_read_and_checked);
	tcase_add_test(tf, psk_file_relative_to_config);
	suite_add_tcase(s, tf);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
