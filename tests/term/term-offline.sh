#!/bin/bash
: "${top_srcdir:?run through make check}"
# term-offline.sh: the hub stopped and restarted while scans continue, scans
# at scanner speed (bursts), the terminal killed with scans unsent and
# restarted: every scan reaches the hub's database exactly once, in order.
# A kept scan the hub refuses later raises its own alarm and goes into a
# list the operator must clear.
. "$top_srcdir/tests/term/termlib.sh"

TERMOPTS="--terminal hh-07 --station CAGE2 --set terminal.reply_timeout_ms=600"
tl_hub_start
tl_ok $? "hub starts"
tl_term_start 8 40 $TERMOPTS
tl_login B1001 1111
tl_ok $? "logged in at 8 x 40"
tl_keys 1 && tl_wait "Scan ticket"
tl_ok $? "receive screen"

# Two scans in one burst, the second arriving before the first answer.
tl_scan_burst W1000001 T1000002
tl_wait_joined "T1000002 received"
tl_ok $? "a burst of two scans: both answered, none merged or split"
[ "$(tl_sql "SELECT group_concat(code, ' ') FROM (SELECT code FROM scans WHERE terminal = 'hh-07' ORDER BY seq)")" = "W1000001 T1000002" ]
tl_ok $? "both scans in the hub in order"

tl_hub_stop
tl_scan P1000003
tl_wait "NO HUB"
tl_ok $? "hub stopped: the status line says NO HUB"
tl_wait "Q1"
tl_ok $? "the unanswered scan is kept (Q1 on the status line)"
tl_scan_burst H1000004 W1000005 Z9999999
tl_wait "Q4" && tl_wait_joined "~~ Kept: receive Z9999999"
tl_ok $? "scans go on while the hub is away, shown as kept (provisional)"

tl_term_kill
tl_term_start 8 40 $TERMOPTS
tl_wait "NO HUB" || tl_wait "HUB ?"
tl_wait_joined "4 kept scans will be sent"
tl_ok $? "killed and restarted: the journal still holds the 4 unsent scans"
tl_hub_start
tl_ok $? "hub restarted on the same database"
tl_wait "LATE REJECT"
tl_ok $? "the kept scan the hub refuses raises the late-reject alarm"
tl_wait "F1 Ack"
tl_ok $? "the alarm offers only acknowledgement"
tl_scan W1000006
tl_wait "LATE REJECT"
tl_ok $? "scanning is blocked until the alarm is acknowledged"
tl_keys F1 && tl_wait "REJECTED LATER"
tl_ok $? "acknowledged: the rejected list is shown"
tl_wait "Z9999999"
tl_ok $? "the list names the refused code"
tl_keys F3 && tl_wait "REJECTED LATER"
tl_ok $? "the list cannot be left without clearing it"
tl_keys F1 && tl_wait "MENU"
tl_ok $? "F1 clears the list"

for c in W1000001 T1000002 P1000003 H1000004 W1000005; do
	n=$(tl_sql "SELECT count(*) FROM scans WHERE code = '$c' AND step = 'receive'")
	[ "$n" = 1 ]
	tl_ok $? "$c is in the hub's database exactly once ($n)"
done
[ "$(tl_sql "SELECT group_concat(code, ' ') FROM (SELECT code FROM scans WHERE terminal = 'hh-07' ORDER BY seq)")" = "W1000001 T1000002 P1000003 H1000004 W1000005 Z9999999" ]
tl_ok $? "the hub has them in scan order"
[ "$(tl_sql "SELECT count(*) FROM scans WHERE code = 'W1000006'")" = 0 ]
tl_ok $? "the scan made during the alarm was not sent"
[ "$(sqlite3 -readonly "$TL_DIR/journal.db" "SELECT count(*) FROM outbox")" = 0 ]
tl_ok $? "the terminal's journal is empty"
! tl_row 7 | grep -q "Q[0-9]"
tl_ok $? "no queue shown on the status line"

# The journal file replaced by a fresh one (lost, or a new terminal under the
# same id): its numbering must continue after the hub's last_seq, or the next
# scans would get the stored answers of old ones and never be applied.
last=$(tl_sql "SELECT last_seq FROM terminals WHERE terminal = 'hh-07'")
tl_term_kill
rm -f "$TL_DIR"/journal.db "$TL_DIR"/journal.db-*
tl_term_start 8 40 $TERMOPTS
tl_wait "MENU"
tl_ok $? "fresh journal: the hub still holds the session, back at the menu"
tl_keys 1 && tl_wait "Scan ticket" && tl_scan W1000006 && tl_wait_joined "W1000006 received"
tl_ok $? "a scan from the fresh journal is answered as new"
[ "$(tl_sql "SELECT count(*) FROM scans WHERE code = 'W1000006' AND terminal = 'hh-07'")" = 1 ]
tl_ok $? "and applied (not a stored answer of an old number)"
[ "$(tl_sql "SELECT min(seq) FROM scans WHERE code = 'W1000006' AND terminal = 'hh-07'")" -gt "$last" ]
tl_ok $? "numbered after the hub's last_seq ($last)"

# The same with nobody logged in and the hub away: the PIN typed before the
# first HELLO is answered is numbered when it goes, after last_seq.
tl_keys F3 && tl_wait "MENU" && tl_logout
tl_ok $? "logged out"
tl_term_kill
tl_hub_stop
rm -f "$TL_DIR"/journal.db "$TL_DIR"/journal.db-*
tl_term_start 8 40 $TERMOPTS
tl_wait "Scan badge" && tl_scan B1001 && tl_wait "PIN" && tl_scan 1111 && tl_wait_joined "Waiting for the hub"
tl_ok $? "fresh journal, hub away: the login waits"
tl_hub_start && tl_wait "MENU" && tl_wait_joined "Hello"
tl_ok $? "hub back: the login is checked as a new request"
[ "$(tl_sql "SELECT count(*) FROM terminals WHERE terminal = 'hh-07' AND last_seq > $last")" = 1 ]
tl_ok $? "its number is above the old last_seq"

tl_done
