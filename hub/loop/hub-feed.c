/* hub-feed.c: orders and tracking in: the inbox folders and the integration endpoint (see hub-feed.h). */
#include "config.h"
#include "hub-feed.h"
#include "hub-integration.h"
#include "hub/store/hub-import.h"
#include "hub/work/work.h"
#include "carriers/carrier.h"
#include "log.h"
#include "pan.h"
#include "text.h"
#include "util.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUB_FEED_SWEEP_EVERY_MS (60 * 1000)
#define HUB_FEED_CLOSE_ASIDE (4 << 20)  /* an unlinked file this big is closed off the loop */
#define HUB_FEED_TAKING ".taking" /* the masked copies being written, in the inbox (ignored by its looks) */
/* Bytes of the masked copy held back until a card number that may go on cannot (19 digits and 18 separators). */
#define HUB_FEED_MASK_TAIL 64
/* The import lock held by another import (despatch import): tried again this much later, never waited on. */
#define HUB_FEED_LOCK_RETRY_MS 200
/* A file changed this recently may still be being written: taken once it has been still this long, longer when
 * its last line has no end yet (a writer between two writes). A sender that renames a complete file in is not
 * delayed when it wrote the file earlier. */
#define HUB_FEED_QUIET_MS 1000
/* A failure each try repeats (a full disk): told again this often, not at every try. */
#define HUB_FEED_RETOLD_MS (5 * 60 * 1000)
#define HUB_FEED_QUIET_UNENDED_MS 10000

/* The inbox file being imported. */
struct hub_feed_job {
	char *name;     /* in the inbox */
	char *path;
	FILE *in;
	zdigest_t *digest;
	long long bytes;
	char *copy_path; /* the masked copy as it is written (hub.inbox_keep_days), or NULL */
	FILE *copy;
	char *carry;     /* what the copy holds back */
	size_t carry_len, carry_cap;
	size_t carry_run; /* its first bytes known to be one run (digits, spaces, dashes): not looked at again */
	char *file;      /* its identity, for imports.file (hub_feed_file_id) */
	struct stat taken; /* the file as it was opened: the one read, and the one that leaves the inbox */
	bool changed;    /* it changed while it was read: left in the inbox, taken again once still */
	hub_import_t *imp;
	const char *phase;
	int64_t started_ms;
};

struct hub_feed {
	hub_integration_t *integration;
	char *inbox;
	char *tracking_inbox;
	long keep_days;
	struct hub_feed_job *job;
	hub_import_t *recovery; /* an import cut short being taken back (hub_import_recover) */
	bool recovered;   /* none is left: files and pushes may import */
	int64_t recover_after_ms; /* the database failed a recovery: the next try */
	bool look_again;  /* a file was just taken: look for the next at the next slice */
	char *pending;    /* the inbox file to take next, once the feed holds the import lock */
	hub_import_lock_t *lock; /* one import writes into the database at a time (hub-import.h) */
	int64_t lock_after_ms; /* another import holds it: tried again then */
	bool lock_said;   /* that was logged (once, until the feed has it again) */
	int64_t swept_ms;
	zhashx_t *said;   /* entries of the inbox told once: not files (moved aside when they cannot be), still written */
	char *fail_name;  /* the file whose import the database failed, and how: tried again, told once */
	char *fail_cause;
	int fail_tries;
	int64_t fail_told_ms;
};

hub_feed_t *
hub_feed_new (const char *endpoint, const char *inbox, hub_curve_t *curve, char **cause)
{
	hub_feed_t *self = xcalloc (1, sizeof *self);
	self->said = zhashx_new ();
	if (inbox && *inbox) {
		self->inbox = xstrdup (inbox);
		char *taking = xasprintf ("%s/%s", inbox, HUB_FEED_TAKING);
		if (util_mkdirs (inbox, 0755) != 0 || util_mkdirs (taking, 0700) != 0) {
			*cause = xasprintf ("cannot make the inbox folder %s: %s", inbox, strerror (errno));
			free (taking);
			hub_feed_destroy (&self);
			return NULL;
		}
		/* Copies half written when the hub stopped: their files are still in the inbox and are taken again. */
		DIR *d = opendir (taking);
		struct dirent *e;
		while (d && (e = readdir (d)) != NULL)
			if (e->d_name[0] != '.') {
				char *p = xasprintf ("%s/%s", taking, e->d_name);
				unlink (p);
				free (p);
			}
		if (d)
			closedir (d);
		free (taking);
	}
	if (endpoint && *endpoint && (self->integration = hub_integration_new (endpoint, curve, cause)) == NULL) {
		hub_feed_destroy (&self);
		return NULL;
	}
	return self;
}

static void *
hub_feed_fclose_thread (void *arg)
{
	fclose (arg);
	return NULL;
}

/* The last close of a big file already unlinked frees its blocks, a tenth of a second and more for an
 * inbox file of a million orders: the loop does not wait for it, a thread of its own closes it. */
static void
hub_feed_close_aside (FILE *f)
{
	struct stat sb;
	pthread_attr_t attr;
	pthread_t t;
	if (fstat (fileno (f), &sb) == 0 && sb.st_nlink == 0 && sb.st_size >= HUB_FEED_CLOSE_ASIDE
	    && pthread_attr_init (&attr) == 0) {
		pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
		int rc = pthread_create (&t, &attr, hub_feed_fclose_thread, f);
		pthread_attr_destroy (&attr);
		if (rc == 0)
			return;
	}
	fclose (f);
}

static void
hub_feed_job_free (struct hub_feed_job **job_p)
{
	struct hub_feed_job *job = *job_p;
	if (job == NULL)
		return;
	hub_import_destroy (&job->imp);
	if (job->in)
		hub_feed_close_aside (job->in);
	if (job->copy)
		fclose (job->copy);
	if (job->copy_path)
		unlink (job->copy_path); /* still here: not kept */
	zdigest_destroy (&job->digest);
	free (job->copy_path);
	free (job->carry);
	free (job->name);
	free (job->path);
	free (job->file);
	free (job);
	*job_p = NULL;
}

