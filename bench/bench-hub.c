/*
 * bench-hub.c: load and baselines for the hub benchmark (bench/hub.sh).
 *
 *   bench-hub echo ENDPOINT           baseline (a): ROUTER that echoes, no storage
 *   bench-hub naive ENDPOINT DB       baseline (b): one insert + one durable commit per message
 *   bench-hub load ENDPOINT N SECONDS [STEP [INTERVAL_MS]]
 *                                     N terminals (own identity, own sequence numbers), each
 *                                     with one scan in flight; with INTERVAL_MS each terminal
 *                                     scans once per interval (an operator's pace) instead of
 *                                     as fast as it can; prints one result line
 *
 *   bench-hub fsync FILE N            the disk's own price of durability: N appends of
 *                                     4 KiB, each followed by fdatasync; prints p50 and p99
 *
 *   bench-hub scan1 ENDPOINT TERMINAL STEP PREFIX N [SUFFIX]
 *                                     one terminal, N scans one after another of the codes
 *                                     PREFIX i SUFFIX for i = 1..N; prints latencies
 *   bench-hub cmd1 ENDPOINT TERMINAL NAME [KEY=VALUE...]
 *                                     one COMMAND; prints its latency and the reply
 *
 *   bench-hub login ENDPOINT N SECONDS BADGE PIN [WAIT_S]
 *                                     N terminals log in at once, again and again (each burst
 *                                     once the last is answered) for SECONDS; prints the bursts
 *                                     and the logins' latencies; a burst not answered within
 *                                     WAIT_S (10) seconds ends it
 *   bench-hub pack ENDPOINT TERMINAL PARCELS[@MS] ORDER...
 *                                     pack each order as PARCELS parcels, one pack scan each
 *                                     after the other (every one labelled), as fast as the hub
 *                                     answers, or with @MS one every MS ms (a packer's pace);
 *                                     prints latencies
 *
 * The load line: "terminals=N scans=S seconds=T rate=R p50_us=.. p99_us=.. p999_us=.. lost=L"
 */
#include "config.h"
#include "db.h"
#include "proto.h"
#include "util.h"

#include <czmq.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void
bench_raise_fd_limit (void)
{
	struct rlimit rl;
	if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit (RLIMIT_NOFILE, &rl);
	}
	zsys_set_max_sockets (0);
}

static zsock_t *
bench_router (const char *endpoint)
{
	zsock_t *r = zsock_new (ZMQ_ROUTER);
	zsock_set_rcvhwm (r, 100000);
	zsock_set_sndhwm (r, 100000);
	zsock_set_backlog (r, 1024); /* as the hub: every simulated terminal connects at once */
	if (zsock_bind (r, "%s", endpoint) < 0) {
		fprintf (stderr, "bench-hub: cannot bind %s\n", endpoint);
		exit (1);
	}
	return r;
}

/* Next message, or NULL once interrupted; polls so a SIGTERM is never missed. */
static zmsg_t *
bench_next (zsock_t *r)
{
	while (!zsys_interrupted) {
		zmq_pollitem_t item = { zsock_resolve (r), 0, ZMQ_POLLIN, 0 };
		if (zmq_poll (&item, 1, 200) > 0)
			return zmsg_recv (r);
	}
	return NULL;
}

static int
bench_echo (const char *endpoint)
{
	zsock_t *r = bench_router (endpoint);
	while (!zsys_interrupted) {
		zmsg_t *m = bench_next (r);
		if (m == NULL)
			break;
		zmsg_send (&m, r);
	}
	zsock_destroy (&r);
	return 0;
}

