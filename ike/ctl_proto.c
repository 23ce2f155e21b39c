#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

static const char *const verb_names[] = {
	[CTL_STATUS] = "status", [CTL_UP] = "up", [CTL_DOWN] = "down",
	[CTL_RELOAD] = "reload", [CTL_DIAGNOSE] = "diagnose",
};
#define N_VERBS (sizeof(verb_names) / sizeof(verb_names[0]))

const char *ctl_verb_name(enum ctl_verb v)
{
	return (unsigned)v < N_VERBS ? verb_names[v] : "unknown";
}

int ctl_verb_parse(const char *s, enum ctl_verb *out)
{
	for (unsigned i = 0; i < N_VERBS; i++)
		if (!strcmp(s, verb_names[i])) {
			*out = (enum ctl_verb)i;
			return 0;
		}
	return -EINVAL;
}

/* ---- requests ---- */

struct req_state {
	bool have_cmd, have_version, have_name, have_sample;
	char cmd[16];
};

static bool name_ok(const char *v, size_t n)
{
	if (n == 0 || n > CONF_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return false;
	return true;
}

static int req_line(struct req_state *rs, struct ctl_req *req,
		    const char *line, size_t n, const char **why)
{
	const char *eq = memchr(line, '=', n);
	size_t kl, vl;

	if (!eq)
		return *why = "line without '='", -EINVAL;
	kl = (size_t)(eq - line);
	vl = n - kl - 1;
	if (kl == 7 && !memcmp(line, "version", 7)) {
		if (rs->have_version || vl != 1 || eq[1] != '0' + CTL_VERSION)
			return *why = "unsupported or repeated version", -EINVAL;
		rs->have_version = true;
	} else if (kl == 3 && !memcmp(line, "cmd", 3)) {
		if (rs->have_cmd || vl == 0 || vl >= sizeof(rs->cmd))
			return *why = "bad or repeated cmd", -EINVAL;
		memcpy(rs->cmd, eq + 1, vl);
		rs->cmd[vl] = 0;
		rs->have_cmd = true;
	} else if (kl == 4 && !memcmp(line, "name", 4)) {
		if (rs->have_name || !name_ok(eq + 1, vl))
			return *why = "bad or repeated name", -EINVAL;
		memcpy(req->name, eq + 1, vl);
		req->name[vl] = 0;
		rs->have_name = true;
	} else if (kl == 6 && !memcmp(line, "sample", 6)) {
		if (rs->have_sample || vl != 5 || memcmp(eq + 1, "begin", 5))
			return *why = "bad or repeated sample (only sample=begin)", -EINVAL;
		req->sample_begin = 1;
		rs->have_sample = true;
	} else {
		return *why = "unknown key", -EINVAL;
	}
	return 0;
}

static int req_check(const struct req_state *rs, struct ctl_req *req,
		     const char **why)
{
	if (!rs->have_cmd)
		return *why = "missing cmd", -EINVAL;
	if (ctl_verb_parse(rs->cmd, &req->verb) < 0)
		return *why = "unknown cmd", -EINVAL;
	req->has_name = rs->have_name;
	if (rs->have_sample && req->verb != CTL_DIAGNOSE)
		return *why = "sample= is for diagnose only", -EINVAL;
	switch (req->verb) {
	case CTL_UP: case CTL_DOWN: case CTL_DIAGNOSE:
		if (!rs->have_name)
			return *why = "this cmd needs name=", -EINVAL;
		break;
	case CTL_RELOAD:
		if (rs->have_name)
			return *why = "reload takes no name", -EINVAL;
		break;
	case CTL_STATUS:
		break;
	}
	return 0;
}

int ctl_req_parse(const void *buf, size_t len, struct ctl_req *req,
		  const char **why)
{
	const char *p = buf;
	struct req_state rs = { 0 };
	size_t off = 0;
	int r;

	memset(req, 0, sizeof(*req));
	*why = NULL;
	if (len > CTL_MAX_REQUEST)
		return *why = "request too long", -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c < ' ' && c != '\n') || c == 0x7f)
			return *why = "control character in request", -EINVAL;
	}
	while (off < len) {
		const char *nl = memchr(p + off, '\n', len - off);
		size_t n;

		if (!nl)
			return *why = "last line not terminated", -EINVAL;
		n = (size_t)(nl - (p + off));
		if (n > CTL_MAX_LINE)
			return *why = "line too long", -EINVAL;
		if (n == 0) {		/* the empty line ends the request */
			if (off + 1 != len)
				return *why = "data after the empty line", -EINVAL;
			return req_check(&rs, req, why);
		}
		r = req_line(&rs, req, p + off, n, why);
		if (r < 0)
			return r;
		off += n + 1;
	}
	return *why = "request not ended by an empty line", -EINVAL;
}

