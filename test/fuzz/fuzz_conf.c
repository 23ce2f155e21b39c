/* libFuzzer target for the config parser: any bytes must give either a
 * configuration or diagnostics, never a crash or a leak; an accepted
 * configuration must also print and diff cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ike/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct conf *c;
	char diff[512];

	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	if (conf_parse("fuzz.conf", (const char *)data, size, &c, sink) != 0) {
		if (c)
			abort();	/* nothing is returned on error */
		return 0;
	}
	conf_print(c, sink);
	for (unsigned i = 0; i < c->n_conns; i++) {
		conf_conn_diff(&c->conns[0], &c->conns[i], diff, sizeof(diff));
		if (i == 0 && diff[0])
			abort();	/* a connection equals itself */
	}
	conf_free(c);
	return 0;
}