void
hub_feed_destroy (hub_feed_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_feed_t *self = *self_p;
	if (self->job)
		log_info ("inbox %s: not finished when the hub stopped; what it wrote is taken back and the file taken again "
		    "at the next start", self->job->name);
	hub_feed_job_free (&self->job);
	hub_import_destroy (&self->recovery);
	hub_import_lock_destroy (&self->lock);
	free (self->pending);
	hub_integration_destroy (&self->integration);
	zhashx_destroy (&self->said);
	free (self->fail_name);
	free (self->fail_cause);
	free (self->inbox);
	free (self->tracking_inbox);
	free (self);
	*self_p = NULL;
}

int
hub_feed_configure (hub_feed_t *self, conf_t *conf, char **cause)
{
	if (conf == NULL)
		return 0;
	if (conf_get_long (conf, "hub.inbox_keep_days", 0, 0, 3650, &self->keep_days, cause) != 0)
		return -1;
	const char *dir = conf_get (conf, "hub.tracking_inbox", NULL);
	if (dir == NULL || *dir == '\0')
		return 0;
	if (util_mkdirs (dir, 0755) != 0) {
		*cause = xasprintf ("cannot make the tracking inbox folder %s: %s. Check hub.tracking_inbox", dir,
		    strerror (errno));
		return -1;
	}
	free (self->tracking_inbox);
	self->tracking_inbox = xstrdup (dir);
	return 0;
}

void *
hub_feed_sock (hub_feed_t *self)
{
	return self ? hub_integration_sock (self->integration) : NULL;
}

void
hub_feed_handle (hub_feed_t *self, db_t *db)
{
	if (self && self->integration)
		hub_integration_handle (self->integration, db);
}

bool
hub_feed_busy (const hub_feed_t *self)
{
	/* Waiting for another import's lock is not work: the loop polls as it would. */
	if (self == NULL || (!hub_import_lock_held (self->lock) && util_mono_ms () < self->lock_after_ms))
		return false;
	return self->job || self->look_again || self->pending || self->recovery || !self->recovered
	    || hub_integration_busy (self->integration);
}

/* --- what stays of a file ------------------------------------------------------- */

/* Write lines into path; best effort, logged. */
static void
hub_feed_write_text (const char *path, const char *text)
{
	FILE *f = fopen (path, "w");
	if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
		log_error ("cannot write %s: %s", path, strerror (errno));
	else
		return;
	if (f)
		fclose (f);
}

/* "NAME: problem" lines, the name shown so that a new line in it cannot make a line of its own. */
static char *
hub_feed_lines (const char *name, char **items, int n, const char *prefix)
{
	char *shown = text_escape (name, strlen (name));
	char *out = xstrdup ("");
	for (int i = 0; i < n; i++) {
		char *item = text_escape (items[i], strlen (items[i]));
		char *next = xasprintf ("%s%s: %s%s\n", out, shown, prefix, item);
		free (item);
		free (out);
		out = next;
	}
	free (shown);
	return out;
}

/* The longest of what is written beside a kept file's name (an erase's ".erase-XXXXXX"), and room for a number
 * (".99999"). */
#define HUB_FEED_BESIDE_MAX 19

/*
 * The name under which what stays of a file goes into sub (done/ or failed/): its own, or, when a record of
 * that name is there already (a sender that sends "orders.csv" every hour), NAME.2.csv, NAME.3.csv...; so no
 * file's record, errors or copy takes another's place. A name too long to take ".record" (the folder's limit
 * is 255 bytes) is cut at a character and marked with its hash ("~" and 8 hex digits): the record says the
 * whole name. Caller frees.
 */
static char *
hub_feed_base (const char *sub, const char *name)
{
	size_t n = strlen (name);
	const char *dot = strrchr (name, '.');
	size_t ext = dot && dot != name ? strlen (dot) : 0;
	size_t stem = n - ext;
	char mark[16] = "";
	if (n + HUB_FEED_BESIDE_MAX > NAME_MAX) {
		uint32_t h = 2166136261u; /* FNV-1a: two long names cut alike stay apart */
		for (size_t i = 0; i < n; i++)
			h = (h ^ (unsigned char) name[i]) * 16777619u;
		snprintf (mark, sizeof mark, "~%08x", h);
		size_t room = NAME_MAX - HUB_FEED_BESIDE_MAX - strlen (mark) - (ext < 16 ? ext : 0);
		if (ext >= 16)
			ext = 0;
		stem = text_utf8_whole (name, room < stem ? room : stem);
	}
	const char *tail = ext ? name + n - ext : "";
	char *base = xasprintf ("%.*s%s%s", (int) stem, name, mark, tail);
	for (int k = 2; k < 100000; k++) {
		char *rec = xasprintf ("%s/%s.record", sub, base), *copy = xasprintf ("%s/%s", sub, base);
		struct stat sb;
		bool free_name = lstat (rec, &sb) != 0 && lstat (copy, &sb) != 0;
		free (rec);
		free (copy);
		if (free_name)
			break;
		free (base);
		base = xasprintf ("%.*s%s.%d%s", (int) stem, name, mark, k, tail);
	}
	return base;
}

/*
 * The record of a file taken: what the audit needs and nothing of the
 * customers in it (its name, digest, size, when, the outcome, counts);
 * sub/BASE.record (hub_feed_base).
 */
static void
hub_feed_record (const char *sub, const char *base, const char *name, const char *sha1, long long bytes,
    const char *outcome, const char *counts, const char *kept, int nerrors, const char *warnings)
{
	char when[32];
	util_iso_time (util_wall_ms (), when, sizeof when);
	char *shown = text_escape (name, strlen (name)), *shown_base = text_escape (base, strlen (base));
	char *path = xasprintf ("%s/%s.record", sub, base);
	char *text = xasprintf ("file: %s\nsha1: %s\nbytes: %lld\ntaken: %s\noutcome: %s\n%s%skept: %s\n%s%s%s",
	    shown, sha1, bytes, when, outcome, counts, *counts ? "\n" : "", kept,
	    nerrors ? "problems: see " : "", nerrors ? shown_base : "", nerrors ? ".errors\n" : "");
	char *all = xasprintf ("%s%s", text, warnings ? warnings : "");
	hub_feed_write_text (path, all);
	free (all);
	free (text);
	free (path);
	free (shown);
	free (shown_base);
}

