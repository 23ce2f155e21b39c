#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "ike/wbuf.h"

#define REPLY_TIMEOUT_S 60

static int connect_ctl(const char *sock, int *fd_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	int fd, e;

	if (strlen(sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "ikegw: socket path too long: %s\n", sock);
		return EXIT_USAGE;
	}
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "ikegw: socket: %s\n", strerror(errno));
		return EXIT_DAEMON;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		*fd_out = fd;
		return EXIT_OK;
	}
	e = errno;
	close(fd);
	if (e == ENOENT || e == ENOTDIR) {
		fprintf(stderr, "ikegwd is not running (no socket at %s)\n", sock);
		return EXIT_NOT_RUNNING;
	}
	if (e == ECONNREFUSED) {
		fprintf(stderr, "ikegwd is not running (nothing listens on %s)\n", sock);
		return EXIT_NOT_RUNNING;
	}
	if (e == EACCES || e == EPERM) {
		fprintf(stderr, "permission denied on %s: run as root\n", sock);
		return EXIT_PERM;
	}
	fprintf(stderr, "ikegw: cannot connect to %s: %s\n", sock, strerror(e));
	return EXIT_DAEMON;
}

/* Messages until one ends with the empty line (ctl_proto.h). */
static int read_reply(int fd, struct wbuf *wb)
{
	char *buf = malloc(CTL_MSG_MAX * 4);
	int r = -ENOMEM;

	if (!buf)
		return r;
	for (;;) {
		struct iovec iov = { buf, CTL_MSG_MAX * 4 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0 && errno == EINTR)
			continue;
		r = n < 0 ? -errno : n == 0 || (mh.msg_flags & MSG_TRUNC) ? -EBADMSG : 0;
		if (r < 0 || wbuf_put(wb, buf, (size_t)n) < 0)
			break;
		if (n >= 2 && buf[n - 1] == '\n' && buf[n - 2] == '\n')
			break;
	}
	if (r == 0)
		r = wb->err ? wb->err : wbuf_u8(wb, 0);
	free(buf);
	return r;
}

static int fail_reply(const char *sock, int r)
{
	fprintf(stderr, "ikegw: bad or no reply from the daemon on %s: %s\n", sock,
		r == -EBADMSG ? "connection closed or malformed reply" : strerror(-r));
	return EXIT_DAEMON;
}

int client_request(const char *sock, enum ctl_verb verb, const char *name,
		   struct cli_reply *rep)
{
	struct ctl_req req = { .verb = verb, .has_name = name != NULL };

	if (name && strlen(name) >= sizeof(req.name)) {
		memset(rep, 0, sizeof(*rep));
		fprintf(stderr, "ikegw: connection name too long: %s\n", name);
		return EXIT_USAGE;
	}
	if (name)
		strcpy(req.name, name);
	return client_request_req(sock, &req, rep);
}

int client_request_req(const char *sock, const struct ctl_req *creq,
		       struct cli_reply *rep)
{
	struct wbuf req, in;
	int fd = -1, r;

	memset(rep, 0, sizeof(*rep));
	wbuf_init(&req, CTL_MAX_REQUEST);
	wbuf_init(&in, CTL_MAX_REPLY + 1);
	r = connect_ctl(sock, &fd);
	if (r != EXIT_OK)
		goto out;
	if (ctl_req_encode(&req, creq) < 0 ||
	    send(fd, req.p, req.len, MSG_NOSIGNAL) != (ssize_t)req.len) {
		r = fail_reply(sock, -errno);
		goto out;
	}
	r = read_reply(fd, &in);
	if (r == 0)
		r = ctl_reply_parse((char *)in.p, in.len - 1, &rep->data_len, &rep->err,
				    rep->msg, sizeof(rep->msg));
	if (r < 0) {
		r = fail_reply(sock, r);
		goto out;
	}
	if (rep->err == EACCES) {
		fprintf(stderr, "permission denied on %s: run as root\n", sock);
		r = EXIT_PERM;
		goto out;
	}
	rep->buf = (char *)in.p;	/* keep: the caller frees */
	rep->len = in.len - 1;
	in.p = NULL;
	r = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	wbuf_free(&req);
	wbuf_free(&in);
	return r;
}

void client_reply_free(struct cli_reply *rep)
{
	free(rep->buf);
	rep->buf = NULL;
}
