/* The control protocol between ikegwd and ikegw, shared by both sides.
 *
 * Transport: a unix SOCK_SEQPACKET socket, so message boundaries are
 * kept and a request is exactly one message:
 *
 *	version=1		optional; any other value is refused
 *	cmd=VERB		required: status, up, down, reload, diagnose
 *	name=CONN		required by up/down/diagnose, optional for status
 *	sample=begin		diagnose only: see below
 *	<empty line>
 *
 * A reply is data lines, then "errno=N" and "msg=TEXT", then an empty
 * line.  Data lines are never empty, so the empty line ends the reply.
 * A reply longer than CTL_MSG_MAX is split at line boundaries over
 * several messages; only the last one carries errno/msg and the empty
 * line, so a reader concatenates messages until one ends in "\n\n".
 *
 * Status data is one block per connection, starting with "conn=NAME";
 * child SAs are sub-blocks starting with "child=ID" inside it; pairs and
 * coverage are "pair=LOCAL|REMOTE" and "cov=LOCAL|REMOTE|CHILD|NOTE".
 * Values never contain control characters (the writer replaces them).
 *
 * diagnose runs in two steps so traffic counters can be compared.
 * "cmd=diagnose name=X sample=begin" stores X's status (counters
 * included) in the daemon and answers with no data lines; a later
 * "cmd=diagnose name=X" runs the checks (ike/diag.h) against that
 * sample, consumes it, and answers one line per check:
 *
 *	check=VERDICT|NAME|EVIDENCE	VERDICT: PASS, WARN, FAIL, SKIP
 *	hint=TEXT			after a WARN/FAIL/SKIP check that has one
 *	sample_age=SECONDS		how far apart the two samples were
 *					(absent: no sample, counters SKIPped)
 *
 * ending with "msg=N checks: F failed, W warnings".  Evidence may
 * contain '|'; it is the last field.
 *
 * A connection may carry several requests in turn; it is closed after
 * CTL_IDLE_MS without a request or without the client reading.
 */
#ifndef IKEGW_CTL_PROTO_H
#define IKEGW_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "status.h"
#include "wbuf.h"

#define CTL_VERSION		1
#define CTL_DEFAULT_SOCKET	"/run/ikegw/ikegw.sock"
#define CTL_MSG_MAX		16384		/* bytes per reply message */
#define CTL_MAX_REPLY		(64u << 20)	/* bytes in one whole reply */
#define CTL_GROUP		"ikegw"
#define CTL_IDLE_MS		30000		/* idle clients are closed */

enum ctl_verb { CTL_STATUS, CTL_UP, CTL_DOWN, CTL_RELOAD, CTL_DIAGNOSE };

struct ctl_req {
	enum ctl_verb verb;
	int has_name;
	char name[CONF_MAX_NAME + 1];
	int sample_begin;		/* diagnose: "sample=begin" */
};

const char *ctl_verb_name(enum ctl_verb v);
/* Look a verb up by name: 0, or -EINVAL. */
int ctl_verb_parse(const char *s, enum ctl_verb *out);

/* Parse one request message.  0, or -EINVAL with a static reason in
 * *why (never NULL on error). */
int ctl_req_parse(const void *buf, size_t len, struct ctl_req *req,
		  const char **why);
/* Encode a request (name may be NULL). */
int ctl_req_build(struct wbuf *wb, enum ctl_verb verb, const char *name);
/* Encode a request with every field of req. */
int ctl_req_encode(struct wbuf *wb, const struct ctl_req *req);

/* "key=value\n" with control characters in value replaced by '?' and the
 * line cut to CTL_MAX_LINE. */
int ctl_put_kv(struct wbuf *wb, const char *key, const char *value);
int ctl_put_kvf(struct wbuf *wb, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The reply trailer: errno, msg, empty line. */
int ctl_put_end(struct wbuf *wb, int err, const char *msg);

/* Append one connection's status block. */
int ctl_status_write(struct wbuf *wb, const struct conn_status *st);

/* Split a reply into its data part and the trailer.  Returns 0 with
 * *err/msg set and *data_len the length of the data lines, or -EBADMSG
 * when the text is not a complete, well-formed reply. */
int ctl_reply_parse(const char *buf, size_t len, size_t *data_len, int *err,
		    char *msg, size_t msgsz);

/* Parse the status blocks in `data`, calling cb once per connection with
 * a filled struct (valid only during the call).  Returns 0, cb's first
 * non-zero return, -EBADMSG on a malformed block, or -ENOMEM. */
typedef int (*ctl_status_cb)(const struct conn_status *st, void *arg);
int ctl_status_parse(const char *data, size_t len, ctl_status_cb cb, void *arg);

/* Map a conf "start" value back to the static string the status uses. */
const char *ctl_start_name(const char *s);

#endif
