/*
 * keyfile.h: the one check every program makes before it uses a secret key
 * file (a CURVE certificate's secret half): the file must be private to its
 * owner. A key others can read is as good as theirs, so it is refused, with
 * the command that fixes it.
 */
#ifndef DSP_KEYFILE_H
#define DSP_KEYFILE_H

/* 0 when path is a regular file with no permission for its group or others;
 * else -1 and *cause (caller frees), naming the file and, when the mode is
 * the fault, the chmod to run. */
int keyfile_check_secret (const char *path, char **cause);

/* path as one word for a shell command line (quoted when it needs it);
 * the caller frees it. */
char *keyfile_shell_word (const char *path);

#endif
