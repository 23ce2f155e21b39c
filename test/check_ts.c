#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ts.h"

/* ---- fixtures ---- */

static void parse_net(const char *s, struct ike_subnet *out)
{
	bool host_bits;

	ck_assert_msg(subnet_parse(s, out, &host_bits), "subnet %s", s);
}

static unsigned parse_nets(const char *csv, struct ike_subnet *out)
{
	char tmp[512], *save = NULL;
	unsigned n = 0;

	snprintf(tmp, sizeof(tmp), "%s", csv);
	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
		parse_net(t, &out[n++]);
	return n;
}

static struct conf_conn conn;

static void mk_conn(const char *local, const char *remote)
{
	memset(&conn, 0, sizeof(conn));
	conn.n_local_subnets = parse_nets(local, conn.local_subnets);
	conn.n_remote_subnets = parse_nets(remote, conn.remote_subnets);
}

/* "10.0.0.0/24", "10.0.0.1-10.0.0.6", optionally " tcp80" (proto 6 port 80). */
static struct v2_ts mk_ts(const char *spec)
{
	struct v2_ts t = { .port_lo = 0, .port_hi = 65535 };
	char tmp[128], *dash, *sp;

	snprintf(tmp, sizeof(tmp), "%s", spec);
	sp = strchr(tmp, ' ');
	if (sp) {
		*sp++ = '\0';
		ck_assert(strncmp(sp, "tcp", 3) == 0);
		t.ipproto = 6;
		t.port_lo = t.port_hi = (uint16_t)atoi(sp + 3);
	}
	dash = strchr(tmp, '-');
	if (dash) {
		*dash = '\0';
		ck_assert(addr_parse(tmp, &t.lo) && addr_parse(dash + 1, &t.hi));
	} else {
		struct ike_subnet n;

		parse_net(tmp, &n);
		subnet_range(&n, &t.lo, &t.hi);
	}
	t.type = t.lo.family == AF_INET ? IKEV2_TS_IPV4_ADDR_RANGE : IKEV2_TS_IPV6_ADDR_RANGE;
	return t;
}

/* Semicolon-separated selectors. */
static void mk_set(struct v2_ts_set *s, const char *list)
{
	char tmp[1024], *save = NULL;

	memset(s, 0, sizeof(*s));
	snprintf(tmp, sizeof(tmp), "%s", list);
	for (char *t = strtok_r(tmp, ";", &save); t; t = strtok_r(NULL, ";", &save))
		s->ts[s->n++] = mk_ts(t);
}

static const char *set_str(const struct v2_ts_set *s)
{
	static char buf[1024];

	ts_set_fmt(s, buf, sizeof(buf));
	return buf;
}

static struct v2_ts_set tsi, tsr;
static struct ts_narrowed nw;

/* ---- building ---- */