int ctl_req_encode(struct wbuf *wb, const struct ctl_req *req)
{
	ctl_put_kvf(wb, "version", "%d", CTL_VERSION);
	ctl_put_kv(wb, "cmd", ctl_verb_name(req->verb));
	if (req->has_name)
		ctl_put_kv(wb, "name", req->name);
	if (req->sample_begin)
		ctl_put_kv(wb, "sample", "begin");
	wbuf_u8(wb, '\n');
	return wb->err;
}

int ctl_req_build(struct wbuf *wb, enum ctl_verb verb, const char *name)
{
	struct ctl_req req = { .verb = verb, .has_name = name != NULL };

	if (name && strlen(name) >= sizeof(req.name))
		return wb->err = -EINVAL;
	if (name)
		strcpy(req.name, name);
	return ctl_req_encode(wb, &req);
}

/* ---- line writers ---- */

int ctl_put_kv(struct wbuf *wb, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);
	char buf[CTL_MAX_LINE + 1];

	if (kl + 1 >= CTL_MAX_LINE)
		return wb->err = -EINVAL;
	if (vl > CTL_MAX_LINE - kl - 1)
		vl = CTL_MAX_LINE - kl - 1;
	memcpy(buf, key, kl);
	buf[kl] = '=';
	for (size_t i = 0; i < vl; i++) {
		unsigned char c = (unsigned char)value[i];
		buf[kl + 1 + i] = (c < ' ' || c == 0x7f) ? '?' : (char)c;
	}
	buf[kl + 1 + vl] = '\n';
	return wbuf_put(wb, buf, kl + vl + 2);
}

