/* Wireshark key log: the ikev2_decryption_table and esp_sa UAT files.
 *
 * Formats, as Wireshark 4.0 reads them (epan/dissectors/packet-isakmp.c
 * and packet-esp.c UAT field lists; names checked against the strings in
 * the installed libwireshark):
 *
 * ikev2_decryption_table, 8 fields:
 *   SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ"
 *   SPIs and keys are bare hex (UAT byte fields); an empty key (SK_a with
 *   GCM) is "".  SK_e includes the 4-byte GCM salt, as Wireshark expects.
 *   encr: "AES-CBC-128 [RFC3602]" (192, 256), "3DES [RFC2451]",
 *         "AES-GCM-128 with 16 octet ICV [RFC5282]" (192, 256)
 *   integ: "HMAC_MD5_96 [RFC2403]", "HMAC_SHA1_96 [RFC2404]",
 *          "HMAC_SHA2_256_128 [RFC4868]" (384_192, 512_256),
 *          "NONE [RFC4306]" (AEAD)
 *   Wireshark cannot decrypt IKE with single DES: such SAs are skipped.
 *
 * esp_sa, 8 quoted fields, one line per direction:
 *   "IPv4|IPv6","src","dst","0xSPI","encr","0xKEY","auth","0xKEY"
 *   encr: "AES-CBC [RFC3602]", "TripleDES-CBC [RFC2451]",
 *         "DES-CBC [RFC2405]", "AES-GCM with 16 octet ICV [RFC4106]"
 *         (key includes the salt)
 *   auth: "HMAC-MD5-96 [RFC2403]", "HMAC-SHA-1-96 [RFC2404]",
 *         "HMAC-SHA-256-128 [RFC4868]", "HMAC-SHA-384-192 [RFC4868]",
 *         "HMAC-SHA-512-256 [RFC4868]", "NULL" (GCM; key "")
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keylog.h"
#include "v2.h"

#define KEYLOG_IKE_FILE	"ikev2_decryption_table"
#define KEYLOG_ESP_FILE	"esp_sa"
#define KEYLOG_LINE	1024

static int ike_fd = -1, esp_fd = -1;

static int open_table(const char *dir, const char *name, int *fdp)
{
	char path[4096];
	struct stat st;
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* Never write keys into something another user can read or own. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    ((st.st_mode & 077) != 0 && fchmod(fd, 0600) != 0)) {
		close(fd);
		return -EPERM;
	}
	*fdp = fd;
	return 0;
}

int keylog_open(const char *dir)
{
	int rc;

	keylog_close();
	rc = open_table(dir, KEYLOG_IKE_FILE, &ike_fd);
	if (rc == 0)
		rc = open_table(dir, KEYLOG_ESP_FILE, &esp_fd);
	if (rc != 0)
		keylog_close();
	return rc;
}

void keylog_close(void)
{
	if (ike_fd >= 0)
		close(ike_fd);
	if (esp_fd >= 0)
		close(esp_fd);
	ike_fd = esp_fd = -1;
}

bool keylog_enabled(void)
{
	return ike_fd >= 0;
}

/* ---- names ---- */

static const char *ike_encr_name(uint16_t encr, uint16_t bits)
{
	switch (encr) {
	case IKEV2_ENCR_3DES:
		return "3DES [RFC2451]";
	case IKEV2_ENCR_AES_CBC:
		return bits == 128 ? "AES-CBC-128 [RFC3602]" :
		       bits == 192 ? "AES-CBC-192 [RFC3602]" :
		       bits == 256 ? "AES-CBC-256 [RFC3602]" : NULL;
	case IKEV2_ENCR_AES_GCM_16:
		return bits == 128 ? "AES-GCM-128 with 16 octet ICV [RFC5282]" :
		       bits == 192 ? "AES-GCM-192 with 16 octet ICV [RFC5282]" :
		       bits == 256 ? "AES-GCM-256 with 16 octet ICV [RFC5282]" : NULL;
	}
	return NULL;
}

static const char *ike_integ_name(uint16_t integ)
{
	switch (integ) {
	case IKEV2_AUTH_NONE:
		return "NONE [RFC4306]";
	case IKEV2_AUTH_HMAC_MD5_96:
		return "HMAC_MD5_96 [RFC2403]";
	case IKEV2_AUTH_HMAC_SHA1_96:
		return "HMAC_SHA1_96 [RFC2404]";
	case IKEV2_AUTH_HMAC_SHA2_256_128:
		return "HMAC_SHA2_256_128 [RFC4868]";
	case IKEV2_AUTH_HMAC_SHA2_384_192:
		return "HMAC_SHA2_384_192 [RFC4868]";
	case IKEV2_AUTH_HMAC_SHA2_512_256:
		return "HMAC_SHA2_512_256 [RFC4868]";
	}
	return NULL;
}

static const char *esp_encr_name(uint16_t encr)
{
	switch (encr) {
	case IKEV2_ENCR_DES:
		return "DES-CBC [RFC2405]";
	case IKEV2_ENCR_3DES:
		return "TripleDES-CBC [RFC2451]";
	case IKEV2_ENCR_AES_CBC:
		return "AES-CBC [RFC3602]";
	case IKEV2_ENCR_AES_GCM_16:
		return "AES-GCM with 16 octet ICV [RFC4106]";
	}
	return NULL;
}