START_TEST(from_subnets)
{
	struct v2_ts_set s;
	struct ike_subnet nets[2];

	parse_net("10.1.2.0/24", &nets[0]);
	parse_net("2001:db8::/32", &nets[1]);
	ck_assert_int_eq(ts_from_subnets(nets, 2, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.ts[0].type, IKEV2_TS_IPV4_ADDR_RANGE);
	ck_assert_uint_eq(s.ts[0].ipproto, 0);
	ck_assert_uint_eq(s.ts[0].port_lo, 0);
	ck_assert_uint_eq(s.ts[0].port_hi, 65535);
	ck_assert_uint_eq(s.ts[0].hi.a[3], 255);
	ck_assert_uint_eq(s.ts[1].type, IKEV2_TS_IPV6_ADDR_RANGE);
	ck_assert_str_eq(set_str(&s), "10.1.2.0/24, 2001:db8::/32");
	memset(&nets[1], 0, sizeof(nets[1]));
	ck_assert_int_eq(ts_from_subnets(nets, 2, &s), -EINVAL);
	ck_assert_int_eq(ts_from_subnets(nets, IKE_MAX_TS + 1, &s), -E2BIG);
}
END_TEST

/* ---- responder narrowing ---- */

struct narrow_case {
	const char *local, *remote;		/* our config */
	const char *tsi, *tsr;			/* peer's offer */
	enum ike_verdict v;
	uint16_t notify;
	const char *ans_remote, *ans_local;	/* our TSi, TSr answer */
	bool narrowed;
};

static const struct narrow_case narrow_cases[] = {
	/* equality */
	{ "10.1.0.0/16", "10.2.0.0/16", "10.2.0.0/16", "10.1.0.0/16",
	  IKE_OK, 0, "10.2.0.0/16", "10.1.0.0/16", false },
	/* the peer offers more: narrowed to ours */
	{ "10.1.0.0/16", "10.2.0.0/16", "10.0.0.0/8", "0.0.0.0/0",
	  IKE_OK, 0, "10.2.0.0/16", "10.1.0.0/16", true },
	/* the peer offers less: its selector is a subset, taken as is */
	{ "10.1.0.0/16", "10.2.0.0/16", "10.2.3.0/24", "10.1.7.0/24",
	  IKE_OK, 0, "10.2.3.0/24", "10.1.7.0/24", false },
	/* range intersection, not just equality */
	{ "10.1.0.0/24", "10.2.1.0/24", "10.2.0.128-10.2.1.100", "10.1.0.0/24",
	  IKE_OK, 0, "10.2.1.0-10.2.1.100", "10.1.0.0/24", true },
	/* a 2x2 offer narrowed to the one pair we have */
	{ "192.168.1.0/24", "172.10.2.0/24",
	  "172.10.1.0/24;172.10.2.0/24", "192.168.1.0/24;192.168.2.0/24",
	  IKE_OK, 0, "172.10.2.0/24", "192.168.1.0/24", true },
	/* several intersections per side */
	{ "10.1.0.0/24,10.1.2.0/24", "10.2.0.0/24", "10.2.0.0/23", "10.1.0.0/16",
	  IKE_OK, 0, "10.2.0.0/24", "10.1.0.0/24, 10.1.2.0/24", true },
	/* no intersection */
	{ "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.1.0.0/16",
	  IKE_REPLY_NOTIFY, IKEV2_N_TS_UNACCEPTABLE, "none", "none", false },
	{ "10.1.0.0/16", "10.2.0.0/16", "10.2.0.0/16", "10.9.0.0/16",
	  IKE_REPLY_NOTIFY, IKEV2_N_TS_UNACCEPTABLE, "none", "none", false },
	/* IPv6, and a v4 selector that meets nothing of a v6 config */
	{ "2001:db8:1::/48", "2001:db8:2::/48", "2001:db8::/32;10.2.0.0/16", "2001:db8:1:5::/64",
	  IKE_OK, 0, "2001:db8:2::/48", "2001:db8:1:5::/64", true },
	{ "2001:db8:1::/48", "2001:db8:2::/48", "10.2.0.0/16", "10.1.0.0/16",
	  IKE_REPLY_NOTIFY, IKEV2_N_TS_UNACCEPTABLE, "none", "none", false },
	/* protocol and ports of the peer are kept */
	{ "10.1.0.0/16", "10.2.0.0/16", "10.2.0.0/16 tcp80", "10.1.0.0/24",
	  IKE_OK, 0, "10.2.0.0/16 proto 6 port 80", "10.1.0.0/24", false },
};

START_TEST(narrow_table)
{
	const struct narrow_case *c = &narrow_cases[_i];
	struct ike_result r;

	mk_conn(c->local, c->remote);
	mk_set(&tsi, c->tsi);
	mk_set(&tsr, c->tsr);
	r = ts_narrow(&conn, &tsi, &tsr, &nw);
	ck_assert_int_eq(r.v, c->v);
	ck_assert_uint_eq(r.notify, c->notify);
	if (c->v != IKE_OK)
		return;
	ck_assert_str_eq(set_str(&nw.remote), c->ans_remote);
	ck_assert_str_eq(set_str(&nw.local), c->ans_local);
	ck_assert_int_eq(nw.narrowed, c->narrowed);
	ck_assert(!nw.had_trigger);
	/* what we answer is always within what the peer offered */
	ck_assert_int_eq(ts_check_reply(&tsi, &tsr, &nw.remote, &nw.local).v, IKE_OK);
}
END_TEST

START_TEST(narrow_with_acquire_trigger)
{
	struct ike_result r;

	struct ike_addr src, dst;

	/* the initiator builds its offer around the acquired packet */
	mk_conn("10.1.0.0/16", "10.2.0.0/16");
	ck_assert_int_eq(ts_from_subnets(conn.local_subnets, 1, &tsi), 0);
	ck_assert_int_eq(ts_from_subnets(conn.remote_subnets, 1, &tsr), 0);
	ck_assert(addr_parse("10.1.0.9", &src) && addr_parse("10.2.0.5", &dst));
	ck_assert_int_eq(ts_prepend_trigger(&tsi, &src, 6, 80), 0);
	ck_assert_int_eq(ts_prepend_trigger(&tsr, &dst, 6, 80), 0);
	ck_assert_str_eq(set_str(&tsi), "10.1.0.9/32 proto 6 port 80, 10.1.0.0/16");
	ck_assert_str_eq(set_str(&tsr), "10.2.0.5/32 proto 6 port 80, 10.2.0.0/16");
	/* we are the responder: the initiator's TSi is our remote */
	mk_conn("10.2.0.0/16", "10.1.0.0/16");
	r = ts_narrow(&conn, &tsi, &tsr, &nw);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert(nw.had_trigger);
	ck_assert(nw.trigger_covered);
	ck_assert_str_eq(set_str(&nw.remote), "10.1.0.0/16");
	ck_assert_str_eq(set_str(&nw.local), "10.2.0.0/16");
	ck_assert(!nw.narrowed);

	/* we only have part: the packet's addresses are outside it */
	mk_conn("10.2.1.0/24", "10.1.0.0/16");
	r = ts_narrow(&conn, &tsi, &tsr, &nw);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert(nw.had_trigger);
	ck_assert(!nw.trigger_covered);
	ck_assert(nw.narrowed);
	ck_assert_str_eq(set_str(&nw.local), "10.2.1.0/24");
}
END_TEST

START_TEST(narrow_hostile)
{
	struct ike_result r;

	mk_conn("10.1.0.0/16", "10.2.0.0/16");
	mk_set(&tsi, "10.2.0.0/16");
	mk_set(&tsr, "10.1.0.0/16");
	/* start > end, mixed family, unknown type, bad ports: ignored */
	tsi.ts[1] = tsi.ts[0];
	tsi.ts[1].lo.a[1] = 9;
	tsi.ts[2] = tsi.ts[0];
	tsi.ts[2].hi.family = AF_INET6;
	tsi.ts[3] = tsi.ts[0];
	tsi.ts[3].type = 9;
	tsi.ts[4] = tsi.ts[0];
	tsi.ts[4].port_lo = 80;
	tsi.ts[4].port_hi = 79;
	tsi.ts[5] = tsi.ts[0];
	tsi.ts[5].type = IKEV2_TS_IPV6_ADDR_RANGE;
	tsi.n = 6;
	for (unsigned i = 1; i < 6; i++)
		ck_assert_msg(!ts_valid(&tsi.ts[i], NULL), "ts %u valid", i);
	r = ts_narrow(&conn, &tsi, &tsr, &nw);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_str_eq(set_str(&nw.remote), "10.2.0.0/16");
	ck_assert(nw.narrowed);
	/* only hostile selectors left */
	tsi.ts[0] = tsi.ts[1];
	r = ts_narrow(&conn, &tsi, &tsr, &nw);
	ck_assert_uint_eq(r.notify, IKEV2_N_TS_UNACCEPTABLE);
	/* empty and oversized sets */
	tsi.n = 0;
	ck_assert_uint_eq(ts_narrow(&conn, &tsi, &tsr, &nw).notify, IKEV2_N_INVALID_SYNTAX);
	tsi.n = IKE_MAX_TS + 1;
	ck_assert_uint_eq(ts_narrow(&conn, &tsi, &tsr, &nw).notify, IKEV2_N_INVALID_SYNTAX);
	/* OPAQUE ports are legal */
	tsi.n = 1;
	tsi.ts[0] = mk_ts("10.2.0.0/16");
	tsi.ts[0].port_lo = 65535;
	tsi.ts[0].port_hi = 0;
	ck_assert(ts_valid(&tsi.ts[0], NULL));
	ck_assert_int_eq(ts_narrow(&conn, &tsi, &tsr, &nw).v, IKE_OK);
	ck_assert_str_eq(set_str(&nw.remote), "10.2.0.0/16 port opaque");
}
END_TEST

START_TEST(narrow_output_is_capped)
{
	struct ike_result r;
	char spec[64];

	mk_conn("10.1.0.0/16", "10.2.0.0/16");
	memset(&tsi, 0, sizeof(tsi));
	for (unsigned i = 0; i < IKE_MAX_TS; i++) {
		snprintf(spec, sizeof(spec), "10.2.%u.0/24", 2 * i);
		tsi.ts[tsi.n++] = mk_ts(spec);
	}
	mk_set(&tsr, "10.1.0.0/16");
	r = ts_narrow(&conn, &tsi, &tsr, &nw);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(nw.remote.n, IKE_MAX_TS);
	ck_assert(!nw.narrowed);

	/* 32 port-specific /8s against 16 subnets: 512 intersections, cut */
	mk_conn("10.1.0.0/16", "10.2.0.0/24,10.3.0.0/24,10.4.0.0/24,10.5.0.0/24,"
		"10.6.0.0/24,10.7.0.0/24,10.8.0.0/24,10.9.0.0/24,10.10.0.0/24,"
		"10.11.0.0/24,10.12.0.0/24,10.13.0.0/24,10.14.0.0/24,10.15.0.0/24,"
		"10.16.0.0/24,10.17.0.0/24");
	ck_assert_uint_eq(conn.n_remote_subnets, 16);
	memset(&tsi, 0, sizeof(tsi));
	for (unsigned i = 0; i < IKE_MAX_TS; i++) {
		snprintf(spec, sizeof(spec), "10.0.0.0/8 tcp%u", 1000 + i);
		tsi.ts[tsi.n++] = mk_ts(spec);
	}
	r = ts_narrow(&conn, &tsi, &tsr, &nw);
	ck_assert_int_eq(r.v, IKE_OK);
	ck_assert_uint_eq(nw.remote.n, IKE_MAX_TS);
	ck_assert(nw.narrowed);
	ck_assert_int_eq(ts_check_reply(&tsi, &tsr, &nw.remote, &nw.local).v, IKE_OK);
}
END_TEST

START_TEST(mismatch_text)
{
	char buf[256];

	mk_conn("10.1.0.0/16", "10.2.0.0/16");
	mk_set(&tsi, "10.3.0.0/16");
	mk_set(&tsr, "10.1.0.0/16");
	ts_mismatch_fmt(&conn, &tsr, &tsi, buf, sizeof(buf));
	ck_assert_str_eq(buf, "remote_subnets: ours 10.2.0.0/16; peer offered 10.3.0.0/16");
	mk_set(&tsr, "10.1.0.1-10.1.0.6");
	mk_set(&tsi, "10.2.0.0/16");
	mk_conn("10.9.0.0/16", "10.2.0.0/16");
	ts_mismatch_fmt(&conn, &tsr, &tsi, buf, sizeof(buf));
	ck_assert_str_eq(buf, "local_subnets: ours 10.9.0.0/16; peer offered 10.1.0.1-10.1.0.6");
	mk_set(&tsi, "10.7.0.0/16");
	ts_mismatch_fmt(&conn, &tsr, &tsi, buf, sizeof(buf));
	ck_assert_str_eq(buf, "local_subnets: ours 10.9.0.0/16; peer offered 10.1.0.1-10.1.0.6; "
			      "remote_subnets: ours 10.2.0.0/16; peer offered 10.7.0.0/16");
}
END_TEST

/* ---- initiator ---- */

START_TEST(check_reply_subset)
{
	struct v2_ts_set oi, or_, ri, rr;

	mk_set(&oi, "10.1.0.0/24;10.1.1.0/24");
	mk_set(&or_, "10.2.0.0/16;2001:db8::/32");
	mk_set(&ri, "10.1.0.0/24");
	mk_set(&rr, "10.2.5.0/24");
	ck_assert_int_eq(ts_check_reply(&oi, &or_, &ri, &rr).v, IKE_OK);
	/* spanning two adjacent offered selectors is still within */
	mk_set(&ri, "10.1.0.128-10.1.1.10");
	ck_assert_int_eq(ts_check_reply(&oi, &or_, &ri, &rr).v, IKE_OK);
	mk_set(&rr, "2001:db8:5::/48");
	ck_assert_int_eq(ts_check_reply(&oi, &or_, &ri, &rr).v, IKE_OK);
	/* wider than offered */
	mk_set(&ri, "10.1.0.0/16");
	ck_assert_uint_eq(ts_check_reply(&oi, &or_, &ri, &rr).notify, IKEV2_N_TS_UNACCEPTABLE);
	mk_set(&ri, "10.1.0.0/24");
	mk_set(&rr, "10.3.0.0/24");
	ck_assert_uint_eq(ts_check_reply(&oi, &or_, &ri, &rr).notify, IKEV2_N_TS_UNACCEPTABLE);
	/* empty, invalid */
	rr.n = 0;
	ck_assert_int_ne(ts_check_reply(&oi, &or_, &ri, &rr).v, IKE_OK);
	mk_set(&rr, "10.2.0.0/24");
	rr.ts[0].type = 77;
	ck_assert_int_ne(ts_check_reply(&oi, &or_, &ri, &rr).v, IKE_OK);
	/* port-restricted offer does not carry a whole-port reply */
	mk_set(&oi, "10.1.0.0/24 tcp80");
	mk_set(&ri, "10.1.0.0/24");
	mk_set(&rr, "10.2.0.0/24");
	ck_assert_int_ne(ts_check_reply(&oi, &or_, &ri, &rr).v, IKE_OK);
	mk_set(&ri, "10.1.0.0/25 tcp80");
	ck_assert_int_eq(ts_check_reply(&oi, &or_, &ri, &rr).v, IKE_OK);
}
END_TEST

START_TEST(pairs_2x2)
{
	bool cov[CONF_MAX_SUBNETS][CONF_MAX_SUBNETS];
	struct ts_pair miss[8];
	struct v2_ts_set l, r;

	mk_conn("192.168.1.0/24,192.168.2.0/24", "172.10.1.0/24,172.10.2.0/24");
	/* the responder narrowed to local 192.168.1.0/24 only */
	mk_set(&l, "192.168.1.0/24");
	mk_set(&r, "172.10.1.0/24;172.10.2.0/24");
	ck_assert_uint_eq(ts_covered_pairs(&conn, &l, &r, cov), 2);
	ck_assert(cov[0][0] && cov[0][1] && !cov[1][0] && !cov[1][1]);
	ck_assert_uint_eq(ts_uncovered_pairs(&conn, cov, miss, 8), 2);
	ck_assert_uint_eq(miss[0].l, 1);
	ck_assert_uint_eq(miss[0].r, 0);
	ck_assert_uint_eq(miss[1].l, 1);
	ck_assert_uint_eq(miss[1].r, 1);
	ck_assert_uint_eq(ts_uncovered_pairs(&conn, cov, miss, 1), 1);

	/* the pair TS for the missing one */
	ck_assert_int_eq(ts_for_pair(&conn, miss[0], &l, &r), 0);
	ck_assert_str_eq(set_str(&l), "192.168.2.0/24");
	ck_assert_str_eq(set_str(&r), "172.10.1.0/24");
	ck_assert_int_eq(ts_for_pair(&conn, (struct ts_pair){ 2, 0 }, &l, &r), -EINVAL);

	/* all four by a wider selector, or two halves that add up */
	mk_set(&l, "192.168.0.0/16");
	mk_set(&r, "172.10.1.0/25;172.10.1.128/25;172.10.2.0-172.10.2.255");
	ck_assert_uint_eq(ts_covered_pairs(&conn, &l, &r, cov), 4);
	ck_assert_uint_eq(ts_uncovered_pairs(&conn, cov, miss, 8), 0);
	/* a half alone, or a port-restricted selector, covers nothing */
	mk_set(&r, "172.10.1.0/25;172.10.2.0/24 tcp443");
	ck_assert_uint_eq(ts_covered_pairs(&conn, &l, &r, cov), 0);
}
END_TEST

/* ---- ranges to CIDRs ---- */

START_TEST(range_to_cidrs)
{
	struct ike_subnet out[TS_MAX_CIDRS];
	struct ike_addr lo, hi;
	char buf[IKE_SUBNETSTRLEN];
	static const char *const want[] = { "10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32" };

	ck_assert(addr_parse("10.0.0.1", &lo) && addr_parse("10.0.0.6", &hi));
	ck_assert_int_eq(ts_range_to_subnets(&lo, &hi, out, TS_MAX_CIDRS), 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_str_eq(subnet_fmt(&out[i], buf), want[i]);
	ck_assert_int_eq(ts_range_to_subnets(&lo, &hi, out, 3), -E2BIG);
	ck_assert_int_eq(ts_range_to_subnets(&hi, &lo, out, 8), -EINVAL);

	ck_assert(addr_parse("0.0.0.0", &lo) && addr_parse("255.255.255.255", &hi));
	ck_assert_int_eq(ts_range_to_subnets(&lo, &hi, out, 1), 1);
	ck_assert_str_eq(subnet_fmt(&out[0], buf), "0.0.0.0/0");

	ck_assert(addr_parse("10.0.0.0", &lo) && addr_parse("10.0.0.0", &hi));
	ck_assert_int_eq(ts_range_to_subnets(&lo, &hi, out, 1), 1);
	ck_assert_str_eq(subnet_fmt(&out[0], buf), "10.0.0.0/32");

	ck_assert(addr_parse("192.168.0.0", &lo) && addr_parse("192.168.3.255", &hi));
	ck_assert_int_eq(ts_range_to_subnets(&lo, &hi, out, 1), 1);
	ck_assert_str_eq(subnet_fmt(&out[0], buf), "192.168.0.0/22");

	/* the worst IPv6 case fits the documented bound */
	ck_assert(addr_parse("::1", &lo) &&
		  addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", &hi));
	ck_assert_int_eq(ts_range_to_subnets(&lo, &hi, out, TS_MAX_CIDRS), 254);
	ck_assert_str_eq(subnet_fmt(&out[0], buf), "::1/128");
	ck_assert_str_eq(subnet_fmt(&out[253], buf), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128");

	/* mixed families */
	ck_assert(addr_parse("10.0.0.0", &lo) && addr_parse("::1", &hi));
	ck_assert_int_eq(ts_range_to_subnets(&lo, &hi, out, 8), -EINVAL);
}
END_TEST

START_TEST(formats)
{
	char buf[128];
	struct v2_ts t = mk_ts("10.0.0.1-10.0.0.6 tcp80");

	ts_fmt(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0.0.1-10.0.0.6 proto 6 port 80");
	t = mk_ts("2001:db8::/64");
	t.port_lo = 1000;
	t.port_hi = 2000;
	ts_fmt(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::/64 port 1000-2000");
	t.type = 3;
	ts_fmt(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "(invalid selector)");
	ck_assert_uint_eq(ts_fmt(&t, buf, 4), 3);
	ck_assert_str_eq(buf, "(in");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ts");
	TCase *t = tcase_create("core");

	tcase_add_test(t, from_subnets);
	tcase_add_loop_test(t, narrow_table, 0, sizeof(narrow_cases) / sizeof(narrow_cases[0]));
	tcase_add_test(t, narrow_with_acquire_trigger);
	tcase_add_test(t, narrow_hostile);
	tcase_add_test(t, narrow_output_is_capped);
	tcase_add_test(t, mismatch_text);
	tcase_add_test(t, check_reply_subset);
	tcase_add_test(t, pairs_2x2);
	tcase_add_test(t, range_to_cidrs);
	tcase_add_test(t, formats);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
