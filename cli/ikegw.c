/* ikegw: the command line side of the control socket (see ikegw(8)).
 * One function per subcommand, dispatched from a table; no command
 * means "status". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ike/conf.h"
#include "ike/peer_lint.h"

#define DEFAULT_CONF "/etc/ikegw.conf"
#define UP_TIMEOUT_S 30
#define UP_POLL_MS 250
#define DIAG_INTERVAL_S 3	/* between diagnose's two counter samples */

struct cmd {
	const char *name;
	int (*fn)(const char *sock, int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct cmd *find_cmd(const char *name);
static void usage(FILE *f);

static int usage_err(const char *cmd, const char *what)
{
	const struct cmd *c = find_cmd(cmd);

	fprintf(stderr, "ikegw %s: %s\nusage: ikegw [-s SOCKET] %s %s\n", cmd, what,
		cmd, c ? c->args : "");
	return EXIT_USAGE;
}

/* Print a failed reply's message; ENOENT is an unknown connection. */
static int daemon_fail(const struct cli_reply *rep)
{
	fprintf(stderr, "ikegw: %s\n", rep->msg);
	return EXIT_DAEMON;
}

struct status_ctx {
	bool json, first, all_up;
	unsigned n;
	uint64_t now;
	struct conn_status last;	/* for "up": the one we wait for */
	bool want_copy;
};

static int on_status(const struct conn_status *st, void *arg)
{
	struct status_ctx *c = arg;

	if (c->json)
		render_json_conn(stdout, st, c->first);
	else if (!c->want_copy)
		render_table(stdout, st, c->now);
	if (c->want_copy)
		memcpy(&c->last, st, sizeof(*st));
	c->first = false;
	c->all_up &= status_is_up(st);
	c->n++;
	return 0;
}

/* Fetch and parse status; the reply's data must parse in full. */
static int get_status(const char *sock, const char *name, struct status_ctx *c)
{
	struct cli_reply rep;
	int r = client_request(sock, CTL_STATUS, name, &rep);

	if (r != EXIT_OK)
		return r;
	if (rep.err) {
		r = daemon_fail(&rep);
		goto out;
	}
	if (c->json)
		render_json_begin(stdout);
	if (ctl_status_parse(rep.buf, rep.data_len, on_status, c) < 0) {
		fprintf(stderr, "ikegw: malformed status reply from the daemon\n");
		r = EXIT_DAEMON;
		goto out;
	}
	if (c->json)
		render_json_end(stdout);
out:
	client_reply_free(&rep);
	return r;
}

static int cmd_status(const char *sock, int argc, char **argv)
{
	struct status_ctx *c = calloc(1, sizeof(*c));
	const char *name = NULL;
	int r;

	if (!c)
		return EXIT_DAEMON;
	c->first = c->all_up = true;
	c->now = (uint64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			c->json = true;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else {
			free(c);
			return usage_err("status", "unexpected argument");
		}
	}
	r = get_status(sock, name, c);
	if (r == EXIT_OK && !c->json && c->n == 0)
		printf("no connections configured\n");
	if (r == EXIT_OK && !c->all_up)
		r = EXIT_NOT_UP;
	free(c);
	return r;
}

static int simple_request(const char *sock, enum ctl_verb v, const char *name)
{
	struct cli_reply rep;
	int r = client_request(sock, v, name, &rep);

	if (r != EXIT_OK)
		return r;
	if (rep.err)
		r = daemon_fail(&rep);
	else
		printf("%s\n", rep.msg);
	client_reply_free(&rep);
	return r;
}

static int parse_timeout(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 86400)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Poll status until the connection is up, has failed, or time is out. */
static int wait_up(const char *sock, const char *name, int timeout)
{
	struct status_ctx *c = calloc(1, sizeof(*c));
	time_t end = time(NULL) + timeout;
	int r;

	if (!c)
		return EXIT_DAEMON;
	c->want_copy = true;
	for (;;) {
		c->all_up = true;
		c->n = 0;
		r = get_status(sock, name, c);
		if (r != EXIT_OK || c->n != 1)
			break;
		if (c->all_up || c->last.p1 == P1_FAILED || time(NULL) >= end)
			break;
		sleep_ms(UP_POLL_MS);
	}
	if (r == EXIT_OK && c->n == 1) {
		c->now = (uint64_t)time(NULL);
		render_table(stdout, &c->last, c->now);
		if (!c->all_up) {
			fprintf(stderr, "ikegw: %s is not up%s (phase 1 %s)\n", name,
				c->last.p1 == P1_FAILED ? "" : " after the timeout",
				p1_state_name(c->last.p1));
			r = EXIT_NOT_UP;
		}
	} else if (r == EXIT_OK) {
		r = EXIT_DAEMON;
	}
	free(c);
	return r;
}

static int cmd_up(const char *sock, int argc, char **argv)
{
	const char *name = NULL;
	int timeout = UP_TIMEOUT_S, wait = 1, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-wait"))
			wait = 0;
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (parse_timeout(argv[++i], &timeout) < 0)
				return usage_err("up", "--timeout takes 1..86400 seconds");
		} else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return usage_err("up", "unexpected argument");
	}
	if (!name)
		return usage_err("up", "missing connection name");
	r = simple_request(sock, CTL_UP, name);
	if (r != EXIT_OK || !wait)
		return r;
	return wait_up(sock, name, timeout);
}

