/* /etc/ikegw.conf reader: lines, sections, key dispatch, diagnostics.
 *
 * The file is untrusted text: every line is bounded (CONF_MAX_LINE),
 * checked for NUL, control bytes and UTF-8 before it is tokenized, and
 * every problem is reported with its position; parsing goes on after an
 * error so that one run shows all of them.  Lines may hold a PSK, so the
 * line buffers are wiped. */
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "log.h"

enum section { SEC_NONE, SEC_GLOBAL, SEC_CONN, SEC_SKIP };

struct parser {
	struct conf_pctx p;
	struct conf *conf;
	unsigned cap;			/* conf->conns allocated */
	enum section sec;
	struct conf_conn *cur;		/* SEC_CONN: being filled */
	bool cur_keep;			/* false: errors only (bad or duplicate name) */
	int key_line[K_COUNT];		/* >0 set, <0 set but bad, 0 unset */
	int global_line;
	bool crlf_seen, too_many_seen;
	int err;			/* -ENOMEM */
};

/* ---- diagnostics ----------------------------------------------------- */

static void diag(struct conf_pctx *p, int line, const char *key, const char *tag,
		 const char *fmt, va_list ap)
{
	if (!p->errs)
		return;
	if (line > 0)
		fprintf(p->errs, "%s:%d: %s: %s", p->file, line, key ? key : "syntax", tag);
	else
		fprintf(p->errs, "%s: %s", p->file, tag);
	vfprintf(p->errs, fmt, ap);
	fputc('\n', p->errs);
}

void conf_error(struct conf_pctx *p, int line, const char *key, const char *fmt, ...)
{
	va_list ap;

	p->n_err++;
	va_start(ap, fmt);
	diag(p, line, key, "", fmt, ap);
	va_end(ap);
}

void conf_warning(struct conf_pctx *p, int line, const char *key, const char *fmt, ...)
{
	va_list ap;

	p->n_warn++;
	va_start(ap, fmt);
	diag(p, line, key, "warning: ", fmt, ap);
	va_end(ap);
}

/* ---- sections -------------------------------------------------------- */

static bool conn_append(struct parser *ps, struct conf_conn *c)
{
	struct conf *cf = ps->conf;

	if (cf->n_conns == ps->cap) {
		unsigned cap = ps->cap ? ps->cap * 2 : 8;
		struct conf_conn *n;

		if (cap > CONF_MAX_CONNS)
			cap = CONF_MAX_CONNS;
		n = realloc(cf->conns, cap * sizeof(*n));
		if (!n)
			return false;
		cf->conns = n;
		ps->cap = cap;
	}
	cf->conns[cf->n_conns++] = *c;
	return true;
}

static void section_end(struct parser *ps)
{
	struct conf_conn *c = ps->cur;

	if (ps->sec == SEC_CONN && c) {
		conf_conn_finish(&ps->p, c, ps->key_line);
		if (ps->cur_keep && conn_append(ps, c))
			c->psk = NULL;	/* moved */
		else if (ps->cur_keep)
			ps->err = -ENOMEM;
		conf_conn_wipe(c);
		free(c);
	}
	ps->cur = NULL;
	ps->sec = SEC_NONE;
}

static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > CONF_MAX_NAME)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '_' || *n == '.' || *n == '-'))
			return false;
	return true;
}

static void section_conn(struct parser *ps, const char *name, int line)
{
	const struct conf_conn *dup = conf_find(ps->conf, name);
	char key[CONF_MAX_NAME + 16];

	ps->cur_keep = false;
	if (!name_ok(name)) {
		conf_error(&ps->p, line, "connection", "invalid name '%s'; use 1 to %d "
			   "letters, digits, '_', '.' or '-'", name, CONF_MAX_NAME);
	} else if (dup) {
		snprintf(key, sizeof(key), "connection %s", name);
		conf_error(&ps->p, line, key, "duplicate connection name (first "
			   "defined at line %d)", dup->line);
	} else if (ps->conf->n_conns == CONF_MAX_CONNS) {
		if (!ps->too_many_seen)
			conf_error(&ps->p, line, "connection", "too many connections; "
				   "at most %d", CONF_MAX_CONNS);
		ps->too_many_seen = true;
		ps->sec = SEC_SKIP;
		return;
	} else {
		ps->cur_keep = true;
	}
	ps->cur = calloc(1, sizeof(*ps->cur));
	if (!ps->cur) {
		ps->err = -ENOMEM;
		ps->sec = SEC_SKIP;
		return;
	}
	conf_conn_defaults(ps->cur);
	snprintf(ps->cur->name, sizeof(ps->cur->name), "%s", name);
	ps->cur->file = ps->conf->path;
	ps->cur->line = line;
	memset(ps->key_line, 0, K_CONN_COUNT * sizeof(ps->key_line[0]));
	ps->sec = SEC_CONN;
}

