# terminal/: the ncurses terminal.
bin_PROGRAMS += terminal/despatch-term
noinst_LIBRARIES += terminal/libterm.a
terminal_libterm_a_SOURCES = \
	terminal/term.h \
	terminal/term-app.c \
	terminal/term-input.c terminal/term-input.h \
	terminal/term-screen.c terminal/term-screen.h \
	terminal/term-journal.c terminal/term-journal.h \
	terminal/term-net.c terminal/term-net.h \
	terminal/term-words.c terminal/term-words.h \
	terminal/term-flow.c terminal/term-flow.h \
	terminal/term-flow-table.c \
	terminal/term-flow-scan.c \
	terminal/term-flow-locate.c \
	terminal/term-flow-pack.c \
	terminal/term-flow-scanout.c \
	terminal/term-flow-admin.c \
	terminal/term-flow-quote.c \
	terminal/term-flow-print.c \
	terminal/term-flow-jobs.c \
	terminal/term-flow-queue.c \
	terminal/term-flow-super.c
terminal_libterm_a_CFLAGS = $(AM_CFLAGS)
# libzmq through common/client.c, not CZMQ (doc/terminal.md, Wire).
TERM_LIBS = terminal/libterm.a $(COMMON_OWN_LIBS)

terminal_despatch_term_SOURCES = \
	terminal/term-main.c \
	terminal/term-curses.c terminal/term-curses.h
terminal_despatch_term_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)
terminal_despatch_term_LDADD = $(TERM_LIBS) $(CURSES_LIBS)
dist_man_MANS += terminal/despatch-term.1

# Unit tests of the screen model, the wedge input and the journal's files (no terminal needed).
check_PROGRAMS += tests/term/test-term-screen tests/term/test-term-input tests/term/test-term-journal
tests_term_test_term_screen_SOURCES = tests/term/test-term-screen.c
tests_term_test_term_screen_LDADD = $(TERM_LIBS)
tests_term_test_term_input_SOURCES = tests/term/test-term-input.c
tests_term_test_term_input_LDADD = $(TERM_LIBS)
tests_term_test_term_journal_SOURCES = tests/term/test-term-journal.c
tests_term_test_term_journal_LDADD = terminal/libterm.a $(TEST_LIBS)
TESTS += tests/term/test-term-screen tests/term/test-term-input tests/term/test-term-journal

# The terminal's benchmark helper (bench/terminal.sh, make bench): drives despatch-term on a pty.
noinst_PROGRAMS += bench/bench-term
bench_bench_term_SOURCES = bench/bench-term.c
bench_bench_term_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)
bench_bench_term_LDADD = $(COMMON_OWN_LIBS) $(CURSES_LIBS) -lutil
EXTRA_DIST += bench/terminal.sh
