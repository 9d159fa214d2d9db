/* despatch-erase.h: "despatch erase customer NAME | order REF" (hub-erase.h). */
#ifndef DSP_DESPATCH_ERASE_H
#define DSP_DESPATCH_ERASE_H

#include "db.h"

int despatch_erase (db_t *db, int argc, char **argv);

#endif
