/* libFuzzer target for what an established IKE SA does with authentic
 * but hostile requests: two engines over the fake network, then the
 * input (after a selector byte) becomes the plaintext inside a correctly
 * encrypted request from the initiator, in the window.  This reaches the
 * CREATE_CHILD_SA, INFORMATIONAL and (wrong-state) IKE_AUTH handlers
 * that decryption shields from fuzz_engine.
 *   data[0] % 3: exchange (CREATE_CHILD_SA, INFORMATIONAL, IKE_AUTH)
 *   data[0] & 0x80: start from a valid chain for that exchange (a new or
 *                rekeyed child, a child delete) and XOR data[2..] onto it;
 *                else data[1] is the first payload type and data[2..] the
 *                chain itself */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/engine.h"
#include "ike/log.h"
#include "test/util/fakenet.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONF(local, remote, lsub, rsub, extra) \
	"[connection f]\nlocal_address = " local "\nremote_address = " remote "\n" \
	"local_subnets = " lsub "\nremote_subnets = " rsub "\n" \
	"psk = \"0123456789abcdef-shared\"\nike_version = 2\n" \
	"ike_encryption = aes256gcm16\nike_integrity = sha256\nike_dh_group = 31\n" \
	"esp_encryption = aes256gcm16\nesp_pfs = 31\n" extra

static uint64_t rng = 1;

static void det_rng(void *buf, size_t n, void *arg)
{
	uint8_t *p = buf;

	(void)arg;
	for (size_t i = 0; i < n; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		p[i] = (uint8_t)(rng >> 24);
	}
}

static const uint8_t exchs[] = { IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_EXCH_INFORMATIONAL,
				 IKEV2_EXCH_IKE_AUTH };

/* A valid inner chain: CREATE_CHILD_SA (rekey of the child when
 * sel & 1), or a Delete of the child for INFORMATIONAL. */
static void valid_chain(struct ike_sa *sa, uint8_t sel, struct v2_builder *b)
{
	const struct conf_conn *cc = sa->conn->cc;
	struct child_sa *c = sa->children;
	struct v2_sa offer;
	struct v2_ts_set tsi, tsr;
	uint8_t nonce[32] = { 7 }, spi[4];
	struct dh *dh = dh_new(31);

	spi[0] = (uint8_t)(c->spi_in >> 24);
	spi[1] = (uint8_t)(c->spi_in >> 16);
	spi[2] = (uint8_t)(c->spi_in >> 8);
	spi[3] = (uint8_t)c->spi_in;
	if (sel % 3 == 1) {
		v2_build_delete(b, IKEV2_PROTO_ESP, 4, 1, span_make(spi, 4));
	} else {
		if (sel & 1)
			v2_build_notify(b, IKEV2_PROTO_ESP, span_make(spi, 4),
					IKEV2_N_REKEY_SA, span_make(NULL, 0));
		proposal_esp_offer(cc, true, 31, 0x11223344, &offer);
		ts_from_subnets(cc->local_subnets, cc->n_local_subnets, &tsi);
		ts_from_subnets(cc->remote_subnets, cc->n_remote_subnets, &tsr);
		v2_build_sa(b, offer.prop, offer.n_prop);
		v2_build_nonce(b, span_make(nonce, sizeof(nonce)));
		if (dh)
			v2_build_ke(b, 31, dh_public(dh));
		v2_build_ts(b, IKEV2_PL_TSi, &tsi);
		v2_build_ts(b, IKEV2_PL_TSr, &tsr);
	}
	dh_free(dh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fakenet *net;
	struct ike_sa *sa;
	struct v2_builder b;
	struct wbuf plain, out;

	if (size < 2 || size > IKE_MAX_MSG - 200)
		return 0;
	log_init("fuzz", 1, LOG_LVL_ERR);
	rng = 1;
	crypto_set_rng(det_rng, NULL);
	net = fakenet_new();
	if (fakenet_add(net, 1, "B", "203.0.113.7",
			CONF("203.0.113.7", "198.51.100.1", "10.2.0.0/16, 10.4.0.0/16",
			     "10.1.0.0/16", "start = respond\n")) < 0 ||
	    fakenet_add(net, 0, "A", "198.51.100.1",
			CONF("198.51.100.1", "203.0.113.7", "10.1.0.0/16",
			     "10.2.0.0/16, 10.4.0.0/16", "")) < 0)
		abort();
	fakenet_run(net, 1000);
	sa = net->node[0].ike->sas;
	if (!sa || sa->state != SA_ESTABLISHED)
		abort();	/* the setup itself must work */
	wbuf_init(&plain, IKE_MAX_MSG);
	wbuf_init(&out, IKE_MAX_MSG);
	v2_build_chain(&b, &plain);
	if (data[0] & 0x80) {
		valid_chain(sa, data[0], &b);
		for (size_t i = 2; i < size && plain.len; i++)
			plain.p[(i - 2) % plain.len] ^= data[i];
	} else {
		if (size > 2)
			wbuf_put(&plain, data + 2, size - 2);
		b.first = data[1];
		b.chained = size > 2;
	}
	if (v2_seal(sa, exchs[data[0] % 3], false, sa->msgid_next, &b, &out) == 0)
		ike_recv(net->node[1].ike, out.p, out.len, &net->node[0].addr, 500,
			 &net->node[1].addr, 500);
	fakenet_run(net, 3000);		/* answers, follow-up exchanges */
	wbuf_free(&plain);
	wbuf_free(&out);
	fakenet_free(net);
	return 0;
}
