/* Golden bytes for the XFRM request builders.
 *
 * The expected messages are laid out here by hand from <linux/xfrm.h>
 * (struct by struct, attribute by attribute, with netlink's 4-byte
 * alignment) without libmnl or the builder's code, then compared with
 * what xfrm/xfrm_msg.c produces. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include "ike/v2.h"
#include "xfrm/xfrm_msg.h"

#define SEQ 0x01020304u
#define REQID 0x49470005u

struct exp {
	uint8_t b[XFRM_MSG_BUFSZ];
	size_t n;
};

static void exp_start(struct exp *e, uint16_t type, uint16_t flags, const void *fixed,
		      size_t len)
{
	struct nlmsghdr h;

	memset(e, 0, sizeof(*e));
	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h.nlmsg_seq = SEQ;
	memcpy(e->b, &h, sizeof(h));
	if (len)
		memcpy(e->b + sizeof(h), fixed, len);
	e->n = sizeof(h) + ((len + 3) & ~3u);
}

/* attribute: 16-bit length (header + payload), 16-bit type, payload, pad */
static void exp_attr(struct exp *e, uint16_t type, const void *p, size_t len)
{
	uint16_t hdr[2] = { (uint16_t)(4 + len), type };

	memcpy(e->b + e->n, hdr, 4);
	memcpy(e->b + e->n + 4, p, len);
	e->n += 4 + ((len + 3) & ~3u);
}

static void exp_finish(struct exp *e)
{
	uint32_t len = (uint32_t)e->n;

	memcpy(e->b, &len, 4);		/* nlmsg_len */
}

static void ck_bytes(const struct nlmsghdr *got, const struct exp *e)
{
	ck_assert_uint_eq(got->nlmsg_len, e->n);
	for (size_t i = 0; i < e->n; i++)
		if (((const uint8_t *)got)[i] != e->b[i])
			ck_abort_msg("byte %zu: got 0x%02x, want 0x%02x", i,
				     ((const uint8_t *)got)[i], e->b[i]);
}

static struct ike_addr v4(const char *s)
{
	struct ike_addr a;

	ck_assert(addr_parse(s, &a));
	return a;
}

static void put4(xfrm_address_t *x, const char *s)
{
	memset(x, 0, sizeof(*x));
	ck_assert_int_eq(inet_pton(AF_INET, s, &x->a4), 1);
}

static void fill(uint8_t *p, size_t n, uint8_t base)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(base + i);
}

/* The fixed part every tunnel-mode ESP SA request starts with. */
static void sa_info(struct xfrm_usersa_info *si, uint32_t spi, uint8_t replay)
{
	memset(si, 0, sizeof(*si));
	si->sel.family = AF_INET;
	put4(&si->id.daddr, "192.0.2.2");
	si->id.spi = htonl(spi);
	si->id.proto = IPPROTO_ESP;
	put4(&si->saddr, "192.0.2.1");
	si->lft.soft_byte_limit = XFRM_INF;
	si->lft.hard_byte_limit = XFRM_INF;
	si->lft.soft_packet_limit = XFRM_INF;
	si->lft.hard_packet_limit = XFRM_INF;
	si->family = AF_INET;
	si->mode = XFRM_MODE_TUNNEL;
	si->reqid = REQID;
	si->replay_window = replay;
}

static void base_sa(struct xfrm_sa *sa, uint32_t spi)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = v4("192.0.2.1");
	sa->dst = v4("192.0.2.2");
	sa->spi = spi;
	sa->reqid = REQID;
	sa->replay_window = 32;
}

static void exp_aead_gcm(struct exp *e, const uint8_t key[20])
{
	uint8_t a[sizeof(struct xfrm_algo_aead) + 20];
	struct xfrm_algo_aead *al = (void *)a;

	memset(a, 0, sizeof(a));
	strcpy(al->alg_name, "rfc4106(gcm(aes))");
	al->alg_key_len = 160;		/* 128-bit key + 32-bit salt */
	al->alg_icv_len = 128;
	memcpy(a + sizeof(*al), key, 20);
	exp_attr(e, XFRMA_ALG_AEAD, a, sizeof(a));
}

