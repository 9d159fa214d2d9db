/*
 * log.h: one line per event, to stderr (foreground, tests) or syslog
 * (services; journald picks it up). Callers never log a PIN or a card number.
 */
#ifndef DSP_LOG_H
#define DSP_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* ident names the program; use_syslog false writes to stderr. */
void log_open (const char *ident, enum log_level level, int use_syslog);
void log_close (void);
void log_set_level (enum log_level level);
/* Parse "error", "warn", "info", "debug"; -1 if unknown. */
int log_level_parse (const char *name);

void log_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void log_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void log_info (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void log_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
