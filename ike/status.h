/* What the daemon knows about each connection, as the control socket
 * reports it.  The IKE engine fills it; ike/ctl renders it as key=value
 * lines; the CLI renders those as a table or JSON. */
#ifndef IKEGW_STATUS_H
#define IKEGW_STATUS_H

#include <stdint.h>

#include "addr.h"
#include "limits.h"

enum p1_state { P1_DOWN, P1_CONNECTING, P1_ESTABLISHED, P1_REKEYING, P1_FAILED };
enum p2_state { P2_CONNECTING, P2_ESTABLISHED, P2_REKEYING, P2_FAILED };

#define STATUS_MAX_CHILDREN	(CONF_MAX_SUBNETS * CONF_MAX_SUBNETS)
/* Selector pairs shown per child: a child carrying more is shown with
 * the first ones (the coverage table still lists every configured pair). */
#define STATUS_MAX_PAIRS	16
#define STATUS_REASON_LEN	32
#define STATUS_TEXT_LEN		256

struct child_status {
	unsigned id;			/* "SA #id", stable for the child's life */
	enum p2_state state;
	uint64_t since;			/* unix seconds */
	char algs[64];			/* "aes256gcm16", "aes256-sha256" */
	uint16_t pfs_group;		/* 0: none; the configured group until verified */
	int pfs_verified;		/* a rekey with KE has succeeded */
	uint32_t spi_in, spi_out;
	uint64_t rekey_at;		/* unix seconds, 0 unknown */
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	unsigned n_pairs;		/* (local subnet, remote subnet) carried */
	struct { struct ike_subnet local, remote; } pairs[STATUS_MAX_PAIRS];
};

struct coverage {
	struct ike_subnet local, remote;
	unsigned child_id;		/* 0: missing */
	char note[96];			/* why missing, e.g. "peer narrowed; retry in 30s" */
};

struct conn_status {
	char name[CONF_MAX_NAME + 1];
	int ike_version;
	int aggressive;
	enum p1_state p1;
	uint64_t since;			/* unix seconds of the last p1 change */
	char algs[96];			/* "aes256-sha256-modp2048" */
	struct ike_addr local, remote;
	uint16_t local_port, remote_port;
	char local_id[STATUS_TEXT_LEN], remote_id[STATUS_TEXT_LEN];
	int nat_t;			/* NAT detected and floated to 4500 */
	uint64_t spi_i, spi_r;
	uint64_t rekey_at;
	const char *start;		/* config "start" value, for "DOWN (start = manual)" */

	/* failure: reason code from DESIGN.md's table, hint naming the setting */
	char reason[STATUS_REASON_LEN];
	char detail[STATUS_TEXT_LEN];	/* e.g. "ike_dh_group: ours 14; peer offered 2, 5" */
	char hint[STATUS_TEXT_LEN];
	unsigned attempts;
	uint64_t last_failure;

	unsigned n_children;
	struct child_status children[STATUS_MAX_CHILDREN];
	unsigned n_coverage;
	struct coverage cov[STATUS_MAX_CHILDREN];
};

const char *p1_state_name(enum p1_state s);	/* "down", "connecting", ... */
const char *p2_state_name(enum p2_state s);

#endif
