/*
 * pan.h: payment card numbers (PANs) found in free text, so that none is
 * ever stored. A PAN here is 13-19 digits, optionally grouped by single
 * spaces or dashes, that passes the Luhn check and starts as a card of
 * that length does (pan.c's table of the schemes' number ranges and
 * lengths: Visa, Mastercard, Amex, Diners, JCB, Discover, Maestro,
 * UnionPay, Mir). The ranges keep SSCCs (0/1...) and carrier numbers such
 * as DPD's (1...) from being taken for cards by Luhn's one-in-ten chance,
 * and so a time stamp in a file name (20261201120000): no card starts 20.
 */
#ifndef DSP_PAN_H
#define DSP_PAN_H

#include <stdbool.h>
#include <stddef.h>

/* True when text holds a card number anywhere. */
bool pan_find (const char *text);
/* Mask every card number in text in place: all digits but the last four
 * become '*', separators stay. Returns how many were masked. */
int pan_mask (char *text);
/* True when the digits pass the Luhn check. */
bool pan_luhn (const char *digits, size_t n);

#endif