/* Is the entry at path still the file taken (same inode, size and time of its last change)? */
static bool
hub_feed_still (const char *path, const struct stat *taken)
{
	struct stat now;
	if (taken == NULL || lstat (path, &now) != 0)
		return true; /* nothing there to keep */
	return now.st_ino == taken->st_ino && now.st_dev == taken->st_dev && now.st_size == taken->st_size
	    && now.st_mtim.tv_sec == taken->st_mtim.tv_sec && now.st_mtim.tv_nsec == taken->st_mtim.tv_nsec;
}

/* Where the file goes: the masked copy kept (retention set) or nothing; the original leaves the inbox, unless
 * what is under its name now is another file (put in its place while it was read) or the file changed since:
 * that one stays, taken at a later look, never removed unread. */
static const char *
hub_feed_settle (hub_feed_t *self, const char *path, const struct stat *taken, const char *copy, const char *sub,
    const char *base, const char *name, char *kept, size_t kept_n)
{
	if (copy && self->keep_days > 0) {
		char *dest = xasprintf ("%s/%s", sub, base);
		if (rename (copy, dest) == 0) {
			char until[32];
			util_iso_time (util_wall_ms () + self->keep_days * 86400000LL, until, sizeof until);
			snprintf (kept, kept_n, "a copy with card numbers masked, until %.10s", until);
		} else {
			log_error ("inbox: cannot keep a copy of %s in %s: %s", name, sub, strerror (errno));
			unlink (copy);
			snprintf (kept, kept_n, "no copy");
		}
		free (dest);
	} else {
		if (copy)
			unlink (copy);
		snprintf (kept, kept_n, "no copy (hub.inbox_keep_days is 0)");
	}
	if (!hub_feed_still (path, taken))
		log_warn ("inbox %s: another file was put under its name, or it changed, after it was read: what is there "
		    "now stays in the inbox and is taken as a file of its own", name); /* the log escapes the name */
	else if (unlink (path) != 0 && errno != ENOENT)
		log_error ("inbox: cannot remove %s: %s", path, strerror (errno));
	return kept;
}

/* A digest as sha1sum prints it (CZMQ gives capitals), in place. */
static const char *
hub_feed_hex (char *s)
{
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char) (*p - 'A' + 'a');
	return s;
}

/* --- the masked copy --------------------------------------------------------------- */

static bool
hub_feed_run_char (char c)
{
	return (c >= '0' && c <= '9') || c == ' ' || c == '-';
}

/* Mask and write what the copy holds, but for a tail where a card number may go on (all of it at the end). */
static void
hub_feed_copy_flush (struct hub_feed_job *job, bool end)
{
	size_t cut = job->carry_len;
	if (cut == 0)
		return; /* nothing held (an empty file has nothing at all) */
	if (!end) {
		if (cut <= HUB_FEED_MASK_TAIL)
			return;
		cut -= HUB_FEED_MASK_TAIL;
		/* Cut before a byte that no card number holds, so none is split. */
		size_t from = cut;
		while (cut > job->carry_run && hub_feed_run_char (job->carry[cut]))
			cut--;
		if (cut == 0 || (cut <= job->carry_run && hub_feed_run_char (job->carry[cut]))) {
			/* One long run (after at most the byte before it): held until it ends, and not read again. */
			job->carry_run = from;
			return;
		}
	}
	char save = job->carry[cut];
	job->carry[cut] = '\0';
	/* pan_mask reads a string: mask each stretch between NUL bytes */
	for (size_t i = 0; i < cut; i += strlen (job->carry + i) + 1)
		pan_mask (job->carry + i);
	job->carry[cut] = save;
	if (fwrite (job->carry, 1, cut, job->copy) != cut)
		log_error ("inbox: cannot write the copy of %s: %s", job->name, strerror (errno));
	memmove (job->carry, job->carry + cut, job->carry_len - cut);
	job->carry_len -= cut;
	job->carry_run = 0;
}

static void
hub_feed_copy_add (struct hub_feed_job *job, const char *p, size_t n)
{
	if (job->carry_len + n + 1 > job->carry_cap) {
		job->carry_cap = (job->carry_len + n + 1) * 2;
		job->carry = xrealloc (job->carry, job->carry_cap);
	}
	memcpy (job->carry + job->carry_len, p, n);
	job->carry_len += n;
	job->carry[job->carry_len] = '\0';
	hub_feed_copy_flush (job, false);
}

/* The import reads the file through here: the digest and the masked copy see every byte. */
static ssize_t
hub_feed_job_read (void *arg, char *buf, size_t size)
{
	struct hub_feed_job *job = arg;
	size_t n = fread (buf, 1, size, job->in);
	if (n == 0 && ferror (job->in))
		return -1;
	zdigest_update (job->digest, (const byte *) buf, n);
	job->bytes += (long long) n;
	struct stat sb;
	if (n == 0 && fstat (fileno (job->in), &sb) == 0 && (sb.st_size != job->taken.st_size
	        || sb.st_mtim.tv_sec != job->taken.st_mtim.tv_sec || sb.st_mtim.tv_nsec != job->taken.st_mtim.tv_nsec)) {
		/* Written to while it was read: what was read is not the file; nothing of it is imported. */
		job->changed = true;
		errno = EAGAIN;
		return -1;
	}
	if (n == 0) /* the whole file: its digest goes with the import's record */
		hub_import_source_file (job->imp, NULL, hub_feed_hex (zdigest_string (job->digest)));
	if (job->copy) {
		if (n > 0)
			hub_feed_copy_add (job, buf, n);
		else
			hub_feed_copy_flush (job, true);
	}
	return (ssize_t) n;
}

/* --- the order inbox ------------------------------------------------------------- */

