/* The "nat" check's parser: would the nat POSTROUTING rules rewrite a
 * packet of the tunnel before IPsec sees it?
 *
 * Legacy iptables has no stable netlink API, so the rules are read as
 * the text `iptables-save -t nat` and `nft list ruleset` print.  The
 * text is untrusted in the sense that it must never crash us: every
 * line, token, chain and jump is bounded, and a rule set too deep to
 * follow gives -E2BIG ("not proven either way") instead of a guess.
 *
 * Each rule is evaluated for the whole subnet pair at once: every match
 * says whether it holds for none, some or all packets from l to r, and
 * a rule's coverage is the least of its matches.  A MASQUERADE/SNAT
 * that covers some packets is a hit; an ACCEPT/RETURN ends the chain only
 * when it covers all of them (an exemption that lets part of the pair
 * through still leaves the rest to the NAT rule after it).  Matches we
 * do not model (ports, marks, conntrack...) count as "some".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"

#define NAT_MAX_LINES	8192
#define NAT_MAX_TOKENS	96
#define NAT_MAX_DEPTH	8
#define NAT_BUDGET	5000	/* rule evaluations per scan */

enum cover { C_NONE, C_SOME, C_ALL };
enum walk { W_CONT, W_RETURN, W_STOP, W_HIT };
enum target { T_NONE, T_REWRITE, T_ACCEPT, T_RETURN, T_JUMP, T_GOTO, T_OTHER };

struct tok {
	const char *p;
	size_t n;
};

struct line {
	const char *p;
	size_t n;
	int chain;		/* nft: index into chains */
	struct tok name;	/* iptables: the chain after "-A" */
};

struct nft_chain {
	struct tok family, table, name;
	bool nat_post;
};

struct scan {
	const struct ike_subnet *l, *r;
	const char *oif;
	bool nft;
	struct line lines[NAT_MAX_LINES];
	unsigned n_lines;
	struct nft_chain chains[256];
	unsigned n_chains;
	unsigned budget;
	bool overflow;
	char *rule;
	size_t rulesz;
};

static bool tok_is(const struct tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->n == n && memcmp(t->p, s, n) == 0;
}

static bool tok_eq(const struct tok *a, const struct tok *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* Split on blanks; a token opening with '"' runs to the closing quote
 * (backslash escapes one character).  Returns max + 1 when there are
 * more tokens than max. */
static unsigned tokenize(const char *p, size_t n, struct tok *t, unsigned max)
{
	unsigned k = 0;
	size_t i = 0;

	while (i < n) {
		size_t s;

		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ';'))
			i++;
		if (i == n)
			break;
		if (k == max)
			return max + 1;
		s = i;
		if (p[i] == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				if (p[i] == '\\' && i + 1 < n)
					i++;
			if (i < n)
				i++;
		} else {
			while (i < n && p[i] != ' ' && p[i] != '\t' && p[i] != ';')
				i++;
		}
		t[k].p = p + s;
		t[k].n = i - s;
		k++;
	}
	return k;
}

static enum cover negate(enum cover c, bool neg)
{
	if (!neg)
		return c;
	return c == C_ALL ? C_NONE : c == C_NONE ? C_ALL : C_SOME;
}

static enum cover min_cover(enum cover a, enum cover b)
{
	return a < b ? a : b;
}

/* How much of `ours` lies in the rule's address or prefix text. */
static enum cover net_cover(const struct ike_subnet *ours, const struct tok *t)
{
	char buf[IKE_SUBNETSTRLEN + 8];
	struct ike_subnet x;
	const char *s = buf;
	bool host_bits;

	if (t->n == 0 || t->n >= sizeof(buf))
		return C_SOME;
	memcpy(buf, t->p, t->n);
	buf[t->n] = 0;
	if (!strchr(buf, '/')) {
		struct ike_addr a;

		if (!addr_parse(buf, &a))
			return C_SOME;	/* a set, a name: not modelled */
		x.addr = a;
		x.plen = (uint8_t)(8 * addr_len(a.family));
	} else if (!subnet_parse(s, &x, &host_bits)) {
		return C_SOME;
	}
	if (x.addr.family != ours->addr.family)
		return C_NONE;
	if (x.plen <= ours->plen && subnet_contains(&x, &ours->addr))
		return C_ALL;
	if (ours->plen <= x.plen && subnet_contains(ours, &x.addr))
		return C_SOME;
	return C_NONE;
}

