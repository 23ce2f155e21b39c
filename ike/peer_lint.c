/* check-config --peer: the rules, one function per peer.
 *
 * Where each peer's "default" comes from (read 2026-11):
 *
 * strongSwan 5.9 (src/libstrongswan/crypto/proposal/proposal.c,
 * proposal_add_supported_ike() and proposal_create_default()): the
 * default IKE proposal has AES-CBC/CTR 128/192/256 and 3DES (DES: "no,
 * thanks"), AES-GCM 16/12/8 in the AEAD proposal, SHA2-256/384/512 and
 * SHA1 (MD5: "no, thanks"), DH ECP-256/384/521, Curve25519, MODP
 * 3072..8192 and MODP-2048 (MODP-768/1024/1536: "weak").  The default
 * ESP proposals are AES-CBC 128/192/256 with SHA2/SHA1 and AES-GCM-16,
 * and carry no DH group: the first CHILD SA (no KE in IKE_AUTH) comes
 * up, the first rekey with KE fails.  Aggressive mode with PSK as
 * responder needs charon.i_dont_care_about_security_and_use_aggressive_mode_psk.
 * Several subnets in one CHILD SA are fine.
 *
 * libreswan 4.10 (lib/libswan/ike_info.c defaults; TESTING-NOTES.md from
 * the interop harness): built without MODP-1024 (USE_DH2) and without
 * DES, so neither can be configured at all; MD5 only when an ike=/esp=
 * line names it.  Default IKEv2 proposals: AES-GCM-16 256/128, AES-CBC
 * 256/128 with PRF SHA2-512/256 and DH ECP-256/384/521, Curve25519,
 * MODP 4096/3072/2048/8192; IKEv1: AES-CBC, 3DES with SHA2-256/512,
 * SHA1 and MODP-2048/1536, ECP-256, Curve25519.  IKEv1 is refused
 * unless "config setup" has ikev1-policy=accept.  Aggressive mode needs
 * aggressive=yes and exactly one DH group.  A CHILD SA carries one
 * subnet pair (leftsubnets={a,b} makes one per pair; leftsubnet=a,b
 * silently becomes host-to-host).  pfs=yes is its default.
 *
 * Alibaba Cloud VPN Gateway console (alicloud_vpn_connection docs and
 * the console's IPsec connection form): encryption aes (AES-128),
 * aes192, aes256, des, 3des (sm4 only on SM gateways); authentication
 * md5, sha1, sha256, sha384, sha512; DH group1, group2, group5, group14
 * (group24 too, which ikegw does not implement); IPsec PFS the same or
 * disabled.  No GCM, no ECP, no Curve25519.  Lifetimes 0..86400 s,
 * both defaulting to 86400.  Defaults: aes, sha1, group2 for IKE and
 * IPsec.  One value per field.
 *
 * The rules (id: key: fires when), for ikegw(8):
 *   strongswan-default-ike-encr   ike_encryption  none of ours in its default IKE set (DES)
 *   strongswan-default-ike-integ  ike_integrity   none in sha256/384/512/sha1 (MD5)
 *   strongswan-default-ike-dh     ike_dh_group    none in 19,20,21,31,15,16,14 (1, 2, 5)
 *   strongswan-default-esp-encr   esp_encryption  none in aes128/192/256, aes*gcm16
 *   strongswan-default-esp-integ  esp_integrity   non-GCM and none in sha256/384/512/sha1
 *   strongswan-pfs                esp_pfs         a group and no "none"
 *   strongswan-aggressive-psk     ike_mode        IKEv1 aggressive
 *   libreswan-dh-weak             ike_dh_group    contains 1 or 2 (one finding each)
 *   libreswan-pfs-weak            esp_pfs         contains 1 or 2
 *   libreswan-des                 ike_/esp_encryption  contains des
 *   libreswan-split               split           more than one pair and split != yes
 *   libreswan-ikev1               ike_version     1
 *   libreswan-aggressive          ike_mode        IKEv1 aggressive
 *   libreswan-aggressive-dh       ike_dh_group    IKEv1 aggressive with != 1 group
 *   libreswan-md5                 ike_/esp_integrity   md5 is the only choice
 *   libreswan-default-ike-encr    ike_encryption  none in its default IKEv1/v2 set
 *   libreswan-default-ike-integ   ike_integrity   none in its default IKEv1/v2 PRFs
 *   libreswan-default-ike-dh      ike_dh_group    none in its default IKEv1/v2 groups
 *   libreswan-pfs-none            esp_pfs         none only
 *   alibaba-encr                  ike_/esp_encryption  none offered by the console (GCM)
 *   alibaba-dh                    ike_dh_group, esp_pfs  none offered (ECP, 31, 15+)
 *   alibaba-lifetime              ike_/esp_lifetime    above 86400
 *   alibaba-split                 split           IKEv1, more than one pair, split != yes
 *   alibaba-default               (each field)    the console's default (aes, sha1,
 *                                 group2, 86400 s for IKEv1) is not in our list:
 *                                 says which value to select there
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alg.h"
#include "peer_lint.h"
#include "v2.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct encr_ref {
	uint16_t id, keylen;
};

struct lint_ctx {
	const struct conf_conn *c;
	struct lint_msg *out;
	unsigned max, n;
};

__attribute__((format(printf, 4, 5)))
static void emit(struct lint_ctx *x, const char *rule, const char *key,
		 const char *fmt, ...)
{
	va_list ap;

	if (x->n < x->max) {
		struct lint_msg *m = &x->out[x->n];

		m->rule = rule;
		m->key = key;
		va_start(ap, fmt);
		vsnprintf(m->text, sizeof(m->text), fmt, ap);
		va_end(ap);
	}
	x->n++;
}

static bool encr_in(const struct conf_encr *e, const struct encr_ref *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i].id == e->id && set[i].keylen == e->keylen)
			return true;
	return false;
}

static bool any_encr(const struct conf_encr *l, unsigned n, const struct encr_ref *set,
		     size_t sn)
{
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
		if (encr_in(&l[i], set, sn))
			return true;
	return false;
}

static bool u16_in(uint16_t v, const uint16_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

static bool any_u16(const uint16_t *l, unsigned n, const uint16_t *set, size_t sn)
{
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
		if (u16_in(l[i], set, sn))
			return true;
	return false;
}

static bool has_u16(const uint16_t *l, unsigned n, uint16_t v)
{
	return any_u16(l, n, &v, 1);
}

static bool all_aead(const struct conf_encr *l, unsigned n)
{
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
		if (!alg_encr_is_aead(l[i].id))
			return false;
	return n > 0;
}

/* Our list as the config spells it: "aes192, 3des". */
static const char *encr_list(const struct conf_encr *l, unsigned n, char *b, size_t sz)
{
	char nb[ALG_NAMELEN];

	b[0] = 0;
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
		snprintf(b + strlen(b), sz - strlen(b), "%s%s", i ? ", " : "",
			 alg_encr_name(l[i].id, l[i].keylen, nb));
	return b;
}

