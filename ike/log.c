#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int use_stderr = 1;
static enum log_level max_level = LOG_LVL_INFO;
static log_sink_fn sink;
static void *sink_arg;

void log_init(const char *ident, int to_stderr, enum log_level max)
{
	use_stderr = to_stderr;
	max_level = max;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level max)
{
	max_level = max;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_set_sink(log_sink_fn fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	char line[1024];

	if (lvl > max_level && !sink)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (sink) {
		sink(lvl, line, sink_arg);
		return;
	}
	if (use_stderr)
		fprintf(stderr, "ikegwd: %s%s\n", tag[lvl], line);
	else
		syslog(prio[lvl], "%s", line);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

const char *log_escape(const void *p, size_t n, char *buf, size_t bufsz)
{
	const unsigned char *s = p;
	size_t o = 0;

	if (!bufsz)
		return "";
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			if (o + 1 >= bufsz)
				break;
			buf[o++] = (char)s[i];
		} else {
			if (o + 4 >= bufsz)
				break;
			snprintf(buf + o, 5, "\\x%02x", s[i]);
			o += 4;
		}
	}
	buf[o] = '\0';
	return buf;
}
