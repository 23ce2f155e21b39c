/* The protocol layer's one error convention: an explicit verdict.
 *
 * System and resource code returns 0 or a negative errno.  Code that
 * judges peer bytes returns a struct ike_result, so tests can assert on
 * the decision itself and every drop has a static reason that is logged
 * and counted.
 */
#ifndef IKEGW_RESULT_H
#define IKEGW_RESULT_H

#include <stdint.h>

enum ike_verdict {
	IKE_OK,
	IKE_DROP,		/* silent discard */
	IKE_REPLY_NOTIFY,	/* answer with .notify (and .notify_data) */
	IKE_DELETE_SA,		/* tear the SA down */
};

struct ike_result {
	enum ike_verdict v;
	uint16_t notify;	/* IKEV2_N_*, with IKE_REPLY_NOTIFY */
	const char *why;	/* static string: logged and counted */
};

#define IKE_RESULT_OK ((struct ike_result){ IKE_OK, 0, "ok" })

static inline struct ike_result ike_drop(const char *why)
{
	return (struct ike_result){ IKE_DROP, 0, why };
}

static inline struct ike_result ike_notify(uint16_t notify, const char *why)
{
	return (struct ike_result){ IKE_REPLY_NOTIFY, notify, why };
}

#endif