enum u16_kind { K_PRF, K_INTEG, K_DH };

static const char *u16_list(const uint16_t *l, unsigned n, enum u16_kind k, char *b,
			    size_t sz)
{
	char nb[ALG_NAMELEN];

	b[0] = 0;
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++) {
		const char *s = k == K_PRF ? alg_prf_name(l[i], nb) :
				k == K_INTEG ? alg_integ_name(l[i], nb) : alg_dh_name(l[i], nb);

		snprintf(b + strlen(b), sz - strlen(b), "%s%s", i ? ", " : "", s);
	}
	return b;
}

static unsigned pairs(const struct conf_conn *c)
{
	return c->n_local_subnets * c->n_remote_subnets;
}

/* ---- strongSwan 5.9 ---- */

static const struct encr_ref ss_ike_encr[] = {
	{ IKEV2_ENCR_AES_CBC, 128 }, { IKEV2_ENCR_AES_CBC, 192 }, { IKEV2_ENCR_AES_CBC, 256 },
	{ IKEV2_ENCR_AES_CTR, 128 }, { IKEV2_ENCR_AES_CTR, 192 }, { IKEV2_ENCR_AES_CTR, 256 },
	{ IKEV2_ENCR_3DES, 0 },
	{ IKEV2_ENCR_AES_GCM_16, 128 }, { IKEV2_ENCR_AES_GCM_16, 192 }, { IKEV2_ENCR_AES_GCM_16, 256 },
	{ IKEV2_ENCR_AES_GCM_12, 128 }, { IKEV2_ENCR_AES_GCM_12, 192 }, { IKEV2_ENCR_AES_GCM_12, 256 },
	{ IKEV2_ENCR_AES_GCM_8, 128 }, { IKEV2_ENCR_AES_GCM_8, 192 }, { IKEV2_ENCR_AES_GCM_8, 256 },
};
static const uint16_t ss_prf[] = { IKEV2_PRF_HMAC_SHA2_256, IKEV2_PRF_HMAC_SHA2_384,
				   IKEV2_PRF_HMAC_SHA2_512, IKEV2_PRF_HMAC_SHA1 };