static int
bench_naive (const char *endpoint, const char *path)
{
	char *cause = NULL;
	db_t *db = db_open (path, DB_READWRITE, &cause); /* WAL, synchronous=FULL */
	if (db == NULL) {
		fprintf (stderr, "bench-hub: %s\n", cause);
		return 1;
	}
	db_exec (db, "CREATE TABLE IF NOT EXISTS msgs (id INTEGER PRIMARY KEY, body BLOB)");
	zsock_t *r = bench_router (endpoint);
	while (!zsys_interrupted) {
		zmsg_t *m = bench_next (r);
		if (m == NULL)
			break;
		zframe_t *body = zmsg_last (m);
		/* One message, one transaction, one durable commit. */
		db_begin (db);
		db_stmt_t *ins = db_prepare (db, "INSERT INTO msgs (body) VALUES (?1)");
		db_bind_blob (ins, 1, zframe_data (body), zframe_size (body));
		db_step (ins);
		db_reset (ins);
		db_commit (db);
		zmsg_send (&m, r);
	}
	db_close (&db);
	zsock_destroy (&r);
	return 0;
}

static int
bench_cmp_i64 (const void *a, const void *b)
{
	int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
	return x < y ? -1 : x > y;
}

struct bench_term {
	zsock_t *sock;
	char id[32];
	uint32_t seq;
	int64_t sent_us;
	int64_t due_us; /* paced mode: when the next scan is due */
	int busy;
};

static void
bench_term_send (struct bench_term *t, const char *step)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_msg_set_terminal (m, t->id);
	proto_msg_set_seq (m, ++t->seq);
	proto_set_str (m, PROTO_SCAN_STEP, step);
	char code[64];
	snprintf (code, sizeof code, "BENCH-%s-%u", t->id, t->seq);
	proto_set_str (m, PROTO_SCAN_CODE, code);
	size_t size;
	uint8_t *data = proto_encode (m, &size);
	proto_msg_destroy (&m);
	zframe_t *f = zframe_new (data, size);
	free (data);
	t->sent_us = util_mono_us ();
	zframe_send (&f, t->sock, 0);
	t->busy = 1;
}

static int
bench_load (const char *endpoint, int n, double seconds, const char *step, int interval_ms)
{
	struct bench_term *terms = xcalloc ((size_t) n, sizeof *terms);
	zmq_pollitem_t *items = xcalloc ((size_t) n, sizeof *items);
	for (int i = 0; i < n; i++) {
		terms[i].sock = zsock_new (ZMQ_DEALER);
		snprintf (terms[i].id, sizeof terms[i].id, "bench-%04d", i);
		zsock_set_identity (terms[i].sock, terms[i].id);
		zsock_set_linger (terms[i].sock, 0);
		if (zsock_connect (terms[i].sock, "%s", endpoint) != 0) {
			fprintf (stderr, "bench-hub: cannot connect %s\n", endpoint);
			return 1;
		}
		items[i].socket = zsock_resolve (terms[i].sock);
		items[i].events = ZMQ_POLLIN;
	}
	zclock_sleep (200 + n / 2); /* let every connection come up */
	size_t cap = 1 << 20, nlat = 0;
	int64_t *lat = xmalloc (cap * sizeof *lat);
	int64_t start = util_mono_us ();
	int64_t end = start + (int64_t) (seconds * 1e6);
	int64_t interval_us = (int64_t) interval_ms * 1000;
	for (int i = 0; i < n; i++) {
		if (interval_us > 0)
			terms[i].due_us = start + interval_us * i / n; /* spread the operators out */
		else
			bench_term_send (&terms[i], step);
	}
	long lost = 0;
	while (util_mono_us () < end) {
		int wait_ms = 100;
		if (interval_us > 0) {
			int64_t now = util_mono_us ();
			for (int i = 0; i < n; i++)
				if (!terms[i].busy && terms[i].due_us <= now) {
					bench_term_send (&terms[i], step);
					terms[i].due_us += interval_us;
				}
			wait_ms = 1;
		}
		int rc = zmq_poll (items, n, wait_ms);
		if (rc < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			zframe_t *f;
			while ((zsock_events (terms[i].sock) & ZMQ_POLLIN) && (f = zframe_recv (terms[i].sock))) {
				int64_t now = util_mono_us ();
				proto_msg_t *r = NULL;
				char err[64];
				if (proto_decode (zframe_data (f), zframe_size (f), &r, NULL, err, sizeof err) == 0
				    && proto_msg_seq (r) == terms[i].seq) {
					if (nlat == cap) {
						cap *= 2;
						lat = xrealloc (lat, cap * sizeof *lat);
					}
					lat[nlat++] = now - terms[i].sent_us;
					if (now < end && interval_us == 0)
						bench_term_send (&terms[i], step);
					else
						terms[i].busy = 0;
				} else {
					lost++;
				}
				proto_msg_destroy (&r);
				zframe_destroy (&f);
			}
		}
	}
	double took = (double) (util_mono_us () - start) / 1e6;
	qsort (lat, nlat, sizeof *lat, bench_cmp_i64);
	long long p50 = nlat ? lat[nlat * 50 / 100] : 0;
	long long p99 = nlat ? lat[nlat * 99 / 100] : 0;
	long long p999 = nlat ? lat[nlat * 999 / 1000] : 0;
	printf ("terminals=%d scans=%zu seconds=%.2f rate=%.0f p50_us=%lld p99_us=%lld p999_us=%lld lost=%ld\n", n, nlat,
	    took, nlat / took, p50, p99, p999, lost);
	for (int i = 0; i < n; i++)
		zsock_destroy (&terms[i].sock);
	free (terms);
	free (items);
	free (lat);
	return 0;
}