START_TEST(newsa_gcm)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct xfrm_usersa_info si;
	struct nlmsghdr *nlh;
	struct xfrm_sa sa;
	struct exp e;

	base_sa(&sa, 0xc1f0e2a3);
	sa.encr_id = IKEV2_ENCR_AES_GCM_16;
	sa.encr_keylen = 128;
	sa.encr_key_len = 20;
	fill(sa.encr_key, 20, 0x40);
	sa.soft_secs = 3000;
	sa.hard_secs = 3600;
	ck_assert_int_eq(xfrm_msg_sa(buf, sizeof(buf), SEQ, &sa, false, &nlh), 0);

	sa_info(&si, 0xc1f0e2a3, 32);
	si.lft.soft_add_expires_seconds = 3000;
	si.lft.hard_add_expires_seconds = 3600;
	exp_start(&e, XFRM_MSG_NEWSA, 0, &si, sizeof(si));
	exp_aead_gcm(&e, sa.encr_key);
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

START_TEST(updsa_cbc_sha256_wide_window)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	uint8_t c[sizeof(struct xfrm_algo) + 16];
	uint8_t a[sizeof(struct xfrm_algo_auth) + 32];
	uint8_t r[sizeof(struct xfrm_replay_state_esn) + 16];
	struct xfrm_algo *ca = (void *)c;
	struct xfrm_algo_auth *aa = (void *)a;
	struct xfrm_replay_state_esn *rs = (void *)r;
	struct xfrm_usersa_info si;
	struct nlmsghdr *nlh;
	struct xfrm_sa sa;
	struct exp e;

	base_sa(&sa, 0x0a9b8c7d);
	sa.encr_id = IKEV2_ENCR_AES_CBC;
	sa.encr_keylen = 128;
	sa.encr_key_len = 16;
	fill(sa.encr_key, 16, 0x10);
	sa.integ_id = IKEV2_AUTH_HMAC_SHA2_256_128;
	sa.integ_key_len = 32;
	fill(sa.integ_key, 32, 0x80);
	sa.replay_window = 128;		/* > 32: only XFRMA_REPLAY_ESN_VAL can say it */
	sa.soft_bytes = 1000000;
	ck_assert_int_eq(xfrm_msg_sa(buf, sizeof(buf), SEQ, &sa, true, &nlh), 0);

	sa_info(&si, 0x0a9b8c7d, 0);
	si.lft.soft_byte_limit = 1000000;
	exp_start(&e, XFRM_MSG_UPDSA, 0, &si, sizeof(si));
	memset(c, 0, sizeof(c));
	strcpy(ca->alg_name, "cbc(aes)");
	ca->alg_key_len = 128;
	memcpy(c + sizeof(*ca), sa.encr_key, 16);
	exp_attr(&e, XFRMA_ALG_CRYPT, c, sizeof(c));
	memset(a, 0, sizeof(a));
	strcpy(aa->alg_name, "hmac(sha256)");
	aa->alg_key_len = 256;
	aa->alg_trunc_len = 128;
	memcpy(a + sizeof(*aa), sa.integ_key, 32);
	exp_attr(&e, XFRMA_ALG_AUTH_TRUNC, a, sizeof(a));
	memset(r, 0, sizeof(r));
	rs->bmp_len = 4;
	rs->replay_window = 128;
	exp_attr(&e, XFRMA_REPLAY_ESN_VAL, r, sizeof(r));
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

START_TEST(newsa_3des_sha1_esn)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	uint8_t c[sizeof(struct xfrm_algo) + 24];
	uint8_t a[sizeof(struct xfrm_algo_auth) + 20];
	uint8_t r[sizeof(struct xfrm_replay_state_esn) + 4];
	struct xfrm_algo *ca = (void *)c;
	struct xfrm_algo_auth *aa = (void *)a;
	struct xfrm_replay_state_esn *rs = (void *)r;
	struct xfrm_usersa_info si;
	struct nlmsghdr *nlh;
	struct xfrm_sa sa;
	struct exp e;

	base_sa(&sa, 0x12345678);
	sa.encr_id = IKEV2_ENCR_3DES;
	sa.encr_keylen = 192;
	sa.encr_key_len = 24;
	fill(sa.encr_key, 24, 0x20);
	sa.integ_id = IKEV2_AUTH_HMAC_SHA1_96;
	sa.integ_key_len = 20;
	fill(sa.integ_key, 20, 0x60);
	sa.esn = true;			/* ESN: window in the attribute, flag set */
	ck_assert_int_eq(xfrm_msg_sa(buf, sizeof(buf), SEQ, &sa, false, &nlh), 0);

	sa_info(&si, 0x12345678, 0);
	si.flags = XFRM_STATE_ESN;
	exp_start(&e, XFRM_MSG_NEWSA, 0, &si, sizeof(si));
	memset(c, 0, sizeof(c));
	strcpy(ca->alg_name, "cbc(des3_ede)");
	ca->alg_key_len = 192;
	memcpy(c + sizeof(*ca), sa.encr_key, 24);
	exp_attr(&e, XFRMA_ALG_CRYPT, c, sizeof(c));
	memset(a, 0, sizeof(a));
	strcpy(aa->alg_name, "hmac(sha1)");
	aa->alg_key_len = 160;
	aa->alg_trunc_len = 96;
	memcpy(a + sizeof(*aa), sa.integ_key, 20);
	exp_attr(&e, XFRMA_ALG_AUTH_TRUNC, a, sizeof(a));
	memset(r, 0, sizeof(r));
	rs->bmp_len = 1;
	rs->replay_window = 32;
	exp_attr(&e, XFRMA_REPLAY_ESN_VAL, r, sizeof(r));
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

