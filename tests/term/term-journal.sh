#!/bin/bash
# term-journal.sh: what the terminal's journal holds, read from the bytes of
# its files (the database, its -wal and -shm). A note's text (a phone
# number) is never written there, not even while it waits for the hub; an answered scan leaves no trace; a scan
# kept while the hub is away is there (so the search can see) until the hub
# has answered it (wiped once the answer is drawn); a kept scan the hub
# refused stays on the rejected list until it is cleared, then goes too. Checked while the terminal runs and
# after it has stopped.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

J="$TL_DIR/journal.db"
NOTE="ring 07700 900461 after six"
# The journal's files hold TEXT (fixed string, bytes as they are); 0 when they do.
tl_journal_has ()
{
	local f
	for f in "$J" "$J-wal" "$J-shm"; do
		[ -f "$f" ] && LC_ALL=C grep -qaF -- "$1" "$f" && return 0
	done
	return 1
}
# The terminal wipes an answered scan once its answer is drawn: give it a
# moment (at most 2 s), then TEXT must be gone from every file.
tl_journal_gone ()
{
	local i=0
	while tl_journal_has "$1" && [ $i -lt 40 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	! tl_journal_has "$1"
}
TERMOPTS="--terminal hh-jn --station DESP1 --set terminal.reply_timeout_ms=600"

tl_hub_start
tl_ok $? "hub starts"
tl_term_start 24 80 $TERMOPTS
tl_login B1001 1111
tl_ok $? "logged in"

# A note with a phone number in it, added at the hub.
key=$(tl_screen | sed -n 's/.*\([0-9a-z]\) Note.*/\1/p' | head -1)
[ -n "$key" ] && tl_keys "$key" && tl_wait "Scan for note"
tl_ok $? "the note screen (menu key $key)"
tl_scan W1000001 && tl_wait "Note"
tl_scan "$NOTE"
tl_wait_joined "OK"
tl_ok $? "the note is answered"
[ "$(tl_sql "SELECT count(*) FROM notes WHERE order_ref = 'W1000001' AND text = '$NOTE'")" = 1 ]
tl_ok $? "and stored at the hub"
! tl_journal_has "07700 900461"
tl_ok $? "the note's text is in none of the journal's files"

# A note that waits for its answer (the hub stopped with SIGSTOP): never on disk meanwhile either.
NOTE2="call 07700 900462 at the door"
tl_scan W1000001 && tl_wait "Note"
kill -STOP "$TL_HUB_PID"
tl_scan "$NOTE2"
tl_wait "NO HUB"
tl_ok $? "a second note, and the hub stops answering"
! tl_journal_has "07700 900462"
tl_ok $? "while it waits, its text is in none of the journal's files"
kill -CONT "$TL_HUB_PID"
tl_wait "HUB OK" 300 && tl_wait_joined "Note added" 300
tl_ok $? "the hub continues: the waiting note is sent again and answered"
[ "$(tl_sql "SELECT count(*) FROM notes WHERE order_ref = 'W1000001' AND text = '$NOTE2'")" = 1 ]
tl_ok $? "and stored once"
! tl_journal_has "07700 900462"
tl_ok $? "its text was never in the journal's files"
tl_keys F3 && tl_wait "MENU"

# A scan answered at once.
tl_keys 1 && tl_wait "Scan ticket"
tl_ok $? "receive screen"
tl_scan T1000002 && tl_wait_joined "T1000002 received"
tl_ok $? "a scan answered"
tl_journal_gone T1000002
tl_ok $? "it left no trace in the journal's files"

# A scan kept while the hub is away: in the journal until answered.
tl_hub_stop
tl_scan P1000003 && tl_wait "Q1" && tl_wait "NO HUB"
tl_ok $? "hub stopped: the scan is kept (Q1, NO HUB)"
tl_journal_has P1000003
tl_ok $? "kept: its code is in the journal (the search sees it)"
tl_scan ZQ999001 && tl_wait "Q2"
tl_ok $? "a code the hub will refuse is kept too (Q2)"
tl_hub_start
tl_ok $? "hub back"
tl_wait "LATE REJECT" 300
tl_ok $? "the kept unknown code is refused late"
[ "$(tl_sql "SELECT count(*) FROM scans WHERE code = 'P1000003' AND terminal = 'hh-jn'")" = 1 ]
tl_ok $? "the kept scan reached the hub"
tl_journal_gone P1000003
tl_ok $? "and once answered, left no trace in the journal's files"
tl_journal_has ZQ999001
tl_ok $? "the refused one stays, on the rejected list"
tl_keys F1 && tl_wait "REJECTED LATER" && tl_keys F1 && tl_wait "MENU"
tl_ok $? "the list is shown and cleared"
tl_journal_gone ZQ999001
tl_ok $? "cleared: gone from the journal's files"

# After the terminal stops: still nothing.
tl_logout && tl_keys F3
i=0
while [ "$(tmux -L "$TL_SOCK" display-message -p -t dsp '#{pane_dead}')" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ "$(tmux -L "$TL_SOCK" display-message -p -t dsp '#{pane_dead}')" = 1 ]
tl_ok $? "the terminal leaves"
! tl_journal_has "07700 900461" && ! tl_journal_has T1000002 && ! tl_journal_has P1000003 && ! tl_journal_has ZQ999001
tl_ok $? "after it stopped, the journal's files hold none of it"

tl_done
