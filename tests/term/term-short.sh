#!/bin/bash
# term-short.sh: at locate, a short recorded on a line other than the one
# the hub names (F1 Lines: pick the line, type the quantity found, scan its
# location), on a handheld (16 x 20) and on a bench terminal (24 x 80)
# against a real hub; the terminal refuses a line or quantity out of range
# before anything is sent.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

tl_hub_start
tl_ok $? "hub starts"
tl_term_start 16 20 --terminal hh-31 --station DESP1
tl_login B1001 1111
tl_ok $? "porter logged in at 16 x 20"

tl_keys 1 && tl_wait "Scan ticket" && tl_scan W1000005 && tl_wait "Go to HW-R2-B07"
tl_ok $? "receive W1000005 (three lines): the first line's location"
tl_keys F4 && tl_wait "Scan location" && tl_wait "F1 Lines"
tl_ok $? "locate offers F1 Lines beside the named line"
tl_keys F1 && tl_wait "Line no." && tl_wait "2 TY-TRN-0042 x2" && tl_wait "3 MW-KNT-1130 x1"
tl_ok $? "F1 lists every line of the order, numbered"
tl_keys F3 && tl_wait "Go to HW-R2-B07" && tl_wait "Scan location"
tl_ok $? "F3 from the list goes back to the named line"
tl_keys F1 && tl_wait "Line no." && tl_scan 4 && tl_wait_joined "XX Type a line number"
tl_ok $? "a line number not in the list is refused on the terminal"
tl_scan 2 && tl_wait "Qty found" && tl_wait "Short line 2"
tl_ok $? "line 2 picked: its quantity found is asked"
tl_scan 3 && tl_wait_joined "XX Quantity found: 0 to 2"
tl_ok $? "more than the line's quantity is refused on the terminal"
tl_scan 1 && tl_wait "Go to TY-R1-A11" && tl_wait "Found 1 of 2"
tl_ok $? "quantity 1 typed: now the line's location"
[ "$(tl_sql "SELECT count(*) FROM scans WHERE step = 'locate' AND terminal = 'hh-31'")" = 0 ]
tl_ok $? "nothing sent to the hub while picking"
tl_scan TY-R1-A11 && tl_wait_joined "recorded short"
tl_ok $? "the hub records line 2 short (its words, warning)"
tl_screen | grep -q '^!!'
tl_ok $? "shown as a warning (!!)"
[ "$(tl_sql "SELECT status || ' ' || qty_found FROM order_lines WHERE order_ref = 'W1000005' AND line_no = 2")" = "short 1" ]
tl_ok $? "line 2 is short with 1 found in the hub's database"
[ "$(tl_sql "SELECT status FROM order_lines WHERE order_ref = 'W1000005' AND line_no = 1")" = open ]
tl_ok $? "line 1 is still open"
tl_wait "Go to HW-R2-B07"
tl_ok $? "back to the line the hub names next (line 1)"
tl_scan HW-R2-B07 && tl_wait "Scan item" && tl_scan HW-PAN-2400 && tl_wait "Go to MW-R3-C02"
tl_ok $? "line 1 found: the next is line 3, the short line 2 is not asked again"

# The same on a bench terminal: the last line of T1000010, none of it found.
tl_term_kill
rm -f "$TL_DIR"/journal.db "$TL_DIR"/journal.db-*
tl_term_start 24 80 --terminal bench-31 --station BENCH1 --profile bench
tl_resize 24 80
tl_login B1001 1111
tl_ok $? "porter logged in at a 24 x 80 bench terminal"
tl_keys 1 && tl_wait "Scan ticket" && tl_scan T1000010 && tl_wait "Go to SH-R1-A10"
tl_ok $? "receive T1000010 (three lines): the first line's location"
tl_keys F4 && tl_wait "Scan location" && tl_wait "F1 Lines"
tl_ok $? "locate offers F1 Lines at 24 x 80"
tl_keys F1 && tl_wait "1 SH-TRN-4410 x1" && tl_wait "3 SP-SOCK-0003 x1"
tl_ok $? "F1 lists the three lines"
tl_scan 3 && tl_wait "Qty found" && tl_scan 0 && tl_wait "Go to SP-R1-A02" && tl_wait "Found 0 of 1"
tl_ok $? "line 3 picked, none found: now its location"
tl_scan SP-R1-A02 && tl_wait_joined "recorded short"
tl_ok $? "the hub records line 3 short"
[ "$(tl_sql "SELECT status || ' ' || qty_found FROM order_lines WHERE order_ref = 'T1000010' AND line_no = 3")" = "short 0" ]
tl_ok $? "line 3 is short with 0 found in the hub's database"

tl_done
