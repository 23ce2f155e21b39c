/* Algorithm names in configuration spelling <-> IKEv2 transform IDs.
 *
 * This table is the canonical one: diagnostics print algorithms the way
 * a user writes them in ikegw.conf ("aes256", "aes128gcm16", "sha256",
 * "14"), so a mismatch message can be pasted back into the config.
 * IDs with no entry print as "encr-1030", "integ-99", "prf-9", "dh-1025"
 * (never as a sentinel: private-use IDs are just unknown).
 */
#ifndef IKEGW_ALG_H
#define IKEGW_ALG_H

#include <stdbool.h>
#include <stdint.h>

#define ALG_NAMELEN 24	/* longest name plus room for "encr-65535/65535" */

/* "aes256" "aes192" "aes128" "3des" "des" "null" "aes128gcm16"
 * "aes256gcm16"... (keylen in bits, 0 for fixed-length ciphers). */
const char *alg_encr_name(uint16_t id, uint16_t keylen, char buf[ALG_NAMELEN]);
/* "sha256" "sha1" "sha384" "sha512" "md5"; AUTH_NONE prints "none". */
const char *alg_integ_name(uint16_t id, char buf[ALG_NAMELEN]);
/* PRFs take the spelling of the ike_integrity hash that selects them. */
const char *alg_prf_name(uint16_t id, char buf[ALG_NAMELEN]);
/* The group number as written in ike_dh_group/esp_pfs: "14"; 0 is "none". */
const char *alg_dh_name(uint16_t id, char buf[ALG_NAMELEN]);
/* Descriptive name for status output: "modp2048", "ecp256", "curve25519". */
const char *alg_dh_desc(uint16_t id);

/* Config name -> IDs.  False for names not in the table. */
bool alg_encr_lookup(const char *name, uint16_t *id, uint16_t *keylen);
/* One ike_integrity/esp_integrity name gives the INTEG and the PRF ID. */
bool alg_integ_lookup(const char *name, uint16_t *integ, uint16_t *prf);
/* "14", "modp2048", "none" (-> 0). */
bool alg_dh_lookup(const char *name, uint16_t *id);

/* Combined-mode (AEAD) cipher: needs no INTEG transform. */
bool alg_encr_is_aead(uint16_t id);
/* Ciphers whose Key Length attribute is mandatory (AES family). */
bool alg_encr_needs_keylen(uint16_t id);
/* In the table (for the config parser and the crypto layer; matching
 * itself only takes what our own offer lists). */
bool alg_encr_known(uint16_t id, uint16_t keylen);
bool alg_integ_known(uint16_t id);
bool alg_prf_known(uint16_t id);
bool alg_dh_known(uint16_t id);

#endif
