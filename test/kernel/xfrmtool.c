/* xfrmtool: drive xfrm/ by hand, for the kernel tests.
 *
 * Installs manually keyed tunnels (keys derived from the SPI, so both
 * gateways compute the same ones), reads counters, removes leftovers,
 * waits for kernel events and holds a NAT-T socket.  See usage().
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ike/v2.h"
#include "xfrm/xfrm.h"

#define MAX_PAIRS 8

struct opts {
	struct ike_addr local, remote;
	struct ike_subnet lnet[MAX_PAIRS], rnet[MAX_PAIRS];
	int npairs;
	uint32_t spi_out, spi_in, reqid;
	const char *alg;
	bool encap, esn, no_sa, no_policy, alloc_in;
	uint16_t lport, rport;
	uint32_t replay;
	uint64_t soft_secs, hard_secs;
	int wait_event;
};

static void usage(void) __attribute__((noreturn));

static void usage(void)
{
	fprintf(stderr,
		"usage: xfrmtool tunnel-up|tunnel-down --local A --remote B\n"
		"         --pair LOCALNET=REMOTENET [--pair ...] --spi-out X --spi-in Y\n"
		"         --reqid R [--alg gcm|gcm256|cbc-sha256|3des-sha1|des-md5|\n"
		"         cbc-sha512|cbc-sha384|null-sha1] [--encap LPORT:RPORT]\n"
		"         [--replay N] [--esn] [--soft-secs N] [--hard-secs N]\n"
		"         [--no-sa] [--no-policy] [--alloc-in] [--wait-event SECS]\n"
		"       xfrmtool counters --dst A --spi X\n"
		"       xfrmtool alloc-spi --local A --remote B --reqid R\n"
		"       xfrmtool remove-owned\n"
		"       xfrmtool wait-event SECS\n"
		"       xfrmtool encap-listen PORT SECS\n"
		"       xfrmtool udp-send DST PORT [--bypass]   (from port 500)\n"
		"       xfrmtool udp-recv PORT SECS\n");
	exit(2);
}

static void die_xfrm(struct xfrm *x, const char *what, int rc)
{
	fprintf(stderr, "xfrmtool: %s failed (%s): %s\n", what, strerror(-rc),
		xfrm_last_error(x));
	exit(1);
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > 0xffffffffull) {
		fprintf(stderr, "xfrmtool: bad number '%s'\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

static void addr_arg(const char *s, struct ike_addr *a)
{
	if (!addr_parse(s, a)) {
		fprintf(stderr, "xfrmtool: bad address '%s'\n", s);
		exit(2);
	}
}

static void pair_arg(struct opts *o, char *s)
{
	char *eq = strchr(s, '=');
	bool hb;

	if (!eq || o->npairs == MAX_PAIRS)
		usage();
	*eq = '\0';
	if (!subnet_parse(s, &o->lnet[o->npairs], &hb) ||
	    !subnet_parse(eq + 1, &o->rnet[o->npairs], &hb))
		usage();
	o->npairs++;
}

/* Deterministic key bytes: the same on both gateways for one SPI. */
static void fill_key(uint8_t *k, size_t n, uint32_t spi, uint8_t salt)
{
	for (size_t i = 0; i < n; i++)
		k[i] = (uint8_t)((spi >> ((i % 4) * 8)) ^ (i * 0x3d) ^ salt);
}

static void set_alg(struct xfrm_sa *sa, const char *alg)
{
	static const struct {
		const char *name;
		uint16_t encr, keylen, integ;
		size_t ekey, ikey;
	} t[] = {
		{ "gcm", IKEV2_ENCR_AES_GCM_16, 128, 0, 20, 0 },
		{ "gcm256", IKEV2_ENCR_AES_GCM_16, 256, 0, 36, 0 },
		{ "cbc-sha256", IKEV2_ENCR_AES_CBC, 128, IKEV2_AUTH_HMAC_SHA2_256_128, 16, 32 },
		{ "cbc-sha384", IKEV2_ENCR_AES_CBC, 256, IKEV2_AUTH_HMAC_SHA2_384_192, 32, 48 },
		{ "cbc-sha512", IKEV2_ENCR_AES_CBC, 256, IKEV2_AUTH_HMAC_SHA2_512_256, 32, 64 },
		{ "3des-sha1", IKEV2_ENCR_3DES, 192, IKEV2_AUTH_HMAC_SHA1_96, 24, 20 },
		{ "des-md5", IKEV2_ENCR_DES, 64, IKEV2_AUTH_HMAC_MD5_96, 8, 16 },
		{ "null-sha1", IKEV2_ENCR_NULL, 0, IKEV2_AUTH_HMAC_SHA1_96, 0, 20 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].name, alg) != 0)
			continue;
		sa->encr_id = t[i].encr;
		sa->encr_keylen = t[i].keylen;
		sa->integ_id = t[i].integ;
		sa->encr_key_len = t[i].ekey;
		sa->integ_key_len = t[i].ikey;
		fill_key(sa->encr_key, t[i].ekey, sa->spi, 0x11);
		fill_key(sa->integ_key, t[i].ikey, sa->spi, 0x22);
		return;
	}
	fprintf(stderr, "xfrmtool: unknown --alg '%s'\n", alg);
	exit(2);
}

