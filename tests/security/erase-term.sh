#!/bin/bash
# erase-term.sh: an erase leaves nothing on the terminal's side either. A
# real terminal (tmux, CURVE) receives a demo customer's order, shows her
# name at an enquiry and adds a note with her phone number; then despatch
# erase customer runs while hub and terminal are up. Every file either
# wrote (the hub's database, WAL and log; the terminal's journal, its WAL
# and shared memory, and its log) is searched byte by byte for each of her
# strings: none found, while the terminal runs and after it has stopped.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

PII=("Margaret Ellis" "Margaret" "14 Elm Grove" "Elm Grove" "m.ellis@example.org" "+44 1225 555 014" "BA1 5AB"
	"07700 900463")
D="$top_builddir/admin/despatch"

# Every file under TL_DIR holding STRING (any case, bytes as they are), one per line.
holders ()
{
	grep -rlaiF -- "$1" "$TL_DIR" 2>/dev/null
}

tl_hub_start
tl_ok $? "hub starts (CURVE on)"
tl_term_start 24 80 --terminal hh-erase --station DESP1
tl_login B3001 3333
tl_ok $? "the supervisor logs in at hh-erase"

key=$(tl_menu Receive)
[ -n "$key" ] && tl_keys "$key" && tl_wait "Scan ticket" && tl_scan W1000001 && tl_wait_joined "W1000001 received"
tl_ok $? "W1000001 (Margaret Ellis) received at the terminal"
tl_keys F3 && tl_wait "MENU"
key=$(tl_menu Enquiry)
[ -n "$key" ] && tl_keys "$key" && tl_scan W1000001 && tl_wait "Margaret Ellis"
tl_ok $? "an enquiry shows her name"
tl_keys F3 && tl_wait "MENU"
key=$(tl_menu Note)
[ -n "$key" ] && tl_keys "$key" && tl_wait "Scan for note" && tl_scan W1000001 && tl_wait "Note" \
	&& tl_scan "Margaret asks us to ring 07700 900463 first" && tl_wait_joined "Note added"
tl_ok $? "a note with her phone number"
tl_keys F3 && tl_wait "MENU"
[ -n "$(holders "07700 900463")" ] && [ -n "$(holders "Elm Grove")" ]
tl_ok $? "before the erase her data is in the hub's files: $(holders "07700 900463" | tr '\n' ' ')"

out=$("$D" -d "$TL_DB" erase customer 'Margaret Ellis' 2>&1)
tl_ok $? "despatch erase customer, with hub and terminal running: $(echo "$out" | head -1)"

left=
for s in "${PII[@]}"; do
	f=$(holders "$s")
	[ -n "$f" ] && left="$left '$s' in $(echo $f)"
done
[ -z "$left" ]
tl_ok $? "none of her strings in any file of the hub or the terminal${left:+:$left}"
ls "$TL_DIR"/journal.db* >/dev/null 2>&1
tl_ok $? "the terminal's journal files were among them: $(ls "$TL_DIR" | tr '\n' ' ')"

# After the terminal has stopped (its journal closed).
tl_term_kill
tl_hub_stop
left=
for s in "${PII[@]}"; do
	f=$(holders "$s")
	[ -n "$f" ] && left="$left '$s' in $(echo $f)"
done
[ -z "$left" ]
tl_ok $? "and none after both stopped${left:+:$left}"
tl_done
