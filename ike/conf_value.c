/* Config values: numbers, choices, algorithm lists, addresses, subnets.
 * Each key parser gets the value text (already checked for control
 * bytes and UTF-8 by the line reader) and reports its own errors. */
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"
#include "conf_alg.h"
#include "log.h"

#define LIST_MAX 64

/* ---- numbers and choices -------------------------------------------- */

/* Decimal only: no sign, no suffix, no hex, no overflow. */
static bool u32_parse(const char *v, uint32_t *out)
{
	uint64_t x = 0;

	if (!*v)
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return false;
		x = x * 10 + (uint64_t)(*v - '0');
		if (x > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)x;
	return true;
}

static bool num_in(struct conf_pctx *p, const char *v, uint32_t min,
		   uint32_t max, uint32_t *out)
{
	uint32_t x;

	if (!u32_parse(v, &x) || x < min || x > max) {
		conf_err(p, "'%s' is not a number of seconds in %u..%u%s", v,
			 min, max, min == 0 ? " (0 disables)" : "");
		return false;
	}
	*out = x;
	return true;
}

/* `choices` is "a|b|c"; returns the index or -1 after an error. */
static int choice(struct conf_pctx *p, const char *v, const char *choices)
{
	size_t vlen = strlen(v);
	const char *s = choices;
	char allowed[128];
	int i = 0;

	for (;;) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);

		if (n == vlen && memcmp(s, v, n) == 0)
			return i;
		if (!bar)
			break;
		s = bar + 1;
		i++;
	}
	for (size_t o = 0; *choices && o + 3 < sizeof(allowed); choices++) {
		if (*choices == '|') {
			allowed[o++] = ',';
			allowed[o++] = ' ';
		} else {
			allowed[o++] = *choices;
		}
		allowed[o] = '\0';
	}
	conf_err(p, "unknown value '%s'; allowed: %s", v, allowed);
	return -1;
}

/* ---- lists ----------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Split a writable copy at commas; -1 after an error. */
static int list_split(struct conf_pctx *p, char *buf, char **items, unsigned max)
{
	unsigned n = 0;
	char *s = buf;

	for (;;) {
		char *comma = strchr(s, ',');

		if (comma)
			*comma = '\0';
		if (n == LIST_MAX || n == max) {
			conf_err(p, "too many items in the list; at most %u", max);
			return -1;
		}
		items[n] = trim(s);
		if (!*items[n]) {
			conf_err(p, "empty item in the list (stray comma?)");
			return -1;
		}
		n++;
		if (!comma)
			return (int)n;
		s = comma + 1;
	}
}

static bool copy_value(struct conf_pctx *p, const char *v, char *buf, size_t n)
{
	if (strlen(v) >= n) {
		conf_err(p, "value too long");
		return false;
	}
	strcpy(buf, v);
	return true;
}

/* ---- algorithms ------------------------------------------------------ */

static void alg_allowed(const struct alg_set *set, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < set->n && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s",
					i ? ", " : "", set->a[i].name);
}

static const struct alg *alg_lookup(const struct alg_set *set, const char *name)
{
	for (unsigned i = 0; i < set->n; i++)
		if (strcmp(set->a[i].name, name) == 0)
			return &set->a[i];
	return NULL;
}

static bool alg_list(struct conf_pctx *p, const char *v, const struct alg_set *set,
		     const struct alg **out, unsigned *nout)
{
	char buf[CONF_MAX_LINE + 1], allowed[256], *items[LIST_MAX];
	int n;

	if (!copy_value(p, v, buf, sizeof(buf)))
		return false;
	n = list_split(p, buf, items, CONF_MAX_ALGS);
	if (n < 0)
		return false;
	for (int i = 0; i < n; i++) {
		const struct alg *a = alg_lookup(set, items[i]);

		if (!a) {
			alg_allowed(set, allowed, sizeof(allowed));
			conf_err(p, "unknown %s '%s'; allowed: %s", set->noun,
				 items[i], allowed);
			return false;
		}
		for (int j = 0; j < i; j++)
			if (out[j] == a) {
				conf_err(p, "'%s' listed twice", a->name);
				return false;
			}
		out[i] = a;
	}
	for (int i = 0; i < n; i++)
		if (out[i]->risk)
			conf_warn(p, "%s: %s", out[i]->name, out[i]->risk);
	*nout = (unsigned)n;
	return true;
}

static bool encr_list(struct conf_pctx *p, const char *v, const struct alg_set *set,
		      struct conf_encr *e, unsigned *n)
{
	const struct alg *a[CONF_MAX_ALGS];

	if (!alg_list(p, v, set, a, n))
		return false;
	for (unsigned i = 0; i < *n; i++) {
		e[i].id = a[i]->id;
		e[i].keylen = a[i]->aux;
	}
	return true;
}

static bool k_ike_encr(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return encr_list(p, v, &conf_alg_ike_encr, c->ike_encr, &c->n_ike_encr);
}

static bool k_esp_encr(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return encr_list(p, v, &conf_alg_esp_encr, c->esp_encr, &c->n_esp_encr);
}

