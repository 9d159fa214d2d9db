/* hub-curve.c: CURVE server sockets, the zauth allow-list and the key folder (see hub-curve.h). */
#include "config.h"
#include "hub-curve.h"
#include "log.h"
#include "util.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUB_CURVE_CHECK_EVERY_MS 1000

/* A draft name in zmq.h 4.3 but an option of every libzmq since 4.3.0. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

struct hub_curve {
	char *dir;
	char *allowed;
	zcert_t *cert;
	zactor_t *auth;
	char *listing;       /* allowed/ as "name mtime\n"..., to notice revocations */
	int64_t next_check_ms;
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
	self->auth = zactor_new (zauth, NULL);
	if (self->auth == NULL) {
		*cause = xasprintf ("cannot start the ZAP handler (zauth)");
		hub_curve_destroy (&self);
		return NULL;
	}
	if (verbose) {
		zstr_send (self->auth, "VERBOSE");
		zsock_wait (self->auth);
	}
	zstr_sendx (self->auth, "CURVE", self->allowed, NULL);
	zsock_wait (self->auth);
	self->listing = hub_curve_listing (self->allowed);
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
	/* The sockets go first (hub-server.c): without zauth the domain is enforced and nobody gets in. */
	zactor_destroy (&self->auth);
	zcert_destroy (&self->cert);
	free (self->dir);
	free (self->allowed);
	free (self->listing);
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
	if (self == NULL || util_mono_ms () < self->next_check_ms)
		return false;
	self->next_check_ms = util_mono_ms () + HUB_CURVE_CHECK_EVERY_MS;
	char *now = hub_curve_listing (self->allowed);
	bool gone = false;
	/* Any line of before that is not in now: a certificate removed or replaced. */
	for (char *line = self->listing + 1; *line && !gone;) {
		char *nl = strchr (line, '\n');
		size_t n = nl ? (size_t) (nl - line + 1) : strlen (line);
		char *one = xstrndup (line - 1, n + 1);
		gone = strstr (now, one) == NULL;
		free (one);
		line += n;
	}
	free (self->listing);
	self->listing = now;
	return gone;
}
