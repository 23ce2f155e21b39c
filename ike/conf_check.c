/* Per-connection defaults and the rules that span several keys, run at
 * the end of each [connection] section; and key-name lookup. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"
#include "v2.h"

void conf_conn_defaults(struct conf_conn *c)
{
	c->ike_version = 2;
	c->ike_mode = MODE_MAIN;
	c->ike_encr[0] = (struct conf_encr){ IKEV2_ENCR_AES_CBC, 256 };
	c->n_ike_encr = 1;
	c->ike_integ[0] = IKEV2_AUTH_HMAC_SHA2_256_128;
	c->n_ike_integ = 1;
	c->ike_prf[0] = IKEV2_PRF_HMAC_SHA2_256;
	c->n_ike_prf = 1;
	c->ike_dh[0] = IKEV2_DH_MODP_2048;
	c->n_ike_dh = 1;
	c->ike_lifetime = 86400;
	c->local_id.is_default = true;
	c->remote_id.is_default = true;
	c->esp_encr[0] = (struct conf_encr){ IKEV2_ENCR_AES_CBC, 256 };
	c->n_esp_encr = 1;
	c->esp_integ[0] = IKEV2_AUTH_HMAC_SHA2_256_128;
	c->n_esp_integ = 1;
	c->esp_pfs[0] = IKEV2_DH_MODP_2048;
	c->n_esp_pfs = 1;
	c->esp_lifetime = 3600;
	c->nat_traversal = true;
	c->pfs_check = false;
	c->dpd_interval = 30;
	c->dpd_timeout = 150;
	c->start = START_IMMEDIATE;
	c->split = SPLIT_AUTO;
}

bool conf_encr_is_aead(const struct conf_encr *e)
{
	return e->id == IKEV2_ENCR_AES_GCM_16;
}

static bool all_aead(const struct conf_encr *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!conf_encr_is_aead(&e[i]))
			return false;
	return n > 0;
}

/* Line for a message about key k: where it was set, else the section. */
static int at(const struct conf_conn *c, const int *kl, int k)
{
	return kl[k] ? abs(kl[k]) : c->line;
}

static const char *fam(int f)
{
	return f == AF_INET6 ? "IPv6" : "IPv4";
}

static void check_required(struct conf_pctx *p, const struct conf_conn *c,
			   const int *kl, const char *sect)
{
	static const int req[] = { K_REMOTE_ADDRESS, K_LOCAL_SUBNETS, K_REMOTE_SUBNETS };

	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!kl[req[i]])
			conf_error(p, c->line, sect, "missing required key '%s'",
				   conf_keys[req[i]].name);
	if (!kl[K_PSK] && !kl[K_PSK_FILE])
		conf_error(p, c->line, sect, "missing required key 'psk' (or 'psk_file')");
	if (kl[K_PSK] && kl[K_PSK_FILE]) {
		int k = abs(kl[K_PSK]) > abs(kl[K_PSK_FILE]) ? K_PSK : K_PSK_FILE;
		int other = k == K_PSK ? K_PSK_FILE : K_PSK;

		conf_error(p, abs(kl[k]), conf_keys[k].name, "'%s' is also set (line %d); "
			   "set only one of psk and psk_file", conf_keys[other].name,
			   abs(kl[other]));
	}
}

static void check_families(struct conf_pctx *p, const struct conf_conn *c,
			   const int *kl)
{
	int la = c->local_addr.family, ra = c->remote_addr.family;
	int ls = c->local_subnets[0].addr.family, rs = c->remote_subnets[0].addr.family;

	if (kl[K_LOCAL_ADDRESS] > 0 && kl[K_REMOTE_ADDRESS] > 0 && la != ra)
		conf_error(p, kl[K_LOCAL_ADDRESS], "local_address", "is %s but "
			   "remote_address (line %d) is %s; both ends of the IKE "
			   "connection must be one family", fam(la),
			   kl[K_REMOTE_ADDRESS], fam(ra));
	if (kl[K_LOCAL_SUBNETS] > 0 && kl[K_REMOTE_SUBNETS] > 0 && ls != rs)
		conf_error(p, kl[K_REMOTE_SUBNETS], "remote_subnets", "are %s but "
			   "local_subnets (line %d) are %s; the two sides of a tunnel "
			   "must be one family", fam(rs), kl[K_LOCAL_SUBNETS], fam(ls));
}

