/* Control protocol: request parser limits and hostile requests, status
 * serializer/parser round trip, reply trailer parsing. */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ike/ctl.h"
#include "ike/ctl_proto.h"
#include "ike/loop.h"

static int parse(const char *s, struct ctl_req *req, const char **why)
{
	return ctl_req_parse(s, strlen(s), req, why);
}

START_TEST(good_requests)
{
	struct ctl_req req;
	const char *why;

	ck_assert_int_eq(parse("cmd=status\n\n", &req, &why), 0);
	ck_assert_int_eq(req.verb, CTL_STATUS);
	ck_assert(!req.has_name);
	ck_assert_int_eq(parse("version=1\ncmd=up\nname=office\n\n", &req, &why), 0);
	ck_assert_int_eq(req.verb, CTL_UP);
	ck_assert_str_eq(req.name, "office");
	ck_assert_int_eq(parse("cmd=reload\n\n", &req, &why), 0);
	ck_assert_int_eq(parse("name=x\ncmd=diagnose\n\n", &req, &why), 0);
	ck_assert_int_eq(req.verb, CTL_DIAGNOSE);
	ck_assert(!req.sample_begin);
	ck_assert_int_eq(parse("cmd=diagnose\nname=x\nsample=begin\n\n", &req, &why), 0);
	ck_assert(req.sample_begin);
}
END_TEST

START_TEST(diagnose_sample_encodes_and_parses_back)
{
	struct ctl_req in = { .verb = CTL_DIAGNOSE, .has_name = 1, .sample_begin = 1 }, out;
	struct wbuf wb;
	const char *why;

	strcpy(in.name, "office");
	wbuf_init(&wb, CTL_MAX_REQUEST);
	ck_assert_int_eq(ctl_req_encode(&wb, &in), 0);
	ck_assert_int_eq(ctl_req_parse(wb.p, wb.len, &out, &why), 0);
	ck_assert(out.sample_begin);
	ck_assert_str_eq(out.name, "office");
	wbuf_free(&wb);
}
END_TEST

static const struct bad { const char *req; const char *why; } bad[] = {
	{ "", "request not ended by an empty line" },
	{ "\n", "missing cmd" },
	{ "cmd=status\n", "request not ended by an empty line" },
	{ "cmd=status", "last line not terminated" },
	{ "cmd=fly\n\n", "unknown cmd" },
	{ "cmd=status\nfoo=bar\n\n", "unknown key" },
	{ "cmd=status\ncmd=status\n\n", "bad or repeated cmd" },
	{ "version=2\ncmd=status\n\n", "unsupported or repeated version" },
	{ "version=1\nversion=1\ncmd=status\n\n", "unsupported or repeated version" },
	{ "cmd=up\n\n", "this cmd needs name=" },
	{ "cmd=reload\nname=x\n\n", "reload takes no name" },
	{ "cmd=up\nname=\n\n", "bad or repeated name" },
	{ "cmd=up\nname=a b\n\n", "bad or repeated name" },
	{ "cmd=up\nname=a\nname=b\n\n", "bad or repeated name" },
	{ "cmd=status\n\ncmd=up\n\n", "data after the empty line" },
	{ "cmd=status\nnoequals\n\n", "line without '='" },
	{ "cmd=sta\x01tus\n\n", "control character in request" },
	{ "cmd=status\r\n\r\n", "control character in request" },
	{ "\xff\xfe\x80garbage\n\n", "line without '='" },
	{ "=\n\n", "unknown key" },
	{ "cmd=status\nsample=begin\n\n", "sample= is for diagnose only" },
	{ "cmd=diagnose\nname=x\nsample=end\n\n", "bad or repeated sample (only sample=begin)" },
	{ "cmd=diagnose\nname=x\nsample=begin\nsample=begin\n\n",
	  "bad or repeated sample (only sample=begin)" },
	{ "cmd=\n\n", "bad or repeated cmd" },
};

START_TEST(bad_requests)
{
	struct ctl_req req;
	const char *why = NULL;

	ck_assert_int_eq(parse(bad[_i].req, &req, &why), -EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, bad[_i].why);
}
END_TEST

