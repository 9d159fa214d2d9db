# data/: configuration example, service files and man pages for the hub (operations).