static void section_global(struct parser *ps, int line)
{
	if (ps->global_line)
		conf_error(&ps->p, line, "global", "duplicate [global] section "
			   "(first at line %d)", ps->global_line);
	else
		ps->global_line = line;
	ps->sec = SEC_GLOBAL;
}

static char *skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static char *trim_end(char *s)
{
	char *e = s + strlen(s);

	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static void parse_header(struct parser *ps, char *s, int line)
{
	char *close = strchr(s, ']'), *in, *rest;

	section_end(ps);
	ps->sec = SEC_SKIP;	/* until the header proves good */
	if (!close) {
		conf_error(&ps->p, line, NULL, "section header without ']'");
		return;
	}
	rest = skip_ws(close + 1);
	if (*rest && *rest != '#') {
		conf_error(&ps->p, line, NULL, "text after the section header");
		return;
	}
	*close = '\0';
	in = trim_end(skip_ws(s + 1));
	if (strcmp(in, "global") == 0)
		section_global(ps, line);
	else if (strncmp(in, "connection", 10) == 0 && (in[10] == ' ' || in[10] == '\t'))
		section_conn(ps, skip_ws(in + 10), line);
	else if (strcmp(in, "connection") == 0)
		conf_error(&ps->p, line, "connection", "missing name: [connection NAME]");
	else
		conf_error(&ps->p, line, NULL, "unknown section '[%s]'; expected "
			   "[global] or [connection NAME]", in);
}

/* ---- key = value ----------------------------------------------------- */

static bool value_quoted(struct conf_pctx *p, char *s, char *out, int col)
{
	size_t j = 0;

	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\') {
			if (s[1] != '"' && s[1] != '\\') {
				conf_err(p, "unknown escape in quoted value; only \\\" "
					 "and \\\\ are allowed");
				return false;
			}
			s++;
		}
		out[j++] = *s;
	}
	out[j] = '\0';
	if (!*s) {
		conf_err(p, "unterminated quoted value (the quote opens at column %d)", col);
		return false;
	}
	s = skip_ws(s + 1);
	if (*s && *s != '#') {
		conf_err(p, "text after the closing quote");
		return false;
	}
	return true;
}

/* A comment starts at '#' after a blank; a '#' inside a word is an
 * error rather than a silently truncated PSK. */
static bool value_plain(struct conf_pctx *p, char *s, char *out)
{
	char *start = s;

	for (; *s; s++) {
		if (*s != '#')
			continue;
		if (s == start || s[-1] == ' ' || s[-1] == '\t')
			break;
		conf_err(p, "'#' inside a value; quote the value (\"...\") or put "
			 "a blank before a comment");
		return false;
	}
	memcpy(out, start, (size_t)(s - start));
	out[s - start] = '\0';
	trim_end(out);
	return true;
}

static bool key_allowed(struct parser *ps, int k)
{
	struct conf_pctx *p = &ps->p;

	if (ps->sec == SEC_NONE) {
		conf_err(p, "key outside a section; put it under [global] or "
			 "[connection NAME]");
		return false;
	}
	if (ps->sec == SEC_GLOBAL && conf_keys[k].conn) {
		conf_err(p, "'%s' belongs in a [connection NAME] section, not in "
			 "[global]", conf_keys[k].name);
		return false;
	}
	if (ps->sec == SEC_CONN && !conf_keys[k].conn) {
		conf_err(p, "'%s' belongs in [global], not in a [connection] section",
			 conf_keys[k].name);
		return false;
	}
	if (ps->key_line[k]) {
		conf_err(p, "duplicate key (first set at line %d)", abs(ps->key_line[k]));
		return false;
	}
	return true;
}

static void key_dispatch(struct parser *ps, const char *key, const char *val)
{
	struct conf_pctx *p = &ps->p;
	int k = conf_key_find(key);
	const char *sug;
	bool ok;

	if (ps->sec == SEC_SKIP)
		return;
	if (k < 0) {
		sug = conf_key_suggest(key);
		if (sug)
			conf_err(p, "unknown key '%s' (did you mean '%s'?)", key, sug);
		else
			conf_err(p, "unknown key '%s'; see ikegw.conf(5)", key);
		return;
	}
	if (!key_allowed(ps, k))
		return;
	if (conf_keys[k].conn)
		ok = conf_keys[k].conn(p, ps->cur, val);
	else
		ok = conf_keys[k].glob(p, &ps->conf->global, val);
	ps->key_line[k] = ok ? p->line : -p->line;
}

/* A value that did not even tokenize still counts as set, so that the
 * end of the section does not add "missing required key". */
static void key_mark_bad(struct parser *ps, const char *key, int lineno)
{
	int k = conf_key_find(key);

	if (k >= 0 && !ps->key_line[k])
		ps->key_line[k] = -lineno;
}

