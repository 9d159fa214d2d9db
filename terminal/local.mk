# terminal/: the ncurses terminal.
