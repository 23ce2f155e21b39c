/* Every bound on untrusted input, in one place. */
#ifndef IKEGW_LIMITS_H
#define IKEGW_LIMITS_H

/* wire */
#define IKE_MAX_MSG		10000	/* bytes in one datagram / reassembled message */
#define IKE_MAX_PAYLOADS	64	/* payloads per message, inner SK payloads included */
#define IKE_MAX_PROPOSALS	32
#define IKE_MAX_TRANSFORMS	64	/* per proposal */
#define IKE_MAX_ATTRS		8	/* per transform */
#define IKE_MAX_NOTIFIES	20
#define IKE_MAX_VIDS		20
#define IKE_MAX_TS		32	/* traffic selectors per TS payload */
#define IKE_MAX_DELETE_SPIS	64
#define IKE_MAX_FRAGS		32
#define IKE_MIN_NONCE		16
#define IKE_MAX_NONCE		256
#define IKE_MAX_KE		1024	/* bytes of a KE value (MODP-8192) */
#define IKE_MAX_ID		256	/* bytes of identification data */
#define IKE_MAX_COOKIE		64

/* state */
#define IKE_MAX_HALF_OPEN	1000	/* global, before cookies are demanded */
#define IKE_COOKIE_THRESHOLD	30	/* half-open SAs that switch cookies on */
#define IKE_MAX_HALF_OPEN_PER_IP 5
#define IKE_HALF_OPEN_TIMEOUT	30	/* seconds */

/* configuration */
#define CONF_MAX_FILE		(1024 * 1024)
#define CONF_MAX_LINE		4096
#define CONF_MAX_CONNS		4096
#define CONF_MAX_NAME		63
#define CONF_MAX_SUBNETS	16	/* per side of a connection */
#define CONF_MAX_ALGS		8	/* per algorithm list */
#define CONF_MAX_PSK		256
#define CONF_MIN_PSK		16

/* control socket */
#define CTL_MAX_LINE		1024
#define CTL_MAX_REQUEST		65536
#define CTL_MAX_CLIENTS		16

#endif
