# tests/term/: terminals driven through tmux against a real hub.
