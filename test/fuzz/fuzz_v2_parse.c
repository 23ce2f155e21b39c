/* libFuzzer target for the IKEv2 decoder and rules: the whole receive
 * path short of decryption.  The SK body stands in for the plaintext (as
 * in test/vectors), so inner decoding is reached from any input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ike/v2_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sa(const struct v2_msg *m)
{
	const char *why;

	for (unsigned i = 0; i < m->sa.n_prop; i++) {
		const struct v2_proposal *p = &m->sa.prop[i];

		if (!v2_proposal_wellformed(p, true, &why) && !why)
			abort();
		v2_proposal_wellformed(p, false, &why);
		for (unsigned j = 0; j < p->n_xf; j++)
			v2_transform_wellformed(&p->xf[j], &why);
	}
	v2_id_wellformed(&m->idi, &why);
	v2_id_wellformed(&m->idr, &why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct v2_msg m;
	struct ike_result r;

	r = v2_parse_msg(span_make(data, size), &m);
	if (!r.why)
		abort();
	if (r.v != IKE_OK)
		return 0;
	if (m.n_payloads > IKE_MAX_PAYLOADS || m.n_notify > IKE_MAX_NOTIFIES ||
	    m.sa.n_prop > IKE_MAX_PROPOSALS)
		abort();
	r = v2_check_rules(&m, false);
	if (!r.why)
		abort();
	if (m.count[IKEV2_PL_SK]) {
		/* sk_body must lie inside the datagram */
		if (m.sk_body.p < data || m.sk_body.p + m.sk_body.n != data + size)
			abort();
		r = v2_parse_inner(m.sk_next, m.sk_body, &m);
		if (r.v == IKE_OK)
			r = v2_check_rules(&m, true);
		if (!r.why || m.n_payloads > IKE_MAX_PAYLOADS)
			abort();
	}
	check_sa(&m);
	return 0;
}
