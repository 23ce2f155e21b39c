/* Two IKE engines in one process: a fake network with a fake clock,
 * deterministic loss, an optional NAT in front of one node, and a
 * capture of every datagram sent. */
#ifndef IKEGW_FAKENET_H
#define IKEGW_FAKENET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

#define FAKENET_NODES		2
#define FAKENET_MAX_CAPTURE	4096
#define FAKENET_LATENCY_MS	5
#define FAKENET_NAT_PORT_SHIFT	30000

struct fakenet_pkt {
	struct fakenet_pkt *next;	/* in-flight queue */
	unsigned from;			/* node index */
	struct ike_addr src, dst;	/* as sent (before NAT) */
	uint16_t sport, dport;
	uint8_t *buf;
	size_t len;
	uint64_t at;			/* delivery time */
	bool dropped;
};

struct fakenet;

struct fakenet_node {
	struct fakenet *net;
	unsigned idx;
	const char *name;
	struct ike_addr addr;		/* its own (private, when NATed) address */
	struct conf *conf;
	struct xfrm *xfrm;
	struct ike *ike;
	struct ike_env env;
	bool down;			/* drops everything it sends and receives */
};

struct fakenet {
	uint64_t now_ms;
	struct fakenet_node node[FAKENET_NODES];
	struct fakenet_pkt *queue;
	struct fakenet_pkt *cap[FAKENET_MAX_CAPTURE];
	unsigned n_cap;
	unsigned loss_pct;		/* deterministic loss, both directions */
	uint64_t rng;
	int nat_node;			/* -1: no NAT; else that node is behind it */
	struct ike_addr nat_public;
	bool nat_1to1;			/* static NAT: ports kept, inbound forwarded */
	unsigned delivered, dropped;
	/* optional: drop datagrams this returns true for (after capture) */
	bool (*drop_fn)(const struct fakenet_pkt *p, void *arg);
	void *drop_arg;
};

/* The node whose engine runs right now (for log lines), "" outside. */
extern const char *fakenet_active;

struct fakenet *fakenet_new(void);
/* Parse conf_text, open a fake xfrm, create the engine.  0 or -errno
 * (config errors go to stderr). */
int fakenet_add(struct fakenet *net, unsigned idx, const char *name,
		const char *addr, const char *conf_text);
/* The same with a key log directory for the engine. */
int fakenet_add_keylog(struct fakenet *net, unsigned idx, const char *name,
		       const char *addr, const char *conf_text, const char *keylog);
void fakenet_set_nat(struct fakenet *net, unsigned idx, const char *public_addr);
/* Advance the clock by ms, delivering packets and running timers. */
void fakenet_run(struct fakenet *net, uint64_t ms);
/* Re-inject a captured datagram as if it were sent again. */
void fakenet_replay(struct fakenet *net, unsigned cap_idx);
/* Captured datagrams from node `from` with IKE exchange type exch
 * (0: any) and response flag; returns the index of the n-th, or -1. */
int fakenet_find(const struct fakenet *net, unsigned from, uint8_t exch,
		 bool response, unsigned nth);
unsigned fakenet_count(const struct fakenet *net, unsigned from, uint8_t exch,
		       bool response);
/* Drop what was captured so far (long runs: benchmarks). */
void fakenet_clear_capture(struct fakenet *net);
void fakenet_free(struct fakenet *net);

#endif