/* iptables "eth+" and nft "eth*" are prefix wildcards; quotes dropped. */
static enum cover iface_cover(const char *oif, const struct tok *t)
{
	const char *p = t->p;
	size_t n = t->n, ol = strlen(oif);

	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	if (!ol)
		return C_SOME;
	if (n && (p[n - 1] == '+' || p[n - 1] == '*'))
		return ol >= n - 1 && memcmp(oif, p, n - 1) == 0 ? C_ALL : C_NONE;
	return ol == n && memcmp(oif, p, n) == 0 ? C_ALL : C_NONE;
}

static enum target target_kind(const struct tok *t)
{
	if (tok_is(t, "MASQUERADE") || tok_is(t, "SNAT") || tok_is(t, "NETMAP") ||
	    tok_is(t, "masquerade") || tok_is(t, "snat"))
		return T_REWRITE;
	if (tok_is(t, "ACCEPT") || tok_is(t, "accept"))
		return T_ACCEPT;
	if (tok_is(t, "RETURN") || tok_is(t, "return"))
		return T_RETURN;
	return T_OTHER;
}

struct verdict {
	enum cover cov;
	enum target target;
	struct tok chain;	/* T_JUMP / T_GOTO */
};

/* xt_policy: "--dir out --pol ipsec" is exactly the tunnel's traffic. */
struct policy_match {
	bool seen, dir_out, pol_ipsec, pol_none, extra;
};

static enum cover policy_cover(const struct policy_match *m)
{
	if (!m->seen)
		return C_ALL;
	if (!m->dir_out || m->extra)
		return C_SOME;
	return m->pol_ipsec ? C_ALL : m->pol_none ? C_NONE : C_SOME;
}

/* Skip an option's values: the tokens up to the next one that looks
 * like an option.  Returns the index of the last value. */
static unsigned skip_values(const struct tok *t, unsigned i, unsigned n)
{
	while (i + 1 < n && t[i + 1].n && t[i + 1].p[0] != '-' && !tok_is(&t[i + 1], "!"))
		i++;
	return i;
}

static void ipt_option(const struct scan *sc, const struct tok *t, unsigned *ip,
		       unsigned n, bool neg, enum cover *cov, struct policy_match *pm)
{
	unsigned i = *ip;
	const struct tok *o = &t[i], *v = i + 1 < n ? &t[i + 1] : NULL;
	enum cover c = C_SOME;

	if ((tok_is(o, "-s") || tok_is(o, "--source")) && v)
		c = net_cover(sc->l, v), i++;
	else if ((tok_is(o, "-d") || tok_is(o, "--destination")) && v)
		c = net_cover(sc->r, v), i++;
	else if ((tok_is(o, "-o") || tok_is(o, "--out-interface")) && v)
		c = iface_cover(sc->oif, v), i++;
	else if ((tok_is(o, "-p") || tok_is(o, "--protocol")) && v)
		c = tok_is(v, "all") || tok_is(v, "0") ? C_ALL : C_SOME, i++;
	else if ((tok_is(o, "-m") || tok_is(o, "--match")) && v) {
		pm->seen |= tok_is(v, "policy");
		c = C_ALL, i++;
	} else if (tok_is(o, "--comment") && v) {
		c = C_ALL, i++;
	} else if (tok_is(o, "--dir") && v) {
		pm->dir_out = tok_is(v, "out");
		c = C_ALL, i++;
	} else if (tok_is(o, "--pol") && v) {
		pm->pol_ipsec = tok_is(v, "ipsec") != neg;
		pm->pol_none = tok_is(v, "none") != neg;
		c = C_ALL, i++, neg = false;
	} else {
		if (pm->seen)
			pm->extra = true;
		i = skip_values(t, i, n);
	}
	*cov = min_cover(*cov, negate(c, neg));
	*ip = i;
}

static struct verdict ipt_eval(const struct scan *sc, const struct tok *t, unsigned n)
{
	struct verdict v = { C_ALL, T_NONE, { NULL, 0 } };
	struct policy_match pm = { 0 };
	bool neg = false;

