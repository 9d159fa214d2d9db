/* hub-curve.c: CURVE server sockets, the zauth allow-list and the key folder (see hub-curve.h). */
#include "config.h"
#include "hub-curve.h"
#include "keyfile.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUB_CURVE_CHECK_EVERY_MS 1000
/* The ZAP handler looks again at once for a key it does not know, but not more often than this. */
#define HUB_CURVE_MISS_RELOAD_MS 100
/* A refused key is logged once in this long (a refused device retries every second). */
#define HUB_CURVE_REFUSAL_LOG_MS 60000
#define HUB_CURVE_ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* A draft name in zmq.h 4.3 but an option of every libzmq since 4.3.0. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

/*
 * The handler's own state, in its thread: the allow-list as public key
 * (Z85) -> enrolled name, read from allowed/NAME.cert, and the revoked keys
 * by name, so a refusal can say whose key it was.
 */
struct hub_curve_zap {
	char *dir;           /* the key folder */
	bool verbose;
	zhashx_t *names;     /* Z85 key -> name, for keys in allowed/ */
	zhashx_t *twice;     /* Z85 key -> "a, b": a key found under two names, refused */
	zhashx_t *revoked;   /* Z85 key -> name, for keys in revoked/ */
	zhashx_t *logged;    /* Z85 key -> when its refusal was last logged (monotonic ms, as text) */
	zhashx_t *admitted;  /* Z85 key -> the name it was let in as: connections that may be live */
	char *listing;
	struct timespec dir_mtime;
	int64_t loaded_ms;
};

struct hub_curve {
	char *dir;
	char *allowed;
	zcert_t *cert;
	zactor_t *auth;      /* the ZAP handler (hub_curve_zap), a thread of its own */
	struct hub_curve_zap zap; /* its state, touched only by that thread */
	int64_t next_check_ms; /* when hub_curve_revoked asks the handler next */
};

