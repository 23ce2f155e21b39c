/* The daemon's I/O around the IKE engine: the UDP sockets, the XFRM
 * netlink channel and its events, the engine's timers, all on one
 * event loop. */
#ifndef IKEGW_GW_H
#define IKEGW_GW_H

#include "conf.h"
#include "ike.h"
#include "loop.h"

struct gw;

/* Open netlink XFRM (and remove leftovers of a previous run), the IKE
 * sockets, and start the engine on conf.  0 or -errno (logged). */
int gw_start(struct gw **out, struct loop *l, const struct conf *conf,
	     const char *keylog);
struct ike *gw_engine(struct gw *g);
/* Stop the engine (it deletes what it installed) and close everything. */
void gw_stop(struct gw *g);

#endif