static void make_sa(const struct opts *o, bool out, struct xfrm_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = out ? o->local : o->remote;
	sa->dst = out ? o->remote : o->local;
	sa->spi = out ? o->spi_out : o->spi_in;
	sa->reqid = o->reqid;
	set_alg(sa, o->alg);
	sa->encap = o->encap;
	sa->encap_sport = out ? o->lport : o->rport;
	sa->encap_dport = out ? o->rport : o->lport;
	sa->replay_window = out ? 0 : o->replay;
	sa->esn = o->esn;
	if (o->esn && out)
		sa->replay_window = o->replay;	/* ESN needs a window either way */
	sa->soft_secs = o->soft_secs;
	sa->hard_secs = o->hard_secs;
}

static void make_policy(const struct opts *o, int i, enum xfrm_dir dir,
			struct xfrm_policy *p)
{
	bool out = dir == XFRM_DIR_OUT_;

	memset(p, 0, sizeof(*p));
	p->src = out ? o->lnet[i] : o->rnet[i];
	p->dst = out ? o->rnet[i] : o->lnet[i];
	p->dir = dir;
	p->tmpl_src = out ? o->local : o->remote;
	p->tmpl_dst = out ? o->remote : o->local;
	p->reqid = o->reqid;
}

static void print_event(const struct xfrm_event *ev, void *arg)
{
	char a[IKE_ADDRSTRLEN], s[IKE_SUBNETSTRLEN], d[IKE_SUBNETSTRLEN];
	int *n = arg;

	switch (ev->type) {
	case XFRM_EV_SOFT_EXPIRE:
	case XFRM_EV_HARD_EXPIRE:
		printf("expire %s spi=0x%08x dst=%s reqid=0x%08x\n",
		       ev->type == XFRM_EV_HARD_EXPIRE ? "hard" : "soft", ev->spi,
		       addr_fmt(&ev->dst, a), ev->reqid);
		break;
	case XFRM_EV_ACQUIRE:
		printf("acquire src=%s dst=%s peer=%s reqid=0x%08x\n",
		       subnet_fmt(&ev->sel_src, s), subnet_fmt(&ev->sel_dst, d),
		       addr_fmt(&ev->dst, a), ev->reqid);
		break;
	}
	fflush(stdout);
	(*n)++;
}

/* Wait up to secs for at least one event; print every event seen. */
static int wait_events(struct xfrm *x, int secs)
{
	struct pollfd pfd = { .fd = xfrm_event_fd(x), .events = POLLIN };
	struct timespec t0, t;
	int n = 0, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = secs * 1000L - ((t.tv_sec - t0.tv_sec) * 1000L +
					    (t.tv_nsec - t0.tv_nsec) / 1000000L);
		if (n > 0 || left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		rc = xfrm_read_events(x, print_event, &n);
		if (rc < 0)
			die_xfrm(x, "read events", rc);
	}
	if (n == 0)
		printf("no event within %d s\n", secs);
	return n > 0 ? 0 : 1;
}

static const enum xfrm_dir dirs[] = { XFRM_DIR_OUT_, XFRM_DIR_IN_, XFRM_DIR_FWD_ };