static int cmd_down(const char *sock, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return usage_err("down", "needs exactly one connection name");
	return simple_request(sock, CTL_DOWN, argv[1]);
}

/* Print the reply's data lines as they are ("changed=office: psk"). */
static void print_data(const struct cli_reply *rep, FILE *f, const char *indent)
{
	const char *p = rep->buf, *end = rep->buf + rep->data_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', n);

		if (eq)
			fprintf(f, "%s%.*s: %.*s\n", indent, (int)(eq - p), p,
				(int)(n - (size_t)(eq - p) - 1), eq + 1);
		p += n + 1;
	}
}

static int cmd_reload(const char *sock, int argc, char **argv)
{
	struct cli_reply rep;
	int r;

	(void)argv;
	if (argc != 1)
		return usage_err("reload", "takes no arguments");
	r = client_request(sock, CTL_RELOAD, NULL, &rep);
	if (r != EXIT_OK)
		return r;
	print_data(&rep, rep.err ? stderr : stdout, "  ");
	if (rep.err)
		r = daemon_fail(&rep);
	else
		printf("%s\n", rep.msg);
	client_reply_free(&rep);
	return r;
}

/* One report line: "check=VERDICT|NAME|EVIDENCE" or "hint=TEXT". */
static void diag_line(const char *line, unsigned *fails)
{
	char buf[CTL_MAX_LINE + 1], *verdict, *name, *ev;

	if (!strncmp(line, "hint=", 5)) {
		printf("      hint: %s\n", line + 5);
		return;
	}
	if (!strncmp(line, "sample_age=", 11)) {
		printf("counters compared over %s s\n", line + 11);
		return;
	}
	if (strncmp(line, "check=", 6))
		return;
	snprintf(buf, sizeof(buf), "%s", line + 6);
	verdict = buf;
	if (!(name = strchr(verdict, '|')))
		return;
	*name++ = 0;
	if (!(ev = strchr(name, '|')))
		return;
	*ev++ = 0;
	*fails += !strcmp(verdict, "FAIL");
	printf("%-4s  %-11s %s\n", verdict, name, ev);
}

static int diag_request(const char *sock, const char *name, bool begin,
			struct cli_reply *rep)
{
	struct ctl_req req = { .verb = CTL_DIAGNOSE, .has_name = 1,
			       .sample_begin = begin };
	int r;

	if (strlen(name) >= sizeof(req.name))
		return usage_err("diagnose", "connection name too long");
	strcpy(req.name, name);
	r = client_request_req(sock, &req, rep);
	if (r == EXIT_OK && rep->err) {
		r = daemon_fail(rep);
		client_reply_free(rep);
	}
	return r;
}

static int cmd_diagnose(const char *sock, int argc, char **argv)
{
	struct cli_reply rep;
	const char *name = NULL;
	int interval = DIAG_INTERVAL_S, r;
	unsigned fails = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			if (!strcmp(argv[++i], "0"))
				interval = 0;
			else if (parse_timeout(argv[i], &interval) < 0 || interval > 600)
				return usage_err("diagnose", "--interval takes 0..600 seconds");
		} else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return usage_err("diagnose", "unexpected argument");
	}
	if (!name)
		return usage_err("diagnose", "missing connection name");
	/* two samples `interval` apart, so the counters check sees traffic */
	if (interval) {
		r = diag_request(sock, name, true, &rep);
		if (r != EXIT_OK)
			return r;
		client_reply_free(&rep);
		sleep_ms((unsigned)interval * 1000);
	}
	r = diag_request(sock, name, false, &rep);
	if (r != EXIT_OK)
		return r;
	for (const char *p = rep.buf, *end = rep.buf + rep.data_len; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[CTL_MAX_LINE + 1];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + 1;
		diag_line(line, &fails);
	}
	printf("%s: %s\n", name, rep.msg);
	client_reply_free(&rep);
	return fails ? EXIT_NOT_UP : EXIT_OK;
}

