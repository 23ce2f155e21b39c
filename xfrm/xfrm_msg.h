/* Pure XFRM request builders: each writes one netlink message into a
 * caller buffer (no socket), so unit tests can compare the bytes with
 * structures laid out from <linux/xfrm.h>.  Each returns 0 and the
 * message in *out, -EINVAL for arguments the kernel could not express
 * (unknown algorithm, key of the wrong length), or -EMSGSIZE.
 * The buffer should be XFRM_MSG_BUFSZ bytes; for SAs it holds keys and
 * the caller wipes it after sending.
 */
#ifndef IKEGW_XFRM_MSG_H
#define IKEGW_XFRM_MSG_H

#include <linux/netlink.h>

#include "xfrm/xfrm.h"

#define XFRM_MSG_BUFSZ 2048
#define XFRM_SPI_MIN 0x100u
#define XFRM_SPI_MAX 0xffffffffu
/* Default policy priority (the kernel prefers the lowest number):
 * 2000 + (256 - source prefix length - destination prefix length), so a
 * more specific subnet pair of ours wins over a broader one, and an
 * operator's own policies (ip xfrm's default priority is 0) win over all
 * of ours. */
#define XFRM_PRIO_BASE 2000u

/* Names the kernel knows the algorithm by; NULL when unsupported.
 * *bits: key length expected (encryption, without salt; 0 = any). */
const char *xfrm_msg_encr_name(uint16_t encr_id, unsigned *icv_bits, bool *aead);
const char *xfrm_msg_integ_name(uint16_t integ_id, unsigned *trunc_bits);
uint32_t xfrm_msg_default_priority(const struct xfrm_policy *p);
uint8_t xfrm_msg_dir(enum xfrm_dir d);

int xfrm_msg_alloc_spi(void *buf, size_t cap, uint32_t seq,
		       const struct ike_addr *src, const struct ike_addr *dst,
		       uint32_t reqid, struct nlmsghdr **out);
int xfrm_msg_sa(void *buf, size_t cap, uint32_t seq, const struct xfrm_sa *sa,
		bool update, struct nlmsghdr **out);
/* DELSA or GETSA (type) for one SA: struct xfrm_usersa_id. */
int xfrm_msg_sa_id(void *buf, size_t cap, uint32_t seq, uint16_t type,
		   const struct ike_addr *dst, uint32_t spi, struct nlmsghdr **out);
int xfrm_msg_policy(void *buf, size_t cap, uint32_t seq,
		    const struct xfrm_policy *p, struct nlmsghdr **out);
int xfrm_msg_del_policy(void *buf, size_t cap, uint32_t seq,
			const struct xfrm_policy *p, struct nlmsghdr **out);
/* GETSA / GETPOLICY dump request. */
int xfrm_msg_dump(void *buf, size_t cap, uint32_t seq, uint16_t type,
		  struct nlmsghdr **out);

/* Decoding the kernel's messages (nlh->nlmsg_len already checked against
 * the datagram, as mnl_cb_run does).  An address of family AF_INET or
 * AF_INET6 from an xfrm_address_t; false for any other family. */
bool xfrm_msg_addr(struct ike_addr *a, int family, const void *xaddr);
/* XFRM_MSG_EXPIRE / XFRM_MSG_ACQUIRE into *ev: 1 for an event about an
 * SA or policy of ours (reqid in range), 0 for anything else, including
 * truncated or malformed messages. */
int xfrm_msg_parse_event(const struct nlmsghdr *nlh, struct xfrm_event *ev);

#endif