bool
hub_curve_name_ok (const char *name)
{
	size_t n = strlen (name);
	if (n == 0 || n > 32 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", name[i]))
			return false;
	return true;
}

static bool
hub_curve_exists (const char *path)
{
	struct stat sb;
	return stat (path, &sb) == 0;
}

/* Save a certificate with its secret readable by the owner only. */
static int
hub_curve_save (zcert_t *cert, const char *path, bool secret, char **cause)
{
	mode_t old = umask (077);
	int rc = secret ? zcert_save (cert, path) : zcert_save_public (cert, path);
	umask (old);
	if (rc != 0) {
		*cause = xasprintf ("cannot write the certificate %s: %s", path, strerror (errno));
		return -1;
	}
	if (chmod (path, 0644) != 0)
		log_warn ("cannot make %s readable: %s", path, strerror (errno));
	if (secret) {
		char *s = xasprintf ("%s_secret", path);
		if (chmod (s, 0600) != 0)
			log_warn ("cannot make %s private: %s", s, strerror (errno));
		free (s);
	}
	return 0;
}

int
hub_curve_init_dir (const char *keys_dir, char **cause)
{
	char *allowed = xasprintf ("%s/allowed", keys_dir);
	char *path = xasprintf ("%s/hub.cert", keys_dir);
	char *secret = xasprintf ("%s/hub.cert_secret", keys_dir);
	int rc = 1;
	if (util_mkdirs (allowed, 0700) != 0) {
		*cause = xasprintf ("cannot make the key folder %s: %s", allowed, strerror (errno));
		rc = -1;
	} else if (!hub_curve_exists (secret)) {
		zcert_t *cert = zcert_new ();
		zcert_set_meta (cert, "name", "%s", "despatch-hub");
		rc = cert && hub_curve_save (cert, path, true, cause) == 0 ? 0 : -1;
		zcert_destroy (&cert);
	}
	free (allowed);
	free (path);
	free (secret);
	return rc;
}

int
hub_curve_enrol (const char *keys_dir, const char *name, char **cause)
{
	if (!hub_curve_name_ok (name)) {
		*cause = xasprintf ("'%s' is not a usable name: 1-32 letters, digits, '.', '_' or '-'", name);
		return -1;
	}
	char *hub_secret = xasprintf ("%s/hub.cert_secret", keys_dir);
	char *hub_path = xasprintf ("%s/hub.cert", keys_dir);
	char *allowed = xasprintf ("%s/allowed/%s.cert", keys_dir, name);
	char *folder = xasprintf ("%s/terminals/%s", keys_dir, name);
	char *own = xasprintf ("%s/terminal.cert", folder);
	char *hub_copy = xasprintf ("%s/hub.cert", folder);
	zcert_t *hub = NULL, *cert = NULL;
	int rc = -1;
	if (!hub_curve_exists (hub_secret))
		*cause = xasprintf ("%s has no hub certificate: run despatch keys init %s first", keys_dir, keys_dir);
	else if (hub_curve_exists (allowed))
		*cause = xasprintf ("%s is already enrolled (%s); revoke it first to give it a new key", name, allowed);
	else if ((hub = zcert_load (hub_path)) == NULL)
		*cause = xasprintf ("cannot read the hub certificate %s", hub_path);
	else if (util_mkdirs (folder, 0700) != 0)
		*cause = xasprintf ("cannot make %s: %s", folder, strerror (errno));
	else {
		cert = zcert_new ();
		zcert_set_meta (cert, "name", "%s", name);
		if (hub_curve_save (cert, own, true, cause) == 0 && hub_curve_save (hub, hub_copy, false, cause) == 0
		    && hub_curve_save (cert, allowed, false, cause) == 0)
			rc = 0;
	}
	zcert_destroy (&hub);
	zcert_destroy (&cert);
	free (hub_secret);
	free (hub_path);
	free (allowed);
	free (folder);
	free (own);
	free (hub_copy);
	return rc;
}

int
hub_curve_revoke (const char *keys_dir, const char *name, char **cause)
{
	if (!hub_curve_name_ok (name)) {
		*cause = xasprintf ("'%s' is not a usable name: 1-32 letters, digits, '.', '_' or '-'", name);
		return -1;
	}
	char *allowed = xasprintf ("%s/allowed/%s.cert", keys_dir, name);
	char *revoked_dir = xasprintf ("%s/revoked", keys_dir);
	char *revoked = xasprintf ("%s/revoked/%s.cert", keys_dir, name);
	char *own = xasprintf ("%s/terminals/%s/terminal.cert", keys_dir, name);
	char *own_secret = xasprintf ("%s/terminals/%s/terminal.cert_secret", keys_dir, name);
	char *hub_copy = xasprintf ("%s/terminals/%s/hub.cert", keys_dir, name);
	char *folder = xasprintf ("%s/terminals/%s", keys_dir, name);
	int rc = -1;
	if (!hub_curve_exists (allowed))
		*cause = xasprintf ("%s is not enrolled (no %s)", name, allowed);
	else if (util_mkdirs (revoked_dir, 0700) != 0)
		*cause = xasprintf ("cannot make %s: %s", revoked_dir, strerror (errno));
	else if (rename (allowed, revoked) != 0)
		*cause = xasprintf ("cannot move %s to %s: %s", allowed, revoked, strerror (errno));
	else {
		/* The secret is useless now; nobody should install it again. */
		unlink (own_secret);
		unlink (own);
		unlink (hub_copy);
		rmdir (folder);
		rc = 0;
	}
	free (allowed);
	free (revoked_dir);
	free (revoked);
	free (own);
	free (own_secret);
	free (hub_copy);
	free (folder);
	return rc;
}

/* A copy of cert's keys named name (a certificate's own name is in its metadata). */
static zcert_t *
hub_curve_renamed (zcert_t *cert, const char *name)
{
	zcert_t *copy = zcert_new_from (zcert_public_key (cert), zcert_secret_key (cert));
	if (copy)
		zcert_set_meta (copy, "name", "%s", name);
	return copy;
}

int
hub_curve_rename (const char *keys_dir, const char *from, const char *to, char **cause)
{
	if (!hub_curve_name_ok (from) || !hub_curve_name_ok (to)) {
		*cause = xasprintf ("'%s' is not a usable name: 1-32 letters, digits, '.', '_' or '-'",
		    hub_curve_name_ok (from) ? to : from);
		return -1;
	}
	char *old_cert = xasprintf ("%s/allowed/%s.cert", keys_dir, from);
	char *new_cert = xasprintf ("%s/allowed/%s.cert", keys_dir, to);
	char *old_dir = xasprintf ("%s/terminals/%s", keys_dir, from);
	char *new_dir = xasprintf ("%s/terminals/%s", keys_dir, to);
	char *old_own = xasprintf ("%s/terminal.cert", old_dir);
	char *new_own = xasprintf ("%s/terminal.cert", new_dir);
	char *old_hub = xasprintf ("%s/hub.cert", old_dir);
	char *new_hub = xasprintf ("%s/hub.cert", new_dir);
	char *old_secret = xasprintf ("%s_secret", old_own);
	zcert_t *pub = NULL, *own = NULL, *hub = NULL;
	int rc = -1;
	if (!hub_curve_exists (old_cert))
		*cause = xasprintf ("%s is not enrolled (no %s)", from, old_cert);
	else if (hub_curve_exists (new_cert))
		*cause = xasprintf ("%s is enrolled already (%s): revoke it first, or choose another name", to, new_cert);
	else if (hub_curve_exists (new_dir))
		*cause = xasprintf ("%s exists: remove it first, or choose another name", new_dir);
	else if ((pub = zcert_load (old_cert)) == NULL)
		*cause = xasprintf ("cannot read the certificate %s", old_cert);
	else {
		/* The device's folder moves with it, when it is still here to be installed. */
		rc = 0;
		if (hub_curve_exists (old_secret)) {
			own = zcert_load (old_own);
			hub = zcert_load (old_hub);
			zcert_t *named = own ? hub_curve_renamed (own, to) : NULL;
			rc = -1;
			if (named == NULL || hub == NULL)
				*cause = xasprintf ("cannot read the keys in %s", old_dir);
			else if (util_mkdirs (new_dir, 0700) != 0)
				*cause = xasprintf ("cannot make %s: %s", new_dir, strerror (errno));
			else if (hub_curve_save (named, new_own, true, cause) == 0 && hub_curve_save (hub, new_hub, false, cause) == 0)
				rc = 0;
			zcert_destroy (&named);
		}
		/* One rename, so the key is never in the list under two names nor under none. */
		if (rc == 0 && rename (old_cert, new_cert) != 0) {
			*cause = xasprintf ("cannot move %s to %s: %s", old_cert, new_cert, strerror (errno));
			rc = -1;
		}
		if (rc == 0) {
			/* The name inside the certificate too (the hub goes by the file's name). */
			zcert_t *named = hub_curve_renamed (pub, to);
			char *why = NULL;
			if (named == NULL || hub_curve_save (named, new_cert, false, &why) != 0)
				log_warn ("%s keeps the name %s inside: %s", new_cert, from, why ? why : "cannot copy the key");
			free (why);
			zcert_destroy (&named);
			unlink (old_secret);
			unlink (old_own);
			unlink (old_hub);
			rmdir (old_dir);
		}
	}
	zcert_destroy (&pub);
	zcert_destroy (&own);
	zcert_destroy (&hub);
	free (old_cert);
	free (new_cert);
	free (old_dir);
	free (new_dir);
	free (old_own);
	free (new_own);
	free (old_hub);
	free (new_hub);
	free (old_secret);
	return rc;
}

/* The allow-list's names and times, to tell when one went away or changed. */
static char *
hub_curve_listing (const char *dir)
{
	DIR *d = opendir (dir);
	char *out = xstrdup ("\n"); /* every entry is "\nNAME MTIME\n": no name matches inside another */
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat (path, &sb) == 0) {
			char *n = xasprintf ("%s%s %lld.%09ld\n", out, e->d_name, (long long) sb.st_mtim.tv_sec,
			    sb.st_mtim.tv_nsec);
			free (out);
			out = n;
		}
		free (path);
	}
	if (d)
		closedir (d);
	return out;
}

