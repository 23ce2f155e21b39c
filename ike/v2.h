/* IKEv2 wire constants (RFC 7296 and the IANA registry) and the decoded
 * forms that the codec produces and the engine, proposal matching and
 * traffic-selector code consume.  Decoded structs hold spans into the
 * packet: they live no longer than the packet buffer. */
#ifndef IKEGW_V2_H
#define IKEGW_V2_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "limits.h"
#include "span.h"

#define IKEV2_HDR_LEN		28
#define IKEV2_GEN_HDR_LEN	4
#define IKEV2_VERSION		0x20

/* exchange types */
#define IKEV2_EXCH_IKE_SA_INIT		34
#define IKEV2_EXCH_IKE_AUTH		35
#define IKEV2_EXCH_CREATE_CHILD_SA	36
#define IKEV2_EXCH_INFORMATIONAL	37

/* header flags */
#define IKEV2_FLAG_INITIATOR	0x08
#define IKEV2_FLAG_VERSION	0x10
#define IKEV2_FLAG_RESPONSE	0x20

/* payload types */
#define IKEV2_PL_NONE	0
#define IKEV2_PL_SA	33
#define IKEV2_PL_KE	34
#define IKEV2_PL_IDi	35
#define IKEV2_PL_IDr	36
#define IKEV2_PL_CERT	37
#define IKEV2_PL_CERTREQ 38
#define IKEV2_PL_AUTH	39
#define IKEV2_PL_NONCE	40
#define IKEV2_PL_N	41
#define IKEV2_PL_D	42
#define IKEV2_PL_V	43
#define IKEV2_PL_TSi	44
#define IKEV2_PL_TSr	45
#define IKEV2_PL_SK	46
#define IKEV2_PL_CP	47
#define IKEV2_PL_EAP	48
#define IKEV2_PL_SKF	53
#define IKEV2_CRITICAL	0x80

/* protocol IDs */
#define IKEV2_PROTO_IKE	1
#define IKEV2_PROTO_AH	2
#define IKEV2_PROTO_ESP	3

/* transform types */
#define IKEV2_TRANS_ENCR	1
#define IKEV2_TRANS_PRF		2
#define IKEV2_TRANS_INTEG	3
#define IKEV2_TRANS_DH		4
#define IKEV2_TRANS_ESN		5

#define IKEV2_ENCR_DES		2
#define IKEV2_ENCR_3DES		3
#define IKEV2_ENCR_NULL		11
#define IKEV2_ENCR_AES_CBC	12
#define IKEV2_ENCR_AES_CTR	13
#define IKEV2_ENCR_AES_CCM_8	14
#define IKEV2_ENCR_AES_CCM_12	15
#define IKEV2_ENCR_AES_CCM_16	16
#define IKEV2_ENCR_AES_GCM_8	18
#define IKEV2_ENCR_AES_GCM_12	19
#define IKEV2_ENCR_AES_GCM_16	20
#define IKEV2_ENCR_NULL_AUTH_AES_GMAC	21
#define IKEV2_ENCR_CHACHA20_POLY1305	28

#define IKEV2_PRF_HMAC_MD5	1
#define IKEV2_PRF_HMAC_SHA1	2
#define IKEV2_PRF_HMAC_SHA2_256	5
#define IKEV2_PRF_HMAC_SHA2_384	6
#define IKEV2_PRF_HMAC_SHA2_512	7

#define IKEV2_AUTH_NONE			0
#define IKEV2_AUTH_HMAC_MD5_96		1
#define IKEV2_AUTH_HMAC_SHA1_96		2
#define IKEV2_AUTH_AES_128_GMAC		9
#define IKEV2_AUTH_AES_192_GMAC		10
#define IKEV2_AUTH_AES_256_GMAC		11
#define IKEV2_AUTH_HMAC_SHA2_256_128	12
#define IKEV2_AUTH_HMAC_SHA2_384_192	13
#define IKEV2_AUTH_HMAC_SHA2_512_256	14