/* One request, answered; the reply in *out (caller destroys). Latency in us, or -1. */
static int64_t
bench_one (zsock_t *sock, proto_msg_t *m, proto_msg_t **out)
{
	size_t size;
	uint8_t *data = proto_encode (m, &size);
	zframe_t *f = zframe_new (data, size);
	free (data);
	int64_t t0 = util_mono_us ();
	zframe_send (&f, sock, 0);
	for (;;) {
		zframe_t *r = zframe_recv (sock);
		if (r == NULL)
			return -1;
		proto_msg_t *rm = NULL;
		char err[64];
		int good = proto_decode (zframe_data (r), zframe_size (r), &rm, NULL, err, sizeof err) == 0
		    && proto_msg_seq (rm) == proto_msg_seq (m);
		zframe_destroy (&r);
		if (good) {
			*out = rm;
			return util_mono_us () - t0;
		}
		proto_msg_destroy (&rm);
	}
}

static zsock_t *
bench_dealer (const char *endpoint, const char *terminal)
{
	zsock_t *s = zsock_new (ZMQ_DEALER);
	zsock_set_identity (s, terminal);
	zsock_set_rcvtimeo (s, 30000);
	zsock_connect (s, "%s", endpoint);
	return s;
}

static int
bench_scan1 (const char *endpoint, const char *terminal, const char *step, const char *prefix, int n,
    const char *suffix)
{
	zsock_t *s = bench_dealer (endpoint, terminal);
	int64_t *lat = xcalloc ((size_t) n, sizeof *lat);
	uint32_t seq = (uint32_t) (util_wall_ms () / 1000); /* above anything stored before */
	int done = 0, refused = 0;
	for (int i = 0; i < n; i++) {
		proto_msg_t *m = proto_msg_new (PROTO_SCAN), *r = NULL;
		proto_msg_set_terminal (m, terminal);
		proto_msg_set_seq (m, seq + (uint32_t) i);
		proto_set_str (m, PROTO_SCAN_STEP, step);
		char code[128];
		snprintf (code, sizeof code, "%s%d%s", prefix, i + 1, suffix);
		proto_set_str (m, PROTO_SCAN_CODE, code);
		int64_t us = bench_one (s, m, &r);
		proto_msg_destroy (&m);
		if (us < 0)
			break;
		if (proto_msg_id (r) != PROTO_REPLY || proto_get_num (r, PROTO_REPLY_STATUS) >= PROTO_REFUSED)
			refused++;
		proto_msg_destroy (&r);
		lat[done++] = us;
	}
	qsort (lat, (size_t) done, sizeof *lat, bench_cmp_i64);
	printf ("scans=%d refused=%d p50_us=%lld p99_us=%lld max_us=%lld\n", done, refused,
	    done ? (long long) lat[done / 2] : 0, done ? (long long) lat[done * 99 / 100] : 0,
	    done ? (long long) lat[done - 1] : 0);
	free (lat);
	zsock_destroy (&s);
	return done == n ? 0 : 1;
}

