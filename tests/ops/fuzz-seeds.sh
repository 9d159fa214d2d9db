#!/bin/sh
# fuzz-seeds.sh: the fuzz corpus's seeds taken from the tree's own files are
# still those files as they are now (TAP), so that fuzzing starts from what
# the suite ships and not from an old copy.
#
# Which seed copies which file (the table below):
#   carrier/NAME.conf  one selector byte, then data/carriers/NAME.conf
#                      (fuzz-carrier reads the rest as rules.conf when the
#                      byte is odd, as a carrier file when it is even)
#   layout/NAME.json   data/layouts/NAME.json
#   import/demo-NAME   data/demo/NAME
# Other seeds (broken files, parts of files, what fuzzing found) are not
# copies and are left alone. When a data file changes, copy it again:
#   cp data/layouts/ups.json tests/fuzz/corpus/layout/ups.json
#   { printf 0; cat data/carriers/ups.conf; } > tests/fuzz/corpus/carrier/ups.conf
top="${top_srcdir:-$(dirname "$0")/../..}"
cd "$top" || { echo "Bail out! cannot read the source tree $top"; exit 99; }
[ -d tests/fuzz/corpus ] || { echo "Bail out! no fuzz corpus under $top/tests/fuzz"; exit 99; }

n=0
fail=0
# seed data-file skip: skip is how many selector bytes come before the copy.
table=$(mktemp "${TMPDIR:-/tmp}/fuzz-seeds.XXXXXX") || { echo "Bail out! cannot make a temporary file"; exit 99; }
trap 'rm -f "$table"' EXIT
for f in tests/fuzz/corpus/carrier/*.conf; do
	b=${f##*/}
	[ -f "data/carriers/$b" ] && echo "$f data/carriers/$b 1"
done > "$table"
for f in tests/fuzz/corpus/layout/*.json; do
	b=${f##*/}
	[ -f "data/layouts/$b" ] && echo "$f data/layouts/$b 0"
done >> "$table"
for f in tests/fuzz/corpus/import/demo-*; do
	b=${f##*/demo-}
	[ -f "data/demo/$b" ] && echo "$f data/demo/$b 0"
done >> "$table"
[ -s "$table" ] || { echo "Bail out! no seed in tests/fuzz/corpus copies a file of data/"; exit 99; }

while read -r seed data skip; do
	n=$((n + 1))
	if tail -c +$((skip + 1)) "$seed" | cmp -s - "$data"; then
		echo "ok $n - $seed is $data as it is now"
	else
		fail=1
		echo "not ok $n - $seed is an old copy of $data: copy it again (see the head of tests/ops/fuzz-seeds.sh)"
		tail -c +$((skip + 1)) "$seed" | diff "$data" - | head -n 8 | sed 's/^/# /'
	fi
	if [ "$skip" = 1 ]; then
		n=$((n + 1))
		byte=$(od -An -tu1 -N1 "$seed" | tr -d ' ')
		want=0
		[ "${data##*/}" = rules.conf ] && want=1
		if [ -n "$byte" ] && [ $((byte % 2)) -eq "$want" ]; then
			echo "ok $n - $seed's first byte has fuzz-carrier read it as $([ $want = 1 ] && echo rules.conf || echo a carrier file)"
		else
			fail=1
			echo "not ok $n - $seed's first byte ($byte) has fuzz-carrier read it as the wrong kind of file"
		fi
	fi
done < "$table"
echo "1..$n"
exit $fail
