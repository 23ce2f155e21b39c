#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "pcap.h"

#define LINKTYPE_RAW 101

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }

static int put_le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

	return fwrite(b, 1, 4, f) == 4 ? 0 : -EIO;
}

FILE *pcap_open(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return NULL;
	put_le32(f, 0xa1b2c3d4);
	put_le32(f, 2 | 4u << 16);	/* version 2.4 */
	put_le32(f, 0);			/* thiszone */
	put_le32(f, 0);			/* sigfigs */
	put_le32(f, 65535);		/* snaplen */
	put_le32(f, LINKTYPE_RAW);
	return f;
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int pcap_write_udp(FILE *f, uint64_t ts_ms,
		   const struct ike_addr *src, uint16_t sport,
		   const struct ike_addr *dst, uint16_t dport,
		   const uint8_t *payload, size_t len)
{
	uint8_t hdr[48] = { 0 };
	size_t hl = src->family == AF_INET ? 20 : 40;
	size_t total = hl + 8 + len;
	uint8_t *udp = hdr + hl;

	if (total > 65535 || src->family != dst->family)
		return -EINVAL;
	if (src->family == AF_INET) {
		hdr[0] = 0x45;
		put16(hdr + 2, (uint16_t)total);
		hdr[8] = 64;
		hdr[9] = 17;
		memcpy(hdr + 12, src->a, 4);
		memcpy(hdr + 16, dst->a, 4);
		put16(hdr + 10, ip_checksum(hdr, 20));
	} else {
		hdr[0] = 0x60;
		put16(hdr + 4, (uint16_t)(8 + len));
		hdr[6] = 17;
		hdr[7] = 64;
		memcpy(hdr + 8, src->a, 16);
		memcpy(hdr + 24, dst->a, 16);
	}
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + len));	/* checksum 0: not computed */
	if (put_le32(f, (uint32_t)(ts_ms / 1000)) || put_le32(f, (uint32_t)(ts_ms % 1000) * 1000) ||
	    put_le32(f, (uint32_t)total) || put_le32(f, (uint32_t)total) ||
	    fwrite(hdr, 1, hl + 8, f) != hl + 8 || fwrite(payload, 1, len, f) != len)
		return -EIO;
	return 0;
}

void pcap_close(FILE *f)
{
	if (f)
		fclose(f);
}