/* What a peer of that kind will not accept by default, per connection. */
static unsigned lint_peer(const struct conf *c, enum peer_kind k)
{
	struct lint_msg m[LINT_MAX];
	char line[512];
	unsigned total = 0;

	for (unsigned i = 0; i < c->n_conns; i++) {
		const struct conf_conn *cc = &c->conns[i];
		unsigned n = peer_lint(cc, k, m, LINT_MAX);

		for (unsigned j = 0; j < n && j < LINT_MAX; j++) {
			lint_msg_fmt(&m[j], line, sizeof(line));
			printf("%s:%d: %s: %s: %s\n", cc->file ? cc->file : "?", cc->line,
			       cc->name, peer_kind_name(k), line);
		}
		total += n;
	}
	return total;
}

static int cmd_check_config(const char *sock, int argc, char **argv)
{
	const char *file = DEFAULT_CONF;
	struct conf *c = NULL;
	enum peer_kind peer = PEER_STRONGSWAN;
	bool lint = false;
	unsigned nl = 0;
	int r;

	(void)sock;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			file = argv[++i];
		else if (!strcmp(argv[i], "--peer") && i + 1 < argc) {
			if (!peer_kind_parse(argv[++i], &peer))
				return usage_err("check-config",
						 "--peer takes alibaba, strongswan or libreswan");
			lint = true;
		} else
			return usage_err("check-config", "unexpected argument");
	}
	r = conf_load_flags(file, CONF_LOAD_MODE_WARN, &c, stderr);
	if (r < 0) {
		if (r != -EINVAL)
			fprintf(stderr, "ikegw: %s: %s\n", file, strerror(-r));
		fprintf(stderr, "ikegw: %s has errors\n", file);
		return EXIT_USAGE;
	}
	conf_print(c, stdout);
	if (lint)
		nl = lint_peer(c, peer);
	printf("%s: OK, %u connection%s, %u warning%s", file, c->n_conns,
	       c->n_conns == 1 ? "" : "s", c->n_warnings, c->n_warnings == 1 ? "" : "s");
	if (lint)
		printf(", %u to change for %s", nl, peer_kind_name(peer));
	putchar('\n');
	conf_free(c);
	return EXIT_OK;
}

static int cmd_help(const char *sock, int argc, char **argv)
{
	(void)sock;
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "status", cmd_status, "[NAME] [--json]",
	  "show connections; exit 5 unless all shown are established" },
	{ "up", cmd_up, "NAME [--no-wait] [--timeout S]",
	  "bring a connection up and wait (default 30 s) until it is" },
	{ "down", cmd_down, "NAME", "take a connection down" },
	{ "reload", cmd_reload, "", "reload the daemon's configuration file" },
	{ "check-config", cmd_check_config, "[-c FILE] [--peer KIND]",
	  "check a configuration file (no daemon needed)" },
	{ "diagnose", cmd_diagnose, "NAME [--interval S]",
	  "check why traffic does not flow; exit 5 if a check fails" },
	{ "help", cmd_help, "", "this text" },
};

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ikegw [-s SOCKET] [COMMAND [ARGS]]\n"
		"  -s SOCKET  control socket (default " CTL_DEFAULT_SOCKET ")\n"
		"commands (none: status):\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-12s %-31s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
}

int main(int argc, char **argv)
{
	const char *sock = CTL_DEFAULT_SOCKET;
	static char *none[] = { "status", NULL };
	const struct cmd *c;
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			sock = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "ikegw: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		argv = none;
		argc = 1;
		i = 0;
	}
	c = find_cmd(argv[i]);
	if (!c) {
		fprintf(stderr, "ikegw: unknown command '%s'\n", argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return c->fn(sock, argc - i, argv + i);
}
