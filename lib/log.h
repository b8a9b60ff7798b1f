/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOMGATE_LOG_H
#define BOMGATE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* Where messages go: stderr (CLI) or syslog (daemon, also to stderr when
 * that is a terminal or the journal's stream). */
void log_init(const char *ident, int use_syslog);
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* The last error message logged (escaped as printed), "" if none: for
 * the CLI's --json error object. */
const char *log_last_error(void);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define pr_err(...)	log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define pr_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* Drain OpenSSL's error queue into one log line prefixed by @what. */
void log_openssl(enum log_level lvl, const char *what);

/* Forward libbpf's own output at debug level only. */
void log_setup_libbpf(void);

#endif