START_TEST(newsa_gcm_encap)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct xfrm_encap_tmpl et;
	struct xfrm_usersa_info si;
	struct nlmsghdr *nlh;
	struct xfrm_sa sa;
	struct exp e;

	base_sa(&sa, 0xdeadbeef);
	sa.encr_id = IKEV2_ENCR_AES_GCM_16;
	sa.encr_keylen = 128;
	sa.encr_key_len = 20;
	fill(sa.encr_key, 20, 0x01);
	sa.encap = true;
	sa.encap_sport = 4500;
	sa.encap_dport = 31337;
	ck_assert_int_eq(xfrm_msg_sa(buf, sizeof(buf), SEQ, &sa, false, &nlh), 0);

	sa_info(&si, 0xdeadbeef, 32);
	exp_start(&e, XFRM_MSG_NEWSA, 0, &si, sizeof(si));
	exp_aead_gcm(&e, sa.encr_key);
	memset(&et, 0, sizeof(et));
	et.encap_type = UDP_ENCAP_ESPINUDP;
	et.encap_sport = htons(4500);
	et.encap_dport = htons(31337);
	exp_attr(&e, XFRMA_ENCAP, &et, sizeof(et));
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

static void out_policy(struct xfrm_policy *p)
{
	bool hb;

	memset(p, 0, sizeof(*p));
	ck_assert(subnet_parse("10.1.1.0/24", &p->src, &hb));
	ck_assert(subnet_parse("10.2.0.0/16", &p->dst, &hb));
	p->dir = XFRM_DIR_OUT_;
	p->tmpl_src = v4("192.0.2.1");
	p->tmpl_dst = v4("192.0.2.2");
	p->reqid = REQID;
}

START_TEST(newpolicy_template)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct xfrm_userpolicy_info pi;
	struct xfrm_user_tmpl t;
	struct xfrm_policy p;
	struct nlmsghdr *nlh;
	struct exp e;

	out_policy(&p);
	ck_assert_int_eq(xfrm_msg_policy(buf, sizeof(buf), SEQ, &p, &nlh), 0);

	memset(&pi, 0, sizeof(pi));
	put4(&pi.sel.daddr, "10.2.0.0");
	put4(&pi.sel.saddr, "10.1.1.0");
	pi.sel.family = AF_INET;
	pi.sel.prefixlen_d = 16;
	pi.sel.prefixlen_s = 24;
	pi.lft.soft_byte_limit = XFRM_INF;
	pi.lft.hard_byte_limit = XFRM_INF;
	pi.lft.soft_packet_limit = XFRM_INF;
	pi.lft.hard_packet_limit = XFRM_INF;
	pi.priority = 2000 + 256 - 24 - 16;
	pi.dir = XFRM_POLICY_OUT;
	pi.action = XFRM_POLICY_ALLOW;
	pi.share = XFRM_SHARE_ANY;
	exp_start(&e, XFRM_MSG_NEWPOLICY, 0, &pi, sizeof(pi));
	memset(&t, 0, sizeof(t));
	put4(&t.id.daddr, "192.0.2.2");
	t.id.proto = IPPROTO_ESP;
	t.family = AF_INET;
	put4(&t.saddr, "192.0.2.1");
	t.reqid = REQID;
	t.mode = XFRM_MODE_TUNNEL;
	t.aalgos = t.ealgos = t.calgos = 0xffffffff;
	exp_attr(&e, XFRMA_TMPL, &t, sizeof(t));
	exp_finish(&e);
	ck_bytes(nlh, &e);

	/* An explicit priority is taken as is; fwd maps to the kernel's 2. */
	p.priority = 77;
	p.dir = XFRM_DIR_FWD_;
	ck_assert_int_eq(xfrm_msg_policy(buf, sizeof(buf), SEQ, &p, &nlh), 0);
	memcpy(&pi, (uint8_t *)nlh + NLMSG_HDRLEN, sizeof(pi));
	ck_assert_uint_eq(pi.priority, 77);
	ck_assert_uint_eq(pi.dir, XFRM_POLICY_FWD);
}
END_TEST