int ctl_put_kvf(struct wbuf *wb, const char *key, const char *fmt, ...)
{
	char v[CTL_MAX_LINE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	return ctl_put_kv(wb, key, v);
}

int ctl_put_end(struct wbuf *wb, int err, const char *msg)
{
	ctl_put_kvf(wb, "errno", "%d", err < 0 ? -err : err);
	ctl_put_kv(wb, "msg", msg ? msg : "");
	wbuf_u8(wb, '\n');
	return wb->err;
}

/* ---- status: one field table drives both writer and parser ---- */

enum fld_type { F_STR, F_U64, F_UINT, F_INT, F_U16, F_HEX32, F_HEX64, F_ADDR };

struct fld {
	const char *key;
	enum fld_type type;
	size_t off, size;
};

#define FLD(k, t, s, m) { k, t, offsetof(struct s, m), sizeof(((struct s *)0)->m) }

static const struct fld conn_flds[] = {
	FLD("version", F_INT, conn_status, ike_version),
	FLD("since", F_U64, conn_status, since),
	FLD("algs", F_STR, conn_status, algs),
	FLD("local", F_ADDR, conn_status, local),
	FLD("local_port", F_U16, conn_status, local_port),
	FLD("remote", F_ADDR, conn_status, remote),
	FLD("remote_port", F_U16, conn_status, remote_port),
	FLD("local_id", F_STR, conn_status, local_id),
	FLD("remote_id", F_STR, conn_status, remote_id),
	FLD("nat_t", F_INT, conn_status, nat_t),
	FLD("spi_i", F_HEX64, conn_status, spi_i),
	FLD("spi_r", F_HEX64, conn_status, spi_r),
	FLD("rekey_at", F_U64, conn_status, rekey_at),
	FLD("reason", F_STR, conn_status, reason),
	FLD("detail", F_STR, conn_status, detail),
	FLD("hint", F_STR, conn_status, hint),
	FLD("attempts", F_UINT, conn_status, attempts),
	FLD("last_failure", F_U64, conn_status, last_failure),
};

static const struct fld child_flds[] = {
	FLD("since", F_U64, child_status, since),
	FLD("algs", F_STR, child_status, algs),
	FLD("pfs_group", F_U16, child_status, pfs_group),
	FLD("pfs_verified", F_INT, child_status, pfs_verified),
	FLD("spi_in", F_HEX32, child_status, spi_in),
	FLD("spi_out", F_HEX32, child_status, spi_out),
	FLD("rekey_at", F_U64, child_status, rekey_at),
	FLD("bytes_in", F_U64, child_status, bytes_in),
	FLD("bytes_out", F_U64, child_status, bytes_out),
	FLD("packets_in", F_U64, child_status, packets_in),
	FLD("packets_out", F_U64, child_status, packets_out),
};

#define N_CONN_FLDS (sizeof(conn_flds) / sizeof(conn_flds[0]))
#define N_CHILD_FLDS (sizeof(child_flds) / sizeof(child_flds[0]))

static void fld_write(struct wbuf *wb, const struct fld *f, const void *base)
{
	const char *p = (const char *)base + f->off;
	char a[IKE_ADDRSTRLEN];

	switch (f->type) {
	case F_STR: {
		char s[CTL_MAX_LINE];
		size_t n = strnlen(p, f->size);
		n = n < sizeof(s) - 1 ? n : sizeof(s) - 1;
		memcpy(s, p, n);
		s[n] = 0;
		ctl_put_kv(wb, f->key, s);
		break;
	}
	case F_U64: ctl_put_kvf(wb, f->key, "%" PRIu64, *(const uint64_t *)(const void *)p); break;
	case F_UINT: ctl_put_kvf(wb, f->key, "%u", *(const unsigned *)(const void *)p); break;
	case F_INT: ctl_put_kvf(wb, f->key, "%d", *(const int *)(const void *)p); break;
	case F_U16: ctl_put_kvf(wb, f->key, "%u", *(const uint16_t *)(const void *)p); break;
	case F_HEX32: ctl_put_kvf(wb, f->key, "%08" PRIx32, *(const uint32_t *)(const void *)p); break;
	case F_HEX64: ctl_put_kvf(wb, f->key, "%016" PRIx64, *(const uint64_t *)(const void *)p); break;
	case F_ADDR: {
		const struct ike_addr *ad = (const void *)p;
		ctl_put_kv(wb, f->key, ad->family ? addr_fmt(ad, a) : "");
		break;
	}
	}
}

static bool parse_u64(const char *v, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (!*v || *v == '-' || *v == '+' || *v == ' ')
		return false;
	errno = 0;
	x = strtoull(v, &end, base);
	if (errno || *end || x > max)
		return false;
	*out = x;
	return true;
}

static int fld_parse(const struct fld *f, void *base, const char *v)
{
	char *p = (char *)base + f->off;
	uint64_t x;
	size_t n;

	switch (f->type) {
	case F_STR:
		n = strlen(v);
		if (n >= f->size)
			return -EBADMSG;
		memcpy(p, v, n + 1);
		return 0;
	case F_ADDR:
		if (!*v) {
			memset(p, 0, sizeof(struct ike_addr));
			return 0;
		}
		return addr_parse(v, (struct ike_addr *)(void *)p) ? 0 : -EBADMSG;
	case F_INT:
		if (*v == '-' ? !parse_u64(v + 1, 10, INT32_MAX, &x) :
				!parse_u64(v, 10, INT32_MAX, &x))
			return -EBADMSG;
		*(int *)(void *)p = *v == '-' ? -(int)x : (int)x;
		return 0;
	case F_U64: case F_HEX64:
		if (!parse_u64(v, f->type == F_U64 ? 10 : 16, UINT64_MAX, &x))
			return -EBADMSG;
		*(uint64_t *)(void *)p = x;
		return 0;
	case F_UINT: case F_HEX32:
		if (!parse_u64(v, f->type == F_UINT ? 10 : 16, UINT32_MAX, &x))
			return -EBADMSG;
		if (f->type == F_UINT)
			*(unsigned *)(void *)p = (unsigned)x;
		else
			*(uint32_t *)(void *)p = (uint32_t)x;
		return 0;
	case F_U16:
		if (!parse_u64(v, 10, UINT16_MAX, &x))
			return -EBADMSG;
		*(uint16_t *)(void *)p = (uint16_t)x;
		return 0;
	}
	return -EBADMSG;
}

static void write_child(struct wbuf *wb, const struct child_status *c)
{
	char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN];

	ctl_put_kvf(wb, "child", "%u", c->id);
	ctl_put_kv(wb, "state", p2_state_name(c->state));
	for (unsigned i = 0; i < N_CHILD_FLDS; i++)
		fld_write(wb, &child_flds[i], c);
	for (unsigned i = 0; i < c->n_pairs && i < STATUS_MAX_PAIRS; i++)
		ctl_put_kvf(wb, "pair", "%s|%s", subnet_fmt(&c->pairs[i].local, l),
			    subnet_fmt(&c->pairs[i].remote, r));
}

