/* Status as a table for people and as JSON (schema version 1) for
 * scripts; both from the struct the control reply was parsed into. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

bool status_is_up(const struct conn_status *st)
{
	if (st->p1 != P1_ESTABLISHED && st->p1 != P1_REKEYING)
		return false;
	if (st->n_children == 0)
		return false;
	for (unsigned i = 0; i < st->n_children; i++)
		if (st->children[i].state != P2_ESTABLISHED &&
		    st->children[i].state != P2_REKEYING)
			return false;
	for (unsigned i = 0; i < st->n_coverage; i++)
		if (!st->cov[i].child_id)
			return false;
	return true;
}

static const char *dur(uint64_t secs, char *b, size_t n)
{
	if (secs < 60)
		snprintf(b, n, "%" PRIu64 "s", secs);
	else if (secs < 3600)
		snprintf(b, n, "%" PRIu64 "m", secs / 60);
	else if (secs < 86400)
		snprintf(b, n, "%" PRIu64 "h%02" PRIu64 "m", secs / 3600, secs / 60 % 60);
	else
		snprintf(b, n, "%" PRIu64 "d%02" PRIu64 "h", secs / 86400, secs / 3600 % 24);
	return b;
}

static const char *ago(uint64_t then, uint64_t now, char *b, size_t n)
{
	return dur(now > then ? now - then : 0, b, n);
}

static const char *bytes(uint64_t v, char *b, size_t n)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	unsigned i = 0;

	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	snprintf(b, n, i ? "%.1f %s" : "%.0f %s", d, u[i]);
	return b;
}

static void upper(const char *s, char *b, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		b[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	b[i] = 0;
}

static void render_child(FILE *f, const struct child_status *c, uint64_t now)
{
	char st[16], t[32], bi[32], bo[32];

	upper(p2_state_name(c->state), st, sizeof(st));
	fprintf(f, "          phase 2 SA #%u %s %s  esp %s", c->id, st,
		ago(c->since, now, t, sizeof(t)), c->algs[0] ? c->algs : "-");
	if (c->pfs_group)
		fprintf(f, " pfs %u%s", c->pfs_group, c->pfs_verified ? " (verified)" :
			" (PFS not yet verified: at the first rekey, or set pfs_check = yes)");
	fprintf(f, "  spi in %08" PRIx32 " out %08" PRIx32, c->spi_in, c->spi_out);
	if (c->rekey_at > now)
		fprintf(f, "  rekey in %s", dur(c->rekey_at - now, t, sizeof(t)));
	fprintf(f, "\n                  in %s / %" PRIu64 " pkts   out %s / %" PRIu64 " pkts\n",
		bytes(c->bytes_in, bi, sizeof(bi)), c->packets_in,
		bytes(c->bytes_out, bo, sizeof(bo)), c->packets_out);
}

static void render_coverage(FILE *f, const struct conn_status *st)
{
	char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN];

	for (unsigned i = 0; i < st->n_coverage; i++) {
		const struct coverage *c = &st->cov[i];
		fprintf(f, "          %-9s %-18s === %-18s ", i ? "" : "coverage",
			subnet_fmt(&c->local, l), subnet_fmt(&c->remote, r));
		if (c->child_id)
			fprintf(f, "SA #%u\n", c->child_id);
		else
			fprintf(f, "missing%s%s%s\n", c->note[0] ? " (" : "", c->note,
				c->note[0] ? ")" : "");
	}
}

static void render_p1(FILE *f, const struct conn_status *st, uint64_t now)
{
	char s[16], t[32], a[IKE_ADDRSTRLEN], b[IKE_ADDRSTRLEN];

	upper(p1_state_name(st->p1), s, sizeof(s));
	fprintf(f, "%-9s IKEv%d%s  phase 1 %s", st->name, st->ike_version,
		st->ike_version == 1 ? (st->aggressive ? " aggressive" : " main") : "", s);
	if (st->p1 == P1_FAILED) {
		fprintf(f, " x%u, last %s ago: %s\n", st->attempts,
			ago(st->last_failure, now, t, sizeof(t)),
			st->reason[0] ? st->reason : "unknown");
		if (st->detail[0])
			fprintf(f, "          %s\n", st->detail);
		if (st->hint[0])
			fprintf(f, "          %s\n", st->hint);
		return;
	}
	if (st->p1 == P1_DOWN) {
		fprintf(f, "%s%s%s", st->start ? " (start = " : "", st->start ? st->start : "",
			st->start ? ")" : "");
	} else {
		fprintf(f, " %s", ago(st->since, now, t, sizeof(t)));
		if (st->algs[0])
			fprintf(f, "  %s", st->algs);
	}
	fprintf(f, "  %s <-> %s", st->local.family ? addr_fmt(&st->local, a) : "(route)",
		st->remote.family ? addr_fmt(&st->remote, b) : "?");
	if (st->p1 != P1_DOWN)
		fprintf(f, "  NAT-T %s", st->nat_t ? "yes" : "no");
	fputc('\n', f);
}

/* A phase-2 failure under a live phase 1 (or one from before it came
 * back) is shown too: it explains missing pairs. */
static void render_last_failure(FILE *f, const struct conn_status *st, uint64_t now)
{
	char t[32];

	if (st->p1 == P1_FAILED || !st->reason[0])
		return;
	fprintf(f, "          last failure x%u, %s ago: %s\n", st->attempts,
		ago(st->last_failure, now, t, sizeof(t)), st->reason);
	if (st->detail[0])
		fprintf(f, "          %s\n", st->detail);
	if (st->hint[0])
		fprintf(f, "          %s\n", st->hint);
}

