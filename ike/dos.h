/* Denial-of-service defences for IKE_SA_INIT: stateless cookies
 * (RFC 7296 2.6) with a secret that rotates, switched on when too many
 * SAs are half open. */
#ifndef IKEGW_DOS_H
#define IKEGW_DOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "span.h"

#define DOS_SECRET_LEN		32
#define DOS_ROTATE_MS		120000
#define DOS_COOKIE_LEN		(1 + 32)	/* version byte | SHA-256 */

struct dos {
	uint8_t secret[DOS_SECRET_LEN], prev[DOS_SECRET_LEN];
	uint8_t version;		/* of secret; prev is version - 1 */
	bool have_prev;
	uint64_t rotate_at;
	unsigned threshold;		/* half-open SAs that switch cookies on */
};

void dos_init(struct dos *d, uint64_t now);
void dos_wipe(struct dos *d);
void dos_tick(struct dos *d, uint64_t now);
/* cookie = version | SHA-256(secret | Ni | IPi | SPIi) */
int dos_cookie_make(const struct dos *d, struct span ni,
		    const struct ike_addr *ip, uint64_t spi_i,
		    uint8_t out[DOS_COOKIE_LEN]);
/* Valid with the current or previous secret. */
bool dos_cookie_check(const struct dos *d, struct span cookie, struct span ni,
		      const struct ike_addr *ip, uint64_t spi_i);

#endif
