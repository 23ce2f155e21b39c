/* Config values that need care: the pre-shared key (inline or from a
 * file that must be as private as the config) and identities. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"
#include "v2.h"

conf_conn_fn conf_k_psk, conf_k_psk_file, conf_k_local_id, conf_k_remote_id;

#define PSK_FILE_MAX 1024	/* hex or base64 of CONF_MAX_PSK, and a newline */

void conf_conn_wipe(struct conf_conn *c)
{
	if (c->psk) {
		sodium_memzero(c->psk, c->psk_len);
		sodium_free(c->psk);
	}
	c->psk = NULL;
	c->psk_len = 0;
}

/* ---- PSK ------------------------------------------------------------- */

/* 0x: hex, 0s: base64 (strongSwan's spelling), else the bytes as is. */
static int psk_decode(const char *v, size_t len, uint8_t *out, size_t *olen)
{
	const char *end;
	size_t n = 0;

	if (len > 2 && v[0] == '0' && v[1] == 'x') {
		if (sodium_hex2bin(out, CONF_MAX_PSK, v + 2, len - 2, NULL, &n, &end) ||
		    end != v + len)
			return -EINVAL;
	} else if (len > 2 && v[0] == '0' && v[1] == 's') {
		if (sodium_base642bin(out, CONF_MAX_PSK, v + 2, len - 2, NULL, &n,
				      &end, sodium_base64_VARIANT_ORIGINAL) ||
		    end != v + len)
			return -EINVAL;
	} else {
		if (len > CONF_MAX_PSK)
			return -E2BIG;
		memcpy(out, v, len);
		n = len;
	}
	*olen = n;
	return 0;
}

static bool psk_set(struct conf_pctx *p, struct conf_conn *c, const char *v, size_t len)
{
	uint8_t *k;
	size_t n = 0;
	int rc;

	if (len == 0) {
		conf_err(p, "the pre-shared key is empty");
		return false;
	}
	k = sodium_malloc(CONF_MAX_PSK);
	if (!k) {
		conf_err(p, "out of memory");
		return false;
	}
	rc = psk_decode(v, len, k, &n);
	if (rc || n == 0) {
		sodium_memzero(k, CONF_MAX_PSK);
		sodium_free(k);
		conf_err(p, rc == -E2BIG || (rc && len > 2 * CONF_MAX_PSK) ?
			 "the key is longer than %d bytes" :
			 "'0x' must be followed by hex digits and '0s' by base64 "
			 "(at most %d bytes decoded); write a key that starts with "
			 "'0x' or '0s' in hex", CONF_MAX_PSK);
		return false;
	}
	conf_conn_wipe(c);
	c->psk = k;
	c->psk_len = n;
	if (n < CONF_MIN_PSK)
		conf_warn(p, "the key has only %zu bytes: a short key can be guessed "
			  "offline from one captured exchange; use at least %d random "
			  "bytes (some peers refuse shorter keys)", n, CONF_MIN_PSK);
	return true;
}

bool conf_k_psk(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return psk_set(p, c, v, strlen(v));
}