START_TEST(delpolicy)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct xfrm_userpolicy_id id;
	struct xfrm_policy p;
	struct nlmsghdr *nlh;
	struct exp e;

	out_policy(&p);
	p.dir = XFRM_DIR_IN_;
	ck_assert_int_eq(xfrm_msg_del_policy(buf, sizeof(buf), SEQ, &p, &nlh), 0);
	memset(&id, 0, sizeof(id));
	put4(&id.sel.daddr, "10.2.0.0");
	put4(&id.sel.saddr, "10.1.1.0");
	id.sel.family = AF_INET;
	id.sel.prefixlen_d = 16;
	id.sel.prefixlen_s = 24;
	id.dir = XFRM_POLICY_IN;
	exp_start(&e, XFRM_MSG_DELPOLICY, 0, &id, sizeof(id));
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

START_TEST(allocspi)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct xfrm_userspi_info ui;
	struct ike_addr src = v4("192.0.2.1"), dst = v4("192.0.2.2");
	struct nlmsghdr *nlh;
	struct exp e;

	ck_assert_int_eq(xfrm_msg_alloc_spi(buf, sizeof(buf), SEQ, &src, &dst, REQID, &nlh), 0);
	memset(&ui, 0, sizeof(ui));
	sa_info(&ui.info, 0, 0);
	ui.min = 0x100;
	ui.max = 0xffffffff;
	exp_start(&e, XFRM_MSG_ALLOCSPI, 0, &ui, sizeof(ui));
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

START_TEST(delsa_getsa)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct xfrm_usersa_id id;
	struct ike_addr dst = v4("192.0.2.2");
	struct nlmsghdr *nlh;
	struct exp e;

	ck_assert_int_eq(xfrm_msg_sa_id(buf, sizeof(buf), SEQ, XFRM_MSG_DELSA, &dst,
					0xc1f0e2a3, &nlh), 0);
	memset(&id, 0, sizeof(id));
	put4(&id.daddr, "192.0.2.2");
	id.spi = htonl(0xc1f0e2a3);
	id.family = AF_INET;
	id.proto = IPPROTO_ESP;
	exp_start(&e, XFRM_MSG_DELSA, 0, &id, sizeof(id));
	exp_finish(&e);
	ck_bytes(nlh, &e);

	ck_assert_int_eq(xfrm_msg_sa_id(buf, sizeof(buf), SEQ, XFRM_MSG_GETSA, &dst,
					0xc1f0e2a3, &nlh), 0);
	exp_start(&e, XFRM_MSG_GETSA, 0, &id, sizeof(id));
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

START_TEST(dump_request)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct nlmsghdr *nlh;
	struct exp e;

	ck_assert_int_eq(xfrm_msg_dump(buf, sizeof(buf), SEQ, XFRM_MSG_GETPOLICY, &nlh), 0);
	exp_start(&e, XFRM_MSG_GETPOLICY, NLM_F_DUMP, NULL, 0);
	exp_finish(&e);
	ck_bytes(nlh, &e);
}
END_TEST

