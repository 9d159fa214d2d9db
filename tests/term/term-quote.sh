#!/bin/bash
# term-quote.sh: the quote and override screens against a real hub. A quote
# lists the services that can take an order with their prices (24 x 80, and
# paged at 16 x 20); a supervisor overrides the carrier from that list and
# the next pack of the order goes by it; a packer is not offered Override.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

tl_hub_start
tl_ok $? "hub starts"
tl_term_start 24 80 --terminal bench-q --station DESP1

# A packer may quote, not override.
tl_login B2001 2222
tl_ok $? "packer logged in at 24 x 80"
[ -n "$(tl_menu Quote)" ] && [ -z "$(tl_menu 'Override carrier')" ]
tl_ok $? "the packer's menu has Quote and no Override"
tl_keys "$(tl_menu Quote)" && tl_wait "Scan ticket/label" && tl_scan W1000001 && tl_wait "Order W1000001"
tl_wait_re "^[0-9]+\.[0-9]{2} [a-z0-9-]+/[a-z0-9-]+ "
tl_ok $? "quote: each service that can take the order, with its price"
tl_wait_re "^OK "
tl_ok $? "the hub's summary on the message line"
tl_scan NO-SUCH-ORDER && tl_wait "No order NO-SUCH"
tl_ok $? "an unknown code is refused with the hub's words"
tl_keys F3 && tl_wait MENU && tl_logout

# The supervisor: the list to pick from, a reason, the hub's answer.
tl_login B3001 3333
tl_ok $? "supervisor logged in"
tl_keys "$(tl_menu 'Override carrier')" && tl_wait "OVERRIDE" && tl_scan W1000001 && tl_wait "No. or carrier/svc"
tl_ok $? "override: the order's services listed to pick from"
# Pick the last one listed (not the cheapest, which the rules would likely take).
last=$(tl_screen | sed -n 's/^\([0-9]\{1,2\}\) [0-9.]* \([a-z0-9-]*\/[a-z0-9-]*\) .*/\1 \2/p' | tail -1)
pick=${last%% *} choice=${last#* }
[ -n "$pick" ] && [ -n "$choice" ]
tl_ok $? "the list is numbered ($last)"
tl_scan "$pick" && tl_wait "Reason" && tl_wait "$choice"
tl_ok $? "picked by number: the reason is asked"
tl_scan "Customer paid for it" && tl_wait_re "^OK Order W1000001 goes by"
tl_ok $? "the hub accepts the override"
[ "$(tl_sql "SELECT carrier_override || '/' || service_override FROM orders WHERE ref = 'W1000001'")" = "$choice" ] \
	&& [ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'override'")" = 1 ]
tl_ok $? "the override is stored and audited"
tl_keys F3 && tl_wait MENU
tl_keys "$(tl_menu 'Override carrier')" && tl_scan W1000001 && tl_wait "No. or carrier/svc" \
	&& tl_scan "nosuch/thing" && tl_wait "Reason" && tl_scan "Test" && tl_wait "not in the carrier"
tl_ok $? "a typed carrier/service the hub does not know: its refusal shown"

# The next pack of that order goes by the overridden carrier.
tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu Receive)" && tl_wait "Scan ticket" && tl_scan W1000001 \
	&& tl_wait "Go to WW-R3-B12"
tl_ok $? "received"
tl_keys F4 && tl_wait "Scan location" && tl_scan WW-R3-B12 && tl_wait "Scan item" && tl_scan WW-DRS-1042 \
	&& tl_wait "Go to BT-HOLD-1" && tl_scan BT-HOLD-1 && tl_wait "Scan item" && tl_scan BT-EDP-0050 \
	&& tl_wait "Next: pack"
tl_ok $? "located"
tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu Pack)" && tl_wait "PACK" && tl_scan W1000001 && tl_wait "Parcels (Enter=1)" \
	&& tl_keys Enter && tl_wait "Box type" && tl_scan M && tl_wait "Weight g" && tl_scan 800 \
	&& tl_wait "Scan printed label"
tl_ok $? "packed"
[ "$(tl_sql "SELECT carrier || '/' || service FROM parcels WHERE order_ref = 'W1000001'")" = "$choice" ]
tl_ok $? "the parcel goes by the overridden carrier and service ($choice)"
tl_keys F3 && tl_wait_joined "not checked yet" && tl_keys F3 && tl_wait MENU && tl_logout

# A handheld: the list pages, and a parcel label quotes its order.
tl_resize 16 20
tl_login B2001 2222
tl_ok $? "packer logged in at 16 x 20"
tracking=$(tl_sql "SELECT tracking FROM parcels WHERE order_ref = 'W1000001'")
tl_keys "$(tl_menu Quote)" && tl_wait "QUOTE" && tl_scan "$tracking" && tl_wait "Order W1000001"
tl_ok $? "a parcel label quotes its order at 16 x 20"
tl_wait_re "^[0-9]+\.[0-9]{2} "
tl_ok $? "prices shown on the narrow screen"
tl_wait_re "^[0-9]+\.[0-9]{2} fedex/"
tl_ok $? "the services with their prices at 16 x 20"
# prices: the prices on the screen now, one a line, in the order shown.
prices () { tl_screen | sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]\) .*/\1/p'; }
tl_resize 12 20
tl_wait_re "^QUOTE +1/[0-9]" && tl_settle
pages=$(tl_screen | sed -n 's,^QUOTE *1/\([0-9]*\).*,\1,p')
first=$(prices)
firstlines=$(tl_screen | grep -E '^[0-9]+\.[0-9]{2} ')
[ "${pages:-0}" -ge 2 ] && [ -n "$first" ]
tl_ok $? "at 12 x 20 the list is paged: page 1 of $pages shown"
i=1
while [ "$i" -lt "${pages:-0}" ]; do
	i=$((i + 1))
	tl_keys PageDown && tl_wait_re "^QUOTE +$i/$pages" || break
done
tl_settle
last=$(prices)
lastline=$(tl_screen | grep -E '^[0-9]+\.[0-9]{2} ' | tail -n 1)
# Two services may cost the same, so page 1 is told apart by whole lines, not by price.
[ "$i" = "$pages" ] && [ -n "$last" ] && [ "$(printf '%s\n' $first $last | sort -n | tail -n 1)" = "$(printf '%s\n' $last | tail -n 1)" ] \
	&& [ -n "$lastline" ] && ! printf '%s\n' "$firstlines" | grep -qxF "$lastline"
tl_ok $? "PgDn pages on to the last service, the dearest, not on page 1"
while [ "$i" -gt 1 ]; do
	i=$((i - 1))
	tl_keys PageUp && tl_wait_re "^QUOTE +$i/$pages" || break
done
[ "$i" = 1 ]
tl_ok $? "PgUp goes back"

tl_done