#define IKEV2_DH_NONE		0
#define IKEV2_DH_MODP_768	1
#define IKEV2_DH_MODP_1024	2
#define IKEV2_DH_MODP_1536	5
#define IKEV2_DH_MODP_2048	14
#define IKEV2_DH_MODP_3072	15
#define IKEV2_DH_MODP_4096	16
#define IKEV2_DH_ECP_256	19
#define IKEV2_DH_ECP_384	20
#define IKEV2_DH_ECP_521	21
#define IKEV2_DH_CURVE25519	31

#define IKEV2_ESN_NO	0
#define IKEV2_ESN_YES	1

#define IKEV2_ATTR_KEY_LENGTH	14	/* TV form: 0x800e */
#define IKEV2_ATTR_TV		0x8000

/* proposal / transform substructure "last or more" values */
#define IKEV2_PROP_LAST		0
#define IKEV2_PROP_MORE		2
#define IKEV2_XF_LAST		0
#define IKEV2_XF_MORE		3
#define IKEV2_PROP_HDR_LEN	8
#define IKEV2_XF_HDR_LEN	8
#define IKEV2_TS_V4_LEN		16
#define IKEV2_TS_V6_LEN		40

/* configuration payload types */
#define IKEV2_CFG_REQUEST	1
#define IKEV2_CFG_REPLY		2
#define IKEV2_CFG_SET		3
#define IKEV2_CFG_ACK		4

/* ID types */
#define IKEV2_ID_IPV4_ADDR	1
#define IKEV2_ID_FQDN		2
#define IKEV2_ID_RFC822_ADDR	3
#define IKEV2_ID_IPV6_ADDR	5
#define IKEV2_ID_DER_ASN1_DN	9
#define IKEV2_ID_DER_ASN1_GN	10
#define IKEV2_ID_KEY_ID		11

/* auth methods */
#define IKEV2_AUTH_PSK		2

/* TS types */
#define IKEV2_TS_IPV4_ADDR_RANGE 7
#define IKEV2_TS_IPV6_ADDR_RANGE 8

/* notify types: errors */
#define IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD	1
#define IKEV2_N_INVALID_IKE_SPI			4
#define IKEV2_N_INVALID_MAJOR_VERSION		5
#define IKEV2_N_INVALID_SYNTAX			7
#define IKEV2_N_INVALID_MESSAGE_ID		9
#define IKEV2_N_INVALID_SPI			11
#define IKEV2_N_NO_PROPOSAL_CHOSEN		14
#define IKEV2_N_INVALID_KE_PAYLOAD		17
#define IKEV2_N_AUTHENTICATION_FAILED		24
#define IKEV2_N_SINGLE_PAIR_REQUIRED		34
#define IKEV2_N_NO_ADDITIONAL_SAS		35
#define IKEV2_N_INTERNAL_ADDRESS_FAILURE	36
#define IKEV2_N_FAILED_CP_REQUIRED		37
#define IKEV2_N_TS_UNACCEPTABLE			38
#define IKEV2_N_INVALID_SELECTORS		39
#define IKEV2_N_TEMPORARY_FAILURE		43
#define IKEV2_N_CHILD_SA_NOT_FOUND		44
/* notify types: status */
#define IKEV2_N_INITIAL_CONTACT			16384
#define IKEV2_N_SET_WINDOW_SIZE			16385
#define IKEV2_N_ADDITIONAL_TS_POSSIBLE		16386
#define IKEV2_N_IPCOMP_SUPPORTED		16387
#define IKEV2_N_NAT_DETECTION_SOURCE_IP		16388
#define IKEV2_N_NAT_DETECTION_DESTINATION_IP	16389
#define IKEV2_N_COOKIE				16390
#define IKEV2_N_USE_TRANSPORT_MODE		16391
#define IKEV2_N_REKEY_SA			16393
#define IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED	16394
#define IKEV2_N_NON_FIRST_FRAGMENTS_ALSO	16395
#define IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED	16430
#define IKEV2_N_SIGNATURE_HASH_ALGORITHMS	16431

