/* ikegwd: load the configuration, take the control socket, run the loop.
 *
 * The engine and its I/O (UDP sockets, netlink XFRM, timers) start in
 * gw.c; the control socket in ctl.c; daemon.c answers requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_proto.h"
#include "daemon.h"
#include "gw.h"
#include "log.h"
#include "loop.h"

#define DEFAULT_CONF "/etc/ikegw.conf"

struct opts {
	const char *conf, *sock, *keylog;
	int foreground, verbose;
};

struct run {
	struct loop *loop;
	struct daemon *d;
	struct gw *gw;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ikegwd [-c FILE] [-f] [-s SOCKET] [-v] [--keylog DIR]\n"
		"  -c FILE        configuration (default " DEFAULT_CONF ")\n"
		"  -f             stay in the foreground, log to stderr\n"
		"  -s SOCKET      control socket (default " CTL_DEFAULT_SOCKET ")\n"
		"  -v             debug logging\n"
		"  --keylog DIR   write IKE/ESP keys for wireshark into DIR (debugging only)\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "keylog", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ DEFAULT_CONF, CTL_DEFAULT_SOCKET, NULL, 0, 0 };
	while ((c = getopt_long(argc, argv, "c:fs:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->conf = optarg; break;
		case 'f': o->foreground = 1; break;
		case 's': o->sock = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'k': o->keylog = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ikegwd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct run *run = arg;
	char msg[CTL_MAX_LINE];

	switch (signo) {
	case SIGHUP:
		log_info("SIGHUP: reloading the configuration");
		daemon_reload(run->d, NULL, msg, sizeof(msg));
		break;
	default:
		log_info("%s: shutting down", strsignal(signo));
		loop_stop(l, 0);
		break;
	}
}

/* Classic double fork: no controlling terminal, not a session leader. */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

static int run_daemon(const struct opts *o, struct conf *conf)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct run run = { 0 };
	struct ctl *ctl = NULL;
	int r;

	r = loop_new(&run.loop);
	if (r < 0) {
		conf_free(conf);
		goto fail;
	}
	r = daemon_new(&run.d, conf, o->conf, o->verbose, o->keylog);
	if (r < 0) {
		conf_free(conf);
		goto fail;
	}
	/* The control socket first: its lock keeps a second daemon from
	 * touching the kernel state of the first. */
	r = ctl_open(&ctl, run.loop, o->sock, daemon_handle, run.d);
	if (r < 0)
		goto out;	/* ctl_open logged why */
	r = gw_start(&run.gw, run.loop, conf, o->keylog ? o->keylog :
		     conf->global.keylog[0] ? conf->global.keylog : NULL);
	if (r < 0)
		goto out;	/* gw_start logged why */
	daemon_set_engine(run.d, gw_engine(run.gw));
	if (!o->foreground) {
		r = daemonize();
		if (r < 0)
			goto fail;
		log_init("ikegwd", 0, o->verbose ? LOG_LVL_DEBUG : log_get_level());
		ctl_note_pid(ctl);
	}
	r = loop_add_signals(run.loop, sigs, 3, on_signal, &run);
	if (r < 0)
		goto fail;
	log_info("ikegwd started: %s, control socket %s", o->conf, o->sock);
	r = loop_run(run.loop);
	if (r < 0)
		goto fail;
	log_info("ikegwd stopped");
	goto out;
fail:
	log_err("%s", strerror(-r));
out:
	gw_stop(run.gw);
	ctl_close(ctl);
	daemon_free(run.d);
	loop_free(run.loop);
	return r;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct conf *conf = NULL;
	int r;

	if (parse_args(argc, argv, &o) < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	log_init("ikegwd", 1, o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	r = conf_load(o.conf, &conf, stderr);
	if (r < 0) {
		/* conf_load has said why, with file:line */
		fprintf(stderr, "ikegwd: not starting: %s has errors\n", o.conf);
		return 1;
	}
	return run_daemon(&o, conf) < 0 ? 1 : 0;
}
