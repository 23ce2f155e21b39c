/* ike_pcap: one full IKEv2 conversation between two engines over the
 * fake network, written as a pcap plus the initiator's key log, so a
 * third party (tshark, test/cli/tshark.sh) can check our encoding and
 * our crypto.
 *
 *   ike_pcap --suite gcm|cbc [--nat] --pcap FILE --keylog DIR
 *
 * With --nat the initiator sits behind a port-translating NAT, so the
 * conversation floats to UDP 4500 (non-ESP marker) after IKE_SA_INIT;
 * the pcap then shows what passes between the NAT and the responder.
 *
 * The conversation: IKE_SA_INIT, IKE_AUTH, a child rekey with KE
 * (CREATE_CHILD_SA, PFS) and the delete of the old child, an IKE SA
 * rekey (CREATE_CHILD_SA) and the delete of the old IKE SA, and finally
 * `down` (INFORMATIONAL delete of the IKE SA).  Each step is checked
 * through the engine's status before the next one starts, so a pcap
 * only comes out of a conversation that worked.  Exit 0 on success. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/ike.h"
#include "ike/log.h"
#include "ike/v2.h"
#include "test/util/fakenet.h"
#include "test/util/pcap.h"

/* Documentation addresses (RFC 5737) for the two gateways. */
#define A_ADDR "198.51.100.1"
#define B_ADDR "203.0.113.7"
/* --nat: A's own address and the NAT's public one */
#define A_PRIV "192.168.1.10"
#define NAT_PUB "192.0.2.100"
/* pcap timestamps: the fake clock's ms on top of a fixed wall time */
#define PCAP_EPOCH_MS 1800000000000ull

struct suite {
	const char *name;
	const char *algs;
};

static const struct suite suites[] = {
	{ "gcm", "ike_encryption = aes256gcm16\nike_integrity = sha256\n"
		 "ike_dh_group = 31\n"
		 "esp_encryption = aes256gcm16\nesp_pfs = 31\n" },
	{ "cbc", "ike_encryption = aes256\nike_integrity = sha256\n"
		 "ike_dh_group = 14\n"
		 "esp_encryption = aes256\nesp_integrity = sha256\nesp_pfs = 14\n" },
};

static void quiet(enum log_level lvl, const char *line, void *arg)
{
	(void)arg;
	if (getenv("IKE_PCAP_LOG"))
		fprintf(stderr, "%d %s\n", lvl, line);
}

static char *conf_text(const char *local, const char *remote, const char *lsub,
		       const char *rsub, const struct suite *s, const char *extra)
{
	char *t = malloc(2048);

	if (t)
		snprintf(t, 2048,
			 "[connection t]\n"
			 "local_address = %s\nremote_address = %s\n"
			 "local_subnets = %s\nremote_subnets = %s\n"
			 "psk = \"ike-pcap-0123456789-shared\"\n"
			 "ike_version = 2\n%s%s",
			 local, remote, lsub, rsub, s->algs, extra);
	return t;
}

/* Both fake backends hand out the same SPI sequence; a real pair of
 * gateways would not, and equal SPIs in both directions would hide a
 * mix-up in the capture.  Move B's sequence on. */
static int skew_spis(struct xfrm *x)
{
	struct ike_addr a, b;
	uint32_t spi;
	int r = 0;

	addr_parse(A_ADDR, &a);
	addr_parse(B_ADDR, &b);
	for (int i = 0; i < 16 && r == 0; i++) {
		r = xfrm_alloc_spi(x, &a, &b, XFRM_REQID_MAX, &spi);
		if (r == 0)
			r = xfrm_del_sa(x, &b, spi);
	}
	return r;
}

