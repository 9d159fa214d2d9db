#!/bin/bash
# term-pack.sh: the pack screen on a handheld (8 x 40, 16 x 20) against a
# real hub. Below 60 columns there is no side panel: the order's lines follow
# the parcel on the body, paged with PgDn (the key line says so), and each
# line of a three-line order is read on screen. While parcel 2 of 2 is
# entered the screen names parcel 2. A new ticket keeps nothing of the order
# before it (box, weight, tracking). An error shown on one screen is gone
# once the operator is on another.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

# Receive an order and locate each of its lines (location, then item), as a porter on the menu.
tk_locate ()
{
	local order=$1
	shift
	tl_keys "$(tl_menu_key Receive)" && tl_wait "Scan ticket" && tl_scan "$order" && tl_wait_main "$order received" \
		&& tl_keys F3 && tl_wait_re '^MENU' && tl_keys "$(tl_menu_key Locate)" && tl_wait "Scan ticket" \
		&& tl_scan "$order" || return 1
	while [ $# -ge 2 ]; do
		tl_wait "Go to $1" && tl_scan "$1" && tl_wait "Scan item" && tl_scan "$2" || return 1
		shift 2
	done
	tl_wait_main "Next: pack" && tl_keys F3 && tl_wait_re '^MENU'
}

tl_hub_start --set pack.boxes=Small,Medium,Large,Tube
tl_ok $? "hub starts with the demo orders"

tl_term_start 16 20 --terminal hh-pk --station bench-1 --profile handheld
tl_login B1001 1111
tl_ok $? "porter logged in"
tk_locate T1000010 SH-R1-A10 SH-TRN-4410 SP-R1-A01 SP-BTL-0750 SP-R1-A02 SP-SOCK-0003
tl_ok $? "T1000010 (three lines, two departments) received and located"
tk_locate W1000001 WW-R3-B12 WW-DRS-1042 BT-HOLD-1 BT-EDP-0050
tl_ok $? "W1000001 received and located"
tl_logout && tl_login B2001 2222
tl_ok $? "packer logged in"

for size in 8x40 16x20; do
	rows=${size%x*} cols=${size#*x}
	tl_resize "$rows" "$cols"
	tl_keys "$(tl_menu_key Pack)" && tl_wait "Scan ticket" && tl_scan T1000010 && tl_wait "Parcels"
	tl_ok $? "$size: T1000010's ticket opens it at Pack"
	tl_wait "PgDn Lines"
	tl_ok $? "$size: the key line says PgDn shows the lines"
	tl_page_to "Order lines" && tl_page_to "SH-TRN-4410 x1 Shoes Trainers, white, 10" \
		&& tl_page_to "SP-BTL-0750 x1 Sport Water bottle, steel" && tl_page_to "SP-SOCK-0003 x1 Sport Running socks, 3 pairs"
	tl_ok $? "$size: each of its three lines read on screen, paging with PgDn"
	tl_keys PgUp PgUp PgUp PgUp PgUp PgUp && tl_wait_re '^PACK' && tl_wait_main "Order T1000010"
	tl_ok $? "$size: PgUp goes back to the parcel"
	tl_keys F3 && tl_wait "Scan ticket" && tl_keys F3 && tl_wait_re '^MENU'
done

# F3 until the menu (at most 6 screens back).
tk_menu ()
{
	local i=0
	while ! tl_row 0 | grep -q '^MENU' && [ $i -lt 6 ]; do
		tl_keys F3
		tl_wait_re '^MENU' 40
		i=$((i + 1))
	done
	tl_row 0 | grep -q '^MENU'
}

# The whole body, every page (PgDn until the page no longer changes, at most 12), for what must not be anywhere on it.
tk_all_pages ()
{
	local i before j
	for i in $(seq 1 12); do
		tl_main
		before=$(tl_row 0)
		tl_keys PgDn
		j=0
		while [ "$(tl_row 0)" = "$before" ] && [ $j -lt 10 ]; do
			sleep 0.05
			j=$((j + 1))
		done
		[ "$(tl_row 0)" = "$before" ] && break
	done
}

# The tracking number the check stage names ("royal-mail XX123456789GB"), read off the screen's pages.
tk_tracking ()
{
	tk_all_pages | sed -n 's/^[a-z-]* \([0-9A-Z]\{8,\}\)$/\1/p' | head -1
}

# Two parcels at 8 x 40: while parcel 2's box is entered, the screen names parcel 2.
tl_resize 8 40
tl_keys "$(tl_menu_key Pack)" && tl_wait "Scan ticket" && tl_scan T1000010 && tl_wait "Parcels" && tl_scan 2 \
	&& tl_wait "Box type" && tl_page_to "Parcel 1 of 2"
tl_ok $? "8x40: two parcels; parcel 1 of 2's box asked"
tl_scan 1 && tl_wait "Weight g" && tl_scan 700 && tl_wait "Scan printed label" && tl_wait_main "Check parcel 1 of 2"
tl_ok $? "8x40: parcel 1 packed, its label to check"
t1=$(tk_tracking)
[ -n "$t1" ] && tl_scan "$t1" && tl_wait "Box type"
tl_ok $? "8x40: parcel 1's label ($t1) checked; the next box asked"
tl_page_to "Parcel 2 of 2" && ! tk_all_pages | grep -q "Parcel 1 of 2"
tl_ok $? "8x40: the box asked is parcel 2's, and the screen says so"
tl_scan 3 && tl_wait "Weight g" && tl_page_to "Parcel 2 of 2" && tl_page_to "Box Large"
tl_ok $? "8x40: parcel 2's weight asked, still parcel 2 of 2, box Large"
tl_scan 1234 && tl_wait "Scan printed label" && tl_wait_main "Check parcel 2 of 2"
t2=$(tk_tracking)
[ -n "$t2" ] && [ "$t2" != "$t1" ]
tl_ok $? "8x40: parcel 2 packed, its own label ($t2) to check"
tl_keys F3 && tl_wait "Scan ticket"
tl_ok $? "8x40: F3 leaves T1000010 with parcel 2 unchecked"

# The next order's ticket: nothing of T1000010 on any page.
tl_scan W1000001 && tl_wait "Parcels" && tl_wait_main "Order W1000001"
tl_ok $? "8x40: W1000001's ticket opens it"
shown=$(tk_all_pages)
! printf '%s\n' "$shown" | grep -qE "$t1|$t2|T1000010|Box |Weight |of 2"
tl_ok $? "8x40: none of T1000010's box, weight, tracking or count on the new order's screen"
printf '%s\n' "$shown" | grep -q "WW-DRS-1042"
tl_ok $? "8x40: the new order's own lines are there"
tl_keys Enter && tl_wait "Box type" && tl_page_to "Parcel 1 of 1" && shown=$(tk_all_pages) \
	&& ! printf '%s\n' "$shown" | grep -qE "$t1|$t2|Box Large|Weight 1234|of 2"
tl_ok $? "8x40: one parcel: its box asked, with none of the last order's box or weight"
tl_scan 2 && tl_wait "Weight g" && tl_page_to "Box Medium" && shown=$(tk_all_pages) \
	&& ! printf '%s\n' "$shown" | grep -qE "$t1|$t2|Box Large|Weight 1234|of 2"
tl_ok $? "8x40: box Medium, and the weight asked is not the last order's"
tk_menu

# An error at one screen does not follow to the next: F3 to the menu, then another screen.
tl_keys "$(tl_menu_key Pack)" && tl_wait "Scan ticket" && tl_scan ZZ4040404 \
	&& tl_wait_re '^XX ' && tl_wait_joined "ZZ4040404"
tl_ok $? "8x40: an unknown ticket at Pack is refused (XX, naming it)"
said=$(tl_screen | sed -n 's/^XX //p' | head -1)
tl_keys F3 && tl_wait_re '^MENU' && tl_settle && ! tl_screen | grep -qE "^XX |ZZ4040404"
tl_ok $? "8x40: F3 to the menu: the refusal ($said) is gone"
tl_keys "$(tl_menu_key Enquiry)" && tl_wait_re '^ENQUIRY' && tl_settle && ! tk_all_pages | grep -qE "^XX |ZZ4040404"
tl_ok $? "8x40: and not on Enquiry either"
tl_keys F3 && tl_wait_re '^MENU' && tl_logout && tl_scan B2001 && tl_wait PIN && tl_scan 9999 && tl_wait_re '^XX '
tl_ok $? "8x40: a wrong PIN is refused"
tl_scan B2001 && tl_wait PIN && tl_scan 2222 && tl_wait_re '^MENU' && tl_wait_re '^OK ' && ! tl_screen | grep -q '^XX '
tl_ok $? "8x40: logged in: the menu shows the answer to the login ($(tl_screen | grep '^OK ' | head -1)), not the old refusal"

tl_done
