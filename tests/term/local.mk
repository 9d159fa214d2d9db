# tests/term/: terminals driven through tmux against a real hub.
dist_check_SCRIPTS += tests/term/term-skeleton.sh tests/term/term-offline.sh tests/term/term-flow.sh tests/term/term-print.sh tests/term/term-quote.sh \
	tests/term/term-short.sh tests/term/term-refused.sh tests/term/term-journal.sh
TESTS += tests/term/term-skeleton.sh tests/term/term-offline.sh tests/term/term-flow.sh tests/term/term-print.sh tests/term/term-quote.sh \
	tests/term/term-short.sh tests/term/term-refused.sh tests/term/term-journal.sh
EXTRA_DIST += tests/term/termlib.sh