START_TEST(policy_v6_selector)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct xfrm_userpolicy_info pi;
	struct xfrm_policy p;
	struct nlmsghdr *nlh;
	xfrm_address_t want;
	bool hb;

	memset(&p, 0, sizeof(p));
	ck_assert(subnet_parse("2001:db8:1::/48", &p.src, &hb));
	ck_assert(subnet_parse("2001:db8:2::/64", &p.dst, &hb));
	p.dir = XFRM_DIR_IN_;
	ck_assert(addr_parse("2001:db8::1", &p.tmpl_src));
	ck_assert(addr_parse("2001:db8::2", &p.tmpl_dst));
	p.reqid = REQID;
	ck_assert_int_eq(xfrm_msg_policy(buf, sizeof(buf), SEQ, &p, &nlh), 0);
	memcpy(&pi, (uint8_t *)nlh + NLMSG_HDRLEN, sizeof(pi));
	ck_assert_uint_eq(pi.sel.family, AF_INET6);
	ck_assert_uint_eq(pi.sel.prefixlen_s, 48);
	ck_assert_uint_eq(pi.sel.prefixlen_d, 64);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:2::", &want), 1);
	ck_assert_mem_eq(&pi.sel.daddr, &want, 16);
	ck_assert_uint_eq(pi.priority, 2000 + 256 - 48 - 64);
	ck_assert_uint_eq(pi.dir, XFRM_POLICY_IN);
}
END_TEST

/* Requests the kernel could not take are refused before they are sent,
 * and a refused SA leaves no key bytes in the buffer. */
static const struct {
	const char *name;
	uint16_t encr, keylen, integ;
	size_t ekey, ikey;
	uint32_t replay;
} bad_sa[] = {
	{ "unknown encryption", 99, 128, 12, 16, 32, 0 },
	{ "AES-CTR (not mapped)", IKEV2_ENCR_AES_CTR, 128, 12, 20, 32, 0 },
	{ "GCM key without salt", IKEV2_ENCR_AES_GCM_16, 128, 0, 16, 0, 0 },
	{ "GCM with an integrity algorithm", IKEV2_ENCR_AES_GCM_16, 128, 12, 20, 32, 0 },
	{ "AES-CBC key length 100", IKEV2_ENCR_AES_CBC, 100, 12, 13, 32, 0 },
	{ "AES-CBC key shorter than declared", IKEV2_ENCR_AES_CBC, 256, 12, 16, 32, 0 },
	{ "CBC without integrity", IKEV2_ENCR_AES_CBC, 128, 0, 16, 0, 0 },
	{ "unknown integrity", IKEV2_ENCR_AES_CBC, 128, 5, 16, 32, 0 },
	{ "SHA-256 key of 20 bytes", IKEV2_ENCR_AES_CBC, 128, 12, 16, 20, 0 },
	{ "3DES with a 16-byte key", IKEV2_ENCR_3DES, 128, 2, 16, 20, 0 },
	{ "NULL encryption with a key", IKEV2_ENCR_NULL, 0, 2, 8, 20, 0 },
	{ "replay window beyond 4096", IKEV2_ENCR_AES_CBC, 128, 12, 16, 32, 5000 },
};

START_TEST(refuses_bad_sa)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct nlmsghdr *nlh = NULL;
	struct xfrm_sa sa;

	base_sa(&sa, 0x1000);
	sa.encr_id = bad_sa[_i].encr;
	sa.encr_keylen = bad_sa[_i].keylen;
	sa.integ_id = bad_sa[_i].integ;
	sa.encr_key_len = bad_sa[_i].ekey;
	sa.integ_key_len = bad_sa[_i].ikey;
	memset(sa.encr_key, 0xa5, sizeof(sa.encr_key));
	memset(sa.integ_key, 0xa5, sizeof(sa.integ_key));
	if (bad_sa[_i].replay)
		sa.replay_window = bad_sa[_i].replay;
	ck_assert_msg(xfrm_msg_sa(buf, sizeof(buf), SEQ, &sa, false, &nlh) == -EINVAL,
		      "%s accepted", bad_sa[_i].name);
	for (size_t i = 0; i + 1 < sizeof(buf); i++)
		ck_assert_msg(!(buf[i] == 0xa5 && buf[i + 1] == 0xa5),
			      "%s: key bytes left in the buffer", bad_sa[_i].name);
}
END_TEST

