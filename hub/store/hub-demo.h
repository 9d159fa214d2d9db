/*
 * hub-demo.h: the demo data set (operators and orders from data/demo),
 * loaded only into a database that has no operators yet.
 */
#ifndef DSP_HUB_DEMO_H
#define DSP_HUB_DEMO_H

#include "db.h"

/* 0 (also when there was nothing to do), or -1 and *cause (caller frees). */
int hub_demo_load (db_t *db, const char *dir, char **cause);

#endif
