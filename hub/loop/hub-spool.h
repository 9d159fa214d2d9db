/*
 * hub-spool.h: the print spooler, one of the loop's timed jobs. Requests
 * queue jobs in label_jobs inside their transaction (docs/hub-print.h); the
 * spooler sends the queued ones to CUPS only after that commit, follows
 * each to its end, moves or cancels it when a print command asked, and
 * after a restart finds again the jobs caught between "submitting" and a
 * CUPS job id. What happens to a job reaches the terminal that asked as an
 * EVENT (topic "print"), queued on the loop's after-commit list and sent by
 * the loop after the spooler's turn. A job that fails is kept until it is
 * reprinted, redirected or cancelled; a label prints again only when
 * someone asks for a reprint. Job states after "queued" are written here
 * alone, by the loop, outside any batch.
 *
 * What it asks of CUPS goes as messages (hub/work/work-print.h). They are
 * answered on the loop today, so a slow or stopped cupsd still holds the
 * loop for up to the IPP timeout; a print worker thread answering the same
 * messages takes that wait off the loop (doc/architecture.md, Workers).
 */
#ifndef DSP_HUB_SPOOL_H
#define DSP_HUB_SPOOL_H

#include "conf.h"
#include "db.h"
#include "hub/req/hub-after.h"

typedef struct hub_spool hub_spool_t;

/* On the loop's connection and settings; EVENTs go to after (the loop's list). */
hub_spool_t *hub_spool_new (db_t *db, conf_t *conf, hub_after_t *after);
void hub_spool_destroy (hub_spool_t **self_p);
/* Send the queued jobs (each turn of the loop, after a batch's commit). */
void hub_spool_submit (hub_spool_t *self);
/* Follow the jobs CUPS has (every HUB_SPOOL_FOLLOW_MS): printed, failed,
 * printer trouble; redirects and cancels asked for. */
#define HUB_SPOOL_FOLLOW_MS 500
void hub_spool_follow (hub_spool_t *self);
/* At start: jobs caught between "submitting" and a CUPS job id are found again by title. */
void hub_spool_recover (hub_spool_t *self);

#endif
