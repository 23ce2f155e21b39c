#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "daemon.h"
#include "diag.h"
#include "ike.h"
#include "log.h"
#include "xfrm/diag_sys.h"

/* diagnose's first samples ("sample=begin"), by connection name; the
 * oldest is replaced when all are taken. */
#define DIAG_SAMPLES 8

struct diag_sample {
	char name[CONF_MAX_NAME + 1];	/* "" free */
	uint64_t at;			/* unix seconds */
	struct conn_status *st;
};

struct daemon {
	struct conf *conf;
	char *conf_path;
	char *keylog;
	int verbose;
	struct ike *ike;	/* the engine: connection state lives there */
	struct conn_status *scratch;	/* large: one, reused per reply */
	struct diag_sample samples[DIAG_SAMPLES];
};

#define RELOAD_MAX_ERROR_LINES 20

static void apply_log_level(const struct daemon *d)
{
	if (!d->verbose)
		log_set_level((enum log_level)d->conf->global.log_level);
}

int daemon_new(struct daemon **out, struct conf *conf, const char *conf_path,
	       int verbose, const char *keylog)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int r = -ENOMEM;

	if (!d)
		return r;
	d->conf = conf;
	d->verbose = verbose;
	d->conf_path = strdup(conf_path);
	d->keylog = keylog ? strdup(keylog) : NULL;
	d->scratch = malloc(sizeof(*d->scratch));
	if (!d->conf_path || (keylog && !d->keylog) || !d->scratch)
		goto out;
	r = 0;
out:
	if (r < 0) {
		d->conf = NULL;		/* stays the caller's on failure */
		daemon_free(d);
		return r;
	}
	apply_log_level(d);
	*out = d;
	return 0;
}

void daemon_set_engine(struct daemon *d, struct ike *ike)
{
	d->ike = ike;
}

void daemon_free(struct daemon *d)
{
	if (!d)
		return;
	conf_free(d->conf);
	for (unsigned i = 0; i < DIAG_SAMPLES; i++)
		free(d->samples[i].st);
	free(d->scratch);
	free(d->conf_path);
	free(d->keylog);
	free(d);
}

static int conn_index(const struct daemon *d, const char *name)
{
	for (unsigned i = 0; i < d->conf->n_conns; i++)
		if (!strcmp(d->conf->conns[i].name, name))
			return (int)i;
	return -1;
}

const char *daemon_id_fmt(const struct conf_id *id, char *buf, size_t bufsz)
{
	static const char *const pfx[] = { [1] = "ip", [2] = "fqdn", [3] = "email",
					   [5] = "ip", [11] = "keyid" };
	char a[IKE_ADDRSTRLEN], esc[IKE_MAX_ID * 4 + 1];
	struct ike_addr ad = { 0 };

	if (id->is_default && id->len == 0)
		return snprintf(buf, bufsz, "(local address)"), buf;
	if (id->type == 1 || id->type == 5) {
		ad.family = id->type == 1 ? AF_INET : AF_INET6;
		if (id->len != addr_len(ad.family))
			return snprintf(buf, bufsz, "ip:?"), buf;
		memcpy(ad.a, id->data, id->len);
		snprintf(buf, bufsz, "%s%s", id->is_default ? "" : "ip:", addr_fmt(&ad, a));
		return buf;
	}
	log_escape(id->data, id->len < IKE_MAX_ID ? id->len : IKE_MAX_ID, esc, sizeof(esc));
	snprintf(buf, bufsz, "%s:%s", id->type < sizeof(pfx) / sizeof(pfx[0]) &&
		 pfx[id->type] ? pfx[id->type] : "id", esc);
	return buf;
}

static const char *start_name(enum conf_start s)
{
	switch (s) {
	case START_IMMEDIATE: return "immediate";
	case START_ON_TRAFFIC: return "on-traffic";
	case START_MANUAL: return "manual";
	case START_RESPOND: return "respond";
	}
	return NULL;
}

/* Every configured (local, remote) pair, none carried yet. */
static void fill_coverage(const struct conf_conn *cc, struct conn_status *st)
{
	for (unsigned i = 0; i < cc->n_local_subnets; i++)
		for (unsigned j = 0; j < cc->n_remote_subnets; j++) {
			struct coverage *c;
			if (st->n_coverage >= STATUS_MAX_CHILDREN)
				return;
			c = &st->cov[st->n_coverage++];
			c->local = cc->local_subnets[i];
			c->remote = cc->remote_subnets[j];
			c->child_id = 0;
			snprintf(c->note, sizeof(c->note), "no phase 2 SA");
		}
}

