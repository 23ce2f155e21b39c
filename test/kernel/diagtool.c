/* diagtool: the real diag_sys (xfrm/diag_sys.c) from the shell, for the
 * kernel tests.
 *
 *   diagtool sysctl PATH                 -> "VALUE" or "error: ..."
 *   diagtool route ADDR                  -> "TYPE dev IF [via GW]"
 *   diagtool policy SRC DST in|out|fwd   -> "reqid N" / "none"
 *   diagtool nat legacy|iptnft|nft [6]   -> the tool's text
 *   diagtool report --local A --remote B --pair L=R [--pair L=R]...
 *                   [--spi-out X --spi-in Y --sample SECS]
 *        the `ikegw diagnose` report for a connection whose phase 1 and
 *        one phase-2 SA carrying every pair are established; with the
 *        SPIs, that SA's kernel counters are read twice, SECS apart, as
 *        the two status samples.  Exit 0 when no check FAILs, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <unistd.h>

#include "ike/diag.h"
#include "xfrm/diag_sys.h"
#include "xfrm/xfrm.h"

static int usage(void)
{
	fprintf(stderr, "usage: diagtool sysctl PATH | route ADDR | policy SRC DST DIR |\n"
		"       nat legacy|iptnft|nft [6] |\n"
		"       report --local A --remote B --pair L=R [--pair L=R]...\n"
		"              [--spi-out X --spi-in Y --sample SECS]\n");
	return 2;
}

static const char *rt_name(enum diag_rt_type t)
{
	static const char *const n[] = { "unicast", "local", "unreachable", "blackhole",
					  "prohibit", "other" };

	return (unsigned)t < 6 ? n[t] : "?";
}

static int cmd_route(struct diag_sys *s, const char *a)
{
	struct ike_addr dst;
	struct diag_route rt;
	char gw[IKE_ADDRSTRLEN];
	int err;

	if (!addr_parse(a, &dst))
		return usage();
	err = s->route_get(s->ctx, &dst, &rt);
	if (err) {
		printf("error: %s\n", strerror(-err));
		return 1;
	}
	printf("%s dev %s", rt_name(rt.type), rt.oif[0] ? rt.oif : "-");
	if (rt.gw.family)
		printf(" via %s", addr_fmt(&rt.gw, gw));
	printf("\n");
	return 0;
}

static int cmd_policy(struct diag_sys *s, char **av)
{
	struct ike_subnet src, dst;
	enum xfrm_dir dir;
	uint32_t reqid;
	int err;

	if (!subnet_parse(av[0], &src, NULL) || !subnet_parse(av[1], &dst, NULL))
		return usage();
	if (!strcmp(av[2], "in"))
		dir = XFRM_DIR_IN_;
	else if (!strcmp(av[2], "out"))
		dir = XFRM_DIR_OUT_;
	else if (!strcmp(av[2], "fwd"))
		dir = XFRM_DIR_FWD_;
	else
		return usage();
	err = s->policy_get(s->ctx, &src, &dst, dir, &reqid);
	if (err == -ENOENT) {
		printf("none\n");
		return 0;
	}
	if (err) {
		printf("error: %s\n", strerror(-err));
		return 1;
	}
	printf("reqid %u\n", reqid);
	return 0;
}

static int cmd_nat(struct diag_sys *s, char **av, int ac)
{
	enum diag_nat_tool t;
	char *buf;
	int n;

	if (!strcmp(av[0], "legacy"))
		t = DIAG_NAT_IPT_LEGACY;
	else if (!strcmp(av[0], "iptnft"))
		t = DIAG_NAT_IPT_NFT;
	else if (!strcmp(av[0], "nft"))
		t = DIAG_NAT_NFT;
	else
		return usage();
	buf = malloc(DIAG_NAT_MAX);
	if (!buf)
		return 1;
	n = s->nat_read(s->ctx, t, ac > 1 && !strcmp(av[1], "6") ? AF_INET6 : AF_INET, buf,
			DIAG_NAT_MAX);
	if (n < 0)
		printf("error: %s\n", strerror(-n));
	else
		fputs(buf, stdout);
	free(buf);
	return n < 0;
}

static bool parse_pair(const char *arg, struct ike_subnet *l, struct ike_subnet *r)
{
	char buf[2 * IKE_SUBNETSTRLEN + 2], *eq;

	if (strlen(arg) >= sizeof(buf))
		return false;
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	if (!eq)
		return false;
	*eq = 0;
	return subnet_parse(buf, l, NULL) && subnet_parse(eq + 1, r, NULL);
}

static bool add_subnet(struct ike_subnet *list, unsigned *n, const struct ike_subnet *s)
{
	for (unsigned i = 0; i < *n; i++)
		if (subnet_eq(&list[i], s))
			return true;
	if (*n == CONF_MAX_SUBNETS)
		return false;
	list[(*n)++] = *s;
	return true;
}

static unsigned sample_secs;

static int build(int ac, char **av, struct conf_conn *c, struct conn_status *st)
{
	struct child_status *ch = &st->children[0];

	for (int i = 0; i + 1 < ac; i += 2) {
		struct ike_subnet l, r;

		if (!strcmp(av[i], "--spi-out")) {
			ch->spi_out = (uint32_t)strtoul(av[i + 1], NULL, 0);
			continue;
		}
		if (!strcmp(av[i], "--spi-in")) {
			ch->spi_in = (uint32_t)strtoul(av[i + 1], NULL, 0);
			continue;
		}
		if (!strcmp(av[i], "--sample")) {
			sample_secs = (unsigned)strtoul(av[i + 1], NULL, 0);
			continue;
		}
		if (!strcmp(av[i], "--local") && addr_parse(av[i + 1], &c->local_addr))
			continue;
		if (!strcmp(av[i], "--remote") && addr_parse(av[i + 1], &c->remote_addr))
			continue;
		if (strcmp(av[i], "--pair") || !parse_pair(av[i + 1], &l, &r) ||
		    ch->n_pairs == STATUS_MAX_CHILDREN ||
		    !add_subnet(c->local_subnets, &c->n_local_subnets, &l) ||
		    !add_subnet(c->remote_subnets, &c->n_remote_subnets, &r))
			return -EINVAL;
		ch->pairs[ch->n_pairs].local = l;
		ch->pairs[ch->n_pairs].remote = r;
		ch->n_pairs++;
	}
	if (!c->remote_addr.family || !ch->n_pairs)
		return -EINVAL;
	snprintf(c->name, sizeof(c->name), "diagtool");
	c->ike_version = 2;
	c->split = SPLIT_AUTO;
	st->p1 = P1_ESTABLISHED;
	st->local = c->local_addr;
	st->remote = c->remote_addr;
	st->n_children = 1;
	ch->id = 1;
	ch->state = P2_ESTABLISHED;
	return 0;
}

/* The SA pair's kernel counters into the child's status. */
static int read_counters(struct conn_status *st)
{
	struct child_status *ch = &st->children[0];
	struct xfrm_counters in, out;
	struct xfrm *x;
	int err;

	x = xfrm_nl_open(&err);
	if (!x)
		return err;
	err = xfrm_get_counters(x, &st->remote, ch->spi_out, &out);
	if (!err)
		err = xfrm_get_counters(x, &st->local, ch->spi_in, &in);
	if (err)
		fprintf(stderr, "diagtool: counters: %s\n", xfrm_last_error(x));
	xfrm_close(x);
	if (err)
		return err;
	ch->bytes_out = out.bytes;
	ch->packets_out = out.packets;
	ch->bytes_in = in.bytes;
	ch->packets_in = in.packets;
	return 0;
}