static const char *esp_integ_name(uint16_t integ)
{
	switch (integ) {
	case IKEV2_AUTH_NONE:
		return "NULL";
	case IKEV2_AUTH_HMAC_MD5_96:
		return "HMAC-MD5-96 [RFC2403]";
	case IKEV2_AUTH_HMAC_SHA1_96:
		return "HMAC-SHA-1-96 [RFC2404]";
	case IKEV2_AUTH_HMAC_SHA2_256_128:
		return "HMAC-SHA-256-128 [RFC4868]";
	case IKEV2_AUTH_HMAC_SHA2_384_192:
		return "HMAC-SHA-384-192 [RFC4868]";
	case IKEV2_AUTH_HMAC_SHA2_512_256:
		return "HMAC-SHA-512-256 [RFC4868]";
	}
	return NULL;
}

/* ---- line building ---- */

struct line {
	char buf[KEYLOG_LINE];
	size_t len;
	bool overflow;
};

static void line_add(struct line *l, const char *s)
{
	size_t n = strlen(s);

	if (n >= sizeof(l->buf) - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, s, n + 1);
	l->len += n;
}

/* Hex of key; "" for an empty key (prefix "0x" only when non-empty). */
static void line_hex(struct line *l, const uint8_t *p, size_t n, bool quoted,
		     const char *prefix)
{
	char hex[2 * CRYPTO_MAX_INTEG_KEY + 1];

	if (n > CRYPTO_MAX_INTEG_KEY) {
		l->overflow = true;
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), p, n);
	if (quoted || n == 0)
		line_add(l, "\"");
	if (n > 0) {
		line_add(l, prefix);
		line_add(l, hex);
	}
	if (quoted || n == 0)
		line_add(l, "\"");
	sodium_memzero(hex, sizeof(hex));
}

static int line_write(int fd, struct line *l)
{
	ssize_t w;
	int rc = 0;

	if (l->overflow)
		rc = -EOVERFLOW;
	else if ((w = write(fd, l->buf, l->len)) < 0)
		rc = -errno;
	else if ((size_t)w != l->len)
		rc = -EIO;
	sodium_memzero(l, sizeof(*l));
	return rc;
}

int keylog_write_ike(uint64_t spi_i, uint64_t spi_r, const struct ike_keys *k)
{
	const char *encr = ike_encr_name(k->suite.encr, k->suite.encr_keylen);
	const char *integ = ike_integ_name(k->suite.integ);
	struct line l = { .len = 0 };
	char spis[40];

	if (ike_fd < 0 || encr == NULL || integ == NULL)
		return 0;
	snprintf(spis, sizeof(spis), "%016" PRIx64 ",%016" PRIx64 ",", spi_i, spi_r);
	line_add(&l, spis);
	line_hex(&l, k->sk_ei, k->e_len, false, "");
	line_add(&l, ",");
	line_hex(&l, k->sk_er, k->e_len, false, "");
	line_add(&l, ",\"");
	line_add(&l, encr);
	line_add(&l, "\",");
	line_hex(&l, k->sk_ai, k->a_len, false, "");
	line_add(&l, ",");
	line_hex(&l, k->sk_ar, k->a_len, false, "");
	line_add(&l, ",\"");
	line_add(&l, integ);
	line_add(&l, "\"\n");
	return line_write(ike_fd, &l);
}

int keylog_write_esp(const struct ike_addr *src, const struct ike_addr *dst,
		     uint32_t spi, const struct child_suite *s,
		     const uint8_t *ekey, size_t e_len,
		     const uint8_t *akey, size_t a_len)
{
	const char *encr = esp_encr_name(s->encr), *integ = esp_integ_name(s->integ);
	char sb[IKE_ADDRSTRLEN] = "*", db[IKE_ADDRSTRLEN] = "*", head[160];
	struct line l = { .len = 0 };
	int fam = src ? src->family : dst ? dst->family : 0;

	if (esp_fd < 0 || encr == NULL || integ == NULL)
		return 0;
	if ((src && src->family != fam) || (dst && dst->family != fam) ||
	    (fam != AF_INET && fam != AF_INET6))
		return -EINVAL;
	if (src)
		addr_fmt(src, sb);
	if (dst)
		addr_fmt(dst, db);
	snprintf(head, sizeof(head), "\"%s\",\"%s\",\"%s\",\"0x%08" PRIx32 "\",\"%s\",",
		 fam == AF_INET ? "IPv4" : "IPv6", sb, db, spi, encr);
	line_add(&l, head);
	line_hex(&l, ekey, e_len, true, "0x");
	line_add(&l, ",\"");
	line_add(&l, integ);
	line_add(&l, "\",");
	line_hex(&l, akey, a_len, true, "0x");
	line_add(&l, "\n");
	return line_write(esp_fd, &l);
}

int keylog_write_child(const struct ike_addr *init, const struct ike_addr *resp,
		       uint32_t spi_i, uint32_t spi_r,
		       const struct child_keys *ck)
{
	int rc;

	/* Traffic initiator -> responder goes to the responder's SPI. */
	rc = keylog_write_esp(init, resp, spi_r, &ck->suite, ck->ei, ck->e_len,
			      ck->ai, ck->a_len);
	if (rc == 0)
		rc = keylog_write_esp(resp, init, spi_i, &ck->suite, ck->er,
				      ck->e_len, ck->ar, ck->a_len);
	return rc;
}