static bool
hub_feed_order_file (const char *name)
{
	size_t n = strlen (name);
	if (name[0] == '.')
		return false;
	return (n > 4 && strcmp (name + n - 4, ".csv") == 0) || (n > 5 && strcmp (name + n - 5, ".json") == 0);
}

/* What an inbox entry named like an order file is when it is not a file. */
static const char *
hub_feed_odd_kind (mode_t mode)
{
	static const struct {
		mode_t type;
		const char *what;
	} kinds[] = {
		{ S_IFLNK, "a symbolic link" }, { S_IFIFO, "a FIFO (a named pipe)" }, { S_IFDIR, "a folder" },
		{ S_IFSOCK, "a socket" }, { S_IFCHR, "a device" }, { S_IFBLK, "a device" },
	};
	for (size_t i = 0; i < nitems (kinds); i++)
		if ((mode & S_IFMT) == kinds[i].type)
			return kinds[i].what;
	return "not a regular file";
}

/* Told once (until a file of that name is taken): an entry that cannot be moved aside, a file still written. */
static bool
hub_feed_said (hub_feed_t *self, const char *name)
{
	if (zhashx_lookup (self->said, name))
		return true;
	zhashx_insert (self->said, name, self);
	return false;
}

/*
 * An entry named like an order file that is not one (a link, which could lead anywhere; a FIFO, which would
 * hold the loop; a folder): never opened. It goes to failed/ with a record and its errors, so the inbox is
 * left with files alone; one that cannot be moved (a name already there) is told once.
 */
static void
hub_feed_refuse_odd (hub_feed_t *self, const char *folder, const char *name, mode_t mode)
{
	const char *what = hub_feed_odd_kind (mode);
	char *sub = xasprintf ("%s/failed", folder);
	util_mkdirs (sub, 0755);
	char *base = hub_feed_base (sub, name);
	char *from = xasprintf ("%s/%s", folder, name), *to = xasprintf ("%s/%s", sub, base);
	struct stat there;
	bool taken_name = lstat (to, &there) == 0;
	int why = 0;
	if (!taken_name && rename (from, to) != 0)
		why = errno;
	if (!taken_name && why == 0) {
		char *epath = xasprintf ("%s/%s.errors", sub, base);
		char *problem = xasprintf ("it is %s, not a file: the inbox reads files alone. Put the file itself in the "
		    "inbox (write it as .part-NAME and rename it when it is complete)", what);
		char *text = hub_feed_lines (name, &problem, 1, "");
		hub_feed_write_text (epath, text);
		char *outcome = xasprintf ("refused, not read (%s)", what);
		hub_feed_record (sub, base, name, "none (not read)", 0, outcome, "", "no copy", 1, NULL);
		log_warn ("inbox %s: %s, not a file: moved to %s unread", name, what, sub);
		free (outcome);
		free (text);
		free (problem);
		free (epath);
	} else if (!hub_feed_said (self, name)) {
		log_warn ("inbox %s: %s, not a file: not read, and it cannot be moved to %s (%s); remove it", name, what,
		    sub, taken_name ? "an entry of that name is there" : strerror (why));
	}
	free (to);
	free (from);
	free (base);
	free (sub);
}

/* Whether the file has been still long enough to be whole: told once while it is not. */
static bool
hub_feed_quiet (hub_feed_t *self, const char *name, const char *path, const struct stat *sb)
{
	int64_t still = util_wall_ms () - ((int64_t) sb->st_mtim.tv_sec * 1000 + sb->st_mtim.tv_nsec / 1000000);
	/* A time ahead of this clock (another machine's, on a shared folder) cannot be judged: taken. */
	if (still < 0 || still >= HUB_FEED_QUIET_UNENDED_MS)
		return true;
	bool ended = sb->st_size == 0;
	int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char last = '\0';
	if (fd >= 0 && sb->st_size > 0 && pread (fd, &last, 1, sb->st_size - 1) == 1)
		ended = last == '\n';
	if (fd >= 0)
		close (fd);
	if (ended && still >= HUB_FEED_QUIET_MS)
		return true;
	if (!hub_feed_said (self, name))
		log_info ("inbox %s: still being written (changed %lld ms ago%s): taken once it has been still for %d s",
		    name, (long long) still, ended ? "" : ", its last line not ended",
		    (ended ? HUB_FEED_QUIET_MS : HUB_FEED_QUIET_UNENDED_MS) / 1000);
	return false;
}

/* The next file to take: the first by name, so files are taken in the order a sender numbers them, once it is
 * still (the files after it wait for it). Entries that are not files are set aside on the way. */
static char *
hub_feed_next_file (hub_feed_t *self)
{
	DIR *d = opendir (self->inbox);
	if (d == NULL)
		return NULL;
	char *best = NULL;
	struct stat best_sb;
	struct dirent *e;
	while ((e = readdir (d)) != NULL) {
		if (!hub_feed_order_file (e->d_name))
			continue;
		char *path = xasprintf ("%s/%s", self->inbox, e->d_name);
		struct stat sb;
		/* lstat: a link is not followed, to a file outside the inbox or anywhere else. */
		if (lstat (path, &sb) == 0 && !S_ISREG (sb.st_mode))
			hub_feed_refuse_odd (self, self->inbox, e->d_name, sb.st_mode);
		else if (lstat (path, &sb) == 0 && (best == NULL || strcmp (e->d_name, best) < 0)) {
			free (best);
			best = xstrdup (e->d_name);
			best_sb = sb;
		}
		free (path);
	}
	closedir (d);
	if (best) {
		char *path = xasprintf ("%s/%s", self->inbox, best);
		bool quiet = hub_feed_quiet (self, best, path, &best_sb);
		free (path);
		if (!quiet) {
			free (best);
			best = NULL;
		}
	}
	return best;
}

/* Which file this is, for imports.file: a file written again or put in its place under the same name differs in
 * one of these while the first is still there (its inode cannot be reused before it is removed, and the record
 * forgets it then: hub_feed_file_left). Not the device, which a restart may number otherwise. */
