/* /etc/ikegw.conf: the parsed, validated configuration.
 *
 * Algorithms are stored as IKEv2 IANA transform IDs (RFC 7296 3.3.2 and
 * the IANA registry) whatever the IKE version: ENCR_* with a key length
 * in bits, AUTH_* for integrity, PRF_* derived from ike_integrity, and DH
 * group numbers.  The IKEv1 code maps them to its own numbers.
 */
#ifndef IKEGW_CONF_H
#define IKEGW_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "limits.h"

#define CONF_MAX_PATH 256	/* psk_file, keylog */

enum conf_start { START_IMMEDIATE, START_ON_TRAFFIC, START_MANUAL, START_RESPOND };
enum conf_split { SPLIT_AUTO, SPLIT_YES, SPLIT_NO };
enum conf_mode { MODE_MAIN, MODE_AGGRESSIVE };

struct conf_encr {
	uint16_t id;		/* IKEV2 ENCR_*: 2 DES, 3 3DES, 11 NULL, 12 AES_CBC, 20 AES_GCM_16 */
	uint16_t keylen;	/* bits; 0 for fixed-length ciphers */
};

struct conf_id {
	uint8_t type;		/* IKEV2 ID_*: 1 IPV4_ADDR, 2 FQDN, 3 RFC822_ADDR, 5 IPV6_ADDR, 11 KEY_ID */
	uint16_t len;
	uint8_t data[IKE_MAX_ID];	/* as on the wire */
	bool is_default;	/* not configured: the address; len 0 when
				 * local_address is unset (use the source
				 * address the route lookup picks) */
};

struct conf_conn {
	char name[CONF_MAX_NAME + 1];
	const char *file;	/* for messages: where it was defined */
	int line;

	struct ike_addr local_addr;	/* family 0: route lookup */
	struct ike_addr remote_addr;
	struct ike_subnet local_subnets[CONF_MAX_SUBNETS];
	unsigned n_local_subnets;
	struct ike_subnet remote_subnets[CONF_MAX_SUBNETS];
	unsigned n_remote_subnets;

	uint8_t *psk;		/* sodium_malloc'd; wiped on free */
	size_t psk_len;
	char psk_file[CONF_MAX_PATH];	/* where psk came from; empty: inline */

	int ike_version;	/* 2 or 1 */
	enum conf_mode ike_mode;
	struct conf_encr ike_encr[CONF_MAX_ALGS];
	unsigned n_ike_encr;
	uint16_t ike_integ[CONF_MAX_ALGS];	/* AUTH_*: 1 MD5_96, 2 SHA1_96, 12 SHA2_256_128, 13 384_192, 14 512_256 */
	unsigned n_ike_integ;
	uint16_t ike_prf[CONF_MAX_ALGS];	/* PRF_*: 1 MD5, 2 SHA1, 5 SHA2_256, 6 384, 7 512; same order */
	unsigned n_ike_prf;
	uint16_t ike_dh[CONF_MAX_ALGS];
	unsigned n_ike_dh;
	uint32_t ike_lifetime;

	struct conf_id local_id;
	struct conf_id remote_id;

	struct conf_encr esp_encr[CONF_MAX_ALGS];
	unsigned n_esp_encr;
	uint16_t esp_integ[CONF_MAX_ALGS];	/* empty when every esp_encr is AEAD */
	unsigned n_esp_integ;
	uint16_t esp_pfs[CONF_MAX_ALGS];	/* 0 = none */
	unsigned n_esp_pfs;
	uint32_t esp_lifetime;

	bool nat_traversal;
	bool pfs_check;
	uint32_t dpd_interval;	/* seconds, 0 = off */
	uint32_t dpd_timeout;
	enum conf_start start;
	enum conf_split split;
};

struct conf_global {
	int log_level;		/* enum log_level */
	char keylog[CONF_MAX_PATH];	/* empty: off */
};

struct conf {
	char *path;
	struct conf_global global;
	struct conf_conn *conns;
	unsigned n_conns;
	unsigned n_warnings;
};

/* Diagnostics go to `errs` as "file:line: key: message" lines, one per
 * problem (warnings prefixed "warning: " after the position).  Returns 0
 * and *out, or -EINVAL when there was at least one error (nothing is
 * returned), or another -errno when the file cannot be read or its mode
 * is unsafe (the message says why). */
int conf_load(const char *path, struct conf **out, FILE *errs);
/* The same over a buffer; `name` is used in messages.  No mode check. */
int conf_parse(const char *name, const char *buf, size_t len,
	       struct conf **out, FILE *errs);
void conf_free(struct conf *c);
const struct conf_conn *conf_find(const struct conf *c, const char *name);
/* Human-readable effective settings, PSK masked (check-config). */
void conf_print(const struct conf *c, FILE *out);
/* Keys whose value differs between two versions of a connection
 * (comma-separated into buf); empty when equal.  For reload. */
void conf_conn_diff(const struct conf_conn *a, const struct conf_conn *b,
		    char *buf, size_t bufsz);

#endif
