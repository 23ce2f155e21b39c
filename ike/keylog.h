/* Key log for debugging with Wireshark/tshark (ikegwd --keylog DIR).
 *
 * Writes two Wireshark UAT files into DIR, in the format Wireshark keeps
 * them in a profile directory:
 *   DIR/ikev2_decryption_table   one line per IKE SA
 *   DIR/esp_sa                   one line per ESP SA (one direction)
 * Make DIR the "wireshark" directory of a config home and point tshark
 * at it (test/check_keylog.c does exactly this with tshark 4.0):
 *   ikegwd --keylog /tmp/k/wireshark ...
 *   XDG_CONFIG_HOME=/tmp/k tshark -r cap.pcap \
 *       -o esp.enable_encryption_decode:TRUE -V
 * Both files are created with mode 0600 (O_NOFOLLOW; an existing file
 * must be a regular file we own and is chmod'ed to 0600), appended to
 * with one write() per line.  Field formats: see keylog.c.
 *
 * This is the only place where secrets are written out.  It is off
 * unless keylog_open() succeeded; the write functions are then no-ops.
 */
#ifndef IKEGW_KEYLOG_H
#define IKEGW_KEYLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "keymat.h"

/* Open (create) DIR/ikev2_decryption_table and DIR/esp_sa.  DIR must
 * exist.  Returns 0 or negative errno; on error nothing stays open. */
int keylog_open(const char *dir);
void keylog_close(void);
bool keylog_enabled(void);

/* One ikev2_decryption_table line for an IKE SA (SPIs in host order).
 * Returns 0, -errno on a write error, or 0 when disabled.  Algorithms
 * Wireshark cannot decrypt are still logged with its "NULL"/unknown
 * entry so the SA is visible. */
int keylog_write_ike(uint64_t spi_i, uint64_t spi_r, const struct ike_keys *k);

/* One esp_sa line per direction: the SA carrying src -> dst with the
 * given SPI (host order), using the encr key and integ key given (for a
 * child_keys use ei/ai for initiator->responder and er/ar for the
 * reverse; keylog_write_child does both).
 *
 * NULL for an address writes Wireshark's wildcard "*" (not both).  The
 * engine does that for an endpoint behind a NAT (NAT_DETECTION said so):
 * its address on the wire depends on where the capture is taken (the
 * private one inside, the NAT's public one outside; the daemon knows
 * only what it sees itself), while the SPI alone identifies the SA.  So
 * one key log decrypts captures from either side of the NAT, from
 * either gateway.  Without NAT both addresses are written exactly. */
int keylog_write_esp(const struct ike_addr *src, const struct ike_addr *dst,
		     uint32_t spi, const struct child_suite *s,
		     const uint8_t *ekey, size_t e_len,
		     const uint8_t *akey, size_t a_len);

/* Both directions of a Child SA: spi_i is the SPI the initiator
 * allocated (inbound to the initiator, used for responder->initiator
 * traffic), spi_r the responder's (initiator->responder traffic). */
int keylog_write_child(const struct ike_addr *init, const struct ike_addr *resp,
		       uint32_t spi_i, uint32_t spi_r,
		       const struct child_keys *ck);

#endif