static char *
hub_feed_file_id (FILE *f)
{
	struct stat sb;
	if (fstat (fileno (f), &sb) != 0)
		return NULL;
	return xasprintf ("%llu:%lld:%lld.%09ld:%lld.%09ld", (unsigned long long) sb.st_ino, (long long) sb.st_size,
	    (long long) sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec, (long long) sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec);
}

/* The file has left the inbox: its import's record forgets which file it was, so that a later file that takes
 * its inode (and, where times are coarse, its size and times) is never taken for it. Lost with a power cut
 * before the next commit, when the file is gone already: nothing then matches but by that chance. */
static void
hub_feed_file_left (db_t *db, const char *name, const char *file)
{
	if (file == NULL)
		return;
	db_stmt_t *st = db_prepare (db, "UPDATE imports SET file = NULL WHERE source = ?1 AND file = ?2");
	if (st == NULL)
		return;
	db_bind_text (st, 1, name);
	db_bind_text (st, 2, file);
	if (db_step (st) != DB_DONE)
		log_warn ("inbox %s: its import's record still names the file: %s", name, db_errmsg (db));
	db_reset (st);
}

/* A file the hub imported whole but stopped before it left the inbox (the import's record is written before the
 * file is moved, so that nothing is lost): it leaves now, with its record, and is not imported a second time.
 * The same bytes dropped again are another file, and are imported. True when it was. */
static bool
hub_feed_imported_before (hub_feed_t *self, db_t *db, struct hub_feed_job *job)
{
	db_stmt_t *st = job->file ? db_prepare (db, "SELECT id, at, orders, created, updated, unchanged, sha1 FROM imports"
	    " WHERE source = ?1 AND file = ?2 ORDER BY id DESC LIMIT 1") : NULL;
	if (st == NULL)
		return false;
	db_bind_text (st, 1, job->name);
	db_bind_text (st, 2, job->file);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		return false;
	}
	long long id = db_col_int (st, 0);
	char at[32], counts[160], outcome[160];
	util_iso_time (db_col_int (st, 1), at, sizeof at);
	snprintf (counts, sizeof counts, "orders: %lld (%lld new, %lld updated, %lld unchanged)",
	    (long long) db_col_int (st, 2), (long long) db_col_int (st, 3), (long long) db_col_int (st, 4),
	    (long long) db_col_int (st, 5));
	snprintf (outcome, sizeof outcome, "imported (import %lld at %s; the hub stopped before the file left the "
	    "inbox, and it was not imported again)", id, at);
	char *sha1 = xstrdup (db_col_is_null (st, 6) ? "not known" : db_col_text (st, 6));
	db_reset (st);
	long long bytes = (long long) job->taken.st_size;
	char *sub = xasprintf ("%s/done", self->inbox);
	util_mkdirs (sub, 0755);
	char kept[96];
	char *base = hub_feed_base (sub, job->name);
	hub_feed_settle (self, job->path, &job->taken, NULL, sub, base, job->name, kept, sizeof kept);
	hub_feed_file_left (db, job->name, job->file);
	if (self->keep_days > 0)
		snprintf (kept, sizeof kept, "no copy (the hub stopped before it was kept)");
	hub_feed_record (sub, base, job->name, sha1, bytes, outcome, counts, kept, 0, NULL);
	free (base);
	log_warn ("inbox %s: imported before the hub stopped (import %lld at %s); it leaves the inbox now, not "
	    "imported again", job->name, id, at);
	free (sha1);
	free (sub);
	return true;
}

/* Take the inbox file name (the job's from here). */
static void
hub_feed_job_start (hub_feed_t *self, db_t *db, char *name)
{
	struct hub_feed_job *job = xcalloc (1, sizeof *job);
	job->name = name;
	job->path = xasprintf ("%s/%s", self->inbox, name);
	zhashx_delete (self->said, name);
	/* Not followed if it became a link since it was looked at, nor waited on if it became a FIFO. */
	int fd = open (job->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat (fd, &job->taken) != 0) {
		close (fd);
		fd = -1;
	}
	if (fd >= 0 && !S_ISREG (job->taken.st_mode)) {
		close (fd);
		hub_feed_refuse_odd (self, self->inbox, name, job->taken.st_mode);
		hub_feed_job_free (&job);
		self->look_again = true;
		return;
	}
	if (fd >= 0 && (fcntl (fd, F_SETFL, 0) != 0 || (job->in = fdopen (fd, "rb")) == NULL))
		close (fd);
	char *cause = NULL;
	if (job->in == NULL || (job->imp = hub_import_new (name, util_wall_ms (), HUB_IMPORT_ON_LOOP, &cause)) == NULL) {
		log_error ("inbox %s: cannot take it now: %s", name, cause ? cause : strerror (errno));
		free (cause);
		hub_feed_job_free (&job);
		return;
	}
	job->file = hub_feed_file_id (job->in);
	if (hub_feed_imported_before (self, db, job)) {
		hub_feed_job_free (&job);
		self->look_again = true;
		return;
	}
	hub_import_source_file (job->imp, job->file, NULL);
	job->digest = zdigest_new ();
	if (self->keep_days > 0) {
		job->copy_path = xasprintf ("%s/%s/%s", self->inbox, HUB_FEED_TAKING, name);
		job->copy = fopen (job->copy_path, "wb");
		if (job->copy == NULL)
			log_error ("inbox %s: no copy will be kept: %s", name, strerror (errno));
	}
	hub_import_source (job->imp, hub_feed_job_read, job);
	job->started_ms = util_mono_ms ();
	log_info ("inbox %s: taking it (%lld bytes)", name, (long long) job->taken.st_size);
	self->job = job;
}

/* The database failed the import of name (a full disk, say): the file stays and is taken again every
 * few seconds, which fails the same way until someone acts. Logged when it first fails or fails
 * otherwise, then every HUB_FEED_RETOLD_MS with the count, so the log says it once, not every 2 s. */
