/* despatch-backup.h: "despatch backup [dir=DIR]", an online copy of the database. */
#ifndef DSP_DESPATCH_BACKUP_H
#define DSP_DESPATCH_BACKUP_H

#include "db.h"

int despatch_backup (db_t *db, int argc, char **argv);

#endif