START_TEST(every_mapped_algorithm_builds)
{
	static const struct {
		uint16_t encr, keylen, integ;
		size_t ekey, ikey;
		const char *ename, *iname;
	} ok[] = {
		{ IKEV2_ENCR_AES_GCM_16, 256, 0, 36, 0, "rfc4106(gcm(aes))", NULL },
		{ IKEV2_ENCR_AES_CBC, 192, 14, 24, 64, "cbc(aes)", "hmac(sha512)" },
		{ IKEV2_ENCR_AES_CBC, 256, 13, 32, 48, "cbc(aes)", "hmac(sha384)" },
		{ IKEV2_ENCR_DES, 64, 1, 8, 16, "cbc(des)", "hmac(md5)" },
		{ IKEV2_ENCR_NULL, 0, 2, 0, 20, "ecb(cipher_null)", "hmac(sha1)" },
	};
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct nlmsghdr *nlh;
	struct xfrm_sa sa;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		base_sa(&sa, 0x2000);
		sa.encr_id = ok[i].encr;
		sa.encr_keylen = ok[i].keylen;
		sa.integ_id = ok[i].integ;
		sa.encr_key_len = ok[i].ekey;
		sa.integ_key_len = ok[i].ikey;
		ck_assert_int_eq(xfrm_msg_sa(buf, sizeof(buf), SEQ, &sa, false, &nlh), 0);
		ck_assert(memmem(buf, nlh->nlmsg_len, ok[i].ename, strlen(ok[i].ename) + 1));
		if (ok[i].iname)
			ck_assert(memmem(buf, nlh->nlmsg_len, ok[i].iname, strlen(ok[i].iname) + 1));
	}
}
END_TEST

START_TEST(small_buffer)
{
	uint8_t buf[XFRM_MSG_BUFSZ];
	struct nlmsghdr *nlh;
	struct xfrm_sa sa;
	struct xfrm_policy p;

	base_sa(&sa, 0x3000);
	sa.encr_id = IKEV2_ENCR_AES_GCM_16;
	sa.encr_keylen = 128;
	sa.encr_key_len = 20;
	ck_assert_int_eq(xfrm_msg_sa(buf, 100, SEQ, &sa, false, &nlh), -EMSGSIZE);
	ck_assert_int_eq(xfrm_msg_sa(buf, 300, SEQ, &sa, false, &nlh), -EINVAL);
	out_policy(&p);
	ck_assert_int_eq(xfrm_msg_policy(buf, 200, SEQ, &p, &nlh), -EMSGSIZE);
}
END_TEST

/* ---- decoding kernel notifications (hostile lengths) ---- */

static struct nlmsghdr *mk_expire(struct exp *e, uint32_t reqid, uint8_t hard, int family)
{
	struct xfrm_user_expire ue;

	memset(&ue, 0, sizeof(ue));
	sa_info(&ue.state, 0xabcdef01, 0);
	ue.state.reqid = reqid;
	ue.state.family = (uint16_t)family;
	ue.hard = hard;
	exp_start(e, XFRM_MSG_EXPIRE, 0, &ue, sizeof(ue));
	exp_finish(e);
	return (struct nlmsghdr *)e->b;
}

START_TEST(parse_expire)
{
	struct exp e;
	struct xfrm_event ev;
	struct nlmsghdr *nlh;
	char a[IKE_ADDRSTRLEN];

	nlh = mk_expire(&e, REQID, 0, AF_INET);
	ck_assert_int_eq(xfrm_msg_parse_event(nlh, &ev), 1);
	ck_assert_int_eq(ev.type, XFRM_EV_SOFT_EXPIRE);
	ck_assert_uint_eq(ev.spi, 0xabcdef01);
	ck_assert_uint_eq(ev.reqid, REQID);
	ck_assert_str_eq(addr_fmt(&ev.dst, a), "192.0.2.2");
	nlh = mk_expire(&e, REQID, 1, AF_INET);
	ck_assert_int_eq(xfrm_msg_parse_event(nlh, &ev), 1);
	ck_assert_int_eq(ev.type, XFRM_EV_HARD_EXPIRE);
	/* not ours, unknown family, one byte short, header only */
	ck_assert_int_eq(xfrm_msg_parse_event(mk_expire(&e, 7, 1, AF_INET), &ev), 0);
	ck_assert_int_eq(xfrm_msg_parse_event(mk_expire(&e, REQID, 1, 99), &ev), 0);
	nlh = mk_expire(&e, REQID, 1, AF_INET);
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct xfrm_user_expire) - 1;
	ck_assert_int_eq(xfrm_msg_parse_event(nlh, &ev), 0);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	ck_assert_int_eq(xfrm_msg_parse_event(nlh, &ev), 0);
	nlh->nlmsg_len = 3;
	ck_assert_int_eq(xfrm_msg_parse_event(nlh, &ev), 0);
}
END_TEST