static int pair_add(struct fakenet *net, const struct suite *s, bool nat,
		    const char *keylog)
{
	const char *a = nat ? A_PRIV : A_ADDR, *a_seen = nat ? NAT_PUB : A_ADDR;
	char *ca = conf_text(a, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", s, "");
	char *cb = conf_text(B_ADDR, a_seen, "10.2.0.0/16", "10.1.0.0/16", s,
			     "start = respond\n");
	int r = -ENOMEM;

	if (!ca || !cb)
		goto out;
	r = fakenet_add(net, 1, "B", B_ADDR, cb);
	if (r == 0)
		r = skew_spis(net->node[1].xfrm);
	if (r == 0 && nat)
		fakenet_set_nat(net, 0, NAT_PUB);
	if (r == 0)
		r = fakenet_add_keylog(net, 0, "A", a, ca, keylog);
out:
	free(ca);
	free(cb);
	return r;
}

static int get_status(struct fakenet *net, unsigned node, struct conn_status *st)
{
	return ike_status(net->node[node].ike, "t", st);
}

/* Both ends established with exactly one child installed. */
static bool both_up(struct fakenet *net, const char *step)
{
	struct conn_status st;

	for (unsigned n = 0; n < FAKENET_NODES; n++) {
		if (get_status(net, n, &st) != 0 || st.p1 != P1_ESTABLISHED ||
		    st.n_children != 1 || st.children[0].state != P2_ESTABLISHED) {
			fprintf(stderr, "ike_pcap: after %s node %u is not up (p1 %s, %u children)\n",
				step, n, p1_state_name(st.p1), st.n_children);
			return false;
		}
	}
	return true;
}

/* What the kernel would report when the child's soft lifetime runs out. */
static void soft_expire_child(struct fakenet *net, unsigned node)
{
	struct xfrm_event ev;
	struct conn_status st;

	if (get_status(net, node, &st) != 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = XFRM_EV_SOFT_EXPIRE;
	ev.spi = st.children[0].spi_in;
	ev.dst = net->node[node].addr;
	ike_xfrm_event(net->node[node].ike, &ev);
}

static int converse(struct fakenet *net)
{
	struct conn_status before, after;

	fakenet_run(net, 2000);
	if (!both_up(net, "IKE_AUTH") || get_status(net, 0, &before) != 0)
		return -1;
	soft_expire_child(net, 0);
	fakenet_run(net, 2000);
	if (!both_up(net, "child rekey") || get_status(net, 0, &after) != 0)
		return -1;
	if (after.children[0].spi_in == before.children[0].spi_in ||
	    !after.children[0].pfs_verified) {
		fprintf(stderr, "ike_pcap: child rekey did not happen with PFS\n");
		return -1;
	}
	if (ike_test_rekey_ike(net->node[0].ike, "t") != 0)
		return -1;
	fakenet_run(net, 2000);
	if (!both_up(net, "IKE rekey") || get_status(net, 0, &before) != 0)
		return -1;
	if (before.spi_i == after.spi_i) {
		fprintf(stderr, "ike_pcap: IKE SA was not rekeyed\n");
		return -1;
	}
	if (ike_down(net->node[0].ike, "t") != 0)
		return -1;
	fakenet_run(net, 2000);
	if (get_status(net, 1, &after) != 0 || after.p1 == P1_ESTABLISHED) {
		fprintf(stderr, "ike_pcap: the responder is still up after the delete\n");
		return -1;
	}
	return 0;
}

static int write_pcap(const struct fakenet *net, const char *path)
{
	FILE *f = pcap_open(path);
	int r = 0;

	if (!f)
		return -errno;
	for (unsigned i = 0; i < net->n_cap && r == 0; i++) {
		const struct fakenet_pkt *p = net->cap[i];
		uint64_t sent = p->at - FAKENET_LATENCY_MS;
		struct ike_addr src = p->src;
		uint16_t sport = p->sport;

		/* The capture holds datagrams as sent; on the public side the
		 * NAT has rewritten the NATed node's source (as fakenet does). */
		if (net->nat_node == (int)p->from) {
			src = net->nat_public;
			if (!net->nat_1to1)
				sport = (uint16_t)(sport + FAKENET_NAT_PORT_SHIFT);
		}
		r = pcap_write_udp(f, PCAP_EPOCH_MS + sent, &src, sport,
				   &p->dst, p->dport, p->buf, p->len);
	}
	if (fflush(f) != 0 && r == 0)
		r = -EIO;
	pcap_close(f);
	return r;
}

/* One line per datagram, for the test's log and for humans. */
static void print_summary(const struct fakenet *net)
{
	for (unsigned i = 0; i < net->n_cap; i++) {
		const struct fakenet_pkt *p = net->cap[i];
		size_t off = p->sport == 4500 || p->dport == 4500 ? 4 : 0;
		const uint8_t *h = p->buf + off;

		if (p->len < off + IKEV2_HDR_LEN)
			continue;
		printf("%u %s %u->%u exch=%u %s mid=%u len=%zu%s\n", i + 1,
		       net->node[p->from].name, p->sport, p->dport, h[18],
		       h[19] & IKEV2_FLAG_RESPONSE ? "response" : "request",
		       (unsigned)h[20] << 24 | (unsigned)h[21] << 16 |
		       (unsigned)h[22] << 8 | h[23], p->len,
		       p->dropped ? " dropped" : "");
	}
}

/* The engine opens the key log quietly; a missing log must not pass. */
static bool keylog_written(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/ikev2_decryption_table", dir);
	if (access(path, W_OK) == 0)
		return true;
	fprintf(stderr, "ike_pcap: no key log in %s (does the directory exist?)\n", dir);
	return false;
}

static int usage(void)
{
	fprintf(stderr, "usage: ike_pcap --suite gcm|cbc [--nat] --pcap FILE --keylog DIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct suite *s = NULL;
	const char *pcap = NULL, *keylog = NULL;
	struct fakenet *net = NULL;
	bool nat = false;
	int rc = 1;

	for (int i = 1; i < argc; i += 2) {
		if (!strcmp(argv[i], "--nat")) {
			nat = true;
			i--;
		} else if (i + 1 == argc) {
			return usage();
		} else if (!strcmp(argv[i], "--suite")) {
			for (size_t k = 0; k < sizeof(suites) / sizeof(suites[0]); k++)
				if (!strcmp(argv[i + 1], suites[k].name))
					s = &suites[k];
		} else if (!strcmp(argv[i], "--pcap")) {
			pcap = argv[i + 1];
		} else if (!strcmp(argv[i], "--keylog")) {
			keylog = argv[i + 1];
		} else {
			return usage();
		}
	}
	if (!s || !pcap || !keylog)
		return usage();
	log_init("ike_pcap", 1, LOG_LVL_DEBUG);
	log_set_sink(quiet, NULL);
	net = fakenet_new();
	if (!net || pair_add(net, s, nat, keylog) != 0) {
		fprintf(stderr, "ike_pcap: cannot set up the two engines\n");
		goto out;
	}
	if (!keylog_written(keylog) || converse(net) != 0)
		goto out;
	if (write_pcap(net, pcap) != 0) {
		fprintf(stderr, "ike_pcap: cannot write %s\n", pcap);
		goto out;
	}
	print_summary(net);
	rc = 0;
out:
	if (net)
		fakenet_free(net);
	return rc;
}
