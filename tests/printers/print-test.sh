# print-test.sh: sourced by the printers/ shell tests. A tiny TAP producer,
# and a private cupsd in a temporary folder that is stopped on exit.
set -u
CUPS_PRIVATE="${top_srcdir:-.}/printers/cups-private"
FAKE_PRINTER="${top_builddir:-.}/printers/fake-printer"
DESPATCH_PRINT="${top_builddir:-.}/printers/despatch-print"
print_test_n=0
print_test_failed=0

ok () {
	print_test_n=$((print_test_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $print_test_n - $2"
	else
		echo "not ok $print_test_n - $2"
		print_test_failed=$((print_test_failed + 1))
	fi
}

# check "description" command...: one test point from a command's status.
check () {
	what=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$what"
}

print_test_done () {
	echo "1..$print_test_n"
	[ $print_test_failed = 0 ]
}

print_test_dir=$(mktemp -d /tmp/dsp-print-XXXXXX)
trap '"$CUPS_PRIVATE" stop "$print_test_dir" >/dev/null 2>&1; rm -rf "$print_test_dir"' EXIT
trap 'exit 1' INT TERM HUP

print_test_start () {
	"$CUPS_PRIVATE" start "$print_test_dir" --fake-printer "$FAKE_PRINTER" >/dev/null || return 1
	. "$print_test_dir/env"
}

# How many jobs the fake printer behind queue $1 has saved.
print_test_count () {
	ls "$print_test_dir/out/$1" | grep -c '^job-'
}

# Wait (bounded) until queue $1's fake printer has saved $2 jobs.
print_test_wait_count () {
	i=0
	while [ "$(print_test_count "$1")" -lt "$2" ] && [ $i -lt 1200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(print_test_count "$1")" -ge "$2" ]
}

# Is the process alive (and not a zombie)?
print_test_alive () {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}