START_TEST(nul_and_limits)
{
	static const char nul[] = "cmd=status\0\n\n";
	struct ctl_req req;
	const char *why;
	char *big = malloc(CTL_MAX_REQUEST + 2);
	size_t n;

	ck_assert_int_eq(ctl_req_parse(nul, sizeof(nul) - 1, &req, &why), -EINVAL);
	/* a line of exactly CTL_MAX_LINE is fine as far as length goes */
	n = (size_t)sprintf(big, "cmd=status\nname=");
	memset(big + n, 'a', CTL_MAX_LINE - 5);
	strcpy(big + n + CTL_MAX_LINE - 5, "\n\n");
	ck_assert_int_eq(parse(big, &req, &why), -EINVAL);
	ck_assert_str_eq(why, "bad or repeated name");	/* too long a name */
	memset(big + n, 'a', CTL_MAX_LINE);
	strcpy(big + n + CTL_MAX_LINE, "\n\n");
	ck_assert_int_eq(parse(big, &req, &why), -EINVAL);
	ck_assert_str_eq(why, "line too long");
	memset(big, 'a', CTL_MAX_REQUEST + 1);
	ck_assert_int_eq(ctl_req_parse(big, CTL_MAX_REQUEST + 1, &req, &why), -EINVAL);
	ck_assert_str_eq(why, "request too long");
	free(big);
}
END_TEST

START_TEST(build_parses_back)
{
	struct wbuf wb;
	struct ctl_req req;
	const char *why;

	wbuf_init(&wb, CTL_MAX_REQUEST);
	ck_assert_int_eq(ctl_req_build(&wb, CTL_DOWN, "branch-2"), 0);
	ck_assert_int_eq(ctl_req_parse(wb.p, wb.len, &req, &why), 0);
	ck_assert_int_eq(req.verb, CTL_DOWN);
	ck_assert_str_eq(req.name, "branch-2");
	wbuf_free(&wb);
}
END_TEST

static struct ike_subnet sn(const char *s)
{
	struct ike_subnet n;
	bool host;

	memset(&n, 0, sizeof(n));	/* padding too: the test compares bytes */
	ck_assert(subnet_parse(s, &n, &host));
	return n;
}

static void fill(struct conn_status *st)
{
	struct child_status *c;

	memset(st, 0, sizeof(*st));
	strcpy(st->name, "office");
	st->ike_version = 1;
	st->aggressive = 1;
	st->p1 = P1_FAILED;
	st->since = 1700000000;
	strcpy(st->algs, "aes256-sha256-modp2048");
	ck_assert(addr_parse("198.51.100.1", &st->local));
	ck_assert(addr_parse("2001:db8::7", &st->remote));
	st->local_port = 4500;
	st->remote_port = 500;
	strcpy(st->local_id, "fqdn:gw.example.com");
	strcpy(st->remote_id, "ip:2001:db8::7");
	st->nat_t = 1;
	st->spi_i = 0x0123456789abcdefULL;
	st->spi_r = UINT64_MAX;
	st->rekey_at = 1700003600;
	st->start = ctl_start_name("on-traffic");
	strcpy(st->reason, "psk-mismatch");
	strcpy(st->detail, "message 5 did not decrypt | really");
	strcpy(st->hint, "check `psk` (watch for = signs)");
	st->attempts = 3;
	st->last_failure = 1700000020;
	st->n_children = 2;
	for (unsigned i = 0; i < 2; i++) {
		c = &st->children[i];
		c->id = i + 1;
		c->state = i ? P2_REKEYING : P2_ESTABLISHED;
		c->since = 1700000100 + i;
		strcpy(c->algs, "aes256gcm16");
		c->pfs_group = 14;
		c->pfs_verified = (int)i;
		c->spi_in = 0xc1f0e2a3;
		c->spi_out = 0x0a9b8c7d + i;
		c->rekey_at = 1700001000;
		c->bytes_in = 1234567;
		c->bytes_out = UINT64_MAX;
		c->packets_in = 1034;
		c->packets_out = 2871;
		c->n_pairs = 1;
		c->pairs[0].local = sn("192.168.1.0/24");
		c->pairs[0].remote = sn(i ? "172.10.2.0/24" : "172.10.1.0/24");
	}
	st->n_coverage = 3;
	st->cov[0] = (struct coverage){ sn("192.168.1.0/24"), sn("172.10.1.0/24"), 1, "" };
	st->cov[1] = (struct coverage){ sn("192.168.1.0/24"), sn("172.10.2.0/24"), 2, "" };
	st->cov[2] = (struct coverage){ sn("192.168.2.0/24"), sn("fd00::/8"), 0,
					"peer narrowed; retry in 30s | x" };
}

struct collect {
	struct conn_status *got;
	unsigned n;
};

static int collect(const struct conn_status *st, void *arg)
{
	struct collect *c = arg;

	if (c->n < 2)
		memcpy(&c->got[c->n], st, sizeof(*st));
	c->n++;
	return 0;
}