int ctl_status_write(struct wbuf *wb, const struct conn_status *st)
{
	char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN];

	ctl_put_kv(wb, "conn", st->name);
	ctl_put_kv(wb, "mode", st->aggressive ? "aggressive" : "main");
	ctl_put_kv(wb, "phase1", p1_state_name(st->p1));
	if (st->start)
		ctl_put_kv(wb, "start", st->start);
	for (unsigned i = 0; i < N_CONN_FLDS; i++)
		fld_write(wb, &conn_flds[i], st);
	for (unsigned i = 0; i < st->n_children && i < STATUS_MAX_CHILDREN; i++)
		write_child(wb, &st->children[i]);
	for (unsigned i = 0; i < st->n_coverage && i < STATUS_MAX_CHILDREN; i++) {
		const struct coverage *c = &st->cov[i];
		ctl_put_kvf(wb, "cov", "%s|%s|%u|%.*s", subnet_fmt(&c->local, l),
			    subnet_fmt(&c->remote, r), c->child_id,
			    (int)strnlen(c->note, sizeof(c->note)), c->note);
	}
	return wb->err;
}

/* ---- status parser ---- */

const char *ctl_start_name(const char *s)
{
	static const char *const n[] = { "immediate", "on-traffic", "manual", "respond" };

	for (unsigned i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (!strcmp(s, n[i]))
			return n[i];
	return NULL;
}

static bool state_parse(const char *v, bool p2, int *out)
{
	for (int i = 0; i < 5; i++) {
		const char *n = p2 ? p2_state_name((enum p2_state)i) :
				     p1_state_name((enum p1_state)i);
		if (!strcmp(v, n)) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* "a|b" or "a|b|c|rest": split in place into at most n fields. */
static unsigned split_bar(char *v, char **f, unsigned n)
{
	unsigned k = 0;

	f[k++] = v;
	while (k < n && (v = strchr(v, '|'))) {
		*v++ = 0;
		f[k++] = v;
	}
	return k;
}

static bool subnet_ok(const char *s, struct ike_subnet *out)
{
	bool host;

	return subnet_parse(s, out, &host) && !host;
}

static int parse_pair(struct child_status *c, char *v)
{
	char *f[2];

	if (c->n_pairs >= STATUS_MAX_PAIRS || split_bar(v, f, 2) != 2 ||
	    !subnet_ok(f[0], &c->pairs[c->n_pairs].local) ||
	    !subnet_ok(f[1], &c->pairs[c->n_pairs].remote))
		return -EBADMSG;
	c->n_pairs++;
	return 0;
}

static int parse_cov(struct conn_status *st, char *v)
{
	struct coverage *c;
	char *f[4];
	uint64_t id;

	if (st->n_coverage >= STATUS_MAX_CHILDREN || split_bar(v, f, 4) != 4)
		return -EBADMSG;
	c = &st->cov[st->n_coverage];
	memset(c, 0, sizeof(*c));
	if (!subnet_ok(f[0], &c->local) || !subnet_ok(f[1], &c->remote) ||
	    !parse_u64(f[2], 10, UINT32_MAX, &id) || strlen(f[3]) >= sizeof(c->note))
		return -EBADMSG;
	c->child_id = (unsigned)id;
	strcpy(c->note, f[3]);
	st->n_coverage++;
	return 0;
}

static const struct fld *fld_find(const struct fld *t, unsigned n, const char *k)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(t[i].key, k))
			return &t[i];
	return NULL;
}

struct sparse {
	struct conn_status *st;
	struct child_status *child;	/* NULL outside a child block */
	bool in_cov;			/* coverage lines end the children */
};

static int parse_child_kv(struct sparse *ps, const char *k, char *v)
{
	struct child_status *c = ps->child;
	const struct fld *f;
	int s;

	if (!strcmp(k, "state")) {
		if (!state_parse(v, true, &s))
			return -EBADMSG;
		c->state = (enum p2_state)s;
		return 0;
	}
	if (!strcmp(k, "pair"))
		return parse_pair(c, v);
	f = fld_find(child_flds, N_CHILD_FLDS, k);
	return f ? fld_parse(f, c, v) : 0;	/* unknown: newer daemon */
}

static int parse_conn_kv(struct sparse *ps, const char *k, char *v)
{
	struct conn_status *st = ps->st;
	const struct fld *f;
	int s;

	if (!strcmp(k, "mode")) {
		if (strcmp(v, "main") && strcmp(v, "aggressive"))
			return -EBADMSG;
		st->aggressive = !strcmp(v, "aggressive");
	} else if (!strcmp(k, "phase1")) {
		if (!state_parse(v, false, &s))
			return -EBADMSG;
		st->p1 = (enum p1_state)s;
	} else if (!strcmp(k, "start")) {
		st->start = ctl_start_name(v);
	} else if ((f = fld_find(conn_flds, N_CONN_FLDS, k))) {
		return fld_parse(f, st, v);
	}
	return 0;
}

static int parse_kv(struct sparse *ps, const char *k, char *v)
{
	struct conn_status *st = ps->st;
	uint64_t id;

	if (!strcmp(k, "child")) {
		if (ps->in_cov || st->n_children >= STATUS_MAX_CHILDREN ||
		    !parse_u64(v, 10, UINT32_MAX, &id))
			return -EBADMSG;
		ps->child = &st->children[st->n_children++];
		memset(ps->child, 0, sizeof(*ps->child));
		ps->child->id = (unsigned)id;
		return 0;
	}
	if (!strcmp(k, "cov")) {
		ps->child = NULL;
		ps->in_cov = true;
		return parse_cov(st, v);
	}
	if (ps->child)
		return parse_child_kv(ps, k, v);
	if (ps->in_cov)
		return -EBADMSG;	/* connection fields come first */
	return parse_conn_kv(ps, k, v);
}

static int block_start(struct sparse *ps, const char *name)
{
	if (strlen(name) > CONF_MAX_NAME || !*name)
		return -EBADMSG;
	/* not the whole (large) struct: children and coverage entries are
	 * cleared as they are added */
	memset(ps->st, 0, offsetof(struct conn_status, children));
	ps->st->n_children = ps->st->n_coverage = 0;
	strcpy(ps->st->name, name);
	ps->child = NULL;
	ps->in_cov = false;
	return 0;
}

int ctl_status_parse(const char *data, size_t len, ctl_status_cb cb, void *arg)
{
	struct sparse ps = { 0 };
	char line[CTL_MAX_LINE + 1];
	bool open = false;
	size_t off = 0;
	int r = 0;

	ps.st = malloc(sizeof(*ps.st));
	if (!ps.st)
		return -ENOMEM;
	while (off < len && r == 0) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
		char *eq;

		if (n > CTL_MAX_LINE || memchr(data + off, 0, n)) {
			r = -EBADMSG;
			break;
		}
		memcpy(line, data + off, n);
		line[n] = 0;
		off += n + 1;
		eq = strchr(line, '=');
		if (!eq) {
			r = -EBADMSG;
			break;
		}
		*eq++ = 0;
		if (!strcmp(line, "conn")) {
			if (open)
				r = cb(ps.st, arg);
			if (r == 0)
				r = block_start(&ps, eq);
			open = true;
		} else if (open) {
			r = parse_kv(&ps, line, eq);
		}		/* data before the first conn=: not status, skip */
	}
	if (r == 0 && open)
		r = cb(ps.st, arg);
	free(ps.st);
	return r;
}

