/* libFuzzer: the control protocol parsers (daemon side: requests; CLI
 * side: replies and status blocks).  A status that parses must also
 * serialize and parse back to the same thing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reserialize(const struct conn_status *st, void *arg)
{
	struct wbuf *wb = arg;

	return ctl_status_write(wb, st) < 0 ? -1 : 0;
}

static int count(const struct conn_status *st, void *arg)
{
	(void)st;
	(*(unsigned *)arg)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_req req;
	const char *why;
	size_t dl;
	int err;
	char msg[128];
	struct wbuf wb;
	unsigned n1 = 0, n2 = 0;

	if (ctl_req_parse(data, size, &req, &why) == 0 && req.has_name &&
	    strlen(req.name) > CONF_MAX_NAME)
		abort();
	if (ctl_reply_parse((const char *)data, size, &dl, &err, msg, sizeof(msg)) == 0 &&
	    dl > size)
		abort();
	wbuf_init(&wb, CTL_MAX_REPLY);
	if (ctl_status_parse((const char *)data, size, count, &n1) == 0 &&
	    ctl_status_parse((const char *)data, size, reserialize, &wb) == 0) {
		/* what we wrote must parse, with as many connections */
		if (ctl_status_parse((const char *)wb.p, wb.len, count, &n2) != 0 || n1 != n2)
			abort();
	}
	wbuf_free(&wb);
	return 0;
}
