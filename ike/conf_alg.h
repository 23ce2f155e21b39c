/* The algorithm names of the config and their IANA numbers (conf_alg.c). */
#ifndef IKEGW_CONF_ALG_H
#define IKEGW_CONF_ALG_H

#include <stdint.h>

struct alg {
	const char *name;	/* as the config spells it */
	uint16_t id;		/* IKEv2 transform ID / DH group */
	uint16_t aux;		/* encr: key bits; integ: the PRF with the same hash */
	const char *risk;	/* legacy: the warning, else NULL */
};

struct alg_set {
	const struct alg *a;
	unsigned n;
	const char *noun;	/* "algorithm", "group" */
};

extern const struct alg_set conf_alg_ike_encr, conf_alg_esp_encr,
	conf_alg_integ, conf_alg_dh, conf_alg_pfs;

/* Name of the entry with this id and aux; "?" when there is none. */
const char *conf_alg_name(const struct alg_set *set, uint16_t id, uint16_t aux);

#endif