/* An ACQUIRE for 10.1.1.0/24 -> 10.2.0.0/16, template reqid, and a way
 * to break the template attribute: tmpl_len bytes of it (and a declared
 * attribute length of decl, 0 = honest). */
static struct nlmsghdr *mk_acquire(struct exp *e, uint32_t reqid, size_t tmpl_len,
				   uint16_t decl, uint8_t plen_s)
{
	struct xfrm_user_acquire ua;
	struct xfrm_user_tmpl t[2];

	memset(&ua, 0, sizeof(ua));
	put4(&ua.id.daddr, "192.0.2.2");
	ua.id.proto = IPPROTO_ESP;
	put4(&ua.policy.sel.saddr, "10.1.1.77");	/* host bits: masked on decode */
	put4(&ua.policy.sel.daddr, "10.2.0.0");
	ua.policy.sel.family = AF_INET;
	ua.policy.sel.prefixlen_s = plen_s;
	ua.policy.sel.prefixlen_d = 16;
	exp_start(e, XFRM_MSG_ACQUIRE, 0, &ua, sizeof(ua));
	memset(t, 0, sizeof(t));
	put4(&t[0].id.daddr, "192.0.2.2");
	t[0].family = AF_INET;
	t[0].reqid = reqid;
	if (tmpl_len) {
		exp_attr(e, XFRMA_TMPL, t, tmpl_len);
		if (decl)
			memcpy(e->b + e->n - ((tmpl_len + 3) & ~3u) - 4, &decl, 2);
	}
	exp_finish(e);
	return (struct nlmsghdr *)e->b;
}

START_TEST(parse_acquire)
{
	struct exp e;
	struct xfrm_event ev;
	char s[IKE_SUBNETSTRLEN], d[IKE_SUBNETSTRLEN], a[IKE_ADDRSTRLEN];
	const size_t tl = sizeof(struct xfrm_user_tmpl);

	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, tl, 0, 24), &ev), 1);
	ck_assert_int_eq(ev.type, XFRM_EV_ACQUIRE);
	ck_assert_uint_eq(ev.reqid, REQID);
	ck_assert_str_eq(subnet_fmt(&ev.sel_src, s), "10.1.1.0/24");
	ck_assert_str_eq(subnet_fmt(&ev.sel_dst, d), "10.2.0.0/16");
	ck_assert_str_eq(addr_fmt(&ev.dst, a), "192.0.2.2");
	/* two templates: the first names the tunnel */
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, 2 * tl, 0, 24), &ev), 1);
	/* no template, a foreign reqid, a short or ragged template */
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, 0, 0, 24), &ev), 0);
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, 7, tl, 0, 24), &ev), 0);
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, tl - 4, 0, 24), &ev), 0);
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, tl + 4, 0, 24), &ev), 0);
	/* attribute length pointing past the message, or below its header */
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, tl, 0xfff0, 24), &ev), 0);
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, tl, 2, 24), &ev), 0);
	/* impossible prefix length */
	ck_assert_int_eq(xfrm_msg_parse_event(mk_acquire(&e, REQID, tl, 0, 33), &ev), 0);
	/* message cut inside the fixed part */
	mk_acquire(&e, REQID, tl, 0, 24);
	((struct nlmsghdr *)e.b)->nlmsg_len = NLMSG_HDRLEN + sizeof(struct xfrm_user_acquire) - 1;
	ck_assert_int_eq(xfrm_msg_parse_event((struct nlmsghdr *)e.b, &ev), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xfrm_nl");
	TCase *tc = tcase_create("golden");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, newsa_gcm);
	tcase_add_test(tc, updsa_cbc_sha256_wide_window);
	tcase_add_test(tc, newsa_3des_sha1_esn);
	tcase_add_test(tc, newsa_gcm_encap);
	tcase_add_test(tc, newpolicy_template);
	tcase_add_test(tc, delpolicy);
	tcase_add_test(tc, allocspi);
	tcase_add_test(tc, delsa_getsa);
	tcase_add_test(tc, dump_request);
	tcase_add_test(tc, policy_v6_selector);
	tcase_add_loop_test(tc, refuses_bad_sa, 0, sizeof(bad_sa) / sizeof(bad_sa[0]));
	tcase_add_test(tc, every_mapped_algorithm_builds);
	tcase_add_test(tc, small_buffer);
	tcase_add_test(tc, parse_expire);
	tcase_add_test(tc, parse_acquire);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