static const uint16_t ss_dh[] = { IKEV2_DH_ECP_256, IKEV2_DH_ECP_384, IKEV2_DH_ECP_521,
				  IKEV2_DH_CURVE25519, IKEV2_DH_MODP_3072, IKEV2_DH_MODP_4096,
				  IKEV2_DH_MODP_2048 };
static const struct encr_ref ss_esp_encr[] = {
	{ IKEV2_ENCR_AES_CBC, 128 }, { IKEV2_ENCR_AES_CBC, 192 }, { IKEV2_ENCR_AES_CBC, 256 },
	{ IKEV2_ENCR_AES_GCM_16, 128 }, { IKEV2_ENCR_AES_GCM_16, 192 },
	{ IKEV2_ENCR_AES_GCM_16, 256 },
};
static const uint16_t ss_esp_integ[] = { IKEV2_AUTH_HMAC_SHA2_256_128,
					 IKEV2_AUTH_HMAC_SHA2_384_192,
					 IKEV2_AUTH_HMAC_SHA2_512_256, IKEV2_AUTH_HMAC_SHA1_96 };

#define SS "strongSwan 5.9"
#define SS_NAMED "only when its proposals name them explicitly"

static void lint_strongswan_ike(struct lint_ctx *x)
{
	const struct conf_conn *c = x->c;
	char b[160];

	if (c->n_ike_encr && !any_encr(c->ike_encr, c->n_ike_encr, ss_ike_encr, N(ss_ike_encr)))
		emit(x, "strongswan-default-ike-encr", "ike_encryption", SS " uses %s " SS_NAMED
		     " (its default IKE proposals have AES and 3DES, not DES); add aes256 "
		     "here", encr_list(c->ike_encr, c->n_ike_encr, b, sizeof(b)));
	if (c->n_ike_prf && !any_u16(c->ike_prf, c->n_ike_prf, ss_prf, N(ss_prf)))
		emit(x, "strongswan-default-ike-integ", "ike_integrity", SS " uses %s " SS_NAMED
		     " (its default IKE proposals have sha256, sha384, sha512, sha1); add "
		     "sha256 here", u16_list(c->ike_prf, c->n_ike_prf, K_PRF, b, sizeof(b)));
	if (c->n_ike_dh && !any_u16(c->ike_dh, c->n_ike_dh, ss_dh, N(ss_dh)))
		emit(x, "strongswan-default-ike-dh", "ike_dh_group", SS " uses DH group %s "
		     SS_NAMED " (e.g. aes128-sha1-modp1024; its defaults start at MODP-2048); "
		     "add 14 here", u16_list(c->ike_dh, c->n_ike_dh, K_DH, b, sizeof(b)));
	if (c->ike_version == 1 && c->ike_mode == MODE_AGGRESSIVE)
		emit(x, "strongswan-aggressive-psk", "ike_mode", SS " answers aggressive mode "
		     "with a pre-shared key only with charon.i_dont_care_about_security_and_"
		     "use_aggressive_mode_psk = yes in its strongswan.conf; use main mode if "
		     "you can");
}

