/* libFuzzer target for the engine's receive path: a responder engine
 * fed datagrams from its configured peer (IKE_SA_INIT handling, cookies,
 * proposal choice, DH with hostile values, NAT detection, SA lookups),
 * and an initiator fed "responses" carrying its own SPI (notify handling,
 * reply checks, INVALID_KE/COOKIE restarts).  First input byte: mode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/engine.h"
#include "ike/ike.h"
#include "ike/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf_text[] =
	"[connection f]\n"
	"local_address = 203.0.113.7\nremote_address = 198.51.100.1\n"
	"local_subnets = 10.2.0.0/16, 10.4.0.0/16\nremote_subnets = 10.1.0.0/16\n"
	"psk = \"0123456789abcdef-shared\"\nike_version = 2\n"
	"ike_encryption = aes256gcm16, aes256\nike_integrity = sha256\n"
	"ike_dh_group = 31, 14, 19\nstart = manual\n";

static uint64_t clock_ms = 1000000, rng = 1;

static uint64_t now(void *arg)
{
	(void)arg;
	return clock_ms;
}

static int send_nothing(void *arg, const struct ike_addr *src, uint16_t sport,
			const struct ike_addr *dst, uint16_t dport,
			const uint8_t *buf, size_t len)
{
	(void)arg, (void)src, (void)sport, (void)dst, (void)dport, (void)buf, (void)len;
	return 0;
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *conf;
	struct ike_env env = { .send = send_nothing, .now_ms = now };
	struct ike_addr peer, self;
	uint8_t buf[IKE_MAX_MSG + 4];
	struct ike *ike;
	uint8_t mode;

	if (!conf) {
		log_init("fuzz", 1, LOG_LVL_ERR);
		if (conf_parse("fuzz", conf_text, sizeof(conf_text) - 1, &conf, NULL) < 0)
			abort();
	}
	if (size < 1 || size - 1 > sizeof(buf))
		return 0;
	mode = data[0] % 3;
	memcpy(buf, data + 1, size - 1);
	size--;
	rng = 1;
	crypto_set_rng(det_rng, NULL);
	env.xfrm = xfrm_fake_open();
	ike = ike_new(&env, conf);
	if (!ike)
		abort();
	addr_parse("198.51.100.1", &peer);
	addr_parse("203.0.113.7", &self);
	if (mode == 2) {
		/* our own IKE_SA_INIT is out: hand the input in as its answer */
		ike_up(ike, "f");
		if (ike->sas && size >= 8)
			for (int i = 0; i < 8; i++)
				buf[i] = (uint8_t)(ike->sas->spi_i >> (56 - 8 * i));
	}
	ike_recv(ike, buf, size, &peer, mode == 1 ? 4500 : 500, &self,
		 mode == 1 ? 4500 : 500);
	clock_ms += 100000;
	ike_run_timers(ike);
	ike_free(ike);
	xfrm_close(env.xfrm);
	return 0;
}
