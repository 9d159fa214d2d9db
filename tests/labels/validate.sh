#!/bin/sh
# validate.sh: `despatch-label validate` output and exit codes (0 valid, 1 invalid, 2 usage).
tool="${top_builddir:-.}/labels/despatch-label"
n=0
fail=0
t () {
	# t WANT_RC WANT_OUTPUT_PATTERN ARGS...
	want_rc=$1 pat=$2
	shift 2
	n=$((n + 1))
	out=$("$tool" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want_rc" ] && printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "ok $n - validate $* -> $rc"
	else
		echo "not ok $n - validate $* -> $rc (want $want_rc, /$pat/)"
		printf '%s\n' "$out" | sed 's/^/#   /'
		fail=1
	fi
}
t 0 '^valid$' validate sscc 395123451234567895
t 1 'should be 9' validate sscc 376104250021234568
t 0 '^valid$' validate ups 1Z999AA10123456784
t 0 '^valid$' validate ups 1Z5R89390357567127
t 1 'character 1' validate ups 2Z5R89390357567127
t 0 '^valid$' validate dhl-express 3318810025
t 1 'should be 4' validate dhl-express 3318810010
t 0 '^valid$' validate dpd 008182709980000020028101276B
t 0 '^valid$' validate dpd %0003932062199123456781010409
t 1 'should end in B' validate dpd 008182709980000020028101276
t 1 'should be B' validate dpd 008182709980000020028101276A
t 1 'should end in 9' validate dpd %000393206219912345678101040
t 0 '^valid$' validate s10 RB123456785GB
t 0 '^valid$' validate s10 EE876543216CA
t 1 'should be 5' validate s10 RB123456786US
t 0 '^valid$' validate fedex-express 986578788855
t 1 'should be 6' validate fedex-express 996578788855
t 0 '^valid$' validate fedex-ground 041441760228964
t 1 '15 characters long' validate fedex-ground 04144176022896
t 2 'unknown scheme' validate royal-mail RB123456785GB
t 2 'usage' validate ups
t 2 'usage' validate
t 2 'unknown command' frobnicate
t 0 '^4$' check ups 999AA1012345678
t 0 '^1Z999AA10123456784$' make ups 999AA101 2345678
t 1 'does not fit' make ups 999AA101 12345678
t 2 'not a whole number' make ups 999AA101 12x
echo "1..$n"
exit $fail
