/*
 * test-keyfile.c: a secret key file open to its group or others is refused
 * (common/keyfile.c), for every such mode; the message names the file and
 * the chmod to run, and running that command, as printed, through a shell
 * makes the file pass, also for names with spaces, quotes and a newline.
 */
#include "config.h"
#include "keyfile.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static char *
make_key (const char *name, mode_t mode)
{
	char *path = xasprintf ("%s/%s", dir, name);
	int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		if (write (fd, "curve\n    secret-key = \"x\"\n", 27) != 27)
			diag ("write %s failed", path);
		close (fd);
	}
	chmod (path, mode);
	return path;
}

/* The command the message says to run, from "run " to the end, run by bash as printed. */
static int
run_advice (const char *cause)
{
	const char *run = cause ? strstr (cause, "; run ") : NULL;
	if (run == NULL)
		return -1;
	char *script = xasprintf ("%s/advice.sh", dir);
	FILE *f = fopen (script, "w");
	if (f == NULL)
		return -1;
	fprintf (f, "%s\n", run + 6);
	fclose (f);
	char *cmd = xasprintf ("bash '%s'", script);
	int rc = system (cmd);
	free (cmd);
	free (script);
	return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

int
main (void)
{
	testlib_tmpdir (dir, sizeof dir);

	static const mode_t private_modes[] = { 0600, 0400, 0700, 0200 };
	for (size_t i = 0; i < nitems (private_modes); i++) {
		char *p = make_key ("own.cert_secret", private_modes[i]);
		char *cause = NULL;
		ok (keyfile_check_secret (p, &cause) == 0 && cause == NULL, "mode %04o: taken", (unsigned) private_modes[i]);
		free (cause);
		free (p);
	}

	static const struct {
		mode_t mode;
		const char *says;
	} open_modes[] = {
		{ 0644, "can be read by its group and others (mode 0644)" },
		{ 0640, "can be read by its group (mode 0640)" },
		{ 0604, "can be read by others (mode 0604)" },
		{ 0660, "can be read by its group (mode 0660)" },
		{ 0620, "can be changed by its group (mode 0620)" },
		{ 0602, "can be changed by others (mode 0602)" },
		{ 0610, "can be used by its group (mode 0610)" },
		{ 0666, "can be read by its group and others" },
		{ 0777, "can be read by its group and others" },
	};
	for (size_t i = 0; i < nitems (open_modes); i++) {
		char *p = make_key ("open.cert_secret", open_modes[i].mode);
		char *cause = NULL;
		int rc = keyfile_check_secret (p, &cause);
		char *want = xasprintf ("chmod 600 %s", p);
		ok (rc == -1 && cause && strstr (cause, open_modes[i].says) && strstr (cause, want),
		    "mode %04o refused: %s", (unsigned) open_modes[i].mode, cause ? cause : "(no reason)");
		free (want);
		free (cause);
		free (p);
	}

	/* The advice works as printed, whatever the name. */
	static const char *names[] = { "plain.cert_secret", "with space.cert_secret", "it's.cert_secret",
		"new\nline.cert_secret", "$(touch pwned).cert_secret" };
	for (size_t i = 0; i < nitems (names); i++) {
		char *p = make_key (names[i], 0644);
		char *cause = NULL;
		keyfile_check_secret (p, &cause);
		ok (cause && strchr (cause, '\n') == NULL, "name %zu: the message is one line", i);
		is_int (run_advice (cause), 0, "name %zu: its chmod runs as printed", i);
		free (cause);
		cause = NULL;
		int rc = keyfile_check_secret (p, &cause);
		ok (rc == 0, "name %zu: and then the key is taken%s%s", i, cause ? ": " : "", cause ? cause : "");
		free (cause);
		unlink (p);
		free (p);
	}
	char *pwned = xasprintf ("%s/pwned", dir);
	ok (access (pwned, F_OK) != 0 && access ("pwned", F_OK) != 0, "a name is never run as a command");
	free (pwned);

	char *cause = NULL;
	char *missing = xasprintf ("%s/missing.cert_secret", dir);
	int rc = keyfile_check_secret (missing, &cause);
	ok (rc == -1 && cause && strstr (cause, "No such file"), "missing: %s", cause ? cause : "(no reason)");
	free (cause);
	free (missing);
	cause = NULL;
	rc = keyfile_check_secret (dir, &cause);
	ok (rc == -1 && cause && strstr (cause, "not a file"), "a folder: %s", cause ? cause : "(no reason)");
	free (cause);
	return tap_done ();
}
