/* ike/keylog.c: exact line formats, file safety, and (when tshark is
 * installed) that Wireshark really decrypts an SK payload and an ESP
 * packet with the files we write. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike/crypto.h"
#include "ike/keylog.h"
#include "ike/keymat.h"
#include "ike/v2.h"
#include "ike/v2_sk.h"
#include "test/crypto_test.h"

static char dir[64];

static void mkdir_tmp(void)
{
	strcpy(dir, "/tmp/ikegw-keylog-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[128];

	keylog_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *name)
{
	char path[256], *buf = calloc(1, 4096);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(buf);
	(void)fread(buf, 1, 4095, f);
	fclose(f);
	return buf;
}

static void keys_pattern(struct ike_keys *k, uint16_t encr, uint16_t bits, uint16_t integ)
{
	memset(k, 0, sizeof(*k));
	k->suite.encr = encr;
	k->suite.encr_keylen = bits;
	k->suite.prf = IKEV2_PRF_HMAC_SHA2_256;
	k->suite.integ = integ;
	k->prf_len = 32;
	k->e_len = crypto_encr_key_len(encr, bits);
	k->a_len = crypto_encr_is_aead(encr) ? 0 : crypto_integ_key_len(integ);
	for (size_t i = 0; i < k->e_len; i++)
		k->sk_ei[i] = (uint8_t)(0x10 + i), k->sk_er[i] = (uint8_t)(0x80 + i);
	for (size_t i = 0; i < k->a_len; i++)
		k->sk_ai[i] = (uint8_t)(0x40 + i), k->sk_ar[i] = (uint8_t)(0xc0 + i);
}

START_TEST(ike_and_esp_lines)
{
	struct ike_keys k;
	struct child_keys ck = { 0 };
	struct ike_addr a, b;
	struct stat st;
	char path[256], *s;

	mkdir_tmp();
	ck_assert(!keylog_enabled());
	ck_assert_int_eq(keylog_write_ike(1, 2, &k), 0);	/* off: no-op */
	ck_assert_int_eq(keylog_open(dir), 0);
	ck_assert(keylog_enabled());
	snprintf(path, sizeof(path), "%s/ikev2_decryption_table", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);

	keys_pattern(&k, IKEV2_ENCR_AES_CBC, 128, IKEV2_AUTH_HMAC_SHA1_96);
	ck_assert_int_eq(keylog_write_ike(0x0102030405060708ULL, 0xa1a2a3a4a5a6a7a8ULL, &k), 0);
	keys_pattern(&k, IKEV2_ENCR_AES_GCM_16, 128, IKEV2_AUTH_NONE);
	ck_assert_int_eq(keylog_write_ike(0xffULL, 0x1ULL, &k), 0);
	s = slurp("ikev2_decryption_table");
	ck_assert_str_eq(s,
		"0102030405060708,a1a2a3a4a5a6a7a8,"
		"101112131415161718191a1b1c1d1e1f,808182838485868788898a8b8c8d8e8f,"
		"\"AES-CBC-128 [RFC3602]\","
		"404142434445464748494a4b4c4d4e4f50515253,"
		"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3,\"HMAC_SHA1_96 [RFC2404]\"\n"
		"00000000000000ff,0000000000000001,"
		"101112131415161718191a1b1c1d1e1f20212223,"
		"808182838485868788898a8b8c8d8e8f90919293,"
		"\"AES-GCM-128 with 16 octet ICV [RFC5282]\",\"\",\"\",\"NONE [RFC4306]\"\n");
	free(s);

	ck.suite.encr = IKEV2_ENCR_AES_GCM_16;
	ck.suite.encr_keylen = 128;
	ck.e_len = 20;
	memset(ck.ei, 0x11, 20);
	memset(ck.er, 0x22, 20);
	ck_assert(addr_parse("192.0.2.1", &a));
	ck_assert(addr_parse("198.51.100.7", &b));
	ck_assert_int_eq(keylog_write_child(&a, &b, 0xc0000001, 0xc0000002, &ck), 0);
	ck_assert(addr_parse("2001:db8::1", &a));
	ck_assert(addr_parse("2001:db8::2", &b));
	ck.suite.encr = IKEV2_ENCR_AES_CBC;
	ck.suite.integ = IKEV2_AUTH_HMAC_SHA2_256_128;
	ck.e_len = 16;
	ck.a_len = 32;
	memset(ck.ai, 0x33, 32);
	ck_assert_int_eq(keylog_write_esp(&a, &b, 0x1234, &ck.suite, ck.ei, 16, ck.ai, 32), 0);
	s = slurp("esp_sa");
	ck_assert_str_eq(s,
		"\"IPv4\",\"192.0.2.1\",\"198.51.100.7\",\"0xc0000002\","
		"\"AES-GCM with 16 octet ICV [RFC4106]\","
		"\"0x1111111111111111111111111111111111111111\",\"NULL\",\"\"\n"
		"\"IPv4\",\"198.51.100.7\",\"192.0.2.1\",\"0xc0000001\","
		"\"AES-GCM with 16 octet ICV [RFC4106]\","
		"\"0x2222222222222222222222222222222222222222\",\"NULL\",\"\"\n"
		"\"IPv6\",\"2001:db8::1\",\"2001:db8::2\",\"0x00001234\","
		"\"AES-CBC [RFC3602]\",\"0x11111111111111111111111111111111\","
		"\"HMAC-SHA-256-128 [RFC4868]\","
		"\"0x3333333333333333333333333333333333333333333333333333333333333333\"\n");
	free(s);
	/* mixed families are refused */
	ck_assert(addr_parse("192.0.2.1", &a));
	ck_assert_int_eq(keylog_write_esp(&a, &b, 1, &ck.suite, ck.ei, 16, ck.ai, 32), -EINVAL);
	/* NULL: Wireshark's wildcard (an endpoint behind a NAT), one at most */
	ck_assert_int_eq(keylog_write_esp(NULL, NULL, 1, &ck.suite, ck.ei, 16, ck.ai, 32),
			 -EINVAL);
	ck_assert_int_eq(keylog_write_esp(NULL, &b, 1, &ck.suite, ck.ei, 16, ck.ai, 32), 0);
	ck_assert_int_eq(keylog_write_esp(&a, NULL, 2, &ck.suite, ck.ei, 16, ck.ai, 32), 0);
	s = slurp("esp_sa");
	ck_assert_msg(strstr(s, "\n\"IPv6\",\"*\",\"2001:db8::2\",\"0x00000001\",\"AES-CBC"),
		      "%s", s);
	ck_assert_msg(strstr(s, "\n\"IPv4\",\"192.0.2.1\",\"*\",\"0x00000002\",\"AES-CBC"),
		      "%s", s);
	free(s);
	rm_tmp();
}
END_TEST