static void
hub_feed_failed (hub_feed_t *self, const char *name, const char *cause)
{
	int64_t now = util_mono_ms ();
	if (self->fail_name && strcmp (self->fail_name, name) == 0 && strcmp (self->fail_cause, cause) == 0) {
		self->fail_tries++;
		if (now - self->fail_told_ms >= HUB_FEED_RETOLD_MS) {
			log_error ("inbox %s: still not imported after %d tries: %s", name, self->fail_tries, cause);
			self->fail_told_ms = now;
		}
		return;
	}
	free (self->fail_name);
	free (self->fail_cause);
	self->fail_name = xstrdup (name);
	self->fail_cause = xstrdup (cause);
	self->fail_tries = 1;
	self->fail_told_ms = now;
	log_error ("inbox %s: not imported, taken again shortly: %s", name, cause);
}

/* The file that failed was taken in the end: said, and forgotten. */
static void
hub_feed_failed_over (hub_feed_t *self, const char *name)
{
	if (self->fail_name == NULL || strcmp (self->fail_name, name) != 0)
		return;
	log_info ("inbox %s: taken at try %d, after: %s", name, self->fail_tries + 1, self->fail_cause);
	free (self->fail_name);
	free (self->fail_cause);
	self->fail_name = self->fail_cause = NULL;
}

/* The file is imported, refused, or could not be written: what stays of it, and the log. */
static void
hub_feed_job_end (hub_feed_t *self, db_t *db)
{
	struct hub_feed_job *job = self->job;
	const struct hub_import_report *rep = hub_import_report (job->imp);
	int rc = hub_import_outcome (job->imp);
	long long ms = (long long) (util_mono_ms () - job->started_ms);
	if (rc < 0) {
		/* The database, not the file: it stays for the next look. */
		hub_feed_failed (self, job->name, rep->nerrors ? rep->errors[rep->nerrors - 1] : "the database failed");
		hub_feed_job_free (&self->job);
		return;
	}
	if (job->changed) {
		log_warn ("inbox %s: it changed while it was read (still being written?): nothing of it imported; it stays "
		    "in the inbox, taken again once it has been still for %d s", job->name, HUB_FEED_QUIET_MS / 1000);
		hub_feed_job_free (&self->job);
		self->look_again = true;
		return;
	}
	hub_feed_failed_over (self, job->name);
	bool whole = feof (job->in) != 0; /* a file refused for too many problems is not read to its end */
	if (job->copy) {
		if (fclose (job->copy) != 0 || !whole) {
			if (whole)
				log_error ("inbox %s: the copy is not complete: %s", job->name, strerror (errno));
			unlink (job->copy_path);
			free (job->copy_path);
			job->copy_path = NULL;
		}
		job->copy = NULL;
	}
	if (rc == 0)
		work_crash_point ("inbox-recorded"); /* the import's record is written; the file is still in the inbox */
	const char *to = rc == 0 ? "done" : "failed";
	char *sub = xasprintf ("%s/%s", self->inbox, to);
	util_mkdirs (sub, 0755);
	char kept[96];
	char *base = hub_feed_base (sub, job->name);
	hub_feed_settle (self, job->path, &job->taken, job->copy_path, sub, base, job->name, kept, sizeof kept);
	if (rc == 0)
		hub_feed_file_left (db, job->name, job->file);
	free (job->copy_path);
	job->copy_path = NULL;
	char counts[160] = "";
	if (rc == 0)
		snprintf (counts, sizeof counts, "rows: %ld\norders: %ld (%ld new, %ld updated, %ld unchanged)", rep->rows,
		    rep->orders, rep->created, rep->updated, rep->unchanged);
	else
		snprintf (counts, sizeof counts, "rows: %ld\nproblems: %d%s", rep->rows, rep->nerrors,
		    rep->more_errors ? " and more (the rest of the file was not read)" : "");
	char *warnings = hub_feed_lines (job->name, rep->warnings, rep->nwarnings, "warning: ");
	char *sha1 = xasprintf ("%s%s", hub_feed_hex (zdigest_string (job->digest)), whole ? "" : " (of the bytes read: "
	    "the file was not read to its end)");
	hub_feed_record (sub, base, job->name, sha1, job->bytes, rc == 0 ? "imported" : "refused, nothing imported", counts,
	    kept, rc == 0 ? 0 : rep->nerrors, warnings);
	free (warnings);
	free (sha1);
	if (rc == 0) {
		log_info ("inbox %s: %ld orders (%ld new, %ld updated, %ld unchanged) in %lld ms", job->name, rep->orders,
		    rep->created, rep->updated, rep->unchanged, ms);
	} else {
		char *epath = xasprintf ("%s/%s.errors", sub, base);
		char *text = hub_feed_lines (job->name, rep->errors, rep->nerrors, "");
		hub_feed_write_text (epath, text);
		free (text);
		log_warn ("inbox %s: refused, nothing imported (%d problems%s, see %s)", job->name, rep->nerrors,
		    rep->undone ? ", what it wrote was taken back" : "", epath);
		free (epath);
	}
	if (rep->nwarnings)
		log_warn ("inbox %s: %d warnings (card numbers masked, country codes taken as others), see its record",
		    job->name, rep->nwarnings + (int) rep->more_warnings);
	free (base);
	free (sub);
	hub_feed_job_free (&self->job);
	self->look_again = true;
}

/* --- imports cut short --------------------------------------------------------------- */

/* One slice of taking back what an import cut short wrote (a kill, a stop, an undo the database refused),
 * or the look for the next: true while one is left, when nothing else may import. */