static void lint_strongswan_esp(struct lint_ctx *x)
{
	const struct conf_conn *c = x->c;
	char b[160];

	if (c->n_esp_encr && !any_encr(c->esp_encr, c->n_esp_encr, ss_esp_encr, N(ss_esp_encr)))
		emit(x, "strongswan-default-esp-encr", "esp_encryption", SS " uses %s " SS_NAMED
		     " (its default ESP proposals have aes128/192/256 and aes*gcm16); add "
		     "aes256 here", encr_list(c->esp_encr, c->n_esp_encr, b, sizeof(b)));
	if (c->n_esp_integ && !all_aead(c->esp_encr, c->n_esp_encr) &&
	    !any_u16(c->esp_integ, c->n_esp_integ, ss_esp_integ, N(ss_esp_integ)))
		emit(x, "strongswan-default-esp-integ", "esp_integrity", SS " uses %s " SS_NAMED
		     " (its default ESP proposals have sha256, sha384, sha512, sha1); add "
		     "sha256 here", u16_list(c->esp_integ, c->n_esp_integ, K_INTEG, b, sizeof(b)));
	if (c->n_esp_pfs && !has_u16(c->esp_pfs, c->n_esp_pfs, IKEV2_DH_NONE))
		emit(x, "strongswan-pfs", "esp_pfs", SS "'s default esp_proposals carry no DH "
		     "group: %s; name the group in its esp_proposals (e.g. "
		     "aes256-sha256-%s) or set esp_pfs = none",
		     c->ike_version == 1 ? "Quick Mode with PFS fails" :
		     "the first phase 2 comes up, but its first rekey fails",
		     alg_dh_desc(c->esp_pfs[0]));
}

/* ---- libreswan 4.10 ---- */

static const struct encr_ref ls_v2_encr[] = {
	{ IKEV2_ENCR_AES_GCM_16, 256 }, { IKEV2_ENCR_AES_GCM_16, 128 },
	{ IKEV2_ENCR_AES_CBC, 256 }, { IKEV2_ENCR_AES_CBC, 128 },
};
static const uint16_t ls_v2_prf[] = { IKEV2_PRF_HMAC_SHA2_512, IKEV2_PRF_HMAC_SHA2_256 };
static const uint16_t ls_v2_dh[] = { IKEV2_DH_ECP_256, IKEV2_DH_ECP_384, IKEV2_DH_ECP_521,
				     IKEV2_DH_CURVE25519, IKEV2_DH_MODP_4096, IKEV2_DH_MODP_3072,
				     IKEV2_DH_MODP_2048 };
static const struct encr_ref ls_v1_encr[] = {
	{ IKEV2_ENCR_AES_CBC, 128 }, { IKEV2_ENCR_AES_CBC, 256 }, { IKEV2_ENCR_3DES, 0 },
};
static const uint16_t ls_v1_prf[] = { IKEV2_PRF_HMAC_SHA2_256, IKEV2_PRF_HMAC_SHA2_512,
				      IKEV2_PRF_HMAC_SHA1 };
static const uint16_t ls_v1_dh[] = { IKEV2_DH_MODP_2048, IKEV2_DH_MODP_1536,
				     IKEV2_DH_ECP_256, IKEV2_DH_CURVE25519 };

#define LS "libreswan 4.10"

static void ls_weak_groups(struct lint_ctx *x, const char *rule, const char *key,
			   const uint16_t *l, unsigned n)
{
	if (has_u16(l, n, IKEV2_DH_MODP_768))
		emit(x, rule, key, LS " cannot use MODP-768 (group 1); use 14");
	if (has_u16(l, n, IKEV2_DH_MODP_1024))
		emit(x, rule, key, LS " cannot use MODP-1024 (group 2); use 14");
}

static bool has_des(const struct conf_encr *l, unsigned n)
{
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
		if (l[i].id == IKEV2_ENCR_DES)
			return true;
	return false;
}

