# printers/: silent printing through CUPS.
