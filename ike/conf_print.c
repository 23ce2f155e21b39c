/* Effective settings as text: conf_print (check-config) and
 * conf_conn_diff (reload).  Both go through key_fmt so that what the
 * operator sees and what reload compares cannot drift apart. */
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"
#include "conf_alg.h"
#include "log.h"
#include "v2.h"

struct out {
	char *p;
	size_t n, off;
};

static void put(struct out *o, const char *s)
{
	size_t len = strlen(s);

	if (o->off + 1 >= o->n)
		return;
	if (len > o->n - o->off - 1)
		len = o->n - o->off - 1;
	memcpy(o->p + o->off, s, len);
	o->off += len;
	o->p[o->off] = '\0';
}

static void put_sep(struct out *o, unsigned i, const char *s)
{
	if (i)
		put(o, ", ");
	put(o, s);
}

static void fmt_subnets(struct out *o, const struct ike_subnet *s, unsigned n)
{
	char b[IKE_SUBNETSTRLEN];

	for (unsigned i = 0; i < n; i++)
		put_sep(o, i, subnet_fmt(&s[i], b));
}

static void fmt_encr(struct out *o, const struct alg_set *set,
		     const struct conf_encr *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put_sep(o, i, conf_alg_name(set, e[i].id, e[i].keylen));
}

static void fmt_ids(struct out *o, const struct alg_set *set,
		    const uint16_t *id, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put_sep(o, i, conf_alg_name(set, id[i], 0));
}

/* ike_integrity is stored twice; the PRF list survives GCM. */
static void fmt_ike_integ(struct out *o, const struct conf_conn *c)
{
	const struct alg_set *set = &conf_alg_integ;

	for (unsigned i = 0; i < c->n_ike_prf; i++) {
		const char *name = "?";

		for (unsigned j = 0; j < set->n; j++)
			if (set->a[j].aux == c->ike_prf[i])
				name = set->a[j].name;
		put_sep(o, i, name);
	}
}

static void fmt_esp_integ(struct out *o, const struct conf_conn *c)
{
	const struct alg_set *set = &conf_alg_integ;

	if (!c->n_esp_integ)
		put(o, "(none: AES-GCM has integrity built in)");
	for (unsigned i = 0; i < c->n_esp_integ; i++) {
		const char *name = "?";

		for (unsigned j = 0; j < set->n; j++)
			if (set->a[j].id == c->esp_integ[i])
				name = set->a[j].name;
		put_sep(o, i, name);
	}
}