	for (unsigned i = 2; i < n; i++) {
		if (tok_is(&t[i], "!")) {
			neg = true;
			continue;
		}
		if ((tok_is(&t[i], "-j") || tok_is(&t[i], "--jump") ||
		     tok_is(&t[i], "-g") || tok_is(&t[i], "--goto")) && i + 1 < n) {
			bool go = tok_is(&t[i], "-g") || tok_is(&t[i], "--goto");

			v.target = target_kind(&t[i + 1]);
			if (v.target == T_OTHER) {
				v.target = go ? T_GOTO : T_JUMP;
				v.chain = t[i + 1];
			}
			break;
		}
		ipt_option(sc, t, &i, n, neg, &v.cov, &pm);
		neg = false;
	}
	v.cov = min_cover(v.cov, policy_cover(&pm));
	return v;
}

static void note_rule(struct scan *sc, const struct line *ln)
{
	size_t n = ln->n;

	if (!sc->rulesz)
		return;
	if (n >= sc->rulesz)
		n = sc->rulesz - 1;
	memcpy(sc->rule, ln->p, n);
	sc->rule[n] = 0;
}

static bool rule_in_chain(const struct scan *sc, const struct line *ln,
			  const struct tok *chain, int chain_idx, struct tok *t,
			  unsigned *n)
{
	if (sc->nft ? ln->chain != chain_idx : !tok_eq(&ln->name, chain))
		return false;
	*n = tokenize(ln->p, ln->n, t, NAT_MAX_TOKENS);
	return true;
}

static struct verdict nft_eval(const struct scan *sc, const struct tok *t, unsigned n);
static int nft_find_chain(const struct scan *sc, int from, const struct tok *name);

static enum walk walk(struct scan *sc, const struct tok *chain, int chain_idx,
		      unsigned depth);

static enum walk follow(struct scan *sc, const struct verdict *v, int chain_idx,
			unsigned depth)
{
	int sub = -1;

	if (depth >= NAT_MAX_DEPTH) {
		sc->overflow = true;
		return W_CONT;
	}
	if (sc->nft) {
		sub = nft_find_chain(sc, chain_idx, &v->chain);
		if (sub < 0)
			return W_CONT;
	}
	return walk(sc, &v->chain, sub, depth + 1);
}

static enum walk walk(struct scan *sc, const struct tok *chain, int chain_idx,
		      unsigned depth)
{
	struct tok t[NAT_MAX_TOKENS + 1];

	for (unsigned i = 0; i < sc->n_lines; i++) {
		const struct line *ln = &sc->lines[i];
		struct verdict v;
		enum walk w;
		unsigned n;

		if (!rule_in_chain(sc, ln, chain, chain_idx, t, &n))
			continue;
		if (!sc->budget--) {
			sc->overflow = true;
			return W_STOP;
		}
		if (n > NAT_MAX_TOKENS)
			v = (struct verdict){ C_SOME, T_OTHER, { NULL, 0 } };
		else
			v = sc->nft ? nft_eval(sc, t, n) : ipt_eval(sc, t, n);
		if (v.cov == C_NONE)
			continue;
		switch (v.target) {
		case T_REWRITE:
			note_rule(sc, ln);
			return W_HIT;
		case T_ACCEPT:
			if (v.cov == C_ALL)
				return W_STOP;
			break;
		case T_RETURN:
			if (v.cov == C_ALL)
				return W_RETURN;
			break;
		case T_JUMP:
		case T_GOTO:
			w = follow(sc, &v, chain_idx, depth);
			if (w == W_HIT || sc->overflow)
				return w == W_HIT ? W_HIT : W_STOP;
			if (v.cov == C_ALL && (w == W_STOP || v.target == T_GOTO))
				return w == W_STOP ? W_STOP : W_RETURN;
			break;
		default:
			break;
		}
	}
	return W_CONT;
}

/* ---- iptables-save ---- */

static const char *next_line(const char *p, const char *end, size_t *n)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	*n = (size_t)((nl ? nl : end) - p);
	return nl ? nl + 1 : end;
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t'))
		(*p)++, (*n)--;
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' ||
		      (*p)[*n - 1] == '\r'))
		(*n)--;
}