/* Hard limits: these cannot be configured on libreswan at all. */
static void lint_libreswan_hard(struct lint_ctx *x)
{
	const struct conf_conn *c = x->c;
	unsigned p = pairs(c);

	ls_weak_groups(x, "libreswan-dh-weak", "ike_dh_group", c->ike_dh, c->n_ike_dh);
	ls_weak_groups(x, "libreswan-pfs-weak", "esp_pfs", c->esp_pfs, c->n_esp_pfs);
	if (has_des(c->ike_encr, c->n_ike_encr))
		emit(x, "libreswan-des", "ike_encryption", LS " has no DES; use aes256 or "
		     "aes128 (3des if the other choices fail)");
	if (has_des(c->esp_encr, c->n_esp_encr))
		emit(x, "libreswan-des", "esp_encryption", LS " has no DES; use aes256 or "
		     "aes128 (3des if the other choices fail)");
	if (p > 1 && c->split != SPLIT_YES)
		emit(x, "libreswan-split", "split", LS " puts one subnet pair in each CHILD SA "
		     "(leftsubnets={...}); local_subnets and remote_subnets make %u pairs, "
		     "so set split = yes", p);
	if (c->ike_version == 1)
		emit(x, "libreswan-ikev1", "ike_version", LS " refuses IKEv1 unless its "
		     "\"config setup\" has ikev1-policy=accept; use ike_version = 2 if you can");
	if (c->ike_version == 1 && c->ike_mode == MODE_AGGRESSIVE)
		emit(x, "libreswan-aggressive", "ike_mode", LS " answers aggressive mode "
		     "only with aggressive=yes in its conn and an ike= line with one DH group");
	if (c->ike_version == 1 && c->ike_mode == MODE_AGGRESSIVE && c->n_ike_dh != 1)
		emit(x, "libreswan-aggressive-dh", "ike_dh_group", LS " aggressive mode needs "
		     "exactly one DH group; list one");
}

static bool only_md5(const uint16_t *l, unsigned n, uint16_t md5)
{
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
		if (l[i] != md5)
			return false;
	return n > 0;
}

/* Default proposals: fine only when the peer's ike=/esp= lines are unset. */
static void lint_libreswan_defaults(struct lint_ctx *x)
{
	const struct conf_conn *c = x->c;
	bool v1 = c->ike_version == 1;
	const struct encr_ref *e = v1 ? ls_v1_encr : ls_v2_encr;
	size_t en = v1 ? N(ls_v1_encr) : N(ls_v2_encr);
	char b[160];

	if (c->n_ike_encr && !has_des(c->ike_encr, c->n_ike_encr) &&
	    !any_encr(c->ike_encr, c->n_ike_encr, e, en))
		emit(x, "libreswan-default-ike-encr", "ike_encryption", LS "'s default IKEv%d "
		     "proposals have %s, not %s; add aes256 here or name it in its ike= line",
		     v1 ? 1 : 2, v1 ? "aes and 3des" : "aes_gcm256, aes_gcm128, aes256, aes128",
		     encr_list(c->ike_encr, c->n_ike_encr, b, sizeof(b)));
	if (only_md5(c->ike_prf, c->n_ike_prf, IKEV2_PRF_HMAC_MD5))
		emit(x, "libreswan-md5", "ike_integrity", LS " uses MD5 only when its ike= "
		     "line names it; add sha256 here");
	else if (c->n_ike_prf && !any_u16(c->ike_prf, c->n_ike_prf, v1 ? ls_v1_prf : ls_v2_prf,
					  v1 ? N(ls_v1_prf) : N(ls_v2_prf)))
		emit(x, "libreswan-default-ike-integ", "ike_integrity", LS "'s default IKEv%d "
		     "proposals use %s, not %s; add sha256 here or name it in its ike= line",
		     v1 ? 1 : 2, v1 ? "sha2_256, sha2_512, sha1" : "sha2_512, sha2_256",
		     u16_list(c->ike_prf, c->n_ike_prf, K_PRF, b, sizeof(b)));
	if (c->n_ike_dh && !any_u16(c->ike_dh, c->n_ike_dh, v1 ? ls_v1_dh : ls_v2_dh,
				    v1 ? N(ls_v1_dh) : N(ls_v2_dh)) &&
	    !any_u16(c->ike_dh, c->n_ike_dh, (const uint16_t[]){ 1, 2 }, 2))
		emit(x, "libreswan-default-ike-dh", "ike_dh_group", LS "'s default IKEv%d "
		     "proposals use other DH groups than %s; add 14 here or name it in its "
		     "ike= line", v1 ? 1 : 2,
		     u16_list(c->ike_dh, c->n_ike_dh, K_DH, b, sizeof(b)));
	if (!all_aead(c->esp_encr, c->n_esp_encr) &&
	    only_md5(c->esp_integ, c->n_esp_integ, IKEV2_AUTH_HMAC_MD5_96))
		emit(x, "libreswan-md5", "esp_integrity", LS " uses MD5 only when its esp= "
		     "line names it; add sha256 here");
	if (c->n_esp_pfs && only_md5(c->esp_pfs, c->n_esp_pfs, IKEV2_DH_NONE))
		emit(x, "libreswan-pfs-none", "esp_pfs", LS " defaults to pfs=yes: with "
		     "esp_pfs = none phase 2 or its rekey can fail; set pfs=no in its conn, or "
		     "set esp_pfs to your ike_dh_group");
}