static bool
hub_feed_recover_step (hub_feed_t *self, db_t *db)
{
	if (self->recovery == NULL) {
		if (util_mono_ms () < self->recover_after_ms)
			return true;
		char *cause = NULL;
		self->recovery = hub_import_recover (db, self->lock, HUB_IMPORT_ON_LOOP, &cause);
		if (self->recovery == NULL) {
			if (cause) {
				log_error ("imports cut short: %s; looked for again shortly, nothing imports meanwhile", cause);
				free (cause);
				self->recover_after_ms = util_mono_ms () + HUB_FEED_INBOX_EVERY_MS;
				return true;
			}
			self->recovered = true;
			return false;
		}
		if (hub_import_taking_back (self->recovery))
			log_warn ("import %s: cut short while it was written (process %ld stopped); taking back what it wrote "
			    "before anything else imports", hub_import_name (self->recovery), hub_import_owner (self->recovery));
	}
	if (hub_import_step (self->recovery, db, HUB_FEED_SLICE_MS))
		return true;
	const struct hub_import_report *rep = hub_import_report (self->recovery);
	const char *name = hub_import_name (self->recovery);
	int rc = hub_import_outcome (self->recovery);
	if (rc < 0) {
		log_error ("import %s: what it wrote could not be taken back now (%s); tried again shortly, nothing imports "
		    "meanwhile", name, rep->nerrors ? rep->errors[rep->nerrors - 1] : "the database failed");
		self->recover_after_ms = util_mono_ms () + HUB_FEED_INBOX_EVERY_MS;
	} else if (hub_import_taking_back (self->recovery)) {
		for (int i = 0; i < rep->nerrors; i++)
			log_warn ("import %s: %s", name, rep->errors[i]);
		log_warn ("import %s: what it wrote before it was cut short was taken back (%ld orders, %ld kept)", name,
		    rep->undone - rep->kept, rep->kept);
	}
	hub_import_destroy (&self->recovery);
	return true; /* the next is looked for at the next slice */
}

/* One slice of the file being imported. */
static void
hub_feed_inbox_step (hub_feed_t *self, db_t *db)
{
	struct hub_feed_job *job = self->job;
	if (job == NULL)
		return;
	bool more = hub_import_step (job->imp, db, HUB_FEED_SLICE_MS);
	if (job->phase != hub_import_phase (job->imp)) {
		job->phase = hub_import_phase (job->imp);
		if (more)
			log_info ("inbox %s: %s", job->name, job->phase);
	}
	if (!more)
		hub_feed_job_end (self, db);
}

/* Kept copies in folder's done/ and failed/ older than hub.inbox_keep_days go (all of them when it is 0);
 * records stay. */
static void
hub_feed_sweep (hub_feed_t *self, const char *folder)
{
	static const char *const subs[] = { "done", "failed" };
	time_t limit = time (NULL) - (time_t) self->keep_days * 86400;
	for (size_t s = 0; s < nitems (subs); s++) {
		char *dir = xasprintf ("%s/%s", folder, subs[s]);
		DIR *d = opendir (dir);
		struct dirent *e;
		int gone = 0;
		while (d && (e = readdir (d)) != NULL) {
			size_t nl = strlen (e->d_name);
			bool copy = e->d_name[0] != '.' && ((nl > 4 && strcasecmp (e->d_name + nl - 4, ".csv") == 0)
			    || (nl > 5 && strcasecmp (e->d_name + nl - 5, ".json") == 0));
			if (!copy)
				continue;
			char *path = xasprintf ("%s/%s", dir, e->d_name);
			struct stat sb;
			if (stat (path, &sb) == 0 && S_ISREG (sb.st_mode) && (self->keep_days == 0 || sb.st_mtime < limit)
			    && unlink (path) == 0)
				gone++;
			free (path);
		}
		if (d)
			closedir (d);
		if (gone)
			log_info ("inbox: %d kept copies in %s removed (hub.inbox_keep_days is %ld)", gone, dir, self->keep_days);
		free (dir);
	}
}

/* --- the tracking inbox ----------------------------------------------------------- */

static char *
hub_feed_sha1_file (const char *path, long long *bytes)
{
	FILE *f = fopen (path, "rb");
	zdigest_t *dg = zdigest_new ();
	*bytes = 0;
	char buf[16384];
	size_t n;
	while (f && (n = fread (buf, 1, sizeof buf, f)) > 0) {
		zdigest_update (dg, (const byte *) buf, n);
		*bytes += (long long) n;
	}
	if (f)
		fclose (f);
	char *out = xstrdup (hub_feed_hex (zdigest_string (dg)));
	zdigest_destroy (&dg);
	return out;
}

/* One look at the tracking inbox: each *.csv or *.json file taken whole (unknown numbers listed in
 * done/NAME.unknown) or refused (failed/NAME.errors), with its record, as order files are. */
static void
hub_feed_tracking_inbox (hub_feed_t *self, db_t *db)
{
	DIR *d = opendir (self->tracking_inbox);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir (d)) != NULL) {
		size_t nl = strlen (e->d_name);
		bool csv = nl > 4 && strcasecmp (e->d_name + nl - 4, ".csv") == 0;
		bool json = nl > 5 && strcasecmp (e->d_name + nl - 5, ".json") == 0;
		if ((!csv && !json) || e->d_name[0] == '.')
			continue;
		char *path = xasprintf ("%s/%s", self->tracking_inbox, e->d_name);
		struct stat sb;
		if (lstat (path, &sb) != 0 || !S_ISREG (sb.st_mode)) {
			if (lstat (path, &sb) == 0)
				hub_feed_refuse_odd (self, self->tracking_inbox, e->d_name, sb.st_mode);
			free (path);
			continue;
		}
		struct carrier_track_report rep;
		int rc = -1;
		if (db_begin (db) == DB_DONE) {
			rc = carrier_track_file (db, path, e->d_name, util_wall_ms (), &rep);
			if (rc == 0 && db_commit (db) != DB_DONE)
				rc = -1;
			if (rc != 0)
				db_rollback (db);
		} else {
			memset (&rep, 0, sizeof rep);
		}
		if (rc < 0) {
			log_error ("tracking inbox %s: not taken, will retry: %s", e->d_name, db_errmsg (db));
		} else {
			char *sub = xasprintf ("%s/%s", self->tracking_inbox, rc == 0 ? "done" : "failed");
			util_mkdirs (sub, 0755);
			long long bytes;
			char *sha1 = hub_feed_sha1_file (path, &bytes);
			char kept[96];
			char *copy = NULL;
			if (self->keep_days > 0) {
				copy = xasprintf ("%s/.%s.keep", self->tracking_inbox, e->d_name);
				if (link (path, copy) != 0) {
					free (copy);
					copy = NULL;
				}
			}
			char *base = hub_feed_base (sub, e->d_name);
			hub_feed_settle (self, path, &sb, copy, sub, base, e->d_name, kept, sizeof kept);
			free (copy);
			char counts[120];
			snprintf (counts, sizeof counts, "events: %d (%d matched, %d unknown)", rep.events, rep.matched,
			    rep.nunknown);
			char *warnings = hub_feed_lines (e->d_name, rep.warnings, rep.nwarnings, "warning: ");
			hub_feed_record (sub, base, e->d_name, sha1, bytes, rc == 0 ? "taken" : "refused, nothing taken",
			    rc == 0 ? counts : "", kept, rc == 0 ? 0 : rep.nerrors, warnings);
			free (warnings);
			free (sha1);
			if (rc == 0) {
				log_info ("tracking inbox %s: %d events, %d matched, %d unknown", e->d_name, rep.events, rep.matched,
				    rep.nunknown);
				for (int i = 0; i < rep.nunknown; i++)
					log_warn ("tracking inbox %s", rep.unknown[i]);
				if (rep.nunknown) {
					char *upath = xasprintf ("%s/%s.unknown", sub, base);
					char *text = hub_feed_lines (e->d_name, rep.unknown, rep.nunknown, "");
					hub_feed_write_text (upath, text);
					free (text);
					free (upath);
				}
			} else {
				char *epath = xasprintf ("%s/%s.errors", sub, base);
				char *text = hub_feed_lines (e->d_name, rep.errors, rep.nerrors, "");
				hub_feed_write_text (epath, text);
				free (text);
				log_warn ("tracking inbox %s: refused, nothing taken (%d problems, see %s)", e->d_name, rep.nerrors,
				    epath);
				free (epath);
			}
			free (base);
			free (sub);
		}
		carrier_track_report_free (&rep);
		free (path);
	}
	closedir (d);
}

