/* `ikegw diagnose NAME`: "phase 2 is up but traffic does not flow".
 *
 * diag_run() looks at one connection's configuration, its status (two
 * samples, so counters can be compared) and the system around it (IP
 * forwarding, routes, XFRM policies, reverse-path filtering, NAT rules)
 * and writes one verdict per check with the evidence it saw and a hint
 * naming what to change.  The system is read through struct diag_sys, an
 * ops table: xfrm/diag_sys.h has the real one (procfs, rtnetlink, XFRM
 * netlink, iptables-save/nft output), unit tests pass a fake.
 *
 * The checks, in report order (names as printed):
 *   tunnel       phase 1 and phase-2 SAs established
 *   ip_forward   net.ipv4.ip_forward / net.ipv6.conf.all.forwarding = 1
 *                (SKIP when every local subnet is a single address)
 *   route_peer   a usable route to remote_address
 *   route        one per remote subnet: a usable route exists (not
 *                unreachable/blackhole/prohibit, not a local address),
 *                WARN when it leaves by another interface than the peer's
 *   rp_filter    IPv4: max(conf.all, conf.IFACE) on the interface toward
 *                the peer; 1 (strict) is a WARN
 *   xfrm_policy  out/in/fwd policies for every negotiated pair, with a
 *                reqid in ikegw's range
 *   nat          a nat POSTROUTING rule that would MASQUERADE/SNAT tunnel
 *                traffic before IPsec (iptables-legacy, iptables-nft, nft)
 *   counters     with an earlier sample: bytes rising one way only
 *   coverage     configured (local, remote) pairs no phase-2 SA carries
 */
#ifndef IKEGW_DIAG_H
#define IKEGW_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"
#include "status.h"
#include "xfrm/xfrm.h"

#define DIAG_MAX_CHECKS	48
#define DIAG_NAME_LEN	16
#define DIAG_TEXT_LEN	384
#define DIAG_IFNAMSIZ	16	/* IFNAMSIZ */
#define DIAG_NAT_MAX	(256 * 1024)	/* bytes of nat table text read */

enum diag_verdict { DIAG_PASS, DIAG_WARN, DIAG_FAIL, DIAG_SKIP };

struct diag_check {
	char name[DIAG_NAME_LEN];
	enum diag_verdict verdict;
	char evidence[DIAG_TEXT_LEN];	/* what was seen, one sentence */
	char hint[DIAG_TEXT_LEN];	/* what to change; empty on PASS */
};

struct diag_report {
	unsigned n_checks;
	unsigned n_fail, n_warn;
	struct diag_check checks[DIAG_MAX_CHECKS];
};

/* What a route lookup (RTM_GETROUTE) answered. */
enum diag_rt_type { DIAG_RT_UNICAST, DIAG_RT_LOCAL, DIAG_RT_UNREACHABLE,
		    DIAG_RT_BLACKHOLE, DIAG_RT_PROHIBIT, DIAG_RT_OTHER };

struct diag_route {
	enum diag_rt_type type;
	char oif[DIAG_IFNAMSIZ];	/* empty when the kernel named none */
	struct ike_addr gw;		/* family 0: directly connected */
};

/* Where nat rules are read from; IPv4 or IPv6 variant by family. */
enum diag_nat_tool {
	DIAG_NAT_IPT_LEGACY,	/* iptables-legacy-save -t nat */
	DIAG_NAT_IPT_NFT,	/* iptables-nft-save -t nat */
	DIAG_NAT_NFT,		/* nft list ruleset */
	DIAG_NAT_TOOLS
};

struct diag_sys {
	void *ctx;
	/* path below /proc/sys ("net/ipv4/ip_forward"); 0 and *val, or
	 * -errno (-ENOENT: no such setting, e.g. the interface is gone). */
	int (*read_sysctl)(void *ctx, const char *path, long *val);
	/* 0 and *out; -ENETUNREACH or -EHOSTUNREACH when the kernel has no
	 * route at all; another -errno when the lookup failed. */
	int (*route_get)(void *ctx, const struct ike_addr *dst, struct diag_route *out);
	/* The policy with exactly this selector and direction: 0 and
	 * *reqid, -ENOENT when there is none. */
	int (*policy_get)(void *ctx, const struct ike_subnet *src,
			  const struct ike_subnet *dst, enum xfrm_dir dir,
			  uint32_t *reqid);
	/* The tool's text (iptables-save format for the two iptables
	 * tools, `nft list ruleset` for DIAG_NAT_NFT) for the address
	 * family, NUL-terminated, cut at bufsz - 1: its length, -ENOENT
	 * when the tool is not installed, another -errno when it failed. */
	int (*nat_read)(void *ctx, enum diag_nat_tool tool, int family,
			char *buf, size_t bufsz);
};

/* Run every check for connection c.  now: its current status; before:
 * an earlier sample of the same connection (NULL: the counters check is
 * skipped).  Returns 0, or -EINVAL for missing arguments, -ENOMEM. */
int diag_run(const struct conf_conn *c, const struct conn_status *now,
	     const struct conn_status *before, const struct diag_sys *sys,
	     struct diag_report *out);

/* One line per check, "PASS  ip_forward  net.ipv4.ip_forward = 1", and
 * under each WARN/FAIL/SKIP with a hint an indented "      hint: ..."
 * line.  snprintf-style: returns the length the whole text needs. */
size_t diag_report_fmt(const struct diag_report *r, char *buf, size_t bufsz);
const char *diag_verdict_name(enum diag_verdict v);	/* "PASS" ... */
/* The tool's name as shown in evidence ("iptables-legacy-save",
 * "ip6tables-nft-save", "nft"). */
const char *diag_nat_tool_name(enum diag_nat_tool t, int family);

/* The nat parser behind the "nat" check, for tests and fuzzing: would a
 * packet from l to r leaving by oif ("" = unknown) be MASQUERADEd/SNATed
 * by the nat POSTROUTING chain in text (iptables-save format, or nft
 * syntax when nft is true)?  1 and the rule (as written, cut to rulesz)
 * in rule, 0 when not, -E2BIG when the rules were too deep or too many
 * to follow (nothing proven).  Bounded on any input. */
int diag_nat_scan(const char *text, size_t len, bool nft,
		  const struct ike_subnet *l, const struct ike_subnet *r,
		  const char *oif, char *rule, size_t rulesz);

#endif