/* ---- reply trailer ---- */

static bool line_before(const char *buf, size_t end, size_t *start)
{
	size_t s = end;

	if (end == 0)
		return false;
	while (s > 0 && buf[s - 1] != '\n')
		s--;
	*start = s;
	return true;
}

int ctl_reply_parse(const char *buf, size_t len, size_t *data_len, int *err,
		    char *msg, size_t msgsz)
{
	size_t ms, es, mlen;
	uint64_t e;
	char num[16];

	/* ...errno=N\nmsg=TEXT\n\n */
	if (len < 2 || buf[len - 1] != '\n' || buf[len - 2] != '\n' ||
	    !line_before(buf, len - 2, &ms) || !line_before(buf, ms - (ms > 0), &es) ||
	    ms == 0)
		return -EBADMSG;
	if (len - 2 - ms < 4 || memcmp(buf + ms, "msg=", 4))
		return -EBADMSG;
	if (ms - 1 - es < 7 || ms - 1 - es > 6 + sizeof(num) - 1 ||
	    memcmp(buf + es, "errno=", 6))
		return -EBADMSG;
	memcpy(num, buf + es + 6, ms - 1 - es - 6);
	num[ms - 1 - es - 6] = 0;
	if (!parse_u64(num, 10, 4095, &e))
		return -EBADMSG;
	mlen = len - 2 - ms - 4;
	if (msgsz) {
		mlen = mlen < msgsz - 1 ? mlen : msgsz - 1;
		memcpy(msg, buf + ms + 4, mlen);
		msg[mlen] = 0;
	}
	*err = (int)e;
	*data_len = es;
	return 0;
}