static int ipt_load(struct scan *sc, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool in_nat = false;

	while (p < end) {
		const char *s = p;
		size_t n;

		p = next_line(p, end, &n);
		trim(&s, &n);
		/* "iptables-save -c" prefixes counters: "[0:0] -A ..." */
		if (n && s[0] == '[') {
			const char *sp = memchr(s, ' ', n);

			if (!sp)
				continue;
			n -= (size_t)(sp - s);
			s = sp;
			trim(&s, &n);
		}
		if (n == 4 && memcmp(s, "*nat", 4) == 0)
			in_nat = true;
		else if (n && s[0] == '*')
			in_nat = false;
		else if (n == 6 && memcmp(s, "COMMIT", 6) == 0)
			in_nat = false;
		else if (in_nat && n > 3 && memcmp(s, "-A ", 3) == 0) {
			struct tok t[3];

			if (sc->n_lines == NAT_MAX_LINES)
				return -E2BIG;
			if (tokenize(s, n, t, 2) < 2)
				continue;
			sc->lines[sc->n_lines++] = (struct line){ s, n, -1, t[1] };
		}
	}
	return 0;
}

/* ---- nft list ruleset ---- */

static int nft_find_chain(const struct scan *sc, int from, const struct tok *name)
{
	const struct nft_chain *f = &sc->chains[from];

	for (unsigned i = 0; i < sc->n_chains; i++) {
		const struct nft_chain *c = &sc->chains[i];

		if (tok_eq(&c->name, name) && tok_eq(&c->table, &f->table) &&
		    tok_eq(&c->family, &f->family))
			return (int)i;
	}
	return -1;
}

static bool nft_family_fits(const struct tok *fam, int af)
{
	if (tok_is(fam, "inet"))
		return true;
	return tok_is(fam, af == AF_INET6 ? "ip6" : "ip");
}

/* One statement of a rule starting at t[*ip]; updates the coverage or
 * sets the verdict. */
static void nft_stmt(const struct scan *sc, const struct tok *t, unsigned *ip,
		     unsigned n, struct verdict *v)
{
	unsigned i = *ip;
	const struct tok *a = &t[i];
	const struct tok *b = i + 1 < n ? &t[i + 1] : NULL;
	enum cover c = C_SOME;
	bool neg = false;

	if ((tok_is(a, "ip") || tok_is(a, "ip6")) && b &&
	    (tok_is(b, "saddr") || tok_is(b, "daddr"))) {
		bool fam_ok = tok_is(a, "ip6") == (sc->l->addr.family == AF_INET6);
		const struct ike_subnet *s = tok_is(b, "saddr") ? sc->l : sc->r;

		i += 2;
		if (i < n && tok_is(&t[i], "!="))
			neg = true, i++;
		if (i < n && tok_is(&t[i], "{")) {
			while (i < n && !tok_is(&t[i], "}"))
				i++;
			c = C_SOME;
		} else if (i < n) {
			c = net_cover(s, &t[i]);
		}
		c = fam_ok ? negate(c, neg) : C_NONE;
	} else if ((tok_is(a, "oifname") || tok_is(a, "oif")) && b) {
		i++;
		if (tok_is(&t[i], "!=") && i + 1 < n)
			neg = true, i++;
		c = negate(iface_cover(sc->oif, &t[i]), neg);
	} else if ((tok_is(a, "meta") || tok_is(a, "rt")) && b && tok_is(b, "ipsec") &&
		   i + 2 < n) {
		/* rt ipsec: the route leads into IPsec (our outbound tunnel
		 * traffic); meta ipsec: the packet came out of IPsec, which
		 * LAN traffic toward the tunnel did not */
		bool out = tok_is(a, "rt");

		i += 2;
		c = tok_is(&t[i], "exists") ? (out ? C_ALL : C_NONE) :
		    tok_is(&t[i], "missing") ? (out ? C_NONE : C_ALL) : C_SOME;
	} else if (tok_is(a, "counter")) {
		c = C_ALL;
		if (i + 4 < n && tok_is(&t[i + 1], "packets"))
			i += 4;
	} else if (tok_is(a, "comment") && b) {
		c = C_ALL, i++;
	} else if ((tok_is(a, "jump") || tok_is(a, "goto")) && b) {
		v->target = tok_is(a, "jump") ? T_JUMP : T_GOTO;
		v->chain = *b;
		i = n;
		c = C_ALL;
	} else if (target_kind(a) != T_OTHER) {
		v->target = target_kind(a);
		i = n;
		c = C_ALL;
	}
	v->cov = min_cover(v->cov, c);
	*ip = i;
}

