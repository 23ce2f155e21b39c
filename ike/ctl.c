#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"

struct client {
	int fd;
	uid_t uid;
	int refuse;		/* EACCES: answer every request with it */
	struct wbuf out;	/* pending reply */
	size_t sent;		/* bytes of out already sent */
	size_t tail_off;	/* where the errno/msg trailer starts */
	uint64_t active_ms;	/* last request read or reply sent */
};

struct ctl {
	struct loop *loop;
	ctl_handler_fn fn;
	void *arg;
	int lfd, lock_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char lock_path[PATH_MAX];
	bool bound;		/* the socket file is ours to unlink */
	bool have_group;
	gid_t gid;
	unsigned idle_ms;
	struct client clients[CTL_MAX_CLIENTS];
	char *rbuf;		/* CTL_MAX_REQUEST + 1: one request at a time */
};

static bool uid_in_group(uid_t uid, gid_t gid)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char b1[4096], b2[8192];

	if (getpwuid_r(uid, &pw, b1, sizeof(b1), &pwp) || !pwp)
		return false;
	if (pw.pw_gid == gid)
		return true;
	if (getgrgid_r(gid, &gr, b2, sizeof(b2), &grp) || !grp)
		return false;
	for (char **m = gr.gr_mem; *m; m++)
		if (!strcmp(*m, pw.pw_name))
			return true;
	return false;
}

static bool peer_allowed(const struct ctl *c, const struct ucred *cr)
{
	if (cr->uid == 0 || cr->uid == geteuid())
		return true;
	if (!c->have_group)
		return false;
	return cr->gid == c->gid || uid_in_group(cr->uid, c->gid);
}

static void client_drop(struct ctl *c, struct client *cl)
{
	loop_del_fd(c->loop, cl->fd);
	close(cl->fd);
	wbuf_free(&cl->out);
	cl->fd = -1;
}

/* Send the pending reply, one message per CTL_MSG_MAX at line boundaries;
 * the trailer always travels in the last message. */
static int client_flush(struct ctl *c, struct client *cl)
{
	while (cl->sent < cl->out.len) {
		const char *p = (const char *)cl->out.p + cl->sent;
		size_t n = cl->out.len - cl->sent;
		ssize_t w;

		if (n > CTL_MSG_MAX) {
			size_t lim = CTL_MSG_MAX;
			const char *nl;
			if (cl->sent + lim > cl->tail_off)
				lim = cl->tail_off - cl->sent;
			nl = lim ? memrchr(p, '\n', lim) : NULL;
			if (!nl)
				return -EMSGSIZE;
			n = (size_t)(nl - p) + 1;
		}
		w = send(cl->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return loop_mod_fd(c->loop, cl->fd, EPOLLOUT);
		if (w < 0)
			return -errno;
		cl->sent += n;
		cl->active_ms = loop_now_ms();
	}
	wbuf_free(&cl->out);	/* do not keep a large reply's storage */
	cl->sent = cl->tail_off = 0;
	return loop_mod_fd(c->loop, cl->fd, EPOLLIN);
}

static void client_answer(struct ctl *c, struct client *cl, size_t len)
{
	char msg[CTL_MAX_LINE - 8] = "";
	struct ctl_req req;
	const char *why;
	int r;

	r = cl->refuse ? -cl->refuse : ctl_req_parse(c->rbuf, len, &req, &why);
	if (cl->refuse) {
		snprintf(msg, sizeof(msg), "permission denied");
	} else if (r < 0) {
		snprintf(msg, sizeof(msg), "bad request: %s", why);
		log_debug("control: %s", msg);
	} else {
		log_debug("control: %s%s%s from uid %u", ctl_verb_name(req.verb),
			  req.has_name ? " " : "", req.name, (unsigned)cl->uid);
		r = c->fn(c->arg, &req, &cl->out, msg, sizeof(msg));
	}
	if (cl->out.err) {
		wbuf_free(&cl->out);
		r = -EMSGSIZE;
		snprintf(msg, sizeof(msg), "reply too large; ask about one connection");
	}
	if (!msg[0])
		snprintf(msg, sizeof(msg), "%s", r < 0 ? strerror(-r) : "ok");
	cl->tail_off = cl->out.len;
	ctl_put_end(&cl->out, r, msg);
}

static void on_client(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct ctl *c = arg;
	struct client *cl = NULL;
	struct iovec iov = { c->rbuf, CTL_MAX_REQUEST + 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	(void)l;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS && !cl; i++)
		if (c->clients[i].fd == fd)
			cl = &c->clients[i];
	if (!cl)
		return;
	if (events & EPOLLOUT) {
		if (client_flush(c, cl) < 0)
			client_drop(c, cl);
		return;
	}
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {		/* closed (or error): forget it */
		client_drop(c, cl);
		return;
	}
	if (mh.msg_flags & MSG_TRUNC)
		n = CTL_MAX_REQUEST + 1;	/* the parser refuses it */
	cl->active_ms = loop_now_ms();
	client_answer(c, cl, (size_t)n);
	if (client_flush(c, cl) < 0)
		client_drop(c, cl);
}

/* Idle clients (no request, or not reading their reply) would hold the
 * few slots forever: they are closed after c->idle_ms. */
static uint64_t idle_next(void *arg)
{
	const struct ctl *c = arg;
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && c->clients[i].active_ms + c->idle_ms < t)
			t = c->clients[i].active_ms + c->idle_ms;
	return t;
}

