/* ikegw internals shared by the subcommands, the client and the renderers. */
#ifndef IKEGW_CLI_H
#define IKEGW_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ike/ctl_proto.h"
#include "ike/status.h"

/* Exit statuses, documented in ikegw(8). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* usage or configuration error */
	EXIT_DAEMON = 2,	/* the daemon refused or failed the request */
	EXIT_NOT_RUNNING = 3,	/* no daemon on the socket */
	EXIT_PERM = 4,		/* permission denied on the socket */
	EXIT_NOT_UP = 5,	/* not everything shown is established */
};

struct cli_reply {
	char *buf;		/* whole reply, NUL-terminated */
	size_t len;
	size_t data_len;	/* data lines before errno/msg */
	int err;		/* the reply's errno */
	char msg[CTL_MAX_LINE];
};

/* Send one request and read the whole reply.  Returns EXIT_OK (the reply
 * may still carry a non-zero err), or an exit status after printing one
 * line to stderr (daemon not running, permission denied, broken reply). */
int client_request(const char *sock, enum ctl_verb verb, const char *name,
		   struct cli_reply *rep);
/* The same with every request field (diagnose's sample=begin). */
int client_request_req(const char *sock, const struct ctl_req *req,
		       struct cli_reply *rep);
void client_reply_free(struct cli_reply *rep);

/* Status rendering. */
bool status_is_up(const struct conn_status *st);
void render_table(FILE *f, const struct conn_status *st, uint64_t now);
void render_json_begin(FILE *f);
void render_json_conn(FILE *f, const struct conn_status *st, bool first);
void render_json_end(FILE *f);
void json_string(FILE *f, const char *s);

#endif
