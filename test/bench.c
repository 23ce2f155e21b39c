/* make bench: relative cost of the IKE crypto on this machine.
 *
 * Every figure is a ratio to a baseline measured in the same run (X25519
 * derive = 1.00), so results compare across machines; absolute times are
 * printed only for the baseline.  "full/ours" compares OpenSSL's own peer
 * validation (EVP_PKEY_derive_set_peer) with ours (RFC 6989 checks +
 * EVP_PKEY_derive_set_peer_ex(..., 0)); DESIGN.md "Performance notes".
 * Times are this thread's CPU time, so other load on the box (tests,
 * builds) does not inflate them; the fastest of several rounds is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/crypto.h"
#include "ike/keymat.h"
#include "ike/v2.h"
#include "ike/v2_sk.h"

#define ROUND_NS	10000000.0	/* one round runs >= 10 ms */
#define ROUNDS		15		/* keep the fastest: robust to a busy box */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

enum op { OP_KEYGEN, OP_DERIVE, OP_DERIVE_FULL };

/* Nanoseconds per operation in one round, or -1 on failure. */
static double round_once(uint16_t group, enum op op)
{
	struct dh *a = dh_new(group), *b = dh_new(group);
	uint8_t secret[CRYPTO_MAX_DH_SECRET];
	double t0, t;
	size_t len;
	long n = 0;
	int rc = 0;

	if (a == NULL || b == NULL) {
		dh_free(a), dh_free(b);
		return -1;
	}
	t0 = now_ns();
	do {
		for (int i = 0; i < 1 && rc == 0; i++, n++) {
			if (op == OP_KEYGEN) {
				struct dh *k = dh_new(group);

				rc = k ? 0 : -1;
				dh_free(k);
			} else if (op == OP_DERIVE) {
				rc = dh_derive(a, dh_public(b), secret, &len);
			} else {
				rc = dh_derive_openssl_checked(a, dh_public(b), secret, &len);
			}
		}
		t = now_ns() - t0;
	} while (rc == 0 && t < ROUND_NS);
	dh_free(a);
	dh_free(b);
	return rc == 0 ? t / (double)n : -1;
}

static double measure(uint16_t group, enum op op)
{
	double best = -1;

	for (int r = 0; r < ROUNDS; r++) {
		double t = round_once(group, op);

		if (t < 0)
			return -1;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

/* One side's symmetric work for IKE_SA_INIT + IKE_AUTH with PSK and
 * AES-GCM-256: key derivation, two AUTH computations, two SK messages
 * each way.  Nanoseconds per endpoint. */
static double measure_symmetric(void)
{
	static const struct ike_suite s = {
		.encr = IKEV2_ENCR_AES_GCM_16, .encr_keylen = 256,
		.prf = IKEV2_PRF_HMAC_SHA2_256, .integ = IKEV2_AUTH_NONE,
	};
	uint8_t ni[32] = { 1 }, nr[32] = { 2 }, gir[32] = { 3 }, msg[600], plain[300];
	uint8_t auth[CRYPTO_MAX_PRF], out[600];
	struct ike_keys k;
	struct sk_alg a;
	double t0, t;
	size_t body, len, alen;
	long n = 0;
	int rc = 0;

	memset(msg, 0, sizeof(msg));
	memset(plain, 0x42, sizeof(plain));
	t0 = now_ns();
	do {
		rc |= keymat_ike_init(&k, &s, span_make(gir, 32), span_make(ni, 32),
				      span_make(nr, 32), 1, 2);
		for (int i = 0; i < 2; i++)
			rc |= keymat_psk_auth(s.prf, span_make("0123456789abcdef", 16),
					      span_make(msg, 300), span_make(nr, 32),
					      span_make(k.sk_pi, k.prf_len),
					      span_make(msg, 20), auth, &alen);
		v2_sk_alg_from_keys(&a, &k, true, true);
		body = v2_sk_body_len(&a, sizeof(plain));
		for (int i = 0; i < 2; i++) {
			rc |= v2_sk_encrypt(&a, msg, 32 + body, 32, plain, sizeof(plain));
			rc |= v2_sk_decrypt(&a, span_make(msg, 32 + body), 32, out,
					    sizeof(out), &len);
		}
		keymat_ike_wipe(&k);
		n++;
		t = now_ns() - t0;
	} while (rc == 0 && t < ROUND_NS);
	return rc == 0 ? t / (double)n : -1;
}

int main(void)
{
	static const uint16_t groups[] = {
		IKEV2_DH_CURVE25519, IKEV2_DH_ECP_256, IKEV2_DH_ECP_384, IKEV2_DH_ECP_521,
		IKEV2_DH_MODP_768, IKEV2_DH_MODP_1024, IKEV2_DH_MODP_1536,
		IKEV2_DH_MODP_2048, IKEV2_DH_MODP_3072, IKEV2_DH_MODP_4096,
	};
	enum { N = sizeof(groups) / sizeof(groups[0]) };
	double kg[N], d[N], f[N], base = -1, sym = -1;

	if (crypto_init() != 0) {
		fprintf(stderr, "bench: crypto_init failed\n");
		return 1;
	}
	/* The baseline is re-measured between rows and the fastest kept, so
	 * a burst of load elsewhere does not skew every ratio. */
	for (size_t i = 0; i < N; i++) {
		double b = measure(IKEV2_DH_CURVE25519, OP_DERIVE);

		if (b > 0 && (base < 0 || b < base))
			base = b;
		kg[i] = measure(groups[i], OP_KEYGEN);
		d[i] = measure(groups[i], OP_DERIVE);
		f[i] = measure(groups[i], OP_DERIVE_FULL);
	}
	for (int r = 0; r < ROUNDS; r++) {
		double t = measure_symmetric();

		if (t > 0 && (sym < 0 || t < sym))
			sym = t;
	}
	if (base <= 0) {
		fprintf(stderr, "bench: X25519 baseline failed\n");
		return 1;
	}
	printf("DH cost relative to X25519 derive = 1.00 (%.1f us here; fastest of %d rounds)\n",
	       base / 1e3, ROUNDS);
	printf("%-12s %8s %8s %12s %10s\n", "group", "keygen", "derive",
	       "derive-full", "full/ours");
	for (size_t i = 0; i < N; i++) {
		if (kg[i] < 0 || d[i] < 0 || f[i] < 0) {
			printf("%-12s failed\n", dh_group_name(groups[i]));
			continue;
		}
		printf("%-12s %8.2f %8.2f %12.2f %10.2f\n", dh_group_name(groups[i]),
		       kg[i] / base, d[i] / base, f[i] / base, f[i] / d[i]);
	}
	if (sym > 0)
		printf("\nsymmetric work per endpoint (keymat, 2 PSK AUTH, 2x2 SK GCM-256): "
		       "%.2f x X25519 derive\n", sym / base);
	printf("derive-full = OpenSSL's own peer validation (EVP_PKEY_derive_set_peer);\n"
	       "derive = RFC 6989 checks + EVP_PKEY_derive_set_peer_ex(ctx, peer, 0).\n");
	return 0;
}