/* ---- Alibaba Cloud VPN Gateway console ---- */

static const struct encr_ref al_encr[] = {
	{ IKEV2_ENCR_AES_CBC, 128 }, { IKEV2_ENCR_AES_CBC, 192 }, { IKEV2_ENCR_AES_CBC, 256 },
	{ IKEV2_ENCR_DES, 0 }, { IKEV2_ENCR_3DES, 0 },
};
static const uint16_t al_dh[] = { IKEV2_DH_MODP_768, IKEV2_DH_MODP_1024, IKEV2_DH_MODP_1536,
				  IKEV2_DH_MODP_2048 };
static const uint16_t al_pfs[] = { IKEV2_DH_NONE, IKEV2_DH_MODP_768, IKEV2_DH_MODP_1024,
				   IKEV2_DH_MODP_1536, IKEV2_DH_MODP_2048 };
#define AL_MAX_LIFE 86400u
#define AL "the Alibaba Cloud console"
#define AL_ENCR "aes (AES-128), aes192, aes256, des, 3des"

/* The console takes one value per field: name ours that it offers. */
static const char *first_encr_offered(const struct conf_encr *l, unsigned n, char *b)
{
	for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
		if (encr_in(&l[i], al_encr, N(al_encr)))
			return l[i].id == IKEV2_ENCR_AES_CBC && l[i].keylen == 128 ? "aes" :
			       alg_encr_name(l[i].id, l[i].keylen, b);
	return "?";
}

static void alibaba_encr(struct lint_ctx *x, const char *key, const char *what,
			 const struct conf_encr *l, unsigned n)
{
	char b[160], nb[ALG_NAMELEN];
	static const struct encr_ref aes128 = { IKEV2_ENCR_AES_CBC, 128 };

	if (!n)
		return;
	if (!any_encr(l, n, al_encr, N(al_encr)))
		emit(x, "alibaba-encr", key, AL " offers only " AL_ENCR " as %s encryption (no "
		     "GCM), not %s; add aes256 here", what, encr_list(l, n, b, sizeof(b)));
	else if (!any_encr(l, n, &aes128, 1))
		emit(x, "alibaba-default", key, AL " defaults to aes (AES-128) for %s "
		     "encryption: select %s there", what, first_encr_offered(l, n, nb));
}

static void alibaba_group(struct lint_ctx *x, const char *key, const char *what,
			  const uint16_t *l, unsigned n, bool pfs)
{
	char b[160];

	if (!n)
		return;
	if (!any_u16(l, n, pfs ? al_pfs : al_dh, pfs ? N(al_pfs) : N(al_dh)))
		emit(x, "alibaba-dh", key, AL " offers only group1, group2, group5, "
		     "group14%s as %s DH group (no ECP, no Curve25519), not %s; add 14 here",
		     pfs ? " or disabled" : "", what, u16_list(l, n, K_DH, b, sizeof(b)));
	else if (!has_u16(l, n, IKEV2_DH_MODP_1024)) {
		for (unsigned i = 0; i < n && i < CONF_MAX_ALGS; i++)
			if (u16_in(l[i], pfs ? al_pfs : al_dh, pfs ? N(al_pfs) : N(al_dh))) {
				char g[16] = "disabled";

				if (l[i])
					snprintf(g, sizeof(g), "group%u", l[i]);
				emit(x, "alibaba-default", key, AL " defaults to group2 for %s: "
				     "select %s there", what, g);
				break;
			}
	}
}

