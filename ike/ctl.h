/* The control socket server (protocol in ctl_proto.h).
 *
 * Access: the socket is created 0600 (umask 077, then chmod), or 0660
 * group "ikegw" when that group exists; on top of the file mode every
 * client is checked with SO_PEERCRED and accepted when its uid is 0, the
 * daemon's own uid (so an unprivileged daemon, e.g. in tests, can be
 * driven by its owner), or it is in group "ikegw".
 *
 * A lock file SOCKET.lock (flock, holding the pid) keeps a second daemon
 * off the same socket; a socket file left by a crashed daemon is replaced.
 */
#ifndef IKEGW_CTL_H
#define IKEGW_CTL_H

#include <stddef.h>

#include "ctl_proto.h"
#include "loop.h"
#include "wbuf.h"

struct ctl;

/* Answer one parsed request: append data lines to `out` and return 0 or a
 * negative errno, with a one-line message in msg (may stay empty). */
typedef int (*ctl_handler_fn)(void *arg, const struct ctl_req *req,
			      struct wbuf *out, char *msg, size_t msgsz);

/* Take the lock, create the directory (0700) if missing, bind and
 * listen.  -EADDRINUSE when another daemon holds the lock; every
 * failure is logged with the path. */
int ctl_open(struct ctl **out, struct loop *loop, const char *path,
	     ctl_handler_fn fn, void *arg);
/* Clients idle this long are closed (default CTL_IDLE_MS). */
void ctl_set_idle_timeout(struct ctl *c, unsigned ms);
/* Rewrite the pid in the lock file (after daemonizing). */
void ctl_note_pid(struct ctl *c);
/* Close clients, unlink the socket and the lock file. */
void ctl_close(struct ctl *c);

#endif
