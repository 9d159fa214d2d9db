/*
 * term-curses.h: the only door to curses. Starts and ends the terminal,
 * reads keys without waiting (translated to term-input.h's keys), copies a
 * term_screen_t to the real screen (turned over for a flash), and sounds
 * the bell. Nothing here sleeps.
 */
#ifndef DSP_TERM_CURSES_H
#define DSP_TERM_CURSES_H

#include <stdbool.h>

#include "term-screen.h"

/* 0, or -1 when the terminal cannot be used. mono forces reverse video and symbols. */
int term_curses_init (bool mono);
void term_curses_end (void);
void term_curses_size (int *rows, int *cols);
/* The next key, or -1 when none is waiting. */
int term_curses_key (void);
/* flash: every cell in reverse video (the visual bell, drawn and undrawn by the caller). */
void term_curses_draw (const term_screen_t *scr, bool flash);
void term_curses_beep (void);
/* The file descriptor keys arrive on, for poll. */
int term_curses_fd (void);

#endif
