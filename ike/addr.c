#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

bool addr_eq(const struct ike_addr *x, const struct ike_addr *y)
{
	return x->family == y->family &&
	       memcmp(x->a, y->a, addr_len(x->family)) == 0;
}

bool addr_parse(const char *s, struct ike_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

const char *addr_fmt(const struct ike_addr *a, char buf[IKE_ADDRSTRLEN])
{
	if (!a->family || !inet_ntop(a->family, a->a, buf, IKE_ADDRSTRLEN))
		snprintf(buf, IKE_ADDRSTRLEN, "%s", "(none)");
	return buf;
}

static void mask(struct ike_addr *a, unsigned plen, bool *host_bits)
{
	size_t len = addr_len(a->family);

	for (size_t i = 0; i < len; i++) {
		unsigned keep = plen >= 8 * (i + 1) ? 8 :
				plen <= 8 * i ? 0 : plen - 8 * i;
		uint8_t m = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		if (host_bits && (a->a[i] & ~m))
			*host_bits = true;
		a->a[i] &= m;
	}
}

bool subnet_parse(const char *s, struct ike_subnet *out, bool *host_bits)
{
	char buf[IKE_SUBNETSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	char *end;

	if (host_bits)
		*host_bits = false;
	if (alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!addr_parse(buf, &out->addr))
		return false;
	if (!slash) {
		plen = addr_len(out->addr.family) * 8;
	} else {
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		plen = strtoul(slash + 1, &end, 10);
		if (*end || plen > addr_len(out->addr.family) * 8)
			return false;
	}
	out->plen = (uint8_t)plen;
	mask(&out->addr, out->plen, host_bits);
	return true;
}

const char *subnet_fmt(const struct ike_subnet *s, char buf[IKE_SUBNETSTRLEN])
{
	char a[IKE_ADDRSTRLEN];

	snprintf(buf, IKE_SUBNETSTRLEN, "%s/%u", addr_fmt(&s->addr, a), s->plen);
	return buf;
}

bool subnet_contains(const struct ike_subnet *net, const struct ike_addr *a)
{
	struct ike_addr m = *a;

	if (a->family != net->addr.family)
		return false;
	mask(&m, net->plen, NULL);
	return addr_eq(&m, &net->addr);
}

bool subnet_eq(const struct ike_subnet *x, const struct ike_subnet *y)
{
	return x->plen == y->plen && addr_eq(&x->addr, &y->addr);
}

void subnet_range(const struct ike_subnet *s, struct ike_addr *lo, struct ike_addr *hi)
{
	size_t len = addr_len(s->addr.family);

	*lo = s->addr;
	*hi = s->addr;
	for (size_t i = 0; i < len; i++) {
		unsigned keep = s->plen >= 8 * (i + 1) ? 8 :
				s->plen <= 8 * i ? 0 : s->plen - 8 * i;
		uint8_t m = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		hi->a[i] |= (uint8_t)~m;
	}
}