static struct verdict nft_eval(const struct scan *sc, const struct tok *t, unsigned n)
{
	struct verdict v = { C_ALL, T_NONE, { NULL, 0 } };

	for (unsigned i = 0; i < n && v.target == T_NONE; i++)
		nft_stmt(sc, t, &i, n, &v);
	return v;
}

static bool ends_with_brace(const char *s, size_t n)
{
	return n && s[n - 1] == '{';
}

/* Headers: "table ip nat {", "chain POSTROUTING {"; other blocks (sets,
 * maps, flowtables) are skipped with their contents. */
static int nft_open(struct scan *sc, const char *s, size_t n, unsigned depth,
		    struct tok *table_fam, struct tok *table_name, int *chain)
{
	struct tok t[8];
	unsigned k = tokenize(s, n, t, 7);

	if (depth == 0 && k == 4 && tok_is(&t[0], "table")) {
		*table_fam = t[1];
		*table_name = t[2];
	} else if (depth == 1 && k == 3 && tok_is(&t[0], "chain")) {
		if (sc->n_chains == sizeof(sc->chains) / sizeof(sc->chains[0]))
			return -E2BIG;
		sc->chains[sc->n_chains] = (struct nft_chain){ *table_fam, *table_name,
							       t[1], false };
		*chain = (int)sc->n_chains++;
	}
	return 0;
}

static int nft_load(struct scan *sc, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct tok fam = { "", 0 }, table = { "", 0 };
	unsigned depth = 0;
	int chain = -1;

	while (p < end) {
		const char *s = p;
		size_t n;
		int err;

		p = next_line(p, end, &n);
		trim(&s, &n);
		if (n == 1 && s[0] == '}') {
			if (depth)
				depth--;
			if (depth < 2)
				chain = -1;
			continue;
		}
		if (ends_with_brace(s, n)) {
			err = nft_open(sc, s, n, depth, &fam, &table, &chain);
			if (err)
				return err;
			depth++;
			continue;
		}
		if (depth != 2 || chain < 0 || !n || s[0] == '#')
			continue;
		if (memmem(s, n, "type nat hook postrouting", 25)) {
			sc->chains[chain].nat_post = true;
			continue;
		}
		if (sc->n_lines == NAT_MAX_LINES)
			return -E2BIG;
		sc->lines[sc->n_lines++] = (struct line){ s, n, chain, { "", 0 } };
	}
	return 0;
}

static int scan_run(struct scan *sc)
{
	static const struct tok post = { "POSTROUTING", 11 };
	enum walk w;

	if (!sc->nft) {
		w = walk(sc, &post, -1, 0);
		return w == W_HIT ? 1 : sc->overflow ? -E2BIG : 0;
	}
	/* every nat base chain at the hook sees the packet: an accept in
	 * one does not stop the next */
	for (unsigned i = 0; i < sc->n_chains; i++) {
		if (!sc->chains[i].nat_post ||
		    !nft_family_fits(&sc->chains[i].family, sc->l->addr.family))
			continue;
		w = walk(sc, &sc->chains[i].name, (int)i, 0);
		if (w == W_HIT)
			return 1;
	}
	return sc->overflow ? -E2BIG : 0;
}

int diag_nat_scan(const char *text, size_t len, bool nft,
		  const struct ike_subnet *l, const struct ike_subnet *r,
		  const char *oif, char *rule, size_t rulesz)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	int err;

	if (!sc)
		return -ENOMEM;
	sc->l = l;
	sc->r = r;
	sc->oif = oif ? oif : "";
	sc->nft = nft;
	sc->budget = NAT_BUDGET;
	sc->rule = rule;
	sc->rulesz = rulesz;
	if (rulesz)
		rule[0] = 0;
	err = nft ? nft_load(sc, text, len) : ipt_load(sc, text, len);
	if (!err)
		err = scan_run(sc);
	free(sc);
	return err;
}
