# tests/term/: terminals driven through tmux against a real hub.
dist_check_SCRIPTS += tests/term/term-skeleton.sh
TESTS += tests/term/term-skeleton.sh
EXTRA_DIST += tests/term/termlib.sh
