/* The real struct diag_sys: procfs, rtnetlink, XFRM netlink, nat tools. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include "diag_sys.h"

#define TOOL_TIMEOUT_MS 5000
#define NL_BUF 8192	/* one request or one reply (a route, a policy) */

struct dsys {
	struct mnl_socket *rt, *xf;
	uint32_t seq;
};

/* ---- sysctl ---- */

static int sys_sysctl(void *ctx, const char *path, long *val)
{
	char file[256], buf[64], *end;
	ssize_t n;
	int fd, err = 0;

	(void)ctx;
	if (strstr(path, "..") || path[0] == '/')
		return -EINVAL;
	if (snprintf(file, sizeof(file), "/proc/sys/%s", path) >= (int)sizeof(file))
		return -ENAMETOOLONG;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	buf[n] = 0;
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n' && *end != '\t'))
		err = -EINVAL;
out:
	close(fd);
	return err;
}

/* ---- netlink request/response ---- */

struct reply {
	int (*parse)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
	bool got;
	int err;
};

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;

	r->err = r->parse(nlh, r->arg);
	r->got = r->err == 0;
	return MNL_CB_STOP;
}

static int transact(struct dsys *d, struct mnl_socket *nl, struct nlmsghdr *req,
		    struct reply *r)
{
	char buf[NL_BUF];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	req->nlmsg_seq = ++d->seq;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, reply_cb, r);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP || r->got || r->err)
			break;
	}
	return r->got ? 0 : r->err ? r->err : -EIO;
}

/* ---- routes ---- */

struct rt_attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int rt_attr_cb(const struct nlattr *a, void *data)
{
	struct rt_attrs *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, RTA_MAX) < 0)
		return MNL_CB_OK;
	if (type == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = a;
	return MNL_CB_OK;
}

static enum diag_rt_type rt_type(unsigned t)
{
	switch (t) {
	case RTN_UNICAST: return DIAG_RT_UNICAST;
	case RTN_LOCAL: return DIAG_RT_LOCAL;
	case RTN_UNREACHABLE: return DIAG_RT_UNREACHABLE;
	case RTN_BLACKHOLE: return DIAG_RT_BLACKHOLE;
	case RTN_PROHIBIT: return DIAG_RT_PROHIBIT;
	default: return DIAG_RT_OTHER;
	}
}

static int rt_parse(const struct nlmsghdr *nlh, void *arg)
{
	struct diag_route *out = arg;
	struct rt_attrs t = { 0 };
	const struct rtmsg *rtm;
	char name[IF_NAMESIZE];

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*rtm), rt_attr_cb, &t) < 0)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->type = rt_type(rtm->rtm_type);
	if (t.tb[RTA_OIF] && if_indextoname(mnl_attr_get_u32(t.tb[RTA_OIF]), name))
		snprintf(out->oif, sizeof(out->oif), "%s", name);
	if (t.tb[RTA_GATEWAY]) {
		size_t len = mnl_attr_get_payload_len(t.tb[RTA_GATEWAY]);

		if (len == addr_len(rtm->rtm_family)) {
			out->gw.family = rtm->rtm_family;
			memcpy(out->gw.a, mnl_attr_get_payload(t.tb[RTA_GATEWAY]), len);
		}
	}
	return 0;
}

/* The kernel answers a lookup that hits an unreachable, blackhole or
 * prohibit route with that route's error (fib_props), not the route. */
static int rt_error_type(int err, struct diag_route *out)
{
	memset(out, 0, sizeof(*out));
	switch (err) {
	case -EHOSTUNREACH: out->type = DIAG_RT_UNREACHABLE; return 0;
	case -EINVAL: out->type = DIAG_RT_BLACKHOLE; return 0;
	case -EACCES: out->type = DIAG_RT_PROHIBIT; return 0;
	default: return err;
	}
}

static int sys_route(void *ctx, const struct ike_addr *dst, struct diag_route *out)
{
	struct dsys *d = ctx;
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct reply r = { rt_parse, out, false, 0 };
	struct rtmsg *rtm;
	size_t len = addr_len(dst->family);
	int err;

	if (!len)
		return -EAFNOSUPPORT;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = (unsigned char)(8 * len);
	mnl_attr_put(nlh, RTA_DST, len, dst->a);
	err = transact(d, d->rt, nlh, &r);
	return err ? rt_error_type(err, out) : 0;
}

/* ---- XFRM policies ---- */

static int pol_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tmpl = data;

	if (mnl_attr_get_type(a) == XFRMA_TMPL)
		*tmpl = a;
	return MNL_CB_OK;
}