void render_table(FILE *f, const struct conn_status *st, uint64_t now)
{
	render_p1(f, st, now);
	render_last_failure(f, st, now);
	for (unsigned i = 0; i < st->n_children; i++)
		render_child(f, &st->children[i], now);
	render_coverage(f, st);
}

/* ---- JSON ---- */

/* Length of a valid UTF-8 sequence at s (no overlongs, no surrogates),
 * or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 :
		   s[0] >= 0xe0 && s[0] <= 0xef ? 3 :
		   s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

void json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n;
		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, f);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	fputc('"', f);
}

static void jkey(FILE *f, const char *k)
{
	fprintf(f, ", \"%s\": ", k);
}

static void jstr(FILE *f, const char *k, const char *v)
{
	jkey(f, k);
	if (v)
		json_string(f, v);
	else
		fputs("null", f);
}

static void jnum(FILE *f, const char *k, uint64_t v)
{
	jkey(f, k);
	fprintf(f, "%" PRIu64, v);
}

static void jbool(FILE *f, const char *k, bool v)
{
	jkey(f, k);
	fputs(v ? "true" : "false", f);
}

static void jaddr(FILE *f, const char *k, const struct ike_addr *a)
{
	char b[IKE_ADDRSTRLEN];

	jstr(f, k, a->family ? addr_fmt(a, b) : NULL);
}

static void json_child(FILE *f, const struct child_status *c)
{
	char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN], spi[20];

	fprintf(f, "{\"id\": %u", c->id);
	jstr(f, "state", p2_state_name(c->state));
	jnum(f, "since", c->since);
	jstr(f, "algs", c->algs);
	jnum(f, "pfs_group", c->pfs_group);
	jbool(f, "pfs_verified", c->pfs_verified);
	snprintf(spi, sizeof(spi), "%08" PRIx32, c->spi_in);
	jstr(f, "spi_in", spi);
	snprintf(spi, sizeof(spi), "%08" PRIx32, c->spi_out);
	jstr(f, "spi_out", spi);
	jnum(f, "rekey_at", c->rekey_at);
	jnum(f, "bytes_in", c->bytes_in);
	jnum(f, "bytes_out", c->bytes_out);
	jnum(f, "packets_in", c->packets_in);
	jnum(f, "packets_out", c->packets_out);
	fputs(", \"pairs\": [", f);
	for (unsigned i = 0; i < c->n_pairs && i < STATUS_MAX_PAIRS; i++)
		fprintf(f, "%s{\"local\": \"%s\", \"remote\": \"%s\"}", i ? ", " : "",
			subnet_fmt(&c->pairs[i].local, l), subnet_fmt(&c->pairs[i].remote, r));
	fputs("]}", f);
}

static void json_coverage(FILE *f, const struct conn_status *st)
{
	char l[IKE_SUBNETSTRLEN], r[IKE_SUBNETSTRLEN];

	fputs(", \"coverage\": [", f);
	for (unsigned i = 0; i < st->n_coverage; i++) {
		const struct coverage *c = &st->cov[i];
		fprintf(f, "%s{\"local\": \"%s\", \"remote\": \"%s\", \"child\": ",
			i ? ", " : "", subnet_fmt(&c->local, l), subnet_fmt(&c->remote, r));
		if (c->child_id)
			fprintf(f, "%u", c->child_id);
		else
			fputs("null", f);
		jstr(f, "note", c->note);
		fputc('}', f);
	}
	fputc(']', f);
}

void render_json_begin(FILE *f)
{
	fputs("{\"version\": 1, \"connections\": [", f);
}

void render_json_conn(FILE *f, const struct conn_status *st, bool first)
{
	char spi[20];

	fputs(first ? "\n  {\"name\": " : ",\n  {\"name\": ", f);
	json_string(f, st->name);
	jnum(f, "ike_version", (uint64_t)st->ike_version);
	jstr(f, "mode", st->aggressive ? "aggressive" : "main");
	jstr(f, "phase1", p1_state_name(st->p1));
	jnum(f, "since", st->since);
	jstr(f, "start", st->start);
	jstr(f, "algs", st->algs);
	jaddr(f, "local", &st->local);
	jnum(f, "local_port", st->local_port);
	jaddr(f, "remote", &st->remote);
	jnum(f, "remote_port", st->remote_port);
	jstr(f, "local_id", st->local_id);
	jstr(f, "remote_id", st->remote_id);
	jbool(f, "nat_t", st->nat_t);
	snprintf(spi, sizeof(spi), "%016" PRIx64, st->spi_i);
	jstr(f, "spi_i", spi);
	snprintf(spi, sizeof(spi), "%016" PRIx64, st->spi_r);
	jstr(f, "spi_r", spi);
	jnum(f, "rekey_at", st->rekey_at);
	jstr(f, "reason", st->reason);
	jstr(f, "detail", st->detail);
	jstr(f, "hint", st->hint);
	jnum(f, "attempts", st->attempts);
	jnum(f, "last_failure", st->last_failure);
	jbool(f, "established", status_is_up(st));
	fputs(", \"children\": [", f);
	for (unsigned i = 0; i < st->n_children; i++) {
		fputs(i ? ", " : "", f);
		json_child(f, &st->children[i]);
	}
	fputc(']', f);
	json_coverage(f, st);
	fputc('}', f);
}

void render_json_end(FILE *f)
{
	fputs("\n]}\n", f);
}
