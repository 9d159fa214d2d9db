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

/* Each kind's folders and the words that name it. */
static const struct {
	const char *word;  /* "terminal": in list, messages and the certificate's "kind" */
	const char *list;  /* the allow-list's folder: NAME.cert */
	const char *home;  /* the install folders: NAME/OWN.cert, OWN.cert_secret, hub.cert */
	const char *own;
	const char *enrol; /* how to enrol one */
} hub_curve_kinds[HUB_CURVE_KINDS] = {
	[HUB_CURVE_TERMINAL] = { "terminal", "allowed", "terminals", "terminal", "despatch keys enrol DIR NAME" },
	[HUB_CURVE_SYSTEM] = { "system", "systems", "clients", "system", "despatch keys enrol DIR NAME --system" },
};

/* Each socket's ZAP domain and the kind it admits. */
static const struct {
	const char *domain;
	hub_curve_kind_t kind;
	const char *what;  /* for the log: "the integration endpoint admits system keys" */
} hub_curve_doors[HUB_CURVE_DOORS] = {
	[HUB_CURVE_TERMINALS] = { "despatch", HUB_CURVE_TERMINAL, "the terminals' endpoint" },
	[HUB_CURVE_EVENTS] = { "despatch-events", HUB_CURVE_SYSTEM, "the events feed" },
	[HUB_CURVE_INTEGRATION] = { "despatch-integration", HUB_CURVE_SYSTEM, "the integration endpoint" },
};

/*
 * The handler's own state, in its thread: each kind's allow-list as public
 * key (Z85) -> enrolled name, read from allowed/NAME.cert and
 * systems/NAME.cert, and the revoked keys by name, so a refusal can say
 * whose key it was.
 */
struct hub_curve_zap {
	char *dir;           /* the key folder */
	bool verbose;
	zhashx_t *names[HUB_CURVE_KINDS]; /* Z85 key -> name, for keys in that kind's list */
	zhashx_t *twice;     /* Z85 key -> "a and b": a key found under two names, refused */
	zhashx_t *revoked;   /* Z85 key -> "terminal NAME", for keys in revoked/ */
	zhashx_t *logged;    /* "domain key" -> when its refusal was last logged (monotonic ms, as text) */
	zhashx_t *admitted[HUB_CURVE_KINDS]; /* Z85 key -> the name it was let in as: connections that may be live */
	char *listing;
	struct timespec dir_mtime[HUB_CURVE_KINDS];
	int64_t loaded_ms;
};

struct hub_curve {
	char *dir;
	char *allowed;
	zcert_t *cert;
	zactor_t *auth;      /* the ZAP handler (hub_curve_zap), a thread of its own */
	struct hub_curve_zap zap; /* its state, touched only by that thread */
	int64_t next_check_ms; /* when hub_curve_revoked asks the handler next */
	void *socks[HUB_CURVE_DOORS]; /* the sockets given to hub_curve_apply (owned by their callers) */
};

const char *
hub_curve_kind_name (hub_curve_kind_t kind)
{
	return hub_curve_kinds[kind].word;
}

const char *
hub_curve_kind_list (hub_curve_kind_t kind)
{
	return hub_curve_kinds[kind].list;
}

const char *
hub_curve_kind_home (hub_curve_kind_t kind)
{
	return hub_curve_kinds[kind].home;
}

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
	char *systems = xasprintf ("%s/%s", keys_dir, hub_curve_kinds[HUB_CURVE_SYSTEM].list);
	if (util_mkdirs (allowed, 0700) != 0 || util_mkdirs (systems, 0700) != 0) {
		*cause = xasprintf ("cannot make the key folder %s: %s", keys_dir, strerror (errno));
		rc = -1;
	} else if (!hub_curve_exists (secret)) {
		zcert_t *cert = zcert_new ();
		zcert_set_meta (cert, "name", "%s", "despatch-hub");
		rc = cert && hub_curve_save (cert, path, true, cause) == 0 ? 0 : -1;
		zcert_destroy (&cert);
	}
	free (allowed);
	free (systems);
	free (path);
	free (secret);
	return rc;
}

int
hub_curve_kind_of (const char *keys_dir, const char *name)
{
	for (int k = 0; k < HUB_CURVE_KINDS; k++) {
		char *path = xasprintf ("%s/%s/%s.cert", keys_dir, hub_curve_kinds[k].list, name);
		bool there = hub_curve_exists (path);
		free (path);
		if (there)
			return k;
	}
	return -1;
}