/* Entries past n_children/n_coverage are not part of the value. */
static void same_status(const struct conn_status *a, const struct conn_status *b)
{
	ck_assert_int_eq(memcmp(a, b, offsetof(struct conn_status, children)), 0);
	ck_assert_uint_eq(a->n_children, b->n_children);
	ck_assert_uint_eq(a->n_coverage, b->n_coverage);
	ck_assert_int_eq(memcmp(a->children, b->children,
				a->n_children * sizeof(a->children[0])), 0);
	ck_assert_int_eq(memcmp(a->cov, b->cov, a->n_coverage * sizeof(a->cov[0])), 0);
}

START_TEST(status_round_trip)
{
	struct conn_status *in = calloc(2, sizeof(*in));
	struct collect c = { calloc(2, sizeof(*in)), 0 };
	struct wbuf wb;

	fill(&in[0]);
	memset(&in[1], 0, sizeof(in[1]));
	strcpy(in[1].name, "lab");
	in[1].ike_version = 2;
	wbuf_init(&wb, CTL_MAX_REPLY);
	ck_assert_int_eq(ctl_status_write(&wb, &in[0]), 0);
	ck_assert_int_eq(ctl_status_write(&wb, &in[1]), 0);
	ck_assert_int_eq(ctl_status_parse((char *)wb.p, wb.len, collect, &c), 0);
	ck_assert_uint_eq(c.n, 2);
	/* every field, byte for byte: both were zeroed before filling */
	ck_assert(c.got[0].start == in[0].start);
	same_status(&c.got[0], &in[0]);
	same_status(&c.got[1], &in[1]);
	wbuf_free(&wb);
	free(in);
	free(c.got);
}
END_TEST

START_TEST(status_values_stay_on_one_line)
{
	struct conn_status *st = calloc(1, sizeof(*st));
	struct collect c = { calloc(2, sizeof(*st)), 0 };
	struct wbuf wb;

	strcpy(st->name, "x");
	strcpy(st->detail, "two\nlines\x01\x7f");
	wbuf_init(&wb, CTL_MAX_REPLY);
	ck_assert_int_eq(ctl_status_write(&wb, st), 0);
	ck_assert_ptr_null(memmem(wb.p, wb.len, "\n\n", 2));
	ck_assert_int_eq(ctl_status_parse((char *)wb.p, wb.len, collect, &c), 0);
	ck_assert_str_eq(c.got[0].detail, "two?lines??");
	wbuf_free(&wb);
	free(st);
	free(c.got);
}
END_TEST

static const char *const bad_status[] = {
	"conn=x\nphase1=flying\n",
	"conn=x\nsince=-1\n",
	"conn=x\nsince=18446744073709551616\n",
	"conn=x\nlocal_port=65536\n",
	"conn=x\nlocal=300.1.1.1\n",
	"conn=x\nchild=1\nstate=up\n",
	"conn=x\nchild=1\npair=10.0.0.0/8\n",
	"conn=x\nchild=1\npair=10.0.0.1/8|10.1.0.0/16\n",
	"conn=x\ncov=10.0.0.0/8|10.1.0.0/16|1\n",
	"conn=x\ncov=10.0.0.0/8|10.1.0.0/16|1|n\nchild=2\n",
	"conn=x\ncov=10.0.0.0/8|10.1.0.0/16|1|n\nphase1=down\n",
	"conn=x\nnoequals\n",
	"conn=\n",
	"conn=x\nspi_i=zz\n",
	"conn=x\nmode=sideways\n",
};

static int ignore(const struct conn_status *st, void *arg)
{
	(void)st;
	(void)arg;
	return 0;
}

START_TEST(status_parser_rejects)
{
	const char *s = bad_status[_i];

	ck_assert_int_eq(ctl_status_parse(s, strlen(s), ignore, NULL), -EBADMSG);
}
END_TEST

START_TEST(status_parser_caps_children)
{
	struct wbuf wb;

	wbuf_init(&wb, CTL_MAX_REPLY);
	ctl_put_kv(&wb, "conn", "x");
	for (unsigned i = 0; i <= STATUS_MAX_CHILDREN; i++)
		ctl_put_kvf(&wb, "child", "%u", i);
	ck_assert_int_eq(ctl_status_parse((char *)wb.p, wb.len, ignore, NULL), -EBADMSG);
	/* unknown keys from a newer daemon are skipped */
	wbuf_reset(&wb);
	ctl_put_kv(&wb, "conn", "x");
	ctl_put_kv(&wb, "future_field", "1");
	ck_assert_int_eq(ctl_status_parse((char *)wb.p, wb.len, ignore, NULL), 0);
	wbuf_free(&wb);
}
END_TEST

