# labels/: carrier label rendering and tracking-number schemes.
