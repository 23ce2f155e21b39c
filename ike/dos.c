#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto.h"
#include "dos.h"
#include "limits.h"

void dos_init(struct dos *d, uint64_t now)
{
	memset(d, 0, sizeof(*d));
	crypto_random(d->secret, sizeof(d->secret));
	d->rotate_at = now + DOS_ROTATE_MS;
	d->threshold = IKE_COOKIE_THRESHOLD;
}

void dos_wipe(struct dos *d)
{
	sodium_memzero(d->secret, sizeof(d->secret));
	sodium_memzero(d->prev, sizeof(d->prev));
}

void dos_tick(struct dos *d, uint64_t now)
{
	if (now < d->rotate_at)
		return;
	memcpy(d->prev, d->secret, sizeof(d->prev));
	d->have_prev = true;
	crypto_random(d->secret, sizeof(d->secret));
	d->version++;
	d->rotate_at = now + DOS_ROTATE_MS;
}

static int digest(const uint8_t *secret, uint8_t version, struct span ni,
		  const struct ike_addr *ip, uint64_t spi_i,
		  uint8_t out[DOS_COOKIE_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t spi[8];
	unsigned len = 0;
	int r = -1;

	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)(spi_i >> (56 - 8 * i));
	if (!ctx)
		goto out;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, secret, DOS_SECRET_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, ni.p, ni.n) != 1 ||
	    EVP_DigestUpdate(ctx, ip->a, addr_len(ip->family)) != 1 ||
	    EVP_DigestUpdate(ctx, spi, sizeof(spi)) != 1 ||
	    EVP_DigestFinal_ex(ctx, out + 1, &len) != 1 || len != 32)
		goto out;
	out[0] = version;
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

int dos_cookie_make(const struct dos *d, struct span ni,
		    const struct ike_addr *ip, uint64_t spi_i,
		    uint8_t out[DOS_COOKIE_LEN])
{
	return digest(d->secret, d->version, ni, ip, spi_i, out);
}

bool dos_cookie_check(const struct dos *d, struct span cookie, struct span ni,
		      const struct ike_addr *ip, uint64_t spi_i)
{
	uint8_t want[DOS_COOKIE_LEN];
	const uint8_t *secret;
	bool ok = false;

	if (cookie.n != DOS_COOKIE_LEN)
		return false;
	if (cookie.p[0] == d->version)
		secret = d->secret;
	else if (d->have_prev && cookie.p[0] == (uint8_t)(d->version - 1))
		secret = d->prev;
	else
		return false;
	if (digest(secret, cookie.p[0], ni, ip, spi_i, want) == 0)
		ok = sodium_memcmp(want, cookie.p, DOS_COOKIE_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
