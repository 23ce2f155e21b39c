/* Addresses and subnets as the daemon, the config and xfrm/ share them. */
#ifndef IKEGW_ADDR_H
#define IKEGW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_addr {
	int family;		/* AF_INET, AF_INET6, or 0 for unset */
	uint8_t a[16];		/* network byte order; v4 in the first 4 */
};

struct ike_subnet {
	struct ike_addr addr;	/* host bits are zero */
	uint8_t plen;
};

#define IKE_ADDRSTRLEN 46	/* INET6_ADDRSTRLEN */
#define IKE_SUBNETSTRLEN (IKE_ADDRSTRLEN + 4)

size_t addr_len(int family);	/* 4, 16, or 0 */
bool addr_eq(const struct ike_addr *x, const struct ike_addr *y);
/* Parse a numeric IPv4/IPv6 address; false on anything else. */
bool addr_parse(const char *s, struct ike_addr *out);
const char *addr_fmt(const struct ike_addr *a, char buf[IKE_ADDRSTRLEN]);
/* "a.b.c.d/n": *host_bits is set when the address has bits beyond plen
 * (the subnet is still returned masked). */
bool subnet_parse(const char *s, struct ike_subnet *out, bool *host_bits);
const char *subnet_fmt(const struct ike_subnet *s, char buf[IKE_SUBNETSTRLEN]);
bool subnet_contains(const struct ike_subnet *net, const struct ike_addr *a);
bool subnet_eq(const struct ike_subnet *x, const struct ike_subnet *y);
/* First and last address of the subnet (for traffic selector ranges). */
void subnet_range(const struct ike_subnet *s, struct ike_addr *lo, struct ike_addr *hi);

#endif