/* ---- decoded forms ---- */

struct v2_hdr {
	uint64_t spi_i, spi_r;
	uint8_t next;		/* first payload type */
	uint8_t version;	/* major << 4 | minor */
	uint8_t exch;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;
};

struct v2_transform {
	uint8_t type;		/* IKEV2_TRANS_* */
	uint16_t id;
	uint16_t keylen;	/* bits, from IKEV2_ATTR_KEY_LENGTH; 0 if absent */
	bool unknown_attr;	/* an attribute we do not know: reject the transform */
	/* added by the codec: */
	uint16_t n_attr;	/* attributes present (any kind) */
};

struct v2_proposal {
	uint8_t num;
	uint8_t proto;		/* IKEV2_PROTO_* */
	uint8_t spi_size;
	uint8_t spi[8];
	unsigned n_xf;
	struct v2_transform xf[IKE_MAX_TRANSFORMS];
	/* added by the codec: static reason when decode found the proposal
	 * unusable (count mismatch, too many transforms, SPI > 8 bytes);
	 * NULL when fine.  v2_proposal_wellformed() rejects it. */
	const char *bad;
};

struct v2_sa {
	unsigned n_prop;
	struct v2_proposal prop[IKE_MAX_PROPOSALS];
	/* added by the codec: proposals after the first IKE_MAX_PROPOSALS are
	 * framing-checked and not kept; bad numbering rejects the whole SA
	 * payload (n_prop is then 0 and bad says why). */
	unsigned n_ignored;
	const char *bad;
};

struct v2_ts {
	uint8_t type;		/* IKEV2_TS_IPV4/6_ADDR_RANGE */
	uint8_t ipproto;	/* 0 = any */
	uint16_t port_lo, port_hi;
	struct ike_addr lo, hi;
};

struct v2_ts_set {
	unsigned n;
	struct v2_ts ts[IKE_MAX_TS];
	/* added by the codec: selectors of unknown type, skipped (not in ts) */
	unsigned n_unknown;
};

struct v2_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	struct span spi;
	struct span data;
};

struct v2_delete {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spi;
	struct span spis;	/* n_spi * spi_size bytes */
};

struct v2_id {
	uint8_t type;
	struct span data;
	struct span body;	/* type + reserved + data: what AUTH signs */
};

/* A decoded message: spans into the datagram (outer) or the decrypted
 * plaintext (inner).  Counts allow the rules check to reject duplicates. */
struct v2_msg {
	struct v2_hdr hdr;
	struct span raw;		/* the whole message as received */
	unsigned n_payloads;
	unsigned count[64];		/* occurrences per payload type 0..63 */
	uint8_t unknown_critical;	/* type of the first unknown critical payload, or 0 */

	struct v2_sa sa;		/* valid when count[IKEV2_PL_SA] */
	struct span sa_raw;
	uint16_t ke_group;
	struct span ke_data;
	struct span nonce;
	struct v2_id idi, idr;
	uint8_t auth_method;
	struct span auth_data;
	struct v2_ts_set tsi, tsr;
	unsigned n_notify;
	struct v2_notify notify[IKE_MAX_NOTIFIES];
	unsigned n_delete;
	struct v2_delete del[4];
	unsigned n_vid;
	/* SK: the encrypted payload, kept for decryption */
	uint8_t sk_next;		/* SK's Next Payload: first inner payload */
	struct span sk_body;		/* IV | ciphertext | ICV */
	size_t sk_hdr_off;		/* offset of the SK generic header in raw */

	/* added by the codec */
	unsigned n_outer;		/* payloads in the clear (SK included) */
	unsigned outer_count[64];	/* per type, clear payloads only */
	bool unknown_critical_inner;	/* unknown_critical came from inside SK */
	unsigned n_cp;
	uint8_t cp_type;		/* CFG_REQUEST 1, CFG_REPLY 2, ... */
	struct span cp_attrs;		/* raw attributes of the CP payload */
	unsigned n_cert, n_certreq, n_eap;
};

#endif