static void fill_status(const struct daemon *d, unsigned i, struct conn_status *st)
{
	const struct conf_conn *cc = &d->conf->conns[i];

	if (ike_status(d->ike, cc->name, st) == 0)
		return;
	/* The engine always knows every configured connection; this is a
	 * defensive floor so a reply never carries stale bytes. */
	memset(st, 0, offsetof(struct conn_status, children));
	st->n_children = 0;
	st->n_coverage = 0;
	snprintf(st->name, sizeof(st->name), "%s", cc->name);
	st->ike_version = cc->ike_version;
	st->p1 = P1_DOWN;
	st->local = cc->local_addr;
	st->remote = cc->remote_addr;
	st->start = start_name(cc->start);
	if (cc->ike_version == 1) {
		/* the IKEv2 engine does not take these: say so, never pretend */
		snprintf(st->reason, sizeof(st->reason), "not-implemented");
		snprintf(st->hint, sizeof(st->hint), "IKEv1 is not implemented in this "
			 "version of ikegwd; set ike_version = 2 if the peer allows it");
	}
	fill_coverage(cc, st);
}

int daemon_conn_status(struct daemon *d, const char *name, struct conn_status *st)
{
	int i = conn_index(d, name);

	if (i < 0)
		return -ENOENT;
	fill_status(d, (unsigned)i, st);
	return 0;
}

static int handle_status(struct daemon *d, const struct ctl_req *req,
			 struct wbuf *out, char *msg, size_t msgsz)
{
	if (req->has_name) {
		if (daemon_conn_status(d, req->name, d->scratch) < 0) {
			snprintf(msg, msgsz, "no connection '%s'", req->name);
			return -ENOENT;
		}
		return ctl_status_write(out, d->scratch);
	}
	for (unsigned i = 0; i < d->conf->n_conns; i++) {
		fill_status(d, i, d->scratch);
		if (ctl_status_write(out, d->scratch) < 0)
			return out->err;
	}
	snprintf(msg, msgsz, "%u connection%s", d->conf->n_conns,
		 d->conf->n_conns == 1 ? "" : "s");
	return 0;
}

static int handle_updown(struct daemon *d, const struct ctl_req *req,
			 char *msg, size_t msgsz)
{
	bool up = req->verb == CTL_UP;
	int r = up ? ike_up(d->ike, req->name) : ike_down(d->ike, req->name);

	if (r == -ENOENT) {
		snprintf(msg, msgsz, "no connection '%s'", req->name);
		return r;
	}
	if (r < 0) {
		snprintf(msg, msgsz, "%s '%s': %s", up ? "up" : "down", req->name,
			 strerror(-r));
		return r;
	}
	log_info("%s: %s requested", req->name, up ? "up" : "down");
	snprintf(msg, msgsz, "%s '%s'", up ? "initiating" : "closing", req->name);
	return 0;
}

static struct diag_sample *sample_find(struct daemon *d, const char *name)
{
	for (unsigned i = 0; i < DIAG_SAMPLES; i++)
		if (d->samples[i].name[0] && !strcmp(d->samples[i].name, name))
			return &d->samples[i];
	return NULL;
}

/* Keep name's current status as the "before" of its next report. */
static int diag_sample_begin(struct daemon *d, const char *name, char *msg,
			     size_t msgsz)
{
	struct diag_sample *s = sample_find(d, name), *oldest = &d->samples[0];

	for (unsigned i = 0; !s && i < DIAG_SAMPLES; i++) {
		if (!d->samples[i].name[0])
			s = &d->samples[i];
		else if (d->samples[i].at < oldest->at)
			oldest = &d->samples[i];
	}
	if (!s)
		s = oldest;
	if (!s->st && !(s->st = malloc(sizeof(*s->st))))
		return -ENOMEM;
	daemon_conn_status(d, name, s->st);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->at = (uint64_t)time(NULL);
	snprintf(msg, msgsz, "sampled '%s'", name);
	return 0;
}

static void diag_write(struct wbuf *out, const struct diag_report *rep)
{
	for (unsigned i = 0; i < rep->n_checks && i < DIAG_MAX_CHECKS; i++) {
		const struct diag_check *k = &rep->checks[i];

		ctl_put_kvf(out, "check", "%s|%s|%s", diag_verdict_name(k->verdict),
			    k->name, k->evidence);
		if (k->verdict != DIAG_PASS && k->hint[0])
			ctl_put_kv(out, "hint", k->hint);
	}
}

static int handle_diagnose(struct daemon *d, const struct ctl_req *req,
			   struct wbuf *out, char *msg, size_t msgsz)
{
	int i = conn_index(d, req->name);
	struct diag_sample *before;
	struct diag_report *rep = NULL;
	struct diag_sys sys;
	int r;

