/* The daemon's state between the control socket and the IKE engine:
 * the running configuration, a small runtime record per connection, and
 * the answers to control requests.
 *
 * Connection state lives in the engine (ike/ike.h); the daemon asks it
 * for status and hands it up/down requests and new configurations.
 */
#ifndef IKEGW_DAEMON_H
#define IKEGW_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ctl_proto.h"
#include "status.h"
#include "wbuf.h"

struct daemon;

/* Takes ownership of conf.  verbose: -v given, the config's log_level
 * does not lower it.  keylog: --keylog path or NULL (for the engine). */
int daemon_new(struct daemon **out, struct conf *conf, const char *conf_path,
	       int verbose, const char *keylog);
void daemon_free(struct daemon *d);
/* The engine that holds connection state; set once, before the loop runs. */
struct ike;
void daemon_set_engine(struct daemon *d, struct ike *ike);

/* ctl_handler_fn: answer one control request. */
int daemon_handle(void *arg, const struct ctl_req *req, struct wbuf *out,
		  char *msg, size_t msgsz);

/* Reload the configuration file.  On error the running configuration
 * stays and the errors go to `out` as "error=" lines (and the log); on
 * success "changed=NAME: keys", "added=NAME", "removed=NAME" lines.
 * out may be NULL (SIGHUP): everything goes to the log only. */
int daemon_reload(struct daemon *d, struct wbuf *out, char *msg, size_t msgsz);

/* Fill the status of one connection: 0 or -ENOENT. */
int daemon_conn_status(struct daemon *d, const char *name, struct conn_status *out);

/* Format a configured identity as "fqdn:NAME", "ip:ADDR", ... */
const char *daemon_id_fmt(const struct conf_id *id, char *buf, size_t bufsz);

#endif