START_TEST(refuses_symlink_and_tightens_mode)
{
	char path[256], target[256];
	struct stat st;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/ikev2_decryption_table", dir);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_lt(keylog_open(dir), 0);
	ck_assert(!keylog_enabled());
	ck_assert_int_eq(unlink(path), 0);
	/* A pre-existing world-readable file is tightened to 0600. */
	close(open(path, O_CREAT | O_WRONLY, 0644));
	chmod(path, 0644);
	ck_assert_int_eq(keylog_open(dir), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	rm_tmp();
}
END_TEST

/* ---- tshark interop ---- */

static void be16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

/* Append one raw-IPv4 UDP (or ESP when port == 0) packet to a pcap. */
static void pcap_add(FILE *f, const uint8_t *payload, size_t n, uint16_t port)
{
	uint8_t ip[28] = { 0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0,
			   192, 0, 2, 1, 198, 51, 100, 7 };
	size_t hl = port ? 28 : 20;
	uint32_t rec[4] = { 1700000000, 0, (uint32_t)(hl + n), (uint32_t)(hl + n) };

	be16(ip + 2, hl + n);
	if (port) {
		be16(ip + 20, port), be16(ip + 22, port), be16(ip + 24, 8 + n);
	} else {
		ip[9] = 50;	/* ESP */
	}
	fwrite(rec, sizeof(rec), 1, f);
	fwrite(ip, hl, 1, f);
	fwrite(payload, n, 1, f);
}

/* An IKE_AUTH request whose SK payload carries IDi "keylog.example". */
static size_t ike_msg(uint8_t *m, const struct ike_keys *k, uint64_t spi_i)
{
	static const char id[] = "keylog.example";
	uint8_t plain[64];
	size_t pl = 8 + sizeof(id) - 1, body, total;
	struct sk_alg a;

	memset(plain, 0, sizeof(plain));
	be16(plain + 2, pl);
	plain[4] = IKEV2_ID_FQDN;
	memcpy(plain + 8, id, sizeof(id) - 1);
	v2_sk_alg_from_keys(&a, k, true, true);
	body = v2_sk_body_len(&a, pl);
	total = 32 + body;
	memset(m, 0, 32);
	for (int i = 0; i < 8; i++)
		m[i] = (uint8_t)(spi_i >> (56 - 8 * i)), m[8 + i] = (uint8_t)(0x91 + i);
	m[16] = IKEV2_PL_SK, m[17] = IKEV2_VERSION, m[18] = IKEV2_EXCH_IKE_AUTH;
	m[19] = IKEV2_FLAG_INITIATOR, m[23] = 1;
	m[26] = (uint8_t)(total >> 8), m[27] = (uint8_t)total;
	m[28] = IKEV2_PL_IDi;
	be16(m + 30, 4 + body);
	ck_assert_int_eq(v2_sk_encrypt(&a, m, total, 32, plain, pl), 0);
	return total;
}

/* RFC 4106 ESP: SPI | seq | IV | E(inner | pad | padlen | next) | ICV */
static size_t esp_msg(uint8_t *m, const struct child_keys *ck, uint32_t spi)
{
	/* inner: IPv4/UDP to port 9 carrying "esp-ok-marker" */
	uint8_t inner[64] = { 0x45, 0, 0, 41, 0, 2, 0, 0, 64, 17, 0, 0,
			      10, 1, 0, 1, 10, 2, 0, 1, 0x30, 0x39, 0, 9, 0, 21, 0, 0 };
	uint8_t nonce[12];
	size_t il = 41, clen;

	memcpy(inner + 28, "esp-ok-marker", 13);
	/* 41 + pad length + next header = 43: one pad byte (1) aligns to 4 */
	inner[il] = 1, inner[il + 1] = 1, inner[il + 2] = 4;	/* next: IPv4 */
	clen = il + 3;
	m[0] = (uint8_t)(spi >> 24), m[1] = (uint8_t)(spi >> 16);
	m[2] = (uint8_t)(spi >> 8), m[3] = (uint8_t)spi;
	m[4] = m[5] = m[6] = 0, m[7] = 1;
	memset(m + 8, 0x5c, 8);
	memcpy(nonce, ck->ei + 16, 4);
	memcpy(nonce + 4, m + 8, 8);
	ck_assert_int_eq(crypto_gcm_seal(span_make(ck->ei, 16), nonce, span_make(m, 8),
					 inner, clen, m + 16, m + 16 + clen), 0);
	return 16 + clen + 16;
}

static bool have_tshark(void)
{
	return system("command -v tshark >/dev/null 2>&1") == 0;
}

START_TEST(tshark_decrypts_with_our_files)
{
	static const uint32_t pcap_hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };
	static const uint16_t encrs[][3] = {
		{ IKEV2_ENCR_AES_GCM_16, 256, IKEV2_AUTH_NONE },
		{ IKEV2_ENCR_AES_CBC, 128, IKEV2_AUTH_HMAC_SHA2_256_128 },
	};
	struct ike_keys k;
	struct child_keys ck = { 0 };
	struct ike_addr a, b;
	uint8_t m[512];
	char wsdir[128], cmd[2048], pcap[128];
	uint64_t spi;
	FILE *f;
	size_t n;

	if (!have_tshark())
		return;	/* installed by test/deps.sh; nothing to check without it */
	mkdir_tmp();
	snprintf(wsdir, sizeof(wsdir), "%s/wireshark", dir);
	ck_assert_int_eq(mkdir(wsdir, 0700), 0);
	ck_assert_int_eq(keylog_open(wsdir), 0);
	snprintf(pcap, sizeof(pcap), "%s/t.pcap", dir);
	f = fopen(pcap, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(pcap_hdr, sizeof(pcap_hdr), 1, f);
	for (int i = 0; i < 2; i++) {
		keys_pattern(&k, encrs[i][0], encrs[i][1], encrs[i][2]);
		spi = 0x7172737475767778ULL + (uint64_t)i;
		n = ike_msg(m, &k, spi);
		ck_assert_int_eq(keylog_write_ike(spi, 0x9192939495969798ULL, &k), 0);
		pcap_add(f, m, n, 500);
	}
	ck.suite.encr = IKEV2_ENCR_AES_GCM_16, ck.suite.encr_keylen = 128, ck.e_len = 20;
	for (int i = 0; i < 20; i++)
		ck.ei[i] = (uint8_t)(0xa0 + i), ck.er[i] = (uint8_t)i;
	ck_assert(addr_parse("192.0.2.1", &a));
	ck_assert(addr_parse("198.51.100.7", &b));
	ck_assert_int_eq(keylog_write_child(&a, &b, 0xc1c2c3c4, 0xd1d2d3d4, &ck), 0);
	n = esp_msg(m, &ck, 0xd1d2d3d4);
	pcap_add(f, m, n, 0);
	/* an initiator behind a NAT: logged with "*", captured with the
	 * NAT's public address (192.0.2.1 in pcap_add), which it never knew */
	for (int i = 0; i < 20; i++)
		ck.ei[i] = (uint8_t)(0x30 + i);
	ck_assert_int_eq(keylog_write_child(NULL, &b, 0xc5c6c7c8, 0xe1e2e3e4, &ck), 0);
	n = esp_msg(m, &ck, 0xe1e2e3e4);
	pcap_add(f, m, n, 0);
	fclose(f);
	keylog_close();
	snprintf(cmd, sizeof(cmd),
		 "XDG_CONFIG_HOME='%s' HOME='%s' tshark -n -r '%s' -o esp.enable_encryption_decode:TRUE "
		 "-V > '%s/out.txt' 2>&1; "
		 "test $(grep -c 'keylog.example' '%s/out.txt') -ge 2 && "
		 "test $(grep -c 'esp-ok-marker' '%s/out.txt') -eq 2 && "
		 "! grep -qiE 'error|incorrect' '%s/out.txt' && "
		 "test $(grep -c 'Checksum Data.*correct\\]' '%s/out.txt') -eq 2",
		 dir, dir, pcap, dir, dir, dir, dir, dir);
	ck_assert_msg(system(cmd) == 0, "tshark did not decrypt; see %s/out.txt", dir);
	rm_tmp();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keylog");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ike_and_esp_lines);
	tcase_add_test(tc, refuses_symlink_and_tightens_mode);
	tcase_add_test(tc, tshark_decrypts_with_our_files);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
