/* Logging: stderr in the foreground, syslog otherwise.
 *
 * Never log key material here; the key log (--keylog) is the only place
 * secrets may go.  Bytes from the peer go through log_escape() first.
 */
#ifndef IKEGW_LOG_H
#define IKEGW_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, int to_stderr, enum log_level max);
void log_set_level(enum log_level max);
enum log_level log_get_level(void);
/* Tests capture log lines instead of printing them. */
typedef void (*log_sink_fn)(enum log_level lvl, const char *line, void *arg);
void log_set_sink(log_sink_fn fn, void *arg);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* Printable, bounded copy of untrusted bytes (non-printables as \xNN). */
const char *log_escape(const void *p, size_t n, char *buf, size_t bufsz);

#endif