static bool k_ike_integ(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	const struct alg *a[CONF_MAX_ALGS];
	unsigned n;

	if (!alg_list(p, v, &conf_alg_integ, a, &n))
		return false;
	for (unsigned i = 0; i < n; i++) {
		c->ike_integ[i] = a[i]->id;
		c->ike_prf[i] = a[i]->aux;
	}
	c->n_ike_integ = c->n_ike_prf = n;
	return true;
}

static bool k_esp_integ(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	const struct alg *a[CONF_MAX_ALGS];
	unsigned n;

	if (!alg_list(p, v, &conf_alg_integ, a, &n))
		return false;
	for (unsigned i = 0; i < n; i++)
		c->esp_integ[i] = a[i]->id;
	c->n_esp_integ = n;
	return true;
}

static bool dh_list(struct conf_pctx *p, const char *v, const struct alg_set *set,
		    uint16_t *dh, unsigned *n)
{
	const struct alg *a[CONF_MAX_ALGS];

	if (!alg_list(p, v, set, a, n))
		return false;
	for (unsigned i = 0; i < *n; i++)
		dh[i] = a[i]->id;
	return true;
}

static bool k_ike_dh(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return dh_list(p, v, &conf_alg_dh, c->ike_dh, &c->n_ike_dh);
}

static bool k_esp_pfs(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return dh_list(p, v, &conf_alg_pfs, c->esp_pfs, &c->n_esp_pfs);
}

/* ---- addresses and subnets ------------------------------------------- */

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static bool addr_key(struct conf_pctx *p, const char *v, struct ike_addr *a)
{
	static const uint8_t zero[16];

	if (!addr_parse(v, a)) {
		conf_err(p, "'%s' is not an IPv4 or IPv6 address", v);
		return false;
	}
	if (memcmp(a->a, zero, addr_len(a->family)) == 0) {
		conf_err(p, "'%s' is the unspecified address; give a real one%s", v,
			 p->key[0] == 'l' ? " or leave local_address out" : "");
		return false;
	}
	return true;
}

static bool k_local_addr(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return addr_key(p, v, &c->local_addr);
}

static bool k_remote_addr(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return addr_key(p, v, &c->remote_addr);
}

/* One CIDR, with a message that says what exactly is wrong. */
static bool cidr_parse(struct conf_pctx *p, char *s, struct ike_subnet *out)
{
	char *slash = strchr(s, '/'), norm[IKE_SUBNETSTRLEN];
	struct ike_addr a;
	uint32_t plen;
	bool host_bits;

	if (slash)
		*slash = '\0';
	if (!addr_parse(s, &a)) {
		if (slash)
			*slash = '/';
		conf_err(p, "'%s' is not a CIDR (address/prefix, e.g. 10.1.0.0/16)", s);
		return false;
	}
	if (slash) {
		*slash = '/';
		if (!u32_parse(slash + 1, &plen) || plen > addr_len(a.family) * 8) {
			conf_err(p, "'%s': prefix length must be 0..%zu for %s", s,
				 addr_len(a.family) * 8, family_name(a.family));
			return false;
		}
	}
	if (!subnet_parse(s, out, &host_bits))
		return false;	/* not reached: checked above */
	if (host_bits) {
		conf_err(p, "'%s' has host bits set; did you mean '%s'?", s,
			 subnet_fmt(out, norm));
		return false;
	}
	return true;
}

static bool subnet_list(struct conf_pctx *p, const char *v,
			struct ike_subnet *sn, unsigned *nout)
{
	char buf[CONF_MAX_LINE + 1], *items[LIST_MAX], f[IKE_SUBNETSTRLEN];
	int n;

	if (!copy_value(p, v, buf, sizeof(buf)))
		return false;
	n = list_split(p, buf, items, CONF_MAX_SUBNETS);
	if (n < 0)
		return false;
	for (int i = 0; i < n; i++) {
		if (!cidr_parse(p, items[i], &sn[i]))
			return false;
		if (sn[i].addr.family != sn[0].addr.family) {
			conf_err(p, "'%s' is %s but '%s' is %s; one address family per list",
				 items[i], family_name(sn[i].addr.family),
				 items[0], family_name(sn[0].addr.family));
			return false;
		}
		for (int j = 0; j < i; j++)
			if (subnet_eq(&sn[i], &sn[j])) {
				conf_err(p, "'%s' listed twice", subnet_fmt(&sn[i], f));
				return false;
			}
	}
	*nout = (unsigned)n;
	return true;
}

static bool k_local_subnets(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return subnet_list(p, v, c->local_subnets, &c->n_local_subnets);
}

static bool k_remote_subnets(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return subnet_list(p, v, c->remote_subnets, &c->n_remote_subnets);
}

/* ---- plain settings -------------------------------------------------- */

static bool k_ike_version(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	int i = choice(p, v, "2|1");

	if (i < 0)
		return false;
	c->ike_version = i == 0 ? 2 : 1;
	if (c->ike_version == 1)
		conf_warn(p, "IKEv1 is deprecated (RFC 9395 makes it historic); "
			  "use ike_version = 2 when the peer supports it");
	return true;
}