/* --- the ZAP handler ------------------------------------------------------ */


/* Each NAME.cert of sub: its public key into keys (and, when seen before under another name, into twice). */
static void
hub_curve_zap_read (const char *dir, const char *sub, zhashx_t *keys, zhashx_t *twice)
{
	char *path = xasprintf ("%s/%s", dir, sub);
	DIR *d = opendir (path);
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		size_t n = strlen (e->d_name);
		if (n <= 5 || strcmp (e->d_name + n - 5, ".cert") != 0 || e->d_name[0] == '.')
			continue;
		char *name = xstrndup (e->d_name, n - 5);
		char *file = xasprintf ("%s/%s", path, e->d_name);
		zcert_t *cert = hub_curve_name_ok (name) ? zcert_load (file) : NULL;
		if (cert) {
			const char *key = zcert_public_txt (cert);
			const char *other = zhashx_lookup (keys, key);
			if (other && twice) {
				char *both = xasprintf ("%s and %s", other, name);
				zhashx_update (twice, key, both);
				free (both);
			} else if (other == NULL) {
				zhashx_insert (keys, key, name);
			}
			zcert_destroy (&cert);
		}
		free (name);
		free (file);
	}
	if (d)
		closedir (d);
	free (path);
}

static void
hub_curve_zap_load (struct hub_curve_zap *z)
{
	zhashx_purge (z->names);
	zhashx_purge (z->twice);
	zhashx_purge (z->revoked);
	hub_curve_zap_read (z->dir, "allowed", z->names, z->twice);
	hub_curve_zap_read (z->dir, "revoked", z->revoked, NULL);
	for (const char *both = zhashx_first (z->twice); both; both = zhashx_next (z->twice))
		log_error ("the key folder %s has one key enrolled as %s: that key is refused until one of them is "
		    "revoked", z->dir, both);
	char *allowed = xasprintf ("%s/allowed", z->dir);
	free (z->listing);
	z->listing = hub_curve_listing (allowed);
	struct stat sb;
	if (stat (allowed, &sb) == 0)
		z->dir_mtime = sb.st_mtim;
	free (allowed);
	z->loaded_ms = util_mono_ms ();
}

