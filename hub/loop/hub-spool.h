/*
 * hub-spool.h: the print spooler, the loop's side of printing. Requests
 * queue jobs in label_jobs inside their transaction, already drawn and
 * read back (docs/hub-print.h); the spooler sends the queued ones to CUPS
 * only after that commit, follows each to its end, moves or cancels it
 * when a print command asked, and finds again a job caught between
 * "submitting" and a CUPS job id (after a crash, or a CUPS that did not
 * answer). What happens to a job reaches the terminal that queued it as an
 * EVENT (topic "print"), queued on the loop's after-commit list, and the
 * terminal that asked for its last redirect, cancel or replacing reprint
 * too (label_jobs.asked_terminal, hub/flow), when that is another.
 *
 * Its writes ride in the loop's batch when there is one (hub_spool_answer
 * with in_tx, hub_spool_mark, then hub_spool_committed after the batch's
 * commit): each of its own commits is an fsync on the loop, which every
 * terminal waits for.
 *
 * Everything it asks of CUPS goes to the print worker (hub/work/
 * work-print.h) as a job; the answers come back through hub_spool_fd and
 * hub_spool_answer, and the spooler turns each into the job's state. So a
 * stopped or slow cupsd holds the worker's thread, never the loop. Job
 * states after "queued" are written here alone, by the loop.
 *
 * Exactly once: a job is marked "submitting" with its identity
 * ("dsp:RUN:JOB", RUN made at each start of the hub; label_jobs.ident), and
 * that mark is committed before the worker sends it; the CUPS job-name is
 * the identity, then the job's title. A job found "submitting" and not being sent (after a
 * crash, or when CUPS did not answer the submit) is looked for in CUPS by
 * its identity: found, it is followed; provably absent, it is sent again;
 * anything else, it waits, or (CUPS forgot jobs in the meantime) it is
 * kept as failed for a person to check, never sent twice. A move or cancel
 * CUPS refuses is settled by what CUPS then says of the job (the worker
 * reads it back in the same ask): completed, it printed where it was and is
 * recorded so, never sent again; cancelled, aborted or gone, a redirect is
 * sent anew and a cancel is done; still waiting, a redirect is cancelled
 * there before it is sent anew; no answer, it is asked again.
 */
#ifndef DSP_HUB_SPOOL_H
#define DSP_HUB_SPOOL_H

#include <stdbool.h>

#include "conf.h"
#include "db.h"
#include "hub/req/hub-after.h"

typedef struct hub_spool hub_spool_t;

/* On the loop's connection and settings; EVENTs go to after (the loop's
 * list). NULL and *cause when the print worker cannot start. */
hub_spool_t *hub_spool_new (db_t *db, conf_t *conf, hub_after_t *after, char **cause);
/* Waits for the worker's current CUPS call (at most its timeout). */
void hub_spool_destroy (hub_spool_t **self_p);
/* Send the queued jobs, in a transaction of its own (each turn of the
 * loop: jobs a batch queued are marked in that batch, see hub_spool_mark). */
void hub_spool_submit (hub_spool_t *self);
/* In the caller's open transaction: mark the queued jobs "submitting" with
 * their identities (as many as the worker has room for); they are sent by
 * hub_spool_committed. Returns how many were marked. */
int hub_spool_mark (hub_spool_t *self);
/* The caller's transaction ended: committed, the marked jobs go to the
 * worker; not, marks and answers are forgotten (the jobs are still queued,
 * or looked for again by identity). A caller whose commit is not yet on
 * the disk calls it once it is, and meanwhile asks the spooler nothing
 * that writes (no mark, no answer, no submit): the marked jobs are not
 * sent nor looked for until then. */
void hub_spool_committed (hub_spool_t *self, bool committed);
/* Whether the open transaction leaves hub_spool_committed nothing to do: no job marked or found without a
 * printer, no answer recorded. */
bool hub_spool_settles_nothing (const hub_spool_t *self);
/* Follow the jobs CUPS has (every HUB_SPOOL_FOLLOW_MS): printed, failed,
 * printer trouble; redirects and cancels asked for (only when moves: the
 * caller leaves them while the commands that asked them may not be on the
 * disk yet); jobs to find again. Returns how many moves and cancels it left,
 * or -1 when it looked at nothing this time (the worker full, or resting
 * after CUPS failed). */
#define HUB_SPOOL_FOLLOW_MS 500
int hub_spool_follow (hub_spool_t *self, bool moves);
/* Readable when the print worker has answers: the loop polls it. */
int hub_spool_fd (hub_spool_t *self);
/* Turn the worker's answers into the jobs' states: in the caller's open
 * transaction (in_tx; hub_spool_committed follows its commit), else in one
 * of its own. Answers whose transaction did not commit are kept and
 * recorded again at the next call. True when there were answers. */
bool hub_spool_answer (hub_spool_t *self, bool in_tx);
/* Answers are kept from a transaction that did not commit: the loop calls
 * hub_spool_answer again soon, whether or not the worker answers more. */
bool hub_spool_answer_waits (const hub_spool_t *self);

#endif