	if (i < 0) {
		snprintf(msg, msgsz, "no connection '%s'", req->name);
		return -ENOENT;
	}
	if (req->sample_begin)
		return diag_sample_begin(d, req->name, msg, msgsz);
	r = diag_sys_open(&sys);
	if (r < 0) {
		snprintf(msg, msgsz, "diagnose: cannot open netlink: %s", strerror(-r));
		return r;
	}
	rep = malloc(sizeof(*rep));
	r = -ENOMEM;
	if (!rep)
		goto out;
	daemon_conn_status(d, req->name, d->scratch);
	before = sample_find(d, req->name);
	r = diag_run(&d->conf->conns[i], d->scratch, before ? before->st : NULL,
		     &sys, rep);
	if (r < 0)
		goto out;
	if (before) {
		uint64_t now = (uint64_t)time(NULL);

		ctl_put_kvf(out, "sample_age", "%llu", (unsigned long long)
			    (now > before->at ? now - before->at : 0));
		before->name[0] = 0;	/* consumed */
	}
	diag_write(out, rep);
	log_info("%s: diagnose: %u checks, %u failed, %u warnings", req->name,
		 rep->n_checks, rep->n_fail, rep->n_warn);
	snprintf(msg, msgsz, "%u checks: %u failed, %u warning%s", rep->n_checks,
		 rep->n_fail, rep->n_warn, rep->n_warn == 1 ? "" : "s");
	r = out->err;
out:
	if (r == -ENOMEM)
		snprintf(msg, msgsz, "diagnose: out of memory");
	free(rep);
	diag_sys_close(&sys);
	return r;
}

int daemon_handle(void *arg, const struct ctl_req *req, struct wbuf *out,
		  char *msg, size_t msgsz)
{
	struct daemon *d = arg;

	switch (req->verb) {
	case CTL_STATUS: return handle_status(d, req, out, msg, msgsz);
	case CTL_UP: case CTL_DOWN: return handle_updown(d, req, msg, msgsz);
	case CTL_RELOAD: return daemon_reload(d, out, msg, msgsz);
	case CTL_DIAGNOSE: return handle_diagnose(d, req, out, msg, msgsz);
	}
	snprintf(msg, msgsz, "unknown cmd");
	return -EINVAL;
}

/* conf_load's diagnostics, one per line, to the reply and the log. */
static void report_lines(const char *text, struct wbuf *out, bool failed,
			 char *first, size_t firstsz)
{
	unsigned n = 0;

	for (const char *p = text; *p; ) {
		size_t len = strcspn(p, "\n");
		char line[CTL_MAX_LINE];
		bool warn;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (!line[0])
			continue;
		warn = strstr(line, ": warning: ") != NULL;
		log_msg(warn ? LOG_LVL_WARN : LOG_LVL_ERR, "reload: %s", line);
		if (!warn && failed && !first[0])
			snprintf(first, firstsz, "%.300s", line);
		if (out && n++ < RELOAD_MAX_ERROR_LINES)
			ctl_put_kv(out, warn ? "warning" : "error", line);
	}
}

static void report_diff(const struct conf *old, const struct conf *new,
			struct wbuf *out, unsigned cnt[3])
{
	char keys[CTL_MAX_LINE - 100];

	for (unsigned i = 0; i < new->n_conns; i++) {
		const struct conf_conn *n = &new->conns[i];
		const struct conf_conn *o = conf_find(old, n->name);
		if (!o) {
			cnt[1]++;
			log_info("reload: added %s", n->name);
			if (out)
				ctl_put_kv(out, "added", n->name);
			continue;
		}
		conf_conn_diff(o, n, keys, sizeof(keys));
		if (!keys[0])
			continue;
		cnt[0]++;
		log_info("reload: changed %s: %s", n->name, keys);
		if (out)
			ctl_put_kvf(out, "changed", "%s: %s", n->name, keys);
	}
	for (unsigned i = 0; i < old->n_conns; i++)
		if (!conf_find(new, old->conns[i].name)) {
			cnt[2]++;
			log_info("reload: removed %s", old->conns[i].name);
			if (out)
				ctl_put_kv(out, "removed", old->conns[i].name);
		}
}

int daemon_reload(struct daemon *d, struct wbuf *out, char *msg, size_t msgsz)
{
	struct conf *nc = NULL;
	char *text = NULL, first[CTL_MAX_LINE / 2] = "";
	size_t tlen = 0;
	unsigned cnt[3] = { 0, 0, 0 };
	FILE *errs = open_memstream(&text, &tlen);
	int r;

	if (!errs)
		return -ENOMEM;
	r = conf_load(d->conf_path, &nc, errs);
	fclose(errs);
	report_lines(text ? text : "", out, r < 0, first, sizeof(first));
	if (r < 0) {
		snprintf(msg, msgsz, "not reloaded, running configuration kept: %s",
			 first[0] ? first : strerror(-r));
		log_err("reload failed, keeping the running configuration");
		goto out;
	}
	report_diff(d->conf, nc, out, cnt);
	/* The engine takes the new conf before the old one is freed: it
	 * keeps pointers into it. */
	r = ike_reload(d->ike, nc);
	if (r < 0) {
		snprintf(msg, msgsz, "not reloaded: the engine refused it: %s", strerror(-r));
		goto out;
	}
	conf_free(d->conf);
	d->conf = nc;
	nc = NULL;
	apply_log_level(d);
	snprintf(msg, msgsz, "reloaded %s: %u changed, %u added, %u removed",
		 d->conf_path, cnt[0], cnt[1], cnt[2]);
	log_info("%s", msg);
out:
	conf_free(nc);
	free(text);
	return r;
}
