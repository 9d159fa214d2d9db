/*
 * log.h: one line per event, to stderr (foreground, tests) or syslog
 * (services; journald picks it up). Callers never log a PIN or a card number.
 *
 * Every line is written through one function that escapes what could make
 * it read as more than one line or as something else (text.h's
 * text_escape: new lines, other control characters, bytes that are not
 * UTF-8), so a file name or a field from outside can never forge a line.
 *
 * Warnings caused by one peer (a terminal's key, an address) go through
 * log_peer, which writes at most LOG_PEER_BURST of them in each
 * LOG_PEER_WINDOW_MS and counts the rest: a device that sends a malformed
 * frame 50,000 times a second costs a few lines and a count, not the disk.
 * The limiter's state is the calling thread's to share: call log_peer and
 * log_peer_flush from one thread (the hub's loop).
 */
#ifndef DSP_LOG_H
#define DSP_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

#define LOG_PEER_BURST 5
#define LOG_PEER_WINDOW_MS 10000

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

/*
 * A line about peer ("key hh-01", "address 10.0.4.7"), written as
 * "PEER: message". Returns -1 when the line was only counted (the peer is
 * over its burst), else how many lines about that peer were counted and
 * not written since its last written line (that line then says so).
 */
int log_peer (enum log_level level, const char *peer, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
/*
 * For each peer whose window has ended with lines counted and not written:
 * one line with the count ("key hh-01: 157937 more warnings were not
 * logged ..."), and fn (when not NULL) hears the peer and the count. Call
 * it now and then; log_peer calls it too when it needs a slot.
 */
typedef void (log_peer_fn) (const char *peer, long count, void *arg);
void log_peer_flush (log_peer_fn *fn, void *arg);
/* Every count not said yet, whether or not its window is over (at exit). */
void log_peer_flush_all (void);
/* The burst and window (LOG_PEER_BURST, LOG_PEER_WINDOW_MS unless set); for tests. */
void log_peer_limits (int burst, int window_ms);

#endif