static void alibaba_life(struct lint_ctx *x, const char *key, const char *what,
			 uint32_t life)
{
	if (life > AL_MAX_LIFE)
		emit(x, "alibaba-lifetime", key, AL " accepts %s lifetimes of 0 to 86400 s, "
		     "not %u; set 86400 here", what, life);
	else if (life != AL_MAX_LIFE && x->c->ike_version == 1)
		emit(x, "alibaba-default", key, AL " defaults to 86400 s for the %s SA and "
		     "IKEv1 proposals carry the lifetime: set %u there", what, life);
}

static void lint_alibaba(struct lint_ctx *x)
{
	const struct conf_conn *c = x->c;
	unsigned p = pairs(c);

	alibaba_encr(x, "ike_encryption", "IKE", c->ike_encr, c->n_ike_encr);
	if (c->n_ike_prf && !has_u16(c->ike_prf, c->n_ike_prf, IKEV2_PRF_HMAC_SHA1) &&
	    !all_aead(c->ike_encr, c->n_ike_encr))
		emit(x, "alibaba-default", "ike_integrity", AL " defaults to sha1 for IKE "
		     "authentication: select the same hash as ike_integrity there");
	alibaba_group(x, "ike_dh_group", "IKE", c->ike_dh, c->n_ike_dh, false);
	alibaba_life(x, "ike_lifetime", "IKE", c->ike_lifetime);
	alibaba_encr(x, "esp_encryption", "IPsec", c->esp_encr, c->n_esp_encr);
	if (c->n_esp_integ && !has_u16(c->esp_integ, c->n_esp_integ, IKEV2_AUTH_HMAC_SHA1_96) &&
	    !all_aead(c->esp_encr, c->n_esp_encr))
		emit(x, "alibaba-default", "esp_integrity", AL " defaults to sha1 for IPsec "
		     "authentication: select the same hash as esp_integrity there");
	alibaba_group(x, "esp_pfs", "IPsec", c->esp_pfs, c->n_esp_pfs, true);
	alibaba_life(x, "esp_lifetime", "IPsec", c->esp_lifetime);
	if (c->ike_version == 1 && p > 1 && c->split != SPLIT_YES)
		emit(x, "alibaba-split", "split", AL " negotiates one subnet pair per IKEv1 "
		     "phase 2; local_subnets and remote_subnets make %u pairs, so set "
		     "split = yes", p);
}

unsigned peer_lint(const struct conf_conn *c, enum peer_kind k,
		   struct lint_msg *out, unsigned max)
{
	struct lint_ctx x = { c, out, out ? max : 0, 0 };

	switch (k) {
	case PEER_STRONGSWAN:
		lint_strongswan_ike(&x);
		lint_strongswan_esp(&x);
		break;
	case PEER_LIBRESWAN:
		lint_libreswan_hard(&x);
		lint_libreswan_defaults(&x);
		break;
	case PEER_ALIBABA:
		lint_alibaba(&x);
		break;
	}
	return x.n;
}

static const char *const peer_names[] = { "alibaba", "strongswan", "libreswan" };

bool peer_kind_parse(const char *s, enum peer_kind *k)
{
	for (size_t i = 0; s && i < N(peer_names); i++)
		if (!strcasecmp(s, peer_names[i])) {
			*k = (enum peer_kind)i;
			return true;
		}
	return false;
}

const char *peer_kind_name(enum peer_kind k)
{
	return (unsigned)k < N(peer_names) ? peer_names[k] : "?";
}

size_t lint_msg_fmt(const struct lint_msg *m, char *buf, size_t bufsz)
{
	int n = snprintf(buf, bufsz, "%s: %s", m->key, m->text);

	return n > 0 ? (size_t)n : 0;
}