/* Read the allow-list again when it may have changed: its folder changed
 * (enrol, revoke and rename all add or remove a file), a file in it changed
 * (looked at every second, or now when asked), or a key is not known (a
 * terminal enrolled just now). */
static void
hub_curve_zap_fresh (struct hub_curve_zap *z, const char *key, bool look_now)
{
	int64_t now = util_mono_ms ();
	char *allowed = xasprintf ("%s/allowed", z->dir);
	struct stat sb;
	bool changed = stat (allowed, &sb) == 0 && (sb.st_mtim.tv_sec != z->dir_mtime.tv_sec
	    || sb.st_mtim.tv_nsec != z->dir_mtime.tv_nsec);
	if (!changed && (look_now || now - z->loaded_ms >= HUB_CURVE_CHECK_EVERY_MS)) {
		char *listing = hub_curve_listing (allowed);
		changed = strcmp (listing, z->listing) != 0;
		free (listing);
		if (!changed)
			z->loaded_ms = now;
	}
	if (!changed && key && zhashx_lookup (z->names, key) == NULL && now - z->loaded_ms >= HUB_CURVE_MISS_RELOAD_MS)
		changed = true;
	free (allowed);
	if (changed)
		hub_curve_zap_load (z);
}

/* A refusal in the log, once a minute per key (by its address when it has
 * none): who it was, from where, why ("key K is not enrolled"). */
static void
hub_curve_zap_refused (struct hub_curve_zap *z, const char *key, const char *address, const char *why)
{
	int64_t now = util_mono_ms ();
	char *limit = xasprintf ("%s %s", key ? key : "address", key ? "" : address);
	const char *last = zhashx_lookup (z->logged, limit);
	if (!(last && now - strtoll (last, NULL, 10) < HUB_CURVE_REFUSAL_LOG_MS && !z->verbose)) {
		char when[32];
		snprintf (when, sizeof when, "%lld", (long long) now);
		zhashx_update (z->logged, limit, when);
		log_warn ("connection from %s refused: %s%s%s", *address ? address : "(no address)", key ? "key " : "",
		    key ? key : "", why);
	}
	free (limit);
}

/* One ZAP request (RFC 27) and its reply: 200 with the enrolled name as the
 * User-Id for a CURVE key in the allow-list, 400 for anything else. */
