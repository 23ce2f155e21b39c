/* Minimal pcap writer for tests: UDP datagrams wrapped in IPv4/IPv6
 * headers (LINKTYPE_RAW), so tshark can decode what the engine sent. */
#ifndef IKEGW_TEST_PCAP_H
#define IKEGW_TEST_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ike/addr.h"

FILE *pcap_open(const char *path);
int pcap_write_udp(FILE *f, uint64_t ts_ms,
		   const struct ike_addr *src, uint16_t sport,
		   const struct ike_addr *dst, uint16_t dport,
		   const uint8_t *payload, size_t len);
void pcap_close(FILE *f);

#endif