static void check_v1(struct conf_pctx *p, struct conf_conn *c, const int *kl)
{
	for (unsigned i = 0; i < c->n_ike_encr; i++)
		if (conf_encr_is_aead(&c->ike_encr[i])) {
			conf_error(p, at(c, kl, K_IKE_ENCRYPTION), "ike_encryption",
				   "AES-GCM needs ike_version = 2: IKEv1 has no AEAD "
				   "cipher for phase 1; use aes256 or aes128");
			break;
		}
	if (c->ike_mode == MODE_AGGRESSIVE) {
		conf_warning(p, at(c, kl, K_IKE_MODE), "ike_mode", "aggressive mode "
			     "exposes a hash of the pre-shared key: anyone who sees one "
			     "exchange can guess the key offline; use main mode if the "
			     "peer allows it");
		if (c->n_ike_dh > 1)
			conf_error(p, at(c, kl, K_IKE_DH_GROUP), "ike_dh_group",
				   "aggressive mode sends its key exchange in the first "
				   "message, so list exactly one group");
	}
	if (c->n_esp_pfs > 1)
		conf_error(p, at(c, kl, K_ESP_PFS), "esp_pfs", "IKEv1 Quick Mode "
			   "carries one key exchange, so list exactly one value");
}

static void check_version(struct conf_pctx *p, struct conf_conn *c, const int *kl)
{
	if (c->ike_version == 1) {
		check_v1(p, c, kl);
		return;
	}
	if (kl[K_IKE_MODE] > 0)
		conf_warning(p, kl[K_IKE_MODE], "ike_mode", "ignored with "
			     "ike_version = 2 (IKEv2 has no main or aggressive mode)");
	c->ike_mode = MODE_MAIN;
}

static void check_split(struct conf_pctx *p, struct conf_conn *c, const int *kl)
{
	unsigned pairs = c->n_local_subnets * c->n_remote_subnets;

	if (!kl[K_SPLIT])
		c->split = c->ike_version == 1 ? SPLIT_YES : SPLIT_AUTO;
	if (c->ike_version != 1)
		return;
	if (c->split == SPLIT_AUTO)
		c->split = SPLIT_YES;	/* the only way IKEv1 can do it */
	if (c->split == SPLIT_NO && pairs > 1)
		conf_error(p, at(c, kl, K_SPLIT), "split", "IKEv1 negotiates one "
			   "subnet pair per Quick Mode SA, but local_subnets and "
			   "remote_subnets make %u pairs; use split = yes or "
			   "ike_version = 2", pairs);
}

static void id_default(struct conf_id *id, const struct ike_addr *a)
{
	size_t n = addr_len(a->family);

	memset(id, 0, sizeof(*id));
	id->is_default = true;
	if (!n)
		return;	/* local: the address the route lookup picks */
	id->type = a->family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
	id->len = (uint16_t)n;
	memcpy(id->data, a->a, n);
}

static void check_misc(struct conf_pctx *p, struct conf_conn *c, const int *kl)
{
	bool pfs = false;

	if (c->dpd_interval && c->dpd_timeout && c->dpd_timeout < c->dpd_interval)
		conf_error(p, at(c, kl, kl[K_DPD_TIMEOUT] ? K_DPD_TIMEOUT : K_DPD_INTERVAL),
			   kl[K_DPD_TIMEOUT] ? "dpd_timeout" : "dpd_interval",
			   "dpd_timeout (%u s) is shorter than dpd_interval (%u s)",
			   c->dpd_timeout, c->dpd_interval);
	for (unsigned i = 0; i < c->n_esp_pfs; i++)
		pfs |= c->esp_pfs[i] != IKEV2_DH_NONE;
	if (c->pfs_check && !pfs)
		conf_warning(p, at(c, kl, K_PFS_CHECK), "pfs_check", "has no effect "
			     "with esp_pfs = none");
}

