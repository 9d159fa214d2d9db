/*
 * screens.h: the names of the terminal's screens that the hub's words send
 * people to. A refusal that needs a supervisor says on which screen the
 * supervisor does it ("Ask a supervisor: Supervisor > Unlock badge"), and
 * the terminal's menus (terminal/term-flow-*.c) label those screens with
 * the same macros, so a name in a message is always one a menu shows.
 * tests/term/term-super.sh walks every such message to its screen.
 */
#ifndef DSP_SCREENS_H
#define DSP_SCREENS_H

/* The main menu's items that hub messages name. */
#define SCREEN_HOLD "Hold"
#define SCREEN_RELEASE "Release"
#define SCREEN_OVERRIDE "Override carrier"
#define SCREEN_JOBS "Print jobs"
#define SCREEN_CLOSEOUT "Close-out"
#define SCREEN_PACK "Pack"
#define SCREEN_SCANOUT "Scan-out"
#define SCREEN_PRICE "Delivery charge"
#define SCREEN_REPRINT "Reprint label"
#define SCREEN_LOCATE_QUEUE "Locate queue"
#define SCREEN_PACK_QUEUE "Pack queue"
#define SCREEN_CONSOLIDATION "Consolidation"

/* The supervisor's menu (an item of the main menu) and its screens. */
#define SCREEN_SUPER "Supervisor"
#define SCREEN_PART "Part-shipments"
#define SCREEN_UNLOCK "Unlock badge"
#define SCREEN_TICKET "Reprint ticket"
#define SCREEN_REOPEN "Reopen close-out"
#define SCREEN_RANGES "Number ranges"
#define SCREEN_PRINTERS "Printers"

/* Where a screen is, as a message says it: "Supervisor > Unlock badge". */
#define SCREEN_IN_SUPER(name) SCREEN_SUPER " > " name

/* The words that lead a screen's name in a message, so a reader (and the
 * test) finds it: "Badge locked after 5 wrong PINs. Ask a supervisor:
 * Supervisor > Unlock badge". */
#define SCREEN_ASK "Ask a supervisor: "

#endif