START_TEST(reply_trailer)
{
	static const char ok[] = "added=x\nerrno=0\nmsg=reloaded\n\n";
	static const char e[] = "errno=2\nmsg=no connection 'x'\n\n";
	static const char *const broken[] = {
		"errno=0\nmsg=x\n", "msg=x\n\n", "errno=\nmsg=x\n\n",
		"errno=99999\nmsg=x\n\n", "errno=-1\nmsg=x\n\n", "\n\n", "",
		"errno=0\nmgs=x\n\n",
	};
	size_t dl;
	int err;
	char msg[64];

	ck_assert_int_eq(ctl_reply_parse(ok, strlen(ok), &dl, &err, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(dl, 8);
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(msg, "reloaded");
	ck_assert_int_eq(ctl_reply_parse(e, strlen(e), &dl, &err, msg, 8), 0);
	ck_assert_int_eq(err, ENOENT);
	ck_assert_str_eq(msg, "no conn");
	ck_assert_uint_eq(dl, 0);
	for (unsigned i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		ck_assert_int_eq(ctl_reply_parse(broken[i], strlen(broken[i]), &dl,
						 &err, msg, sizeof(msg)), -EBADMSG);
}
END_TEST

START_TEST(put_end_and_overlong_value)
{
	struct wbuf wb;
	char *v = malloc(CTL_MAX_LINE * 2);

	memset(v, 'v', CTL_MAX_LINE * 2 - 1);
	v[CTL_MAX_LINE * 2 - 1] = 0;
	wbuf_init(&wb, CTL_MAX_REPLY);
	ctl_put_kv(&wb, "detail", v);
	ck_assert_uint_eq(wb.len, CTL_MAX_LINE + 1);	/* cut, newline kept */
	ck_assert_int_eq(ctl_put_end(&wb, -EINVAL, "bad\nrequest"), 0);
	ck_assert(memmem(wb.p, wb.len, "errno=22\nmsg=bad?request\n\n", 26) != NULL);
	wbuf_free(&wb);
	free(v);
}
END_TEST


/* ---- the server (ike/ctl.c) over a real socket in a private dir ---- */

static char dir[64], sock[96];
static unsigned reply_lines;

static int handler(void *arg, const struct ctl_req *req, struct wbuf *out,
		   char *msg, size_t msgsz)
{
	(void)arg;
	for (unsigned i = 0; i < reply_lines; i++)
		ctl_put_kvf(out, "line", "%05u %090u", i, 0u);
	snprintf(msg, msgsz, "handled %s", ctl_verb_name(req->verb));
	return 0;
}

static uint64_t stop_at;
static uint64_t stop_next(void *arg)
{
	(void)arg;
	return stop_at;
}

static void stop_run(void *arg)
{
	stop_at = UINT64_MAX;
	loop_stop(arg, 0);
}

static void run_for(struct loop *l, unsigned ms)
{
	stop_at = loop_now_ms() + ms;
	ck_assert_int_eq(loop_run(l), 0);
}

static struct ctl *server(struct loop **l)
{
	struct ctl *c;

	strcpy(dir, "/tmp/check_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/run/sock", dir);
	ck_assert_int_eq(loop_new(l), 0);
	ck_assert_int_eq(loop_add_deadline(*l, stop_next, stop_run, *l), 0);
	ck_assert_int_eq(ctl_open(&c, *l, sock, handler, NULL), 0);
	return c;
}

/* ctl_close removed the socket and lock; remove the directories. */
static void server_done(struct ctl *c, struct loop *l)
{
	char run[128];

	ctl_close(c);
	loop_free(l);
	snprintf(run, sizeof(run), "%s/run", dir);
	ck_assert_int_eq(rmdir(run), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}

static int client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);

	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

START_TEST(server_lock_and_cleanup)
{
	struct loop *l;
	struct ctl *c = server(&l), *c2;
	struct stat st;
	char lock[128];

	ck_assert_int_eq(ctl_open(&c2, l, sock, handler, NULL), -EADDRINUSE);
	ck_assert_int_eq(stat(sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	snprintf(lock, sizeof(lock), "%s.lock", sock);
	ck_assert_int_eq(access(lock, F_OK), 0);
	server_done(c, l);
	ck_assert_int_ne(access(sock, F_OK), 0);
	ck_assert_int_ne(access(lock, F_OK), 0);
}
END_TEST

/* A reply far larger than the socket buffer: several messages, each at
 * most CTL_MSG_MAX and ending at a line, the trailer only in the last. */
START_TEST(server_splits_large_reply)
{
	struct loop *l;
	struct ctl *c = server(&l);
	struct wbuf all;
	char *m = malloc(CTL_MSG_MAX * 2);
	int fd = client(), msgs = 0, err;
	size_t dl;
	char msg[64];

	reply_lines = 6000;		/* about 600 KB */
	wbuf_init(&all, CTL_MAX_REPLY);
	ck_assert_int_eq(send(fd, "cmd=status\n\n", 12, 0), 12);
	for (int rounds = 0; rounds < 500; rounds++) {
		ssize_t n;
		run_for(l, 5);
		while ((n = recv(fd, m, CTL_MSG_MAX * 2, 0)) > 0) {
			ck_assert_int_le(n, CTL_MSG_MAX);
			ck_assert_int_eq(m[n - 1], '\n');
			ck_assert_int_eq(wbuf_put(&all, m, (size_t)n), 0);
			msgs++;
			if (n >= 2 && m[n - 2] == '\n')
				goto done;
		}
	}
	ck_abort_msg("no complete reply");
done:
	ck_assert_int_gt(msgs, 30);
	ck_assert_int_eq(ctl_reply_parse((char *)all.p, all.len, &dl, &err, msg,
					 sizeof(msg)), 0);
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(msg, "handled status");
	ck_assert_uint_eq(dl, 6000u * 102);
	close(fd);
	wbuf_free(&all);
	free(m);
	server_done(c, l);
}
END_TEST

START_TEST(server_bad_request_then_good)
{
	struct loop *l;
	struct ctl *c = server(&l);
	char m[512];
	int fd = client();
	ssize_t n;

	reply_lines = 0;
	ck_assert_int_eq(send(fd, "cmd=status\nx=y\n\n", 16, 0), 16);
	run_for(l, 20);
	n = recv(fd, m, sizeof(m) - 1, 0);
	ck_assert_int_gt(n, 0);
	m[n] = 0;
	ck_assert_str_eq(m, "errno=22\nmsg=bad request: unknown key\n\n");
	ck_assert_int_eq(send(fd, "cmd=reload\n\n", 12, 0), 12);
	run_for(l, 20);
	n = recv(fd, m, sizeof(m) - 1, 0);
	ck_assert_int_gt(n, 0);
	m[n] = 0;
	ck_assert_str_eq(m, "errno=0\nmsg=handled reload\n\n");
	close(fd);
	server_done(c, l);
}
END_TEST

START_TEST(server_closes_idle_clients)
{
	struct loop *l;
	struct ctl *c = server(&l);
	int idle, busy;
	char m[64];

	ctl_set_idle_timeout(c, 100);
	idle = client();
	busy = client();
	run_for(l, 60);
	ck_assert_int_eq(send(busy, "cmd=status\n\n", 12, 0), 12);
	run_for(l, 60);		/* idle: 120 ms without a word */
	ck_assert_int_eq(recv(idle, m, sizeof(m), 0), 0);	/* EOF */
	ck_assert_int_gt(recv(busy, m, sizeof(m), 0), 0);	/* still served */
	close(idle);
	close(busy);
	server_done(c, l);
}
END_TEST

Suite *ctl_suite(void);
Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("proto");

	tcase_add_test(tc, good_requests);
	tcase_add_test(tc, diagnose_sample_encodes_and_parses_back);
	tcase_add_loop_test(tc, bad_requests, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, nul_and_limits);
	tcase_add_test(tc, build_parses_back);
	tcase_add_test(tc, status_round_trip);
	tcase_add_test(tc, status_values_stay_on_one_line);
	tcase_add_loop_test(tc, status_parser_rejects, 0,
			    sizeof(bad_status) / sizeof(bad_status[0]));
	tcase_add_test(tc, status_parser_caps_children);
	tcase_add_test(tc, reply_trailer);
	tcase_add_test(tc, put_end_and_overlong_value);
	suite_add_tcase(s, tc);
	tc = tcase_create("server");
	tcase_add_test(tc, server_lock_and_cleanup);
	tcase_add_test(tc, server_splits_large_reply);
	tcase_add_test(tc, server_bad_request_then_good);
	tcase_add_test(tc, server_closes_idle_clients);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