static void
hub_curve_zap_answer (struct hub_curve_zap *z, zsock_t *handler)
{
	zmsg_t *req = zmsg_recv (handler);
	if (req == NULL)
		return;
	char *version = zmsg_popstr (req);
	char *id = zmsg_popstr (req);
	char *domain = zmsg_popstr (req);
	char *address = zmsg_popstr (req);
	char *identity = zmsg_popstr (req);
	char *mechanism = zmsg_popstr (req);
	zframe_t *cred = zmsg_pop (req);
	const char *code = "400", *text = "No access", *user = "";
	char key[41] = "";
	if (version == NULL || strcmp (version, "1.0") != 0) {
		code = "500";
		text = "ZAP version not understood";
	} else if (domain == NULL || strcmp (domain, HUB_CURVE_DOMAIN) != 0) {
		text = "not the despatch domain";
	} else if (mechanism == NULL || strcmp (mechanism, "CURVE") != 0 || cred == NULL || zframe_size (cred) != 32) {
		text = "CURVE only";
		char *why = xasprintf ("mechanism %s instead of CURVE", mechanism ? mechanism : "none");
		hub_curve_zap_refused (z, NULL, address ? address : "", why);
		free (why);
	} else {
		zmq_z85_encode (key, zframe_data (cred), 32);
		hub_curve_zap_fresh (z, key, false);
		const char *name = zhashx_lookup (z->names, key);
		const char *both = zhashx_lookup (z->twice, key);
		const char *gone = zhashx_lookup (z->revoked, key);
		if (both) {
			text = "key enrolled twice";
			char *why = xasprintf (" is enrolled as both %s; revoke one of them", both);
			hub_curve_zap_refused (z, key, address, why);
			free (why);
		} else if (name) {
			code = "200";
			text = "OK";
			user = name;
			zhashx_update (z->admitted, key, (void *) name);
			if (z->verbose)
				log_info ("connection from %s: key of %s accepted", *address ? address : "(no address)", name);
		} else {
			char *why = gone ? xasprintf (" was revoked (terminal %s)", gone) : xstrdup (" is not enrolled");
			hub_curve_zap_refused (z, key, address, why);
			free (why);
		}
	}
	zmsg_t *rep = zmsg_new ();
	zmsg_addstr (rep, "1.0");
	zmsg_addstr (rep, id ? id : "");
	zmsg_addstr (rep, code);
	zmsg_addstr (rep, text);
	zmsg_addstr (rep, user);
	zmsg_addmem (rep, NULL, 0); /* no metadata */
	if (zmsg_send (&rep, handler) != 0)
		zmsg_destroy (&rep);
	zframe_destroy (&cred);
	free (version);
	free (id);
	free (domain);
	free (address);
	free (identity);
	free (mechanism);
	zmsg_destroy (&req);
}

/*
 * Whether a key let in may no longer be what it was let in as (revoked,
 * renamed, replaced): the allow-list read again if it changed, then each
 * key admitted since the last check whose name is not its name now. Those
 * are forgotten: the caller drops every connection and each key is
 * checked again as it reconnects.
 */
static bool
hub_curve_zap_check (struct hub_curve_zap *z)
{
	hub_curve_zap_fresh (z, NULL, true);
	bool gone = false;
	zlistx_t *keys = zhashx_keys (z->admitted);
	for (const char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
		const char *was = zhashx_lookup (z->admitted, key), *now = zhashx_lookup (z->names, key);
		if (now == NULL || strcmp (now, was) != 0 || zhashx_lookup (z->twice, key)) {
			gone = true;
			break;
		}
	}
	zlistx_destroy (&keys);
	if (gone)
		zhashx_purge (z->admitted);
	return gone;
}

/* The actor: answers ZAP requests until told $TERM; CHECK says (signal 1) whether connections must be dropped. */
static void
hub_curve_zap (zsock_t *pipe, void *args)
{
	struct hub_curve_zap *z = args;
	zsock_t *handler = zsock_new_rep ("@" HUB_CURVE_ZAP_ENDPOINT);
	if (handler == NULL) {
		zsock_signal (pipe, 1);
		return;
	}
	z->names = zhashx_new ();
	z->twice = zhashx_new ();
	z->revoked = zhashx_new ();
	z->logged = zhashx_new ();
	z->admitted = zhashx_new ();
	zhashx_t *tables[] = { z->names, z->twice, z->revoked, z->logged, z->admitted };
	for (size_t i = 0; i < nitems (tables); i++) {
		zhashx_set_duplicator (tables[i], (zhashx_duplicator_fn *) strdup);
		zhashx_set_destructor (tables[i], (zhashx_destructor_fn *) zstr_free);
	}
	hub_curve_zap_load (z);
	zpoller_t *poller = zpoller_new (pipe, handler, NULL);
	zsock_signal (pipe, 0);
	for (bool done = false; !done;) {
		void *which = zpoller_wait (poller, -1);
		if (which == handler) {
			hub_curve_zap_answer (z, handler);
		} else if (which == pipe) {
			char *cmd = zstr_recv (pipe);
			if (cmd && strcmp (cmd, "CHECK") == 0) {
				zsock_signal (pipe, hub_curve_zap_check (z) ? 1 : 0);
			} else {
				done = true; /* $TERM, or the pipe is gone */
			}
			zstr_free (&cmd);
		} else {
			done = true;
		}
	}
	zpoller_destroy (&poller);
	zsock_destroy (&handler);
	for (size_t i = 0; i < nitems (tables); i++)
		zhashx_destroy (&tables[i]);
	free (z->listing);
}

