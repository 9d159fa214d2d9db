#!/bin/bash
# term-refused.sh: a terminal the hub turns away says so, on its status line
# and in words, instead of "NO HUB" as if the network were down: a revoked
# key, another hub's public key, no keys for a CURVE hub, a key used as
# another terminal id (the hub's WRONG_TERMINAL in words). A secret key its
# group may read stops the terminal with the chmod to run. A handheld at
# 16 x 20; then the enrolled terminal connects as usual.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

tl_hub_start
tl_ok $? "hub starts (CURVE on)"
D="$top_builddir/admin/despatch"

# A key that was enrolled and then revoked: the device still holds it.
"$D" keys enrol "$TL_KEYS" tl-gone >/dev/null && cp -r "$TL_KEYS/terminals/tl-gone" "$TL_DIR/gone-keys" \
	&& "$D" keys revoke "$TL_KEYS" tl-gone >/dev/null
tl_ok $? "tl-gone enrolled, its keys copied to the device, then revoked"
TL_TERM_KEYS="$TL_DIR/gone-keys" tl_term_start 16 20 --terminal tl-gone --station DESP1
tl_wait "KEY REFUSED"
tl_ok $? "revoked key: KEY REFUSED on the status line"
tl_wait_joined "No hub: the hub refused this terminal's key"
tl_ok $? "and in words, with what to do (enrol)"
tl_wait_joined "despatch keys enrol"
tl_ok $? "the words name the command"
grep -q "no hub: the hub refused this terminal's key" "$TL_DIR/term.log"
tl_ok $? "the log says the same"

# The terminal's own key, but another hub's public key beside it.
"$D" keys init "$TL_DIR/other" >/dev/null && cp -r "$TL_KEYS/terminals/tl-term" "$TL_DIR/wrong-hub" \
	&& cp "$TL_DIR/other/hub.cert" "$TL_DIR/wrong-hub/hub.cert"
tl_ok $? "a copy of tl-term's keys with another hub's hub.cert"
TL_TERM_KEYS="$TL_DIR/wrong-hub" tl_term_start 16 20 --terminal tl-term --station DESP1
tl_wait "WRONG HUB KEY"
tl_ok $? "another hub's key: WRONG HUB KEY"
tl_wait_joined "is hub.cert this hub's public key"
tl_ok $? "and in words"

# No keys at all against a CURVE hub.
TL_TERM_KEYS= tl_term_start 16 20 --terminal tl-term --station DESP1
tl_wait "NEEDS KEYS"
tl_ok $? "no keys: NEEDS KEYS"
tl_wait_joined "start the terminal with --keys"
tl_ok $? "and in words"

# A secret key its group may read: the terminal does not start, and says what to run.
cp -r "$TL_KEYS/terminals/tl-term" "$TL_DIR/loose" && chmod 640 "$TL_DIR/loose/terminal.cert_secret"
tl_ok $? "a copy of tl-term's keys, the secret key readable by its group"
"$TL_TERM" --endpoint "$TL_ENDPOINT" --terminal tl-term --keys "$TL_DIR/loose" --journal "$TL_DIR/loose.journal" \
	</dev/null >/dev/null 2>"$TL_DIR/loose.err"
tl_ok "$([ $? -eq 1 ]; echo $?)" "the terminal refuses to start (exit 1)"
grep -qF "chmod 600 $TL_DIR/loose/terminal.cert_secret" "$TL_DIR/loose.err" && grep -qF "can be read by its group" "$TL_DIR/loose.err"
tl_ok $? "and says why and the chmod to run: $(cat "$TL_DIR/loose.err")"
chmod 600 "$TL_DIR/loose/terminal.cert_secret" && TL_TERM_KEYS="$TL_DIR/loose" tl_term_start 16 20 --terminal tl-term --station DESP1
tl_wait "HUB OK"
tl_ok $? "after that chmod, the same keys connect: HUB OK"

# tl-term's key with another terminal id: the hub refuses it, and the terminal says why.
TL_TERM_KEYS="$TL_KEYS/terminals/tl-term" tl_term_start 16 20 --terminal hh-other --station DESP1
tl_wait_joined "enrolled as terminal tl-term"
tl_ok $? "a key used as another terminal id: the hub's refusal on the screen"
grep -q "the hub refused this terminal: This device's key is enrolled as terminal tl-term, not hh-other" "$TL_DIR/term.log"
tl_ok $? "and in the terminal's log"
grep -q "key tl-term: sent HELLO seq [0-9]* as terminal hh-other: refused (WRONG_TERMINAL)" "$TL_DIR/hub.log"
tl_ok $? "the hub logged it with the key's name"

# The enrolled terminal: nothing of the above.
tl_term_start 16 20 --terminal tl-term --station DESP1
tl_wait "HUB OK"
tl_ok $? "the enrolled terminal connects: HUB OK"
! tl_screen | grep -qE "REFUSED|WRONG HUB KEY|NEEDS KEYS"
tl_ok $? "and no refusal is shown"

# A hub that stops: plain NO HUB, not a refusal.
tl_hub_stop
tl_wait "NO HUB" 300
tl_ok $? "the hub stopped: NO HUB"
! tl_screen | grep -qE "REFUSED|WRONG HUB KEY|NEEDS KEYS"
tl_ok $? "not mistaken for a refusal"

tl_done