void conf_conn_finish(struct conf_pctx *p, struct conf_conn *c,
		      const int key_line[K_CONN_COUNT])
{
	char sect[CONF_MAX_NAME + 16];

	snprintf(sect, sizeof(sect), "connection %s", c->name);
	check_required(p, c, key_line, sect);
	check_families(p, c, key_line);
	check_version(p, c, key_line);
	check_split(p, c, key_line);
	check_misc(p, c, key_line);
	if (all_aead(c->ike_encr, c->n_ike_encr))
		c->n_ike_integ = 0;	/* ike_integrity gives only the PRF */
	if (all_aead(c->esp_encr, c->n_esp_encr))
		c->n_esp_integ = 0;
	if (!key_line[K_LOCAL_ID])
		id_default(&c->local_id, &c->local_addr);
	if (!key_line[K_REMOTE_ID])
		id_default(&c->remote_id, &c->remote_addr);
}

/* ---- key names ------------------------------------------------------- */

int conf_key_find(const char *name)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strcmp(conf_keys[k].name, name) == 0)
			return k;
	return -1;
}

/* Names other IPsec software and consoles use for our keys. */
static const struct { const char *alias; int key; } aliases[] = {
	{ "rekey_time", K_IKE_LIFETIME }, { "ikelifetime", K_IKE_LIFETIME },
	{ "lifetime", K_ESP_LIFETIME }, { "keylife", K_ESP_LIFETIME },
	{ "salifetime", K_ESP_LIFETIME }, { "left", K_LOCAL_ADDRESS },
	{ "right", K_REMOTE_ADDRESS }, { "leftsubnet", K_LOCAL_SUBNETS },
	{ "rightsubnet", K_REMOTE_SUBNETS }, { "local_subnet", K_LOCAL_SUBNETS },
	{ "remote_subnet", K_REMOTE_SUBNETS }, { "secret", K_PSK },
	{ "pre_shared_key", K_PSK }, { "keyexchange", K_IKE_VERSION },
	{ "ike", K_IKE_ENCRYPTION }, { "esp", K_ESP_ENCRYPTION },
	{ "aggressive", K_IKE_MODE }, { "leftid", K_LOCAL_ID },
	{ "rightid", K_REMOTE_ID }, { "dpddelay", K_DPD_INTERVAL },
	{ "dpdtimeout", K_DPD_TIMEOUT }, { "auto", K_START },
	{ "pfs", K_ESP_PFS }, { "pfsgroup", K_ESP_PFS },
	{ "nat_t", K_NAT_TRAVERSAL }, { "encapsulation", K_NAT_TRAVERSAL },
	{ "dh_group", K_IKE_DH_GROUP }, { "loglevel", K_LOG_LEVEL },
};

/* Levenshtein distance; names longer than 63 bytes are never close. */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (la > 63 || lb > 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0], tmp;

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			diag = tmp;
		}
	}
	return row[lb];
}

const char *conf_key_suggest(const char *name)
{
	unsigned best = 99, limit = strlen(name) > 8 ? 3 : 2;
	int key = -1;

	for (int k = 0; k < K_COUNT; k++) {
		unsigned d = distance(name, conf_keys[k].name);

		if (d < best)
			best = d, key = k;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		unsigned d = distance(name, aliases[i].alias);

		if (d < best)
			best = d, key = aliases[i].key;
	}
	return best <= limit && key >= 0 ? conf_keys[key].name : NULL;
}