static int
bench_cmd1 (const char *endpoint, const char *terminal, const char *name, int argc, char **argv)
{
	zsock_t *s = bench_dealer (endpoint, terminal);
	proto_msg_t *m = proto_msg_new (PROTO_COMMAND), *r = NULL;
	proto_msg_set_terminal (m, terminal);
	proto_msg_set_seq (m, (uint32_t) (util_wall_ms () / 1000));
	proto_set_str (m, PROTO_COMMAND_NAME, name);
	for (int i = 0; i < argc; i++) {
		char *eq = strchr (argv[i], '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		proto_hash_set (m, PROTO_COMMAND_ARGS, argv[i], eq + 1);
	}
	int64_t us = bench_one (s, m, &r);
	proto_msg_destroy (&m);
	if (us >= 0)
		printf ("latency_us=%lld status=%d text=%s\n", (long long) us, (int) proto_get_num (r, PROTO_REPLY_STATUS),
		    proto_get_str (r, proto_msg_id (r) == PROTO_ERROR ? PROTO_ERROR_TEXT : PROTO_REPLY_TEXT));
	proto_msg_destroy (&r);
	zsock_destroy (&s);
	return us >= 0 ? 0 : 1;
}

/* A request on s, numbered seq; the reply (caller destroys) and its latency in us, or -1. */
static int64_t
bench_ask (zsock_t *s, proto_msg_t *m, uint32_t seq, proto_msg_t **r)
{
	proto_msg_set_seq (m, seq);
	return bench_one (s, m, r);
}

static int
bench_login (const char *endpoint, int n, double seconds, const char *badge, const char *pin, int wait_s)
{
	zsock_t **s = xcalloc ((size_t) n, sizeof *s);
	char (*id)[32] = xcalloc ((size_t) n, sizeof *id);
	uint32_t seq = (uint32_t) (util_wall_ms () / 1000);
	for (int i = 0; i < n; i++) {
		snprintf (id[i], sizeof id[i], "bench-login-%03d", i);
		s[i] = bench_dealer (endpoint, id[i]);
		zsock_set_linger (s[i], 0);
		zsock_set_rcvtimeo (s[i], wait_s * 1000);
		proto_msg_t *m = proto_msg_new (PROTO_HELLO), *r = NULL;
		proto_msg_set_terminal (m, id[i]);
		proto_set_str (m, PROTO_HELLO_STATION, "goods-in");
		proto_set_str (m, PROTO_HELLO_PROFILE, "handheld");
		proto_set_str (m, PROTO_HELLO_SOFTWARE, "bench");
		int64_t took = bench_ask (s[i], m, seq, &r);
		proto_msg_destroy (&m);
		proto_msg_destroy (&r);
		if (took < 0) {
			/* A hub that is not there answers no burst either: say so now, not after every timeout. */
			fprintf (stderr, "bench-hub: login: the HELLO of %s was not answered within %d s: is the hub at %s "
			    "running? Stopped\n", id[i], wait_s, endpoint);
			for (int k = 0; k <= i; k++)
				zsock_destroy (&s[k]);
			free (s);
			free (id);
			return 1;
		}
	}
	size_t cap = 1024, nlat = 0;
	int64_t *lat = xmalloc (cap * sizeof *lat);
	int bursts = 0, refused = 0;
	int64_t end = util_mono_us () + (int64_t) (seconds * 1e6);
	while (util_mono_us () < end && !zsys_interrupted) {
		seq++;
		int64_t t0 = util_mono_us ();
		for (int i = 0; i < n; i++) {
			proto_msg_t *m = proto_msg_new (PROTO_LOGIN);
			proto_msg_set_terminal (m, id[i]);
			proto_msg_set_seq (m, seq);
			proto_set_str (m, PROTO_LOGIN_BADGE, badge);
			proto_set_str (m, PROTO_LOGIN_PIN, pin);
			size_t size;
			uint8_t *data = proto_encode (m, &size);
			proto_msg_destroy (&m);
			zframe_t *f = zframe_new (data, size);
			free (data);
			zframe_send (&f, s[i], 0);
		}
		int missing = 0;
		for (int i = 0; i < n; i++) {
			zframe_t *f = zframe_recv (s[i]);
			if (f == NULL) {
				missing++;
				continue;
			}
			proto_msg_t *r = NULL;
			char err[64];
			if (proto_decode (zframe_data (f), zframe_size (f), &r, NULL, err, sizeof err) == 0) {
				refused += proto_msg_id (r) != PROTO_REPLY || proto_get_num (r, PROTO_REPLY_STATUS) != PROTO_OK;
				if (nlat == cap)
					lat = xrealloc (lat, (cap *= 2) * sizeof *lat);
				lat[nlat++] = util_mono_us () - t0;
			}
			proto_msg_destroy (&r);
			zframe_destroy (&f);
		}
		bursts++;
		if (missing) {
			fprintf (stderr, "bench-hub: %d logins of a burst not answered within %d s: stopped\n", missing, wait_s);
			break;
		}
	}
	qsort (lat, nlat, sizeof *lat, bench_cmp_i64);
	printf ("bursts=%d logins=%zu refused=%d p50_us=%lld max_us=%lld\n", bursts, nlat, refused,
	    nlat ? (long long) lat[nlat / 2] : 0, nlat ? (long long) lat[nlat - 1] : 0);
	for (int i = 0; i < n; i++)
		zsock_destroy (&s[i]);
	free (s);
	free (id);
	free (lat);
	return 0;
}

static int
bench_pack (const char *endpoint, const char *terminal, int parcels, int pace_ms, int norders, char **orders)
{
	zsock_t *s = bench_dealer (endpoint, terminal);
	uint32_t seq = (uint32_t) (util_wall_ms () / 1000);
	int64_t *lat = xcalloc ((size_t) (parcels * norders) + 1, sizeof *lat);
	int done = 0, refused = 0;
	char total[16];
	snprintf (total, sizeof total, "%d", parcels);
	for (int o = 0; o < norders && !zsys_interrupted; o++)
		for (int p = 1; p <= parcels && !zsys_interrupted; p++) {
			int64_t slot = util_mono_ms ();
			proto_msg_t *m = proto_msg_new (PROTO_SCAN), *r = NULL;
			proto_msg_set_terminal (m, terminal);
			proto_set_str (m, PROTO_SCAN_STEP, "pack");
			proto_set_str (m, PROTO_SCAN_CODE, orders[o]);
			char no[16];
			snprintf (no, sizeof no, "%d", p);
			proto_hash_set (m, PROTO_SCAN_CONTEXT, "box", "M");
			proto_hash_set (m, PROTO_SCAN_CONTEXT, "weight", "700");
			proto_hash_set (m, PROTO_SCAN_CONTEXT, "parcels", total);
			proto_hash_set (m, PROTO_SCAN_CONTEXT, "parcel", no);
			int64_t us = bench_ask (s, m, ++seq, &r);
			proto_msg_destroy (&m);
			if (us < 0)
				break;
			if (proto_msg_id (r) != PROTO_REPLY || proto_get_num (r, PROTO_REPLY_STATUS) >= PROTO_REFUSED) {
				if (refused++ == 0)
					fprintf (stderr, "bench-hub: pack %s/%d: %s\n", orders[o], p,
					    proto_get_str (r, proto_msg_id (r) == PROTO_ERROR ? PROTO_ERROR_TEXT : PROTO_REPLY_TEXT));
			}
			proto_msg_destroy (&r);
			lat[done++] = us;
			int64_t left = slot + pace_ms - util_mono_ms ();
			if (pace_ms > 0 && left > 0)
				zclock_sleep ((int) left);
		}
	qsort (lat, (size_t) done, sizeof *lat, bench_cmp_i64);
	printf ("packs=%d refused=%d p50_us=%lld max_us=%lld\n", done, refused, done ? (long long) lat[done / 2] : 0,
	    done ? (long long) lat[done - 1] : 0);
	free (lat);
	zsock_destroy (&s);
	return done == parcels * norders && refused == 0 ? 0 : 1;
}

/* What one durable commit costs on this disk at least: the WAL's pattern, a
 * page appended and synced. The naive baseline pays it for every message. */
static int
bench_fsync (const char *path, int n)
{
	int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || n <= 0) {
		fprintf (stderr, "bench-hub: cannot write %s\n", path);
		return 1;
	}
	static char page[4096];
	int64_t *lat = xmalloc ((size_t) n * sizeof *lat);
	for (int i = 0; i < n; i++) {
		int64_t t0 = util_mono_us ();
		if (write (fd, page, sizeof page) != (ssize_t) sizeof page || fdatasync (fd) != 0) {
			fprintf (stderr, "bench-hub: cannot write %s\n", path);
			close (fd);
			free (lat);
			return 1;
		}
		lat[i] = util_mono_us () - t0;
	}
	close (fd);
	unlink (path);
	qsort (lat, (size_t) n, sizeof *lat, bench_cmp_i64);
	printf ("fsyncs=%d p50_us=%lld p99_us=%lld\n", n, (long long) lat[n * 50 / 100], (long long) lat[n * 99 / 100]);
	free (lat);
	return 0;
}

