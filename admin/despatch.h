/*
 * despatch.h: "despatch", the administrator's tool, as a table of commands.
 *
 * Each command is one const struct despatch_cmd_entry (the shape of tmux's
 * cmd_entry: name, usage, flags, exec), defined by its own despatch-*.c and
 * listed once in despatch.c, which dispatches on it and writes the help
 * from it. A new command is a file and a row.
 *
 * Exit status, every command: 0 done, 1 refused or something needs
 * attention (what and why on standard error), 2 usage or the database
 * cannot be used; a command may give more (despatch status: 3, hub down).
 */
#ifndef DSP_DESPATCH_H
#define DSP_DESPATCH_H

#include "db.h"

#include <stdbool.h>

enum despatch_cmd_flag {
	/* despatch opens --database (default ./despatch.db, created or migrated
	 * as the hub would) before exec, hands it over and closes it after. */
	DESPATCH_CMD_DATABASE = 1 << 0,
	/* The command reads its own options, --database included (status,
	 * report) or none (keys): despatch parses nothing after its name, and
	 * hands it a --database given before its name. */
	DESPATCH_CMD_OPTIONS = 1 << 1,
	/* With DESPATCH_CMD_OPTIONS: the command works on no database (keys), so
	 * a --database given before its name is not handed to it. */
	DESPATCH_CMD_NO_DATABASE = 1 << 2,
	/* With DESPATCH_CMD_DATABASE: only a database that is there is opened
	 * (quote: a parcel on the command line needs none); else db is NULL,
	 * and nothing is made. */
	DESPATCH_CMD_DATABASE_IF_THERE = 1 << 3,
};

struct despatch_cmd_entry {
	const char *name;
	/* Its arguments, one synopsis a line ("list\nadd CARRIER ..."). */
	const char *usage;
	/* What it does, one line for each synopsis (more lines continue the last). */
	const char *help;
	int flags;              /* DESPATCH_CMD_* */
	/* argv[0] is the command's name; db is NULL without DESPATCH_CMD_DATABASE. */
	int (*exec) (db_t *db, int argc, char **argv);
};

/* The database a command works on when none is given. */
#define DESPATCH_DEFAULT_DATABASE "despatch.db"

/* True, with the reason and what to do said on standard error as "despatch WHO: ...", when path (the
 * database a command was given) is a folder (despatch-database.c: the commands and despatch.c use it). */
bool despatch_database_folder (const char *who, const char *path);

/* The commands, one file each (admin/despatch-NAME.c); despatch.c lists them. */
extern const struct despatch_cmd_entry despatch_import_entry;
extern const struct despatch_cmd_entry despatch_range_entry;
extern const struct despatch_cmd_entry despatch_rules_entry;
extern const struct despatch_cmd_entry despatch_quote_entry;
extern const struct despatch_cmd_entry despatch_track_entry;
extern const struct despatch_cmd_entry despatch_status_entry;
extern const struct despatch_cmd_entry despatch_keys_entry;
extern const struct despatch_cmd_entry despatch_erase_entry;
extern const struct despatch_cmd_entry despatch_report_entry;
extern const struct despatch_cmd_entry despatch_backup_entry;
extern const struct despatch_cmd_entry despatch_restore_entry;

#endif