static int tunnel_up(struct xfrm *x, const struct opts *o)
{
	struct xfrm_sa sa;
	struct xfrm_policy p;
	uint32_t spi = 0;
	int rc;

	for (int out = 1; out >= 0 && !o->no_sa; out--) {
		bool update = false;

		/* The daemon's way for inbound SAs: reserve the SPI, then fill
		 * in the larval SA with an update. */
		if (!out && o->alloc_in) {
			rc = xfrm_alloc_spi(x, &o->remote, &o->local, o->reqid, &spi);
			if (rc < 0)
				die_xfrm(x, "allocate SPI", rc);
			printf("spi-in=0x%08x\n", spi);
			update = true;
		}
		make_sa(o, out, &sa);
		if (update)
			sa.spi = spi;
		set_alg(&sa, o->alg);	/* keys follow the SPI */
		rc = xfrm_add_sa(x, &sa, update);
		memset(&sa, 0, sizeof(sa));
		if (rc < 0)
			die_xfrm(x, "add SA", rc);
	}
	for (int i = 0; i < o->npairs && !o->no_policy; i++) {
		for (size_t d = 0; d < 3; d++) {
			make_policy(o, i, dirs[d], &p);
			rc = xfrm_add_policy(x, &p);
			if (rc < 0)
				die_xfrm(x, "add policy", rc);
		}
	}
	return o->wait_event ? wait_events(x, o->wait_event) : 0;
}

static int tunnel_down(struct xfrm *x, const struct opts *o)
{
	struct xfrm_policy p;
	int rc, bad = 0;

	for (int i = 0; i < o->npairs && !o->no_policy; i++) {
		for (size_t d = 0; d < 3; d++) {
			make_policy(o, i, dirs[d], &p);
			rc = xfrm_del_policy(x, &p);
			if (rc < 0) {
				fprintf(stderr, "xfrmtool: %s\n", xfrm_last_error(x));
				bad = 1;
			}
		}
	}
	if (!o->no_sa) {
		if ((rc = xfrm_del_sa(x, &o->remote, o->spi_out)) < 0 ||
		    (rc = xfrm_del_sa(x, &o->local, o->spi_in)) < 0) {
			fprintf(stderr, "xfrmtool: %s\n", xfrm_last_error(x));
			bad = 1;
		}
	}
	return bad;
}

/* Hold a NAT-T socket (UDP_ENCAP_ESPINUDP, IKE bypass) open. */
static int encap_listen(unsigned port, unsigned secs)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("xfrmtool: socket");
		return 1;
	}
	if ((rc = xfrm_socket_bypass(fd, AF_INET)) < 0 || (rc = xfrm_socket_encap(fd)) < 0) {
		fprintf(stderr, "xfrmtool: socket options: %s\n", strerror(-rc));
		return 1;
	}
	printf("listening on udp/%u\n", port);
	fflush(stdout);
	sleep(secs);
	close(fd);
	return 0;
}

/* One datagram to DST:PORT from port 500, optionally from a socket with
 * the per-socket bypass policy: 0 if the kernel took it. */
static int udp_send(const char *dst, unsigned port, bool bypass)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(500) };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	if (fd < 0 || inet_pton(AF_INET, dst, &to.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		perror("xfrmtool: udp-send");
		return 2;
	}
	if (bypass && (rc = xfrm_socket_bypass(fd, AF_INET)) < 0) {
		fprintf(stderr, "xfrmtool: bypass: %s\n", strerror(-rc));
		return 2;
	}
	if (sendto(fd, "ike", 3, 0, (struct sockaddr *)&to, sizeof(to)) != 3) {
		printf("send failed: %s\n", strerror(errno));
		return 1;
	}
	printf("sent\n");
	close(fd);
	return 0;
}