int
main (int argc, char **argv)
{
	bench_raise_fd_limit ();
	zsys_init ();
	zsys_set_logsystem (false);
	if (argc == 3 && strcmp (argv[1], "echo") == 0)
		return bench_echo (argv[2]);
	if (argc == 4 && strcmp (argv[1], "naive") == 0)
		return bench_naive (argv[2], argv[3]);
	if (argc >= 5 && argc <= 7 && strcmp (argv[1], "load") == 0)
		return bench_load (argv[2], atoi (argv[3]), atof (argv[4]), argc >= 6 ? argv[5] : "receive",
		    argc == 7 ? atoi (argv[6]) : 0);
	if (argc == 4 && strcmp (argv[1], "fsync") == 0)
		return bench_fsync (argv[2], atoi (argv[3]));
	if ((argc == 7 || argc == 8) && strcmp (argv[1], "scan1") == 0)
		return bench_scan1 (argv[2], argv[3], argv[4], argv[5], atoi (argv[6]), argc == 8 ? argv[7] : "");
	if (argc >= 5 && strcmp (argv[1], "cmd1") == 0)
		return bench_cmd1 (argv[2], argv[3], argv[4], argc - 5, argv + 5);
	if ((argc == 7 || argc == 8) && strcmp (argv[1], "login") == 0)
		return bench_login (argv[2], atoi (argv[3]), atof (argv[4]), argv[5], argv[6], argc == 8 ? atoi (argv[7]) : 10);
	if (argc >= 6 && strcmp (argv[1], "pack") == 0) {
		const char *at = strchr (argv[4], '@');
		return bench_pack (argv[2], argv[3], atoi (argv[4]), at ? atoi (at + 1) : 0, argc - 5, argv + 5);
	}
	fprintf (stderr, "usage: bench-hub echo ENDPOINT | naive ENDPOINT DB | load ENDPOINT N SECONDS [STEP [INTERVAL_MS]]"
	    " | fsync FILE N | scan1 ... | cmd1 ... | login ENDPOINT N SECONDS BADGE PIN [WAIT_S]"
	    " | pack ENDPOINT TERMINAL PARCELS[@MS] ORDER...\n");
	return 2;
}