/* --- the loop's calls ----------------------------------------------------------- */

void
hub_feed_inbox (hub_feed_t *self, db_t *db)
{
	if (self == NULL)
		return;
	if (self->inbox && self->job == NULL)
		self->look_again = true; /* the next slice starts on the next file */
	if (util_mono_ms () - self->swept_ms >= HUB_FEED_SWEEP_EVERY_MS) {
		self->swept_ms = util_mono_ms ();
		if (self->inbox)
			hub_feed_sweep (self, self->inbox);
		if (self->tracking_inbox)
			hub_feed_sweep (self, self->tracking_inbox);
	}
	if (self->tracking_inbox)
		hub_feed_tracking_inbox (self, db);
}

/* The import lock for what, tried once (the loop never waits on it): true when the feed holds it. Another
 * import holding it is logged once; the feed tries again HUB_FEED_LOCK_RETRY_MS later. */
static bool
hub_feed_lock (hub_feed_t *self, db_t *db, const char *what)
{
	if (hub_import_lock_held (self->lock))
		return true;
	if (util_mono_ms () < self->lock_after_ms)
		return false;
	char *cause = NULL, *holder = NULL;
	if (self->lock == NULL && (self->lock = hub_import_lock_new (db, "the hub", &cause)) == NULL) {
		log_error ("imports: %s; nothing imports until it can be, tried again shortly", cause);
		free (cause);
		self->lock_after_ms = util_mono_ms () + HUB_FEED_INBOX_EVERY_MS;
		return false;
	}
	int rc = hub_import_lock_take (self->lock, what, 0, &holder, &cause);
	if (rc == 0) {
		if (self->lock_said)
			log_info ("imports: the other import is done; the hub imports again");
		self->lock_said = false;
		/* Whatever a writer before the feed left unfinished is orphaned now: taken back before anything. */
		self->recovered = false;
		return true;
	}
	if (rc < 0)
		log_error ("imports: %s; tried again shortly", cause);
	else if (!self->lock_said) {
		char *shown = text_escape (what, strlen (what));
		log_info ("imports: another import is writing into the database (%s): %s waits for it%s", holder ? holder
		    : "it does not say whose", shown, self->pending ? ", the file stays in the inbox" : "");
		free (shown);
		self->lock_said = true;
	}
	free (holder);
	free (cause);
	self->lock_after_ms = util_mono_ms () + (rc < 0 ? HUB_FEED_INBOX_EVERY_MS : HUB_FEED_LOCK_RETRY_MS);
	return false;
}

void
hub_feed_step (hub_feed_t *self, db_t *db)
{
	if (self == NULL)
		return;
	/* Every import cut short is taken back first, and again after one of ours ends unfinished. */
	if (hub_import_orphaned ())
		self->recovered = false;
	if (self->inbox && self->job == NULL && self->pending == NULL && self->look_again) {
		self->look_again = false;
		self->pending = hub_feed_next_file (self);
	}
	bool push = hub_integration_busy (self->integration);
	/* One import writes at a time, whatever process runs it: the feed holds the lock from taking back what
	 * imports cut short wrote to the end of one file or push. */
	if (!hub_import_lock_held (self->lock)) {
		if (self->pending == NULL && !push && self->recovered && self->recovery == NULL)
			return; /* nothing to write */
		if (!hub_feed_lock (self, db, self->pending ? self->pending : push ? "an integration push"
		        : "taking back imports cut short")) {
			free (self->pending); /* it stays in the inbox: taken at a later look */
			self->pending = NULL;
			return;
		}
	}
	if (self->recovery || !self->recovered) {
		if (hub_feed_recover_step (self, db))
			return;
	}
	/* The inbox file and the push, one after the other: never both writing. */
	if (self->job == NULL && self->pending && !push) {
		hub_feed_job_start (self, db, self->pending);
		self->pending = NULL;
	}
	if (self->job)
		hub_feed_inbox_step (self, db);
	else if (push)
		hub_integration_step (self->integration, db, HUB_FEED_SLICE_MS);
	if (self->job == NULL && self->pending == NULL && self->recovery == NULL && self->recovered
	    && !hub_integration_busy (self->integration))
		hub_import_lock_drop (self->lock);
}