static bool k_ike_mode(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	int i = choice(p, v, "main|aggressive");

	if (i < 0)
		return false;
	c->ike_mode = i == 0 ? MODE_MAIN : MODE_AGGRESSIVE;
	return true;	/* warnings depend on ike_version: conf_check.c */
}

static bool yes_no(struct conf_pctx *p, const char *v, bool *out)
{
	int i = choice(p, v, "yes|no");

	if (i < 0)
		return false;
	*out = i == 0;
	return true;
}

static bool k_nat_t(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return yes_no(p, v, &c->nat_traversal);
}

static bool k_pfs_check(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return yes_no(p, v, &c->pfs_check);
}

static bool k_ike_lifetime(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return num_in(p, v, CONF_MIN_LIFETIME, CONF_MAX_LIFETIME, &c->ike_lifetime);
}

static bool k_esp_lifetime(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return num_in(p, v, CONF_MIN_LIFETIME, CONF_MAX_LIFETIME, &c->esp_lifetime);
}

static bool k_dpd_interval(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return num_in(p, v, 0, CONF_MAX_DPD, &c->dpd_interval);
}

static bool k_dpd_timeout(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return num_in(p, v, 0, CONF_MAX_DPD, &c->dpd_timeout);
}

static bool k_start(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	int i = choice(p, v, "immediate|on-traffic|manual|respond");

	if (i < 0)
		return false;
	c->start = (enum conf_start)i;
	return true;
}

static bool k_split(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	int i = choice(p, v, "auto|yes|no");

	if (i < 0)
		return false;
	c->split = (enum conf_split)i;
	return true;
}

static bool k_log_level(struct conf_pctx *p, struct conf_global *g, const char *v)
{
	int i = choice(p, v, "error|warning|info|debug");

	if (i < 0)
		return false;
	g->log_level = i;	/* same order as enum log_level */
	return true;
}

static bool k_keylog(struct conf_pctx *p, struct conf_global *g, const char *v)
{
	if (!*v) {
		g->keylog[0] = '\0';
		return true;
	}
	if (v[0] != '/' || strlen(v) >= sizeof(g->keylog)) {
		conf_err(p, "'%s' must be an absolute path of at most %zu bytes",
			 v, sizeof(g->keylog) - 1);
		return false;
	}
	strcpy(g->keylog, v);
	conf_warn(p, "session keys will be written to '%s'; "
		  "for debugging with Wireshark only", v);
	return true;
}

/* In conf_secret.c */
conf_conn_fn conf_k_psk, conf_k_psk_file, conf_k_local_id, conf_k_remote_id;

const struct conf_keydef conf_keys[K_COUNT] = {
	[K_LOCAL_ADDRESS] = { "local_address", k_local_addr, NULL },
	[K_REMOTE_ADDRESS] = { "remote_address", k_remote_addr, NULL },
	[K_LOCAL_SUBNETS] = { "local_subnets", k_local_subnets, NULL },
	[K_REMOTE_SUBNETS] = { "remote_subnets", k_remote_subnets, NULL },
	[K_PSK] = { "psk", conf_k_psk, NULL },
	[K_PSK_FILE] = { "psk_file", conf_k_psk_file, NULL },
	[K_IKE_VERSION] = { "ike_version", k_ike_version, NULL },
	[K_IKE_MODE] = { "ike_mode", k_ike_mode, NULL },
	[K_IKE_ENCRYPTION] = { "ike_encryption", k_ike_encr, NULL },
	[K_IKE_INTEGRITY] = { "ike_integrity", k_ike_integ, NULL },
	[K_IKE_DH_GROUP] = { "ike_dh_group", k_ike_dh, NULL },
	[K_IKE_LIFETIME] = { "ike_lifetime", k_ike_lifetime, NULL },
	[K_LOCAL_ID] = { "local_id", conf_k_local_id, NULL },
	[K_REMOTE_ID] = { "remote_id", conf_k_remote_id, NULL },
	[K_ESP_ENCRYPTION] = { "esp_encryption", k_esp_encr, NULL },
	[K_ESP_INTEGRITY] = { "esp_integrity", k_esp_integ, NULL },
	[K_ESP_PFS] = { "esp_pfs", k_esp_pfs, NULL },
	[K_ESP_LIFETIME] = { "esp_lifetime", k_esp_lifetime, NULL },
	[K_NAT_TRAVERSAL] = { "nat_traversal", k_nat_t, NULL },
	[K_PFS_CHECK] = { "pfs_check", k_pfs_check, NULL },
	[K_DPD_INTERVAL] = { "dpd_interval", k_dpd_interval, NULL },
	[K_DPD_TIMEOUT] = { "dpd_timeout", k_dpd_timeout, NULL },
	[K_START] = { "start", k_start, NULL },
	[K_SPLIT] = { "split", k_split, NULL },
	[K_LOG_LEVEL] = { "log_level", NULL, k_log_level },
	[K_KEYLOG] = { "keylog", NULL, k_keylog },
};