hub_curve_kind_t
hub_curve_revoked_kind (const char *cert_path)
{
	zcert_t *cert = zcert_load (cert_path);
	const char *kind = cert ? zcert_meta (cert, "kind") : NULL;
	hub_curve_kind_t k = kind && strcmp (kind, hub_curve_kinds[HUB_CURVE_SYSTEM].word) == 0 ? HUB_CURVE_SYSTEM
	                                                                                         : HUB_CURVE_TERMINAL;
	zcert_destroy (&cert);
	return k;
}

int
hub_curve_enrol (const char *keys_dir, const char *name, hub_curve_kind_t kind, char **cause)
{
	if (!hub_curve_name_ok (name)) {
		*cause = xasprintf ("'%s' is not a usable name: 1-32 letters, digits, '.', '_' or '-'", name);
		return -1;
	}
	char *hub_secret = xasprintf ("%s/hub.cert_secret", keys_dir);
	char *hub_path = xasprintf ("%s/hub.cert", keys_dir);
	char *list = xasprintf ("%s/%s", keys_dir, hub_curve_kinds[kind].list);
	char *allowed = xasprintf ("%s/%s.cert", list, name);
	char *folder = xasprintf ("%s/%s/%s", keys_dir, hub_curve_kinds[kind].home, name);
	char *own = xasprintf ("%s/%s.cert", folder, hub_curve_kinds[kind].own);
	char *hub_copy = xasprintf ("%s/hub.cert", folder);
	zcert_t *hub = NULL, *cert = NULL;
	int rc = -1, was = hub_curve_kind_of (keys_dir, name);
	if (!hub_curve_exists (hub_secret))
		*cause = xasprintf ("%s has no hub certificate: run despatch keys init %s first", keys_dir, keys_dir);
	else if (was >= 0)
		*cause = xasprintf ("%s is already enrolled as a %s (%s/%s/%s.cert); revoke it first to give it a new key",
		    name, hub_curve_kinds[was].word, keys_dir, hub_curve_kinds[was].list, name);
	else if ((hub = zcert_load (hub_path)) == NULL)
		*cause = xasprintf ("cannot read the hub certificate %s", hub_path);
	else if (util_mkdirs (folder, 0700) != 0 || util_mkdirs (list, 0700) != 0)
		*cause = xasprintf ("cannot make %s: %s", folder, strerror (errno));
	else {
		cert = zcert_new ();
		zcert_set_meta (cert, "name", "%s", name);
		zcert_set_meta (cert, "kind", "%s", hub_curve_kinds[kind].word);
		if (hub_curve_save (cert, own, true, cause) == 0 && hub_curve_save (hub, hub_copy, false, cause) == 0
		    && hub_curve_save (cert, allowed, false, cause) == 0)
			rc = 0;
	}
	zcert_destroy (&hub);
	zcert_destroy (&cert);
	free (hub_secret);
	free (hub_path);
	free (list);
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
	int kind = hub_curve_kind_of (keys_dir, name);
	hub_curve_kind_t k = kind < 0 ? HUB_CURVE_TERMINAL : (hub_curve_kind_t) kind;
	char *allowed = xasprintf ("%s/%s/%s.cert", keys_dir, hub_curve_kinds[k].list, name);
	char *revoked_dir = xasprintf ("%s/revoked", keys_dir);
	char *revoked = xasprintf ("%s/revoked/%s.cert", keys_dir, name);
	char *folder = xasprintf ("%s/%s/%s", keys_dir, hub_curve_kinds[k].home, name);
	char *own = xasprintf ("%s/%s.cert", folder, hub_curve_kinds[k].own);
	char *own_secret = xasprintf ("%s_secret", own);
	char *hub_copy = xasprintf ("%s/hub.cert", folder);
	int rc = -1;
	if (kind < 0)
		*cause = xasprintf ("%s is not enrolled (no %s/allowed/%s.cert nor %s/systems/%s.cert)", name, keys_dir, name,
		    keys_dir, name);
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
hub_curve_renamed (zcert_t *cert, const char *name, hub_curve_kind_t kind)
{
	zcert_t *copy = zcert_new_from (zcert_public_key (cert), zcert_secret_key (cert));
	if (copy) {
		zcert_set_meta (copy, "name", "%s", name);
		zcert_set_meta (copy, "kind", "%s", hub_curve_kinds[kind].word);
	}
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
	int kind = hub_curve_kind_of (keys_dir, from), other = hub_curve_kind_of (keys_dir, to);
	hub_curve_kind_t k = kind < 0 ? HUB_CURVE_TERMINAL : (hub_curve_kind_t) kind;
	const char *list = hub_curve_kinds[k].list, *home = hub_curve_kinds[k].home, *base = hub_curve_kinds[k].own;
	char *old_cert = xasprintf ("%s/%s/%s.cert", keys_dir, list, from);
	char *new_cert = xasprintf ("%s/%s/%s.cert", keys_dir, list, to);
	char *old_dir = xasprintf ("%s/%s/%s", keys_dir, home, from);
	char *new_dir = xasprintf ("%s/%s/%s", keys_dir, home, to);
	char *old_own = xasprintf ("%s/%s.cert", old_dir, base);
	char *new_own = xasprintf ("%s/%s.cert", new_dir, base);
	char *old_hub = xasprintf ("%s/hub.cert", old_dir);
	char *new_hub = xasprintf ("%s/hub.cert", new_dir);
	char *old_secret = xasprintf ("%s_secret", old_own);
	zcert_t *pub = NULL, *own = NULL, *hub = NULL;
	int rc = -1;
	if (kind < 0)
		*cause = xasprintf ("%s is not enrolled (no %s/allowed/%s.cert nor %s/systems/%s.cert)", from, keys_dir, from,
		    keys_dir, from);
	else if (other >= 0)
		*cause = xasprintf ("%s is enrolled already, as a %s (%s/%s/%s.cert): revoke it first, or choose another "
		    "name", to, hub_curve_kinds[other].word, keys_dir, hub_curve_kinds[other].list, to);
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
			zcert_t *named = own ? hub_curve_renamed (own, to, k) : NULL;
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
			zcert_t *named = hub_curve_renamed (pub, to, k);
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


/* Each NAME.cert of sub: its public key into keys (and, when seen before
 * under another name, into twice); by "KIND NAME" when kinds (revoked/). */
static void
hub_curve_zap_read (const char *dir, const char *sub, zhashx_t *keys, zhashx_t *twice, bool kinds)
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
				char *as = kinds ? xasprintf ("%s %s", hub_curve_kinds[hub_curve_revoked_kind (file)].word, name)
				                 : xstrdup (name);
				zhashx_insert (keys, key, as);
				free (as);
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

/* Both allow-lists' names and times, to tell when one went away or changed. */
static char *
hub_curve_zap_listing (const char *dir)
{
	char *out = xstrdup ("");
	for (int k = 0; k < HUB_CURVE_KINDS; k++) {
		char *list = xasprintf ("%s/%s", dir, hub_curve_kinds[k].list);
		char *one = hub_curve_listing (list);
		char *both = xasprintf ("%s%s:%s", out, hub_curve_kinds[k].list, one);
		free (out);
		out = both;
		free (one);
		free (list);
	}
	return out;
}

/* Whether either allow-list's folder changed since it was read (enrol, revoke and rename add or remove a file). */
static bool
hub_curve_zap_dirs_changed (struct hub_curve_zap *z, bool remember)
{
	bool changed = false;
	for (int k = 0; k < HUB_CURVE_KINDS; k++) {
		char *list = xasprintf ("%s/%s", z->dir, hub_curve_kinds[k].list);
		struct stat sb;
		if (stat (list, &sb) != 0)
			memset (&sb, 0, sizeof sb);
		if (sb.st_mtim.tv_sec != z->dir_mtime[k].tv_sec || sb.st_mtim.tv_nsec != z->dir_mtime[k].tv_nsec)
			changed = true;
		if (remember)
			z->dir_mtime[k] = sb.st_mtim;
		free (list);
	}
	return changed;
}

static void
hub_curve_zap_load (struct hub_curve_zap *z)
{
	for (int k = 0; k < HUB_CURVE_KINDS; k++)
		zhashx_purge (z->names[k]);
	zhashx_purge (z->twice);
	zhashx_purge (z->revoked);
	for (int k = 0; k < HUB_CURVE_KINDS; k++)
		hub_curve_zap_read (z->dir, hub_curve_kinds[k].list, z->names[k], z->twice, false);
	hub_curve_zap_read (z->dir, "revoked", z->revoked, NULL, true);
	/* One key in both lists is refused everywhere: which kind it is cannot be told. */
	zhashx_t *sys = z->names[HUB_CURVE_SYSTEM];
	for (const char *name = zhashx_first (sys); name; name = zhashx_next (sys)) {
		const char *key = zhashx_cursor (sys);
		const char *term = zhashx_lookup (z->names[HUB_CURVE_TERMINAL], key);
		if (term) {
			char *both = xasprintf ("terminal %s and system %s", term, name);
			zhashx_update (z->twice, key, both);
			free (both);
		}
	}
	for (const char *both = zhashx_first (z->twice); both; both = zhashx_next (z->twice))
		log_error ("the key folder %s has one key enrolled as %s: that key is refused until one of them is "
		    "revoked", z->dir, both);
	free (z->listing);
	z->listing = hub_curve_zap_listing (z->dir);
	hub_curve_zap_dirs_changed (z, true);
	z->loaded_ms = util_mono_ms ();
}

/* Read the allow-lists again when they may have changed: a folder changed
 * (enrol, revoke and rename all add or remove a file), a file in one
 * changed (looked at every second, or now when asked), or a key is not
 * known (a terminal enrolled just now). */
static void
hub_curve_zap_fresh (struct hub_curve_zap *z, const char *key, bool look_now)
{
	int64_t now = util_mono_ms ();
	bool changed = hub_curve_zap_dirs_changed (z, false);
	if (!changed && (look_now || now - z->loaded_ms >= HUB_CURVE_CHECK_EVERY_MS)) {
		char *listing = hub_curve_zap_listing (z->dir);
		changed = strcmp (listing, z->listing) != 0;
		free (listing);
		if (!changed)
			z->loaded_ms = now;
	}
	bool known = false;
	for (int k = 0; key && k < HUB_CURVE_KINDS; k++)
		known = known || zhashx_lookup (z->names[k], key) != NULL;
	if (!changed && key && !known && now - z->loaded_ms >= HUB_CURVE_MISS_RELOAD_MS)
		changed = true;
	if (changed)
		hub_curve_zap_load (z);
}

/* A refusal in the log, once a minute per key and socket (by its address
 * when it has none): who it was, from where, why ("key K is not enrolled"). */
static void
hub_curve_zap_refused (struct hub_curve_zap *z, const char *domain, const char *key, const char *address,
    const char *why)
{
	int64_t now = util_mono_ms ();
	char *limit = xasprintf ("%s %s %s", domain ? domain : "", key ? key : "address", key ? "" : address);
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

/* The door a ZAP domain names; -1 for none of the hub's. */
static int
hub_curve_zap_door (const char *domain)
{
	for (int d = 0; domain && d < HUB_CURVE_DOORS; d++)
		if (strcmp (domain, hub_curve_doors[d].domain) == 0)
			return d;
	return -1;
}

/* One ZAP request (RFC 27) and its reply: 200 with the enrolled name as the
 * User-Id for a CURVE key in the allow-list of the socket's kind, 400 for
 * anything else. */
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
	int door = hub_curve_zap_door (domain);
	if (version == NULL || strcmp (version, "1.0") != 0) {
		code = "500";
		text = "ZAP version not understood";
	} else if (door < 0) {
		text = "not a despatch domain";
	} else if (mechanism == NULL || strcmp (mechanism, "CURVE") != 0 || cred == NULL || zframe_size (cred) != 32) {
		text = "CURVE only";
		char *why = xasprintf ("mechanism %s instead of CURVE", mechanism ? mechanism : "none");
		hub_curve_zap_refused (z, domain, NULL, address ? address : "", why);
		free (why);
	} else {
		hub_curve_kind_t kind = hub_curve_doors[door].kind;
		hub_curve_kind_t wrong = kind == HUB_CURVE_TERMINAL ? HUB_CURVE_SYSTEM : HUB_CURVE_TERMINAL;
		zmq_z85_encode (key, zframe_data (cred), 32);
		hub_curve_zap_fresh (z, key, false);
		const char *name = zhashx_lookup (z->names[kind], key);
		const char *other = zhashx_lookup (z->names[wrong], key);
		const char *both = zhashx_lookup (z->twice, key);
		const char *gone = zhashx_lookup (z->revoked, key);
		char *why = NULL;
		if (both) {
			text = "key enrolled twice";
			why = xasprintf (" is enrolled as both %s; revoke one of them", both);
		} else if (name) {
			code = "200";
			text = "OK";
			user = name;
			zhashx_update (z->admitted[kind], key, (void *) name);
			if (z->verbose)
				log_info ("connection from %s to %s: key of %s %s accepted", *address ? address : "(no address)",
				    hub_curve_doors[door].what, hub_curve_kinds[kind].word, name);
		} else if (other) {
			text = "key of the other kind";
			why = xasprintf (" is enrolled as %s %s, not as a %s: %s admits %s keys (%s)", hub_curve_kinds[wrong].word,
			    other, hub_curve_kinds[kind].word, hub_curve_doors[door].what, hub_curve_kinds[kind].word,
			    hub_curve_kinds[kind].enrol);
		} else {
			why = gone ? xasprintf (" was revoked (%s)", gone) : xstrdup (" is not enrolled");
		}
		if (why)
			hub_curve_zap_refused (z, domain, key, address ? address : "", why);
		free (why);
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
 * Which kinds' keys let in may no longer be what they were let in as
 * (revoked, renamed, replaced): the allow-lists read again if they changed,
 * then each key admitted since the last check whose name is not its name
 * now. A bit (1 << kind) for each such kind; those kinds' keys are
 * forgotten: the caller drops the connections of that kind's sockets and
 * each key is checked again as it reconnects.
 */
static int
hub_curve_zap_check (struct hub_curve_zap *z)
{
	hub_curve_zap_fresh (z, NULL, true);
	int gone = 0;
	for (int k = 0; k < HUB_CURVE_KINDS; k++) {
		zlistx_t *keys = zhashx_keys (z->admitted[k]);
		for (const char *key = zlistx_first (keys); key && !(gone & (1 << k)); key = zlistx_next (keys)) {
			const char *was = zhashx_lookup (z->admitted[k], key), *now = zhashx_lookup (z->names[k], key);
			if (now == NULL || strcmp (now, was) != 0 || zhashx_lookup (z->twice, key))
				gone |= 1 << k;
		}
		zlistx_destroy (&keys);
		if (gone & (1 << k))
			zhashx_purge (z->admitted[k]);
	}
	return gone;
}

/* The actor: answers ZAP requests until told $TERM; CHECK says (the signal's
 * status, hub_curve_zap_check's bits) whose connections must be dropped. */
static void
hub_curve_zap (zsock_t *pipe, void *args)
{
	struct hub_curve_zap *z = args;
	zsock_t *handler = zsock_new_rep ("@" HUB_CURVE_ZAP_ENDPOINT);
	if (handler == NULL) {
		zsock_signal (pipe, 1);
		return;
	}
	for (int k = 0; k < HUB_CURVE_KINDS; k++) {
		z->names[k] = zhashx_new ();
		z->admitted[k] = zhashx_new ();
	}
	z->twice = zhashx_new ();
	z->revoked = zhashx_new ();
	z->logged = zhashx_new ();
	zhashx_t **tables[] = { &z->names[HUB_CURVE_TERMINAL], &z->names[HUB_CURVE_SYSTEM], &z->twice, &z->revoked,
		&z->logged, &z->admitted[HUB_CURVE_TERMINAL], &z->admitted[HUB_CURVE_SYSTEM] };
	for (size_t i = 0; i < nitems (tables); i++) {
		zhashx_set_duplicator (*tables[i], (zhashx_duplicator_fn *) strdup);
		zhashx_set_destructor (*tables[i], (zhashx_destructor_fn *) zstr_free);
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
				zsock_signal (pipe, (byte) hub_curve_zap_check (z));
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
		zhashx_destroy (tables[i]);
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
		log_info ("made the hub certificate %s/hub.cert; enrol terminals with despatch keys enrol %s NAME, "
		    "systems with despatch keys enrol %s NAME --system", keys_dir, keys_dir, keys_dir);
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
	log_info ("CURVE on: hub key %s, allow-lists %s (terminals) and %s/%s (systems)", zcert_public_txt (self->cert),
	    self->allowed, keys_dir, hub_curve_kinds[HUB_CURVE_SYSTEM].list);
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
hub_curve_apply (hub_curve_t *self, void *zsock, hub_curve_door_t door, char **cause)
{
	zcert_apply (self->cert, zsock);
	zsock_set_curve_server (zsock, 1);
	zsock_set_zap_domain (zsock, hub_curve_doors[door].domain);
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
	self->socks[door] = zsock;
	return 0;
}

/* A system key left its list: each system socket bound again where it is
 * bound (unbind takes its connections with it); each peer reconnects and is
 * checked by ZAP again. */
static void
hub_curve_rebind_systems (hub_curve_t *self)
{
	log_info ("the systems' allow-list lost a certificate: reconnecting every system to check its key again");
	for (int d = 0; d < HUB_CURVE_DOORS; d++) {
		if (self->socks[d] == NULL || hub_curve_doors[d].kind != HUB_CURVE_SYSTEM)
			continue;
		char *at = zsock_last_endpoint (self->socks[d]);
		if (at && *at) {
			zsock_unbind (self->socks[d], "%s", at);
			if (zsock_bind (self->socks[d], "%s", at) < 0)
				log_error ("cannot listen on %s (%s) again: %s", at, hub_curve_doors[d].what,
				    zmq_strerror (zmq_errno ()));
		}
		zstr_free (&at);
	}
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
	int gone = zsock_wait (self->auth);
	if (gone < 0)
		return false;
	if (gone & (1 << HUB_CURVE_SYSTEM))
		hub_curve_rebind_systems (self);
	return (gone & (1 << HUB_CURVE_TERMINAL)) != 0;
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