static int pol_parse(const struct nlmsghdr *nlh, void *arg)
{
	uint32_t *reqid = arg;
	const struct nlattr *tmpl = NULL;
	struct xfrm_user_tmpl t;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct xfrm_userpolicy_info))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct xfrm_userpolicy_info), pol_attr_cb, &tmpl) < 0)
		return -EBADMSG;
	*reqid = 0;	/* no template: not an IPsec policy of ours */
	if (tmpl && mnl_attr_get_payload_len(tmpl) >= sizeof(t)) {
		memcpy(&t, mnl_attr_get_payload(tmpl), sizeof(t));
		*reqid = t.reqid;
	}
	return 0;
}

static uint8_t pol_dir(enum xfrm_dir dir)
{
	return dir == XFRM_DIR_IN_ ? XFRM_POLICY_IN : dir == XFRM_DIR_OUT_ ?
	       XFRM_POLICY_OUT : XFRM_POLICY_FWD;
}

static int sys_policy(void *ctx, const struct ike_subnet *src, const struct ike_subnet *dst,
		      enum xfrm_dir dir, uint32_t *reqid)
{
	struct dsys *d = ctx;
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct reply r = { pol_parse, reqid, false, 0 };
	struct xfrm_userpolicy_id *id;
	size_t len = addr_len(src->addr.family);

	if (!len || src->addr.family != dst->addr.family)
		return -EAFNOSUPPORT;
	nlh->nlmsg_type = XFRM_MSG_GETPOLICY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
	memcpy(&id->sel.saddr, src->addr.a, len);
	memcpy(&id->sel.daddr, dst->addr.a, len);
	id->sel.family = (uint16_t)src->addr.family;
	id->sel.prefixlen_s = src->plen;
	id->sel.prefixlen_d = dst->plen;
	id->dir = pol_dir(dir);
	return transact(d, d->xf, nlh, &r);
}

/* ---- nat tools ---- */

static const char *const tool_dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };

static int tool_path(const char *name, char *path, size_t sz)
{
	for (size_t i = 0; i < sizeof(tool_dirs) / sizeof(tool_dirs[0]); i++) {
		snprintf(path, sz, "%s/%s", tool_dirs[i], name);
		if (access(path, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Read the child's stdout until EOF, the buffer is full or time is up. */
static int read_all(int fd, char *buf, size_t bufsz, size_t *len)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*len = 0;
	while (*len + 1 < bufsz) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = TOOL_TIMEOUT_MS - ms_since(&t0);
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = read(fd, buf + *len, bufsz - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = 0;
	return 0;
}

static int run_tool(const char *path, char *const argv[], char *buf, size_t bufsz)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2], status, err;
	size_t len = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	err = -posix_spawn(&pid, path, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (err) {
		close(pfd[0]);
		return err;
	}
	err = read_all(pfd[0], buf, bufsz, &len);
	close(pfd[0]);
	if (err)
		kill(pid, SIGKILL);	/* our own child, by its pid */
	if (waitpid(pid, &status, 0) < 0 && !err)
		err = -errno;
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		err = -EIO;
	return err ? err : (int)(len > INT_MAX ? INT_MAX : len);
}

static int sys_nat(void *ctx, enum diag_nat_tool t, int family, char *buf, size_t bufsz)
{
	char path[PATH_MAX], name[32];
	int err;

	(void)ctx;
	if (!bufsz)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s", diag_nat_tool_name(t, family));
	err = tool_path(name, path, sizeof(path));
	if (err)
		return err;
	if (t == DIAG_NAT_NFT) {
		char *const argv[] = { name, "list", "ruleset", NULL };

		return run_tool(path, argv, buf, bufsz);
	}
	/* all loaded tables (never -t nat: that would load iptable_nat) */
	char *const argv[] = { name, NULL };

	return run_tool(path, argv, buf, bufsz);
}

int diag_sys_open(struct diag_sys *out)
{
	struct dsys *d = calloc(1, sizeof(*d));
	int err = -ENOMEM;

	if (!d)
		return err;
	d->rt = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	d->xf = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	if (!d->rt || !d->xf || mnl_socket_bind(d->rt, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(d->xf, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	d->seq = (uint32_t)time(NULL);
	*out = (struct diag_sys){ d, sys_sysctl, sys_route, sys_policy, sys_nat };
	return 0;
out:
	if (d->rt)
		mnl_socket_close(d->rt);
	if (d->xf)
		mnl_socket_close(d->xf);
	free(d);
	return err;
}

void diag_sys_close(struct diag_sys *s)
{
	struct dsys *d = s ? s->ctx : NULL;

	if (!d)
		return;
	mnl_socket_close(d->rt);
	mnl_socket_close(d->xf);
	free(d);
	s->ctx = NULL;
}
