/* The real system behind `ikegw diagnose` (struct diag_sys, ike/diag.h):
 * sysctls from /proc/sys, one RTM_GETROUTE per address, one
 * XFRM_MSG_GETPOLICY per exact selector and direction (never a table
 * dump), and the nat rules as iptables-legacy-save, iptables-nft-save
 * and `nft list ruleset` print them (legacy iptables has no stable
 * netlink API).  The tools run without a shell, with a fixed PATH, no
 * stdin, and a 5 s limit; a tool that is not installed reads as
 * -ENOENT.  Lives in xfrm/ because ike/ includes no netlink headers.
 */
#ifndef IKEGW_DIAG_SYS_H
#define IKEGW_DIAG_SYS_H

#include "ike/diag.h"

/* Fill *out with the real ops (netlink sockets opened in the caller's
 * network namespace).  0 or -errno; diag_sys_close() frees. */
int diag_sys_open(struct diag_sys *out);
void diag_sys_close(struct diag_sys *s);

#endif