static void parse_assign(struct parser *ps, char *line, char *s, int lineno)
{
	char val[CONF_MAX_LINE + 1], *key = s, *key_end;
	bool ok;

	while (*s && *s != ' ' && *s != '\t' && *s != '=')
		s++;
	key_end = s;
	s = skip_ws(s);
	if (key_end == key || *s != '=') {
		conf_error(&ps->p, lineno, NULL, "expected 'key = value', "
			   "'[section]' or a '#' comment");
		return;
	}
	s = skip_ws(s + 1);
	*key_end = '\0';
	ps->p.line = lineno;
	ps->p.key = key;
	if (*s == '"')
		ok = value_quoted(&ps->p, s, val, (int)(s - line) + 1);
	else
		ok = value_plain(&ps->p, s, val);
	if (ok)
		key_dispatch(ps, key, val);
	else
		key_mark_bad(ps, key, lineno);
	sodium_memzero(val, sizeof(val));
}

/* ---- lines ----------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	uint32_t cp = s[0] & (0x3f >> (len - 1));

	if (s[0] < 0xc2 || s[0] > 0xf4 || n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool line_bytes_ok(struct parser *ps, const char *l, size_t n, int lineno)
{
	const unsigned char *u = (const unsigned char *)l;

	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (u[i] == '\0') {
			conf_error(&ps->p, lineno, NULL, "NUL byte at column %zu", i + 1);
			return false;
		}
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f) {
			conf_error(&ps->p, lineno, NULL, "control character 0x%02x at "
				   "column %zu", u[i], i + 1);
			return false;
		}
		if (u[i] < 0x80)
			continue;
		len = utf8_len(u + i, n - i);
		if (!len) {
			conf_error(&ps->p, lineno, NULL, "invalid UTF-8 at column %zu", i + 1);
			return false;
		}
		i += len - 1;
	}
	return true;
}

static void parse_line(struct parser *ps, char *l, size_t n, int lineno)
{
	char *s;

	if (n && l[n - 1] == '\r') {
		if (!ps->crlf_seen)
			conf_error(&ps->p, lineno, NULL, "line ends with CR (DOS line "
				   "endings); convert the file, e.g. with dos2unix");
		ps->crlf_seen = true;
		l[--n] = '\0';
	}
	if (!line_bytes_ok(ps, l, n, lineno))
		return;
	s = skip_ws(l);
	if (!*s || *s == '#')
		return;
	if (*s == '[')
		parse_header(ps, s, lineno);
	else
		parse_assign(ps, l, s, lineno);
}

static void parse_buf(struct parser *ps, const char *buf, size_t len)
{
	char line[CONF_MAX_LINE + 1];
	size_t off = 0;
	int lineno = 0;

	while (off < len && !ps->err) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		lineno++;
		if (n > CONF_MAX_LINE) {
			conf_error(&ps->p, lineno, NULL, "line longer than %d bytes",
				   CONF_MAX_LINE);
		} else {
			memcpy(line, buf + off, n);
			line[n] = '\0';
			parse_line(ps, line, n, lineno);
		}
		off += n + (nl ? 1 : 0);
	}
	section_end(ps);
	sodium_memzero(line, sizeof(line));
}

/* ---- API ------------------------------------------------------------- */

int conf_parse(const char *name, const char *buf, size_t len,
	       struct conf **out, FILE *errs)
{
	struct parser ps = { .p = { .file = name, .errs = errs } };
	struct conf *c;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return -ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(name))) {
		free(c);
		return -ENOMEM;
	}
	c->global.log_level = LOG_LVL_INFO;
	ps.conf = c;
	ps.p.file = c->path;
	if (len > CONF_MAX_FILE)
		conf_error(&ps.p, 0, NULL, "file is larger than %d bytes", CONF_MAX_FILE);
	else
		parse_buf(&ps, buf, len);
	if (!ps.err && !ps.p.n_err && c->n_conns == 0)
		conf_warning(&ps.p, 0, NULL, "no [connection NAME] section: nothing to do");
	c->n_warnings = ps.p.n_warn;
	rc = ps.err ? ps.err : ps.p.n_err ? -EINVAL : 0;
	if (rc)
		conf_free(c);
	else
		*out = c;
	return rc;
}

int conf_load(const char *path, struct conf **out, FILE *errs)
{
	struct conf_pctx p = { .file = path, .errs = errs };
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return -ENOMEM;
	rc = conf_read_secret_file(&p, 0, NULL, path, CONF_MAX_FILE, &buf, &len);
	if (rc < 0)
		return rc;
	rc = conf_parse(path, buf, len, out, errs);
	sodium_memzero(buf, len);
	sodium_free(buf);
	return rc;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n_conns; i++)
		conf_conn_wipe(&c->conns[i]);
	free(c->conns);
	free(c->path);
	free(c);
}

const struct conf_conn *conf_find(const struct conf *c, const char *name)
{
	for (unsigned i = 0; c && i < c->n_conns; i++)
		if (strcmp(c->conns[i].name, name) == 0)
			return &c->conns[i];
	return NULL;
}