static int cmd_report(struct diag_sys *s, int ac, char **av)
{
	struct conf_conn *c = calloc(1, sizeof(*c));
	struct conn_status *st = calloc(1, sizeof(*st));
	struct diag_report *r = calloc(1, sizeof(*r));
	struct conn_status *before = NULL;
	char *text = NULL;
	size_t n;
	int rc = 2;

	if (!c || !st || !r)
		goto out;
	if (build(ac, av, c, st)) {
		rc = usage();
		goto out;
	}
	if (sample_secs && st->children[0].spi_in) {
		before = calloc(1, sizeof(*before));
		if (!before || read_counters(st))
			goto out;
		*before = *st;
		sleep(sample_secs);
		if (read_counters(st))
			goto out;
	}
	if (diag_run(c, st, before, s, r))
		goto out;
	n = diag_report_fmt(r, NULL, 0);
	text = malloc(n + 1);
	if (!text)
		goto out;
	diag_report_fmt(r, text, n + 1);
	fputs(text, stdout);
	rc = r->n_fail ? 1 : 0;
out:
	free(text);
	free(before);
	free(r);
	free(st);
	free(c);
	return rc;
}

int main(int argc, char **argv)
{
	struct diag_sys s;
	long v;
	int err, rc;

	if (argc < 3)
		return usage();
	err = diag_sys_open(&s);
	if (err) {
		fprintf(stderr, "diagtool: %s\n", strerror(-err));
		return 1;
	}
	if (!strcmp(argv[1], "sysctl")) {
		err = s.read_sysctl(s.ctx, argv[2], &v);
		rc = err != 0;
		if (err)
			printf("error: %s\n", strerror(-err));
		else
			printf("%ld\n", v);
	} else if (!strcmp(argv[1], "route")) {
		rc = cmd_route(&s, argv[2]);
	} else if (!strcmp(argv[1], "policy") && argc == 5) {
		rc = cmd_policy(&s, argv + 2);
	} else if (!strcmp(argv[1], "nat")) {
		rc = cmd_nat(&s, argv + 2, argc - 2);
	} else if (!strcmp(argv[1], "report")) {
		rc = cmd_report(&s, argc - 2, argv + 2);
	} else {
		rc = usage();
	}
	diag_sys_close(&s);
	return rc;
}