static void fmt_id(struct out *o, const struct conf_id *id, bool annotate)
{
	char b[4 * IKE_MAX_ID + 1];
	struct ike_addr a = { 0 };

	switch (id->type) {
	case IKEV2_ID_IPV4_ADDR:
	case IKEV2_ID_IPV6_ADDR:
		a.family = id->type == IKEV2_ID_IPV4_ADDR ? AF_INET : AF_INET6;
		memcpy(a.a, id->data, addr_len(a.family));
		put(o, "ip:");
		put(o, addr_fmt(&a, b));
		break;
	case IKEV2_ID_FQDN:
		put(o, "fqdn:");
		break;
	case IKEV2_ID_RFC822_ADDR:
		put(o, "email:");
		break;
	case IKEV2_ID_KEY_ID:
		put(o, "keyid:");
		break;
	default:
		put(o, "(the local address)");
		return;
	}
	if (id->type == IKEV2_ID_FQDN || id->type == IKEV2_ID_RFC822_ADDR ||
	    id->type == IKEV2_ID_KEY_ID)
		put(o, log_escape(id->data, id->len, b, sizeof(b)));
	if (annotate && id->is_default)
		put(o, " (default)");
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void fmt_num(struct out *o, uint32_t v)
{
	char b[16];

	snprintf(b, sizeof(b), "%u", v);
	put(o, b);
}

static void fmt_addr(struct out *o, const struct ike_addr *a, const char *none)
{
	char b[IKE_ADDRSTRLEN];

	put(o, a->family ? addr_fmt(a, b) : none);
}

static void fmt_enum(struct out *o, const struct conf_conn *c, enum conf_key k)
{
	static const char *const start[] = { "immediate", "on-traffic", "manual", "respond" };
	static const char *const split[] = { "auto", "yes", "no" };

	switch (k) {
	case K_IKE_VERSION:
		put(o, c->ike_version == 1 ? "1" : "2");
		break;
	case K_IKE_MODE:
		put(o, c->ike_mode == MODE_AGGRESSIVE ? "aggressive" : "main");
		break;
	case K_NAT_TRAVERSAL:
		put(o, yes_no(c->nat_traversal));
		break;
	case K_PFS_CHECK:
		put(o, yes_no(c->pfs_check));
		break;
	case K_START:
		put(o, start[c->start]);
		break;
	default:
		put(o, split[c->split]);
	}
}

static void key_fmt(const struct conf_conn *c, enum conf_key k, struct out *o,
		    bool annotate)
{
	char b[64];

	switch (k) {
	case K_LOCAL_ADDRESS:	fmt_addr(o, &c->local_addr, "(route lookup)"); break;
	case K_REMOTE_ADDRESS:	fmt_addr(o, &c->remote_addr, "(none)"); break;
	case K_LOCAL_SUBNETS:	fmt_subnets(o, c->local_subnets, c->n_local_subnets); break;
	case K_REMOTE_SUBNETS:	fmt_subnets(o, c->remote_subnets, c->n_remote_subnets); break;
	case K_PSK:
		snprintf(b, sizeof(b), "******** (%zu bytes)", c->psk_len);
		put(o, b);
		break;
	case K_PSK_FILE:	put(o, c->psk_file); break;
	case K_IKE_ENCRYPTION:	fmt_encr(o, &conf_alg_ike_encr, c->ike_encr, c->n_ike_encr); break;
	case K_IKE_INTEGRITY:	fmt_ike_integ(o, c); break;
	case K_IKE_DH_GROUP:	fmt_ids(o, &conf_alg_dh, c->ike_dh, c->n_ike_dh); break;
	case K_IKE_LIFETIME:	fmt_num(o, c->ike_lifetime); break;
	case K_LOCAL_ID:	fmt_id(o, &c->local_id, annotate); break;
	case K_REMOTE_ID:	fmt_id(o, &c->remote_id, annotate); break;
	case K_ESP_ENCRYPTION:	fmt_encr(o, &conf_alg_esp_encr, c->esp_encr, c->n_esp_encr); break;
	case K_ESP_INTEGRITY:	fmt_esp_integ(o, c); break;
	case K_ESP_PFS:		fmt_ids(o, &conf_alg_pfs, c->esp_pfs, c->n_esp_pfs); break;
	case K_ESP_LIFETIME:	fmt_num(o, c->esp_lifetime); break;
	case K_DPD_INTERVAL:	fmt_num(o, c->dpd_interval); break;
	case K_DPD_TIMEOUT:	fmt_num(o, c->dpd_timeout); break;
	default:		fmt_enum(o, c, k);
	}
}

void conf_key_fmt(const struct conf_conn *c, enum conf_key k, char *buf, size_t n)
{
	struct out o = { buf, n, 0 };

	if (n)
		buf[0] = '\0';
	key_fmt(c, k, &o, true);
}

static void print_conn(const struct conf_conn *c, FILE *f)
{
	char v[CONF_MAX_LINE];

	fprintf(f, "\n[connection %s]\t# %s:%d\n", c->name, c->file, c->line);
	for (int k = 0; k < K_CONN_COUNT; k++) {
		if (k == K_PSK_FILE && !c->psk_file[0])
			continue;
		conf_key_fmt(c, (enum conf_key)k, v, sizeof(v));
		fprintf(f, "%s = %s\n", conf_keys[k].name, v);
	}
}

void conf_print(const struct conf *c, FILE *out)
{
	static const char *const lvl[] = { "error", "warning", "info", "debug" };
	int l = c->global.log_level;

	fprintf(out, "# %s: %u connection%s\n[global]\n", c->path, c->n_conns,
		c->n_conns == 1 ? "" : "s");
	fprintf(out, "log_level = %s\n", l >= 0 && l <= 3 ? lvl[l] : "?");
	fprintf(out, "keylog = %s\n", c->global.keylog);
	for (unsigned i = 0; i < c->n_conns; i++)
		print_conn(&c->conns[i], out);
}

static bool psk_differs(const struct conf_conn *a, const struct conf_conn *b)
{
	if (a->psk_len != b->psk_len)
		return true;
	return a->psk_len && sodium_memcmp(a->psk, b->psk, a->psk_len) != 0;
}

void conf_conn_diff(const struct conf_conn *a, const struct conf_conn *b,
		    char *buf, size_t bufsz)
{
	struct out o = { buf, bufsz, 0 };
	char va[CONF_MAX_LINE], vb[CONF_MAX_LINE];
	unsigned n = 0;

	if (bufsz)
		buf[0] = '\0';
	for (int k = 0; k < K_CONN_COUNT; k++) {
		struct out oa = { va, sizeof(va), 0 }, ob = { vb, sizeof(vb), 0 };
		bool differs;

		if (k == K_PSK_FILE)
			continue;	/* the key itself is compared */
		va[0] = vb[0] = '\0';
		key_fmt(a, (enum conf_key)k, &oa, false);
		key_fmt(b, (enum conf_key)k, &ob, false);
		differs = k == K_PSK ? psk_differs(a, b) : strcmp(va, vb) != 0;
		if (differs) {
			if (n++)
				put(&o, ",");
			put(&o, conf_keys[k].name);
		}
	}
}
