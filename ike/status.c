#include "status.h"

const char *p1_state_name(enum p1_state s)
{
	static const char *const n[] = { "down", "connecting", "established",
					 "rekeying", "failed" };

	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}

const char *p2_state_name(enum p2_state s)
{
	static const char *const n[] = { "connecting", "established",
					 "rekeying", "failed" };

	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}
