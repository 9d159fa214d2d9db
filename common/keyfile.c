/* keyfile.c: a secret key file must be private to its owner (keyfile.h). */
#include "config.h"
#include "keyfile.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *
keyfile_shell_word (const char *path)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+@%:,=";
	bool control = false;
	for (const char *p = path; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7F)
			control = true;
	if (*path && strspn (path, plain) == strlen (path))
		return xstrdup (path);
	/* Single quotes keep everything but a quote; a control character (a
	 * newline in the name) would break the message's line, so bash's $'...'
	 * spells those out. */
	size_t cap = strlen (path) * 4 + 4, n = 0;
	char *out = xmalloc (cap);
	if (control)
		out[n++] = '$';
	out[n++] = '\'';
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char) *p;
		if (control && (c < 0x20 || c == 0x7F || c == '\\' || c == '\''))
			n += (size_t) snprintf (out + n, cap - n, "\\x%02x", c);
		else if (c == '\'') {
			memcpy (out + n, "'\\''", 4);
			n += 4;
		} else
			out[n++] = (char) c;
	}
	out[n++] = '\'';
	out[n] = '\0';
	return out;
}

int
keyfile_check_secret (const char *path, char **cause)
{
	struct stat st;
	/* The name goes into messages and logs as a shell word: a newline in it
	 * cannot forge a line. */
	char *word = keyfile_shell_word (path);
	int rc = -1;
	if (stat (path, &st) != 0) {
		*cause = xasprintf ("cannot use the secret key %s: %s", word, strerror (errno));
	} else if (!S_ISREG (st.st_mode)) {
		*cause = xasprintf ("the secret key %s is not a file", word);
	} else if ((st.st_mode & (S_IRWXG | S_IRWXO)) == 0) {
		rc = 0;
	} else {
		mode_t open = st.st_mode & (S_IRWXG | S_IRWXO);
		/* Who may do what, in words: read matters most, then change. */
		const char *who = (open & S_IRWXG) && (open & S_IRWXO) ? "its group and others"
		    : (open & S_IRWXG)                                ? "its group"
		                                                      : "others";
		const char *what = (open & (S_IRGRP | S_IROTH)) ? "read" : (open & (S_IWGRP | S_IWOTH)) ? "changed" : "used";
		*cause = xasprintf ("the secret key %s can be %s by %s (mode %04o): a secret key must be private to its "
		    "owner; run chmod 600 %s", word, what, who, (unsigned) (st.st_mode & 07777), word);
	}
	free (word);
	return rc;
}