int conf_read_secret_file(struct conf_pctx *p, int line, const char *key,
			  const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	ssize_t r;
	size_t n = 0;
	char *b = NULL;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		conf_error(p, line, key, "cannot open '%s': %s", path, strerror(-rc));
		return rc;
	}
	rc = -EPERM;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		conf_error(p, line, key, "'%s' is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		conf_error(p, line, key, "'%s' has mode %04o: it holds pre-shared keys "
			   "and must not be accessible to group or others; run: chmod 600 %s",
			   path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		conf_error(p, line, key, "'%s' is owned by uid %u; it must belong to root "
			   "(run: chown root %s)", path, (unsigned)st.st_uid, path);
		goto out;
	}
	rc = -ENOMEM;
	b = sodium_malloc(max + 1);
	if (!b)
		goto out;
	while (n <= max && (r = read(fd, b + n, max + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			conf_error(p, line, key, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	if (n > max) {
		rc = -EFBIG;
		conf_error(p, line, key, "'%s' is larger than %zu bytes", path, max);
		goto out;
	}
	*buf = b;
	*len = n;
	b = NULL;
	rc = 0;
out:
	if (b) {
		sodium_memzero(b, max + 1);
		sodium_free(b);
	}
	close(fd);
	return rc;
}

/* Relative paths are relative to the config file's directory. */
static bool psk_path(struct conf_pctx *p, const char *v, char *out, size_t n)
{
	const char *slash = strrchr(p->file, '/');
	int dirlen = slash && v[0] != '/' ? (int)(slash - p->file) + 1 : 0;

	if (!*v) {
		conf_err(p, "empty path");
		return false;
	}
	if ((size_t)snprintf(out, n, "%.*s%s", dirlen, p->file, v) >= n) {
		conf_err(p, "path longer than %zu bytes", n - 1);
		return false;
	}
	return true;
}

bool conf_k_psk_file(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	char *buf = NULL;
	size_t len = 0;
	bool ok;

	if (!psk_path(p, v, c->psk_file, sizeof(c->psk_file)))
		return false;
	if (conf_read_secret_file(p, p->line, p->key, c->psk_file,
				  PSK_FILE_MAX, &buf, &len) < 0)
		return false;
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	ok = psk_set(p, c, buf, len);
	sodium_memzero(buf, PSK_FILE_MAX + 1);
	sodium_free(buf);
	return ok;
}

/* ---- identities ------------------------------------------------------ */

static bool id_chars(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

static bool id_email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && at[1] && !strchr(at + 1, '@') &&
	       id_chars(at + 1, ".-_") && id_chars(s, ".-_+@!#$%&'*/=?^`{|}~");
}

static void id_set(struct conf_id *id, uint8_t type, const void *d, size_t n)
{
	id->type = type;
	id->len = (uint16_t)n;
	memcpy(id->data, d, n);
	id->is_default = false;
}

static bool id_addr(struct conf_id *id, const char *s)
{
	struct ike_addr a;

	if (!addr_parse(s, &a))
		return false;
	id_set(id, a.family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR,
	       a.a, addr_len(a.family));
	return true;
}

static bool id_bare(struct conf_id *id, const char *v)
{
	size_t n = strlen(v);

	if (n > IKE_MAX_ID)
		return false;
	if (id_addr(id, v))
		return true;
	if (v[0] == '@' && id_chars(v + 1, ".-_"))
		return id_set(id, IKEV2_ID_FQDN, v + 1, n - 1), true;
	if (strchr(v, '@'))
		return id_email_ok(v) && (id_set(id, IKEV2_ID_RFC822_ADDR, v, n), true);
	if (id_chars(v, ".-_"))
		return id_set(id, IKEV2_ID_FQDN, v, n), true;
	return false;
}

/* Prefixed forms, or a bare address / e-mail / host name (detected). */
static bool id_parse(struct conf_pctx *p, struct conf_id *id, const char *v)
{
	const char *colon = strchr(v, ':');
	size_t pl = colon ? (size_t)(colon - v) + 1 : 0, n = strlen(v) - pl;
	const char *d = v + pl;
	bool ok;

	if (n > IKE_MAX_ID) {
		conf_err(p, "identity longer than %d bytes", IKE_MAX_ID);
		return false;
	}
	if (pl == 3 && strncmp(v, "ip:", 3) == 0)
		ok = id_addr(id, d);
	else if (pl == 5 && strncmp(v, "fqdn:", 5) == 0)
		ok = id_chars(d, ".-_") && (id_set(id, IKEV2_ID_FQDN, d, n), true);
	else if (pl == 6 && strncmp(v, "email:", 6) == 0)
		ok = id_email_ok(d) && (id_set(id, IKEV2_ID_RFC822_ADDR, d, n), true);
	else if (pl == 6 && strncmp(v, "keyid:", 6) == 0)
		ok = n && (id_set(id, IKEV2_ID_KEY_ID, d, n), true);
	else
		ok = id_bare(id, v);
	if (!ok)
		conf_err(p, "'%s' is not an identity; use fqdn:NAME, ip:ADDRESS, "
			 "email:USER@DOMAIN, keyid:TEXT, or a bare address or host name", v);
	return ok;
}

bool conf_k_local_id(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return id_parse(p, &c->local_id, v);
}

bool conf_k_remote_id(struct conf_pctx *p, struct conf_conn *c, const char *v)
{
	return id_parse(p, &c->remote_id, v);
}
