/* `ikegw check-config --peer alibaba|strongswan|libreswan`: settings
 * that will not meet what that peer accepts by default.
 *
 * Pure: looks at one parsed connection and returns findings, one per
 * (rule, key), each a config key and a sentence that names the peer's
 * limit and what to set, e.g.
 *   ike_dh_group: libreswan 4.10 cannot use MODP-1024 (group 2); use 14
 * Findings are advice (warnings), never errors: the operator may have
 * configured the peer away from its defaults.  The rules and their
 * sources are listed in peer_lint.c; ikegw(8) documents them.
 */
#ifndef IKEGW_PEER_LINT_H
#define IKEGW_PEER_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

enum peer_kind { PEER_ALIBABA, PEER_STRONGSWAN, PEER_LIBRESWAN };

#define LINT_TEXT_LEN	320
#define LINT_MAX	32	/* more than any connection can trigger */

struct lint_msg {
	const char *rule;	/* stable id, e.g. "libreswan-dh-weak" (static) */
	const char *key;	/* the config key to change (static) */
	char text[LINT_TEXT_LEN];
};

/* "alibaba", "strongswan", "libreswan" (case-insensitive). */
bool peer_kind_parse(const char *s, enum peer_kind *k);
const char *peer_kind_name(enum peer_kind k);

/* Findings for c against peer k, in a stable order.  Writes at most max
 * to out and returns how many there are (snprintf-style: a result above
 * max means some were left out). */
unsigned peer_lint(const struct conf_conn *c, enum peer_kind k,
		   struct lint_msg *out, unsigned max);

/* "key: text" into buf; snprintf-style return. */
size_t lint_msg_fmt(const struct lint_msg *m, char *buf, size_t bufsz);

#endif
