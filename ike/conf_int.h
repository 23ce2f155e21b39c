/* Internals shared by the config parser files (conf.c, conf_value.c,
 * conf_check.c, conf_print.c).  Not for other modules: use conf.h. */
#ifndef IKEGW_CONF_INT_H
#define IKEGW_CONF_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

#define CONF_MIN_LIFETIME 60		/* seconds, ike_ and esp_lifetime */
#define CONF_MAX_LIFETIME 31536000	/* one year */
#define CONF_MAX_DPD 86400		/* dpd_interval, dpd_timeout */

/* Every key, in the order conf_print shows them.  Connection keys come
 * first; K_CONN_COUNT separates them from the [global] keys. */
enum conf_key {
	K_LOCAL_ADDRESS, K_REMOTE_ADDRESS, K_LOCAL_SUBNETS, K_REMOTE_SUBNETS,
	K_PSK, K_PSK_FILE, K_IKE_VERSION, K_IKE_MODE, K_IKE_ENCRYPTION,
	K_IKE_INTEGRITY, K_IKE_DH_GROUP, K_IKE_LIFETIME, K_LOCAL_ID,
	K_REMOTE_ID, K_ESP_ENCRYPTION, K_ESP_INTEGRITY, K_ESP_PFS,
	K_ESP_LIFETIME, K_NAT_TRAVERSAL, K_PFS_CHECK, K_DPD_INTERVAL,
	K_DPD_TIMEOUT, K_START, K_SPLIT,
	K_CONN_COUNT,
	K_LOG_LEVEL = K_CONN_COUNT, K_KEYLOG,
	K_COUNT
};

/* Where diagnostics go and how many there were. */
struct conf_pctx {
	const char *file;	/* name used in messages */
	FILE *errs;
	unsigned n_err;
	unsigned n_warn;
	int line;		/* line of the key being parsed */
	const char *key;	/* key being parsed */
};

typedef bool conf_conn_fn(struct conf_pctx *p, struct conf_conn *c, const char *v);
typedef bool conf_glob_fn(struct conf_pctx *p, struct conf_global *g, const char *v);

struct conf_keydef {
	const char *name;
	conf_conn_fn *conn;	/* NULL for [global] keys */
	conf_glob_fn *glob;
};

extern const struct conf_keydef conf_keys[K_COUNT];

/* Messages: "file:line: key: msg" (line 0: "file: msg"). */
void conf_error(struct conf_pctx *p, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void conf_warning(struct conf_pctx *p, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same at the current key and line. */
#define conf_err(p, ...)  conf_error((p), (p)->line, (p)->key, __VA_ARGS__)
#define conf_warn(p, ...) conf_warning((p), (p)->line, (p)->key, __VA_ARGS__)

int conf_key_find(const char *name);
/* Closest known key or well-known alias of one (for "did you mean"). */
const char *conf_key_suggest(const char *name);

void conf_conn_defaults(struct conf_conn *c);
/* Section done: derived defaults and cross-key rules.  key_line[k] is
 * the line where key k was set, 0 if not. */
void conf_conn_finish(struct conf_pctx *p, struct conf_conn *c,
		      const int key_line[K_CONN_COUNT]);
void conf_conn_wipe(struct conf_conn *c);

/* A secret file (config or psk_file): regular, owned by root or us, no
 * group/other bits, at most max bytes.  Message names the path. */
int conf_read_secret_file(struct conf_pctx *p, int line, const char *key,
			  const char *path, size_t max, char **buf, size_t *len);

/* One key's effective value as the config spells it. */
void conf_key_fmt(const struct conf_conn *c, enum conf_key k, char *buf, size_t n);
bool conf_encr_is_aead(const struct conf_encr *e);

#endif