hub_curve_t *
hub_curve_new (const char *keys_dir, bool verbose, char **cause)
{
	if (!zsys_has_curve () || !zmq_has ("curve")) {
		*cause = xasprintf ("this libzmq was built without CURVE security; the hub will not serve "
		    "unencrypted sockets unless told so (security.curve = no, for tests only)");
		return NULL;
	}
	int made = hub_curve_init_dir (keys_dir, cause);
	if (made < 0)
		return NULL;
	hub_curve_t *self = xcalloc (1, sizeof *self);
	self->dir = xstrdup (keys_dir);
	self->allowed = xasprintf ("%s/allowed", keys_dir);
	/* The hub's secret key as every program's: private to its owner, or refused with the chmod to run. */
	char *secret_file = xasprintf ("%s/hub.cert_secret", keys_dir);
	int checked = keyfile_check_secret (secret_file, cause);
	free (secret_file);
	if (checked != 0) {
		hub_curve_destroy (&self);
		return NULL;
	}
	char *secret = xasprintf ("%s/hub.cert", keys_dir);
	self->cert = zcert_load (secret);
	free (secret);
	if (self->cert == NULL || strcmp (zcert_secret_txt (self->cert), "0000000000000000000000000000000000000000") == 0) {
		*cause = xasprintf ("cannot read the hub certificate %s/hub.cert_secret; "
		    "make one with despatch keys init %s", keys_dir, keys_dir);
		hub_curve_destroy (&self);
		return NULL;
	}
	if (made == 0)
		log_info ("made the hub certificate %s/hub.cert; enrol terminals with despatch keys enrol %s NAME",
		    keys_dir, keys_dir);
	self->zap.dir = self->dir;
	self->zap.verbose = verbose;
	self->auth = zactor_new (hub_curve_zap, &self->zap);
	if (self->auth == NULL) {
		*cause = xasprintf ("cannot start the ZAP handler (is another one bound to %s in this process?)",
		    HUB_CURVE_ZAP_ENDPOINT);
		hub_curve_destroy (&self);
		return NULL;
	}
	self->next_check_ms = util_mono_ms () + HUB_CURVE_CHECK_EVERY_MS;
	log_info ("CURVE on: hub key %s, allow-list %s", zcert_public_txt (self->cert), self->allowed);
	return self;
}

void
hub_curve_destroy (hub_curve_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_curve_t *self = *self_p;
	/* The sockets go first (hub-server.c): without a ZAP handler the domain is enforced and nobody gets in. */
	zactor_destroy (&self->auth);
	zcert_destroy (&self->cert);
	free (self->dir);
	free (self->allowed);
	free (self);
	*self_p = NULL;
}

int
hub_curve_apply (hub_curve_t *self, void *zsock, char **cause)
{
	zcert_apply (self->cert, zsock);
	zsock_set_curve_server (zsock, 1);
	zsock_set_zap_domain (zsock, HUB_CURVE_DOMAIN);
	int on = 1;
	if (zmq_setsockopt (zsock_resolve (zsock), ZMQ_ZAP_ENFORCE_DOMAIN, &on, sizeof on) != 0) {
		*cause = xasprintf ("this libzmq cannot enforce a ZAP domain (ZMQ_ZAP_ENFORCE_DOMAIN: %s); "
		    "it needs libzmq 4.3 or later", zmq_strerror (zmq_errno ()));
		return -1;
	}
	if (!zsock_curve_server (zsock)) {
		*cause = xasprintf ("the socket did not take the CURVE server role");
		return -1;
	}
	return 0;
}

const char *
hub_curve_public (hub_curve_t *self)
{
	return zcert_public_txt (self->cert);
}

const char *
hub_curve_dir (hub_curve_t *self)
{
	return self->dir;
}

bool
hub_curve_revoked (hub_curve_t *self)
{
	if (self == NULL || self->auth == NULL || util_mono_ms () < self->next_check_ms)
		return false;
	self->next_check_ms = util_mono_ms () + HUB_CURVE_CHECK_EVERY_MS;
	/* The handler knows which keys it let in and as what: it reads the list
	 * again and answers before any peer can reconnect. */
	zstr_send (self->auth, "CHECK");
	return zsock_wait (self->auth) == 1;
}

void
hub_curve_digest_key (hub_curve_t *self, uint8_t key[32])
{
	static const char label[] = "despatch request digest";
	if (self == NULL) {
		memset (key, 0, 32);
		return;
	}
	/* A key of its own, made from the hub's secret: the database never holds it. */
	secret_digest (zcert_secret_key (self->cert), label, sizeof label - 1, key);
}