static void idle_run(void *arg)
{
	struct ctl *c = arg;
	uint64_t now = loop_now_ms();

	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];
		if (cl->fd >= 0 && cl->active_ms + c->idle_ms <= now) {
			log_debug("control: closing idle client uid %u", (unsigned)cl->uid);
			client_drop(c, cl);
		}
	}
}

void ctl_set_idle_timeout(struct ctl *c, unsigned ms)
{
	c->idle_ms = ms;
}

/* No slot: answer at once.  Whatever the client already sent is read
 * first, because closing with unread data makes the peer's recv fail
 * with ECONNRESET before it sees this reply. */
static void refuse_busy(int fd)
{
	char drain[512];
	struct wbuf wb;

	while (recv(fd, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	wbuf_init(&wb, 4096);
	if (ctl_put_end(&wb, EBUSY, "too many control clients") == 0)
		(void)!send(fd, wb.p, wb.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	wbuf_free(&wb);
	close(fd);
}

static void on_listen(struct loop *l, int lfd, uint32_t events, void *arg)
{
	struct ctl *c = arg;
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	struct client *cl = NULL;
	int fd;

	(void)events;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0) {
		close(fd);
		return;
	}
	for (unsigned i = 0; i < CTL_MAX_CLIENTS && !cl; i++)
		if (c->clients[i].fd < 0)
			cl = &c->clients[i];
	if (!cl) {
		refuse_busy(fd);
		return;
	}
	/* A refused peer still gets a slot, so it can read why before the
	 * connection closes (it is closed when the peer hangs up). */
	cl->refuse = peer_allowed(c, &cr) ? 0 : EACCES;
	if (cl->refuse)
		log_info("control: refused client uid %u", (unsigned)cr.uid);
	if (loop_add_fd(l, fd, EPOLLIN, on_client, c) < 0) {
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->uid = cr.uid;
	cl->active_ms = loop_now_ms();
	wbuf_init(&cl->out, CTL_MAX_REPLY);
	cl->sent = cl->tail_off = 0;
}

/* mkdir -p for the socket's directory; new levels are 0700. */
static int make_dir(const char *sock)
{
	char d[PATH_MAX];
	char *slash;
	size_t n = strlen(sock);

	if (n >= sizeof(d))
		return -ENAMETOOLONG;
	memcpy(d, sock, n + 1);
	slash = strrchr(d, '/');
	if (!slash || slash == d)
		return 0;
	*slash = 0;
	for (char *p = d + 1; ; p++) {
		bool last = !*p;
		if (*p != '/' && !last)
			continue;
		*p = 0;
		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

/* Whoever can write the directory can replace the socket or the lock:
 * it must belong to us (or root) and be writable by nobody else. */
static int check_dir(const char *sock)
{
	char d[PATH_MAX];
	char *slash;
	struct stat st;

	snprintf(d, sizeof(d), "%s", sock);
	slash = strrchr(d, '/');
	if (!slash)
		snprintf(d, sizeof(d), ".");
	else if (slash == d)
		d[1] = 0;
	else
		*slash = 0;
	if (stat(d, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_mode & 022) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		log_err("control socket directory %s has mode %04o, owner uid %u: others "
			"could replace the socket; use a directory only this user can "
			"write (default /run/ikegw)", d, (unsigned)(st.st_mode & 07777),
			(unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}

static int take_lock(struct ctl *c)
{
	char pid[24];
	int n;

	if (snprintf(c->lock_path, sizeof(c->lock_path), "%s.lock", c->path) >=
	    (int)sizeof(c->lock_path))
		return -ENAMETOOLONG;
	c->lock_fd = open(c->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->lock_fd < 0) {
		log_err("cannot open lock file %s: %s", c->lock_path, strerror(errno));
		return -errno;
	}
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EADDRINUSE : -errno;
		n = (int)read(c->lock_fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		log_err("another ikegwd (pid %s) is running on %s (lock %s)",
			pid[0] ? pid : "?", c->path, c->lock_path);
		close(c->lock_fd);
		c->lock_fd = -1;
		return r;
	}
	ctl_note_pid(c);
	return 0;
}

void ctl_note_pid(struct ctl *c)
{
	char pid[24];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

	if (ftruncate(c->lock_fd, 0) < 0 || pwrite(c->lock_fd, pid, (size_t)n, 0) != n)
		log_warn("cannot write pid to %s: %s", c->lock_path, strerror(errno));
}

/* Group members must reach the socket: a 0700 directory of ours becomes
 * 0750 root:ikegw.  Directories we do not own are left alone. */
static void open_dir_to_group(const char *sock, gid_t gid)
{
	char d[PATH_MAX];
	char *slash;
	struct stat st;

	snprintf(d, sizeof(d), "%s", sock);
	slash = strrchr(d, '/');
	if (!slash || slash == d)
		return;
	*slash = 0;
	if (stat(d, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 07777) != 0700)
		return;
	if (chown(d, (uid_t)-1, gid) < 0 || chmod(d, 0750) < 0)
		log_warn("cannot open %s to group %s: %s", d, CTL_GROUP, strerror(errno));
}

/* 0600 via umask (no window where others could connect), then chmod;
 * 0660 root:ikegw when the group exists. */
static int bind_socket(struct ctl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct group *g = getgrnam(CTL_GROUP);
	struct stat st;
	mode_t old;
	int r;

	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	c->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->lfd < 0)
		return -errno;
	if (lstat(c->path, &st) == 0) {	/* we hold the lock: it is stale */
		if (!S_ISSOCK(st.st_mode)) {
			log_err("%s exists and is not a socket: not replacing it", c->path);
			return -EEXIST;
		}
		if (unlink(c->path) == 0)
			log_info("replaced stale control socket %s", c->path);
	}
	old = umask(077);
	r = bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return -errno;
	c->bound = true;
	if (g) {
		c->have_group = true;
		c->gid = g->gr_gid;
		if (chown(c->path, (uid_t)-1, g->gr_gid) < 0 || chmod(c->path, 0660) < 0)
			return -errno;
		open_dir_to_group(c->path, g->gr_gid);
	} else if (chmod(c->path, 0600) < 0) {
		return -errno;
	}
	return listen(c->lfd, CTL_MAX_CLIENTS) < 0 ? -errno : 0;
}

int ctl_open(struct ctl **out, struct loop *loop, const char *path,
	     ctl_handler_fn fn, void *arg)
{
	struct ctl *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	*c = (struct ctl){ .loop = loop, .fn = fn, .arg = arg, .lfd = -1,
			   .lock_fd = -1, .idle_ms = CTL_IDLE_MS };
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	r = -ENAMETOOLONG;
	if (strlen(path) >= sizeof(c->path) || !path[0]) {
		log_err("control socket path too long: %s", path);
		goto out;
	}
	strcpy(c->path, path);
	c->rbuf = malloc(CTL_MAX_REQUEST + 1);
	r = -ENOMEM;
	if (!c->rbuf)
		goto out;
	r = make_dir(path);
	if (r < 0) {
		log_err("cannot create the directory of %s: %s", path, strerror(-r));
		goto out;
	}
	r = check_dir(path);
	if (r < 0) {
		if (r != -EPERM)
			log_err("control socket directory of %s: %s", path, strerror(-r));
		goto out;
	}
	r = take_lock(c);
	if (r < 0)
		goto out;
	r = bind_socket(c);
	if (r < 0) {
		log_err("control socket %s: %s", path, strerror(-r));
		goto out;
	}
	r = loop_add_fd(loop, c->lfd, EPOLLIN, on_listen, c);
	if (r == 0)
		r = loop_add_deadline(loop, idle_next, idle_run, c);
out:
	if (r < 0) {
		ctl_close(c);
		return r;
	}
	*out = c;
	return 0;
}

void ctl_close(struct ctl *c)
{
	if (!c)
		return;
	loop_del_deadline(c->loop, c);
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			client_drop(c, &c->clients[i]);
	if (c->lfd >= 0) {
		loop_del_fd(c->loop, c->lfd);
		close(c->lfd);
	}
	if (c->bound)
		unlink(c->path);
	if (c->lock_fd >= 0) {	/* unlink first: the lock is ours until close */
		unlink(c->lock_path);
		close(c->lock_fd);
	}
	free(c->rbuf);
	free(c);
}