/* Wait up to secs for one datagram on PORT; print its source. */
static int udp_recv(unsigned port, unsigned secs)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pollfd pfd;
	char buf[64], a[INET_ADDRSTRLEN];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("xfrmtool: udp-recv");
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, (int)secs * 1000) != 1 ||
	    recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) < 0) {
		printf("nothing received\n");
		return 1;
	}
	printf("received from %s\n", inet_ntop(AF_INET, &from.sin_addr, a, sizeof(a)));
	close(fd);
	return 0;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "local", 1, 0, 'l' }, { "remote", 1, 0, 'r' }, { "pair", 1, 0, 'p' },
		{ "spi-out", 1, 0, 'o' }, { "spi-in", 1, 0, 'i' }, { "reqid", 1, 0, 'q' },
		{ "alg", 1, 0, 'a' }, { "encap", 1, 0, 'e' }, { "replay", 1, 0, 'w' },
		{ "esn", 0, 0, 'n' }, { "soft-secs", 1, 0, 's' }, { "hard-secs", 1, 0, 'h' },
		{ "no-sa", 0, 0, 'S' }, { "no-policy", 0, 0, 'P' }, { "alloc-in", 0, 0, 'A' },
		{ "wait-event", 1, 0, 'W' }, { "dst", 1, 0, 'd' }, { "spi", 1, 0, 'x' },
		{ 0, 0, 0, 0 },
	};
	unsigned a, b;
	int c;

	memset(o, 0, sizeof(*o));
	o->alg = "gcm";
	o->replay = 32;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l': addr_arg(optarg, &o->local); break;
		case 'r': addr_arg(optarg, &o->remote); break;
		case 'd': addr_arg(optarg, &o->remote); break;
		case 'p': pair_arg(o, optarg); break;
		case 'o': o->spi_out = num(optarg); break;
		case 'x': o->spi_out = num(optarg); break;
		case 'i': o->spi_in = num(optarg); break;
		case 'q': o->reqid = num(optarg); break;
		case 'a': o->alg = optarg; break;
		case 'e':
			if (sscanf(optarg, "%u:%u", &a, &b) != 2 || a > 65535 || b > 65535)
				usage();
			o->encap = true;
			o->lport = (uint16_t)a;
			o->rport = (uint16_t)b;
			break;
		case 'w': o->replay = num(optarg); break;
		case 'n': o->esn = true; break;
		case 's': o->soft_secs = num(optarg); break;
		case 'h': o->hard_secs = num(optarg); break;
		case 'S': o->no_sa = true; break;
		case 'P': o->no_policy = true; break;
		case 'A': o->alloc_in = true; break;
		case 'W': o->wait_event = (int)num(optarg); break;
		default: usage();
		}
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct xfrm *x;
	struct xfrm_counters c;
	const char *cmd;
	unsigned n;
	uint32_t spi;
	int rc = 0, err;

	if (argc < 2)
		usage();
	cmd = argv[1];
	if (strcmp(cmd, "udp-send") == 0) {
		if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "--bypass") != 0))
			usage();
		return udp_send(argv[2], num(argv[3]), argc == 5);
	}
	if (strcmp(cmd, "udp-recv") == 0) {
		if (argc != 4)
			usage();
		return udp_recv(num(argv[2]), num(argv[3]));
	}
	if (strcmp(cmd, "encap-listen") == 0) {
		if (argc != 4)
			usage();
		return encap_listen(num(argv[2]), num(argv[3]));
	}
	parse_opts(argc - 1, argv + 1, &o);
	x = xfrm_nl_open(&err);
	if (!x) {
		fprintf(stderr, "xfrmtool: netlink: %s\n", strerror(-err));
		return 1;
	}
	if (strcmp(cmd, "tunnel-up") == 0) {
		rc = tunnel_up(x, &o);
	} else if (strcmp(cmd, "tunnel-down") == 0) {
		rc = tunnel_down(x, &o);
	} else if (strcmp(cmd, "counters") == 0) {
		if ((rc = xfrm_get_counters(x, &o.remote, o.spi_out, &c)) < 0)
			die_xfrm(x, "read counters", rc);
		printf("bytes=%llu packets=%llu add_time=%llu use_time=%llu\n",
		       (unsigned long long)c.bytes, (unsigned long long)c.packets,
		       (unsigned long long)c.add_time, (unsigned long long)c.use_time);
	} else if (strcmp(cmd, "alloc-spi") == 0) {
		if ((rc = xfrm_alloc_spi(x, &o.remote, &o.local, o.reqid, &spi)) < 0)
			die_xfrm(x, "allocate SPI", rc);
		printf("spi=0x%08x\n", spi);
	} else if (strcmp(cmd, "remove-owned") == 0) {
		if ((rc = xfrm_remove_owned(x, &n)) < 0)
			die_xfrm(x, "remove owned", rc);
		printf("removed %u\n", n);
	} else if (strcmp(cmd, "wait-event") == 0 && optind + 1 < argc) {
		rc = wait_events(x, (int)num(argv[optind + 1]));
	} else {
		usage();
	}
	xfrm_close(x);
	return rc;
}
