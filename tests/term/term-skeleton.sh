#!/bin/bash
: "${top_srcdir:?run through make check}"
# term-skeleton.sh: the walking skeleton at 16 x 20 against a real hub: log in,
# the menu, a receive scan and its answer on the message line, the status
# line, then the same screen after a resize to 8 x 40 and 24 x 80.
. "$top_srcdir/tests/term/termlib.sh"

tl_hub_start
tl_ok $? "hub starts"
tl_term_start 16 20 --terminal hh-01 --station DESP1

tl_wait "Scan badge"
tl_ok $? "login screen shows a badge prompt"
tl_wait "HUB OK"
tl_ok $? "status line says the hub is reachable"
tl_scan B1001 && tl_wait "PIN"
tl_ok $? "badge accepted, PIN asked"
tl_scan 1111 && tl_wait "MENU"
tl_ok $? "right PIN gives the menu"
tl_wait "Receive"
tl_ok $? "the menu offers receive to a porter"
tl_row 15 | grep -q "^B1001 DESP1 *HUB OK"
tl_ok $? "status line: operator, station, hub"

tl_keys 1 && tl_wait "Scan ticket"
tl_ok $? "receive screen asks for a ticket"
tl_scan W1000001 && tl_wait "OK W1000001"
tl_ok $? "hub's answer on the message line with its symbol"
tl_wait_joined "W1000001 received: 2 lines from 2 departments"
tl_ok $? "the whole answer is shown, wrapped to 20 columns"
[ "$(tl_sql "SELECT count(*) FROM scans WHERE code = 'W1000001' AND terminal = 'hh-01' AND manual = 0")" = 1 ]
tl_ok $? "the scan is in the hub's database once, not manual"
width=$(tl_screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$width" -le 20 ]
tl_ok $? "nothing drawn beyond 20 columns ($width)"

tl_scan T1000002 && tl_wait "OK T1000002"
tl_ok $? "a second scan replaces the message"

tl_resize 8 40
tl_wait "B1001 DESP1" && tl_row 7 | grep -q "HUB OK" && tl_row 0 | grep -q RECEIVE
tl_ok $? "redrawn at 8 x 40: title on top, status at the bottom"
tl_wait "T1000002 received"
tl_ok $? "the message is kept through the resize"

tl_resize 24 80
tl_wait "|Details" && tl_row 23 | grep -q "HUB OK"
tl_ok $? "redrawn at 24 x 80 with a details panel beside the field"
tl_wait "|Order: T1000002" && tl_wait "|1 MW-SHT-2210 x1 Menswear" && ! tl_screen | grep -q "|line\.1:"
tl_ok $? "the panel shows what the hub said about the order, in words: its lines as rows"

tl_keys F3 && tl_wait "MENU" && tl_wait "|OK T1000002 received"
tl_ok $? "F3 goes back to the menu; at 80 columns it lists recent answers"
tl_resize 16 20
tl_keys F3 && tl_wait_joined "Log out B1001? F1 yes, F3 no" && tl_wait "F1 Logout F3 Stay"
tl_ok $? "F3 on the menu asks before it logs out"
tl_keys F3 && tl_wait "Still logged in" && tl_wait "F3 Logout" && ! tl_screen | grep -q "Scan badge"
tl_ok $? "F3 again: still logged in, at the menu"
tl_logout
tl_ok $? "F3 then F1 logs out"

# Leaving the terminal: F3 (Exit) at the badge prompt ends it cleanly.
tl_wait "F3 Exit" || tl_wait "Exit"
tl_ok $? "the badge prompt offers Exit"
tl_keys F3
i=0
while [ "$(tmux -L "$TL_SOCK" display-message -p -t dsp '#{pane_dead}')" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ "$(tmux -L "$TL_SOCK" display-message -p -t dsp '#{pane_dead}')" = 1 ]
tl_ok $? "F3 at the badge prompt leaves the terminal"

tl_done
