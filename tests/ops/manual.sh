#!/bin/sh
# manual.sh: the manuals stay true to the code.
#
# Configuration keys: the keys the code reads (found in the sources: the
# key given to a conf_get/conf_set call, or any "section.key" string of a
# section the suite has; despatch-backup's shell reads), the table of
# known keys in common/conf.c (what unknown keys are warned against), and
# despatch.conf(5) must name the same keys, the page each with the
# table's default.
#
# Subcommands: every command in despatch's command table (each
# struct despatch_cmd_entry of admin/, by its .name) is
# in despatch --help, has its own subsection
# in despatch(8)'s COMMANDS and a SYNOPSIS line; the page and the help
# name no command the tool does not have; and the tool takes each one.
. "$top_srcdir/tests/ops/opslib.sh"

CONF_KEYS="$top_builddir/tests/ops/conf-keys"
DESPATCH="$top_builddir/admin/despatch"
CONF_PAGE="$top_srcdir/data/man/despatch.conf.5"
CMD_PAGE="$top_srcdir/data/man/despatch.8"

# --- roff to text, for both pages --------------------------------------

# roff_lines: one line per input line, macros undone. A tag line (the line
# after .TP) becomes "TAG<TAB>text" with its italic parts as "*"; other
# lines "TEXT<TAB>text"; headings "SH<TAB>..." and "SS<TAB>...".
roff_lines ()
{
	awk '
	function unescape(s) {
		gsub(/\\f[BIRP]/, "", s); gsub(/\\f\(CW/, "", s)
		gsub(/\\-/, "-", s); gsub(/\\&/, "", s); gsub(/\\\(bu/, "", s); gsub(/\\e/, "\\", s)
		return s
	}
	# The arguments of a macro line, quotes honoured, into a[1..n].
	function args(line, a,    n, s, q) {
		n = 0; s = ""; q = 0; inarg = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (c == "\"") { q = !q; inarg = 1; continue }
			if (c == " " && !q) { if (inarg) { a[++n] = s; s = ""; inarg = 0 } continue }
			s = s c; inarg = 1
		}
		if (inarg) a[++n] = s
		return n
	}
	# Font macros: B and I join with spaces, BI IB BR RB IR RI alternate
	# without; italic becomes "*" when tag is set.
	function macro(m, rest, tag,    a, n, out, f, k) {
		n = args(rest, a); out = ""
		if (m == "B" || m == "I" || m == "SM") {
			for (k = 1; k <= n; k++) out = out (k > 1 ? " " : "") (tag && m == "I" ? "*" : a[k])
			return unescape(out)
		}
		for (k = 1; k <= n; k++) {
			f = substr(m, 2 - (k % 2), 1)
			out = out (tag && f == "I" ? "*" : a[k])
		}
		return unescape(out)
	}
	{
		line = $0; tagline = aftertp; aftertp = 0
		if (line ~ /^\.TP/) { print "TP\t"; aftertp = 1; next }
		if (line ~ /^\.(SH|SS) /) { print substr(line, 2, 2) "\t" unescape(macro("B", substr(line, 5), 0)); next }
		if (line ~ /^\.(PP|LP|P|RS|RE|IP|br|nf|fi|TH)( |$)/) { print "BREAK\t"; next }
		if (line ~ /^\.\\"/) next
		if (match(line, /^\.(B|I|SM|BI|IB|BR|RB|IR|RI)( |$)/)) {
			m = substr(line, 2, RLENGTH - 1); sub(/ $/, "", m)
			text = macro(m, substr(line, RLENGTH + 1), tagline)
		} else
			text = unescape(line)
		print (tagline ? "TAG" : "TEXT") "\t" text
	}' "$1"
}

# --- configuration keys -------------------------------------------------

"$CONF_KEYS" >"$OPS_DIR/table"
ops_ok $? "the table of known keys prints ($(wc -l <"$OPS_DIR/table") rows)"
cut -f1 "$OPS_DIR/table" | sort -u >"$OPS_DIR/table.names"
sections=$(sed 's/\..*//' "$OPS_DIR/table.names" | sort -u | tr '\n' '|' | sed 's/|$//')

# The keys the code reads, as written there ("printer.%s.dpi" for a
# station's). common/conf.c holds the table itself, so it is not a reader.
find "$top_srcdir/hub" "$top_srcdir/carriers" "$top_srcdir/admin" "$top_srcdir/common" \
	"$top_srcdir/printers" "$top_srcdir/labels" "$top_srcdir/terminal" -name '*.c' ! -path '*/common/conf.c' \
	| sort >"$OPS_DIR/sources"
[ -s "$OPS_DIR/sources" ]
ops_ok $? "found the C sources to read ($(wc -l <"$OPS_DIR/sources") files)"
xargs cat <"$OPS_DIR/sources" | grep -v '^[[:space:]]*#[[:space:]]*include' >"$OPS_DIR/code"
{
	# The key given to a conf_get*/conf_set call, whatever its section.
	grep -oE 'conf_(get|set)[a-z_]* *\([^";]*"[^"]*"' "$OPS_DIR/code" | sed 's/.*"\([^"]*\)"$/\1/'
	# Any "section.key" string of a known section (keys given to wrappers or built with snprintf).
	grep -oE "\"($sections)\\.[A-Za-z0-9_%.-]+\"" "$OPS_DIR/code" | tr -d '"'
	# despatch-backup (shell) reads the file with despatch_backup_conf KEY.
	grep -ohE '_conf [a-z]+\.[a-z0-9_.-]+' "$top_srcdir"/data/*.in | sed 's/^_conf //'
} | grep -vE '%(l|ll|z)?[dui]' | sort -u >"$OPS_DIR/read"
ops_ok $([ "$(wc -l <"$OPS_DIR/read")" -gt 30 ]; echo $?) "found the keys the code reads ($(wc -l <"$OPS_DIR/read"))"

# read_matches READ NAME: a key as the code writes it ("%s" for any name)
# and a table row ("*" for any name) can be the same key.
MATCH='
function re(s, wild) { gsub(/\./, "\\.", s); gsub(wild, ".+", s); return "^" s "$" }
function same(read, name) { return name ~ re(read, "%s") || read ~ re(name, "\\*") }
'
awk -F '\t' "$MATCH"'
	NR == FNR { names[++n] = $1; next }
	{ hit = 0; for (i = 1; i <= n; i++) if (same($1, names[i])) hit = 1; if (!hit) print }
' "$OPS_DIR/table.names" "$OPS_DIR/read" >"$OPS_DIR/read-not-in-table"
[ ! -s "$OPS_DIR/read-not-in-table" ]
ops_ok $? "every key the code reads is in common/conf.c's table of known keys"
sed 's/^/#   read but not in the table: /' "$OPS_DIR/read-not-in-table"
awk -F '\t' "$MATCH"'
	NR == FNR { reads[++n] = $1; next }
	{ hit = 0; for (i = 1; i <= n; i++) if (same(reads[i], $1)) hit = 1; if (!hit) print }
' "$OPS_DIR/read" "$OPS_DIR/table.names" >"$OPS_DIR/table-not-read"
[ ! -s "$OPS_DIR/table-not-read" ]
ops_ok $? "every row of the table is a key the code reads"
sed 's/^/#   in the table but read nowhere: /' "$OPS_DIR/table-not-read"

# The page: under each ".SH [section]", a ".TP" tag is a key; its text runs
# to the next tag, heading or paragraph break.
roff_lines "$CONF_PAGE" | awk -F '\t' '
	function flush() { if (key != "") { gsub(/  +/, " ", body); print key "\t" body } key = "" }
	$1 == "SH" { flush(); sec = ""; if (match($2, /^\[[a-z]+\]$/)) sec = substr($2, 2, RLENGTH - 2); next }
	$1 == "SS" || $1 == "BREAK" || $1 == "TP" { flush(); next }
	$1 == "TAG" { if (sec != "") { key = sec "." $2; body = "" } next }
	$1 == "TEXT" && key != "" { body = body " " $2 }
	END { flush() }
' >"$OPS_DIR/page"
cut -f1 "$OPS_DIR/page" | sort >"$OPS_DIR/page.names"
[ "$(wc -l <"$OPS_DIR/page.names")" -gt 30 ]
ops_ok $? "despatch.conf(5) parses into its keys ($(wc -l <"$OPS_DIR/page.names"))"
comm -23 "$OPS_DIR/table.names" "$OPS_DIR/page.names" >"$OPS_DIR/not-on-page"
[ ! -s "$OPS_DIR/not-on-page" ]
ops_ok $? "every known key is in despatch.conf(5)"
sed 's/^/#   not on the page: /' "$OPS_DIR/not-on-page"
comm -13 "$OPS_DIR/table.names" "$OPS_DIR/page.names" >"$OPS_DIR/only-on-page"
[ ! -s "$OPS_DIR/only-on-page" ]
ops_ok $? "despatch.conf(5) names no key the suite does not know"
sed 's/^/#   on the page but not known: /' "$OPS_DIR/only-on-page"
uniq -d "$OPS_DIR/page.names" >"$OPS_DIR/twice"
[ ! -s "$OPS_DIR/twice" ]
ops_ok $? "no key is on the page twice"
sed 's/^/#   twice: /' "$OPS_DIR/twice"
awk -F '\t' '
	NR == FNR { body[$1] = $2; next }
	($1 in body) {
		want = "Default: " $2; at = index(body[$1], want)
		next_char = at ? substr(body[$1], at + length(want), 1) : ""
		if (!at || next_char ~ /[A-Za-z0-9_]/) print $1 " (the table says: " $2 ")"
	}
' "$OPS_DIR/page" "$OPS_DIR/table" >"$OPS_DIR/wrong-default"
[ ! -s "$OPS_DIR/wrong-default" ]
ops_ok $? "despatch.conf(5) gives each key the table's default"
sed 's/^/#   no or another default for /' "$OPS_DIR/wrong-default"

# --- despatch's subcommands --------------------------------------------

# The commands: each struct despatch_cmd_entry in admin/, by its .name,
# and only those despatch.c lists in its table.
find "$top_srcdir/admin" -name '*.c' | sort | xargs awk '
	/^const struct despatch_cmd_entry despatch_[a-z_]+_entry *= *\{/ {
		on = 1; entry = $4; next
	}
	on && match($0, /\.name *= *"[a-z][a-z-]*"/) {
		row = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", row); sub(/".*/, "", row)
		print entry "\t" row; on = 0
	}' | sort -u >"$OPS_DIR/entries"
grep -oE '&despatch_[a-z_]+_entry' "$top_srcdir/admin/despatch.c" | tr -d '&' | sort -u >"$OPS_DIR/listed"
awk -F '\t' 'NR == FNR { listed[$1] = 1; next } ($1 in listed) { print $2 }' \
	"$OPS_DIR/listed" "$OPS_DIR/entries" | sort -u >"$OPS_DIR/commands"
[ "$(wc -l <"$OPS_DIR/commands")" -ge 5 ] && [ "$(wc -l <"$OPS_DIR/commands")" = "$(wc -l <"$OPS_DIR/listed")" ]
ops_ok $? "found despatch's command table in admin/ ($(tr '\n' ' ' <"$OPS_DIR/commands"))"

"$DESPATCH" --help >"$OPS_DIR/help" 2>&1
ops_ok $? "despatch --help"
missing=""
for c in $(cat "$OPS_DIR/commands"); do
	grep -qE "^  $c( |$)|^usage: despatch $c( |$)" "$OPS_DIR/help" || missing="$missing $c"
done
[ -z "$missing" ]
ops_ok $? "despatch --help names every command"
[ -z "$missing" ] || echo "#   not in --help:$missing"
extra=""
for c in $(sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' "$OPS_DIR/help"); do
	grep -qx "$c" "$OPS_DIR/commands" || extra="$extra $c"
done
[ -z "$extra" ]
ops_ok $? "despatch --help names no command the tool lacks"
[ -z "$extra" ] || echo "#   in --help but not a command:$extra"

roff_lines "$CMD_PAGE" >"$OPS_DIR/cmd-page"
awk -F '\t' '$1 == "SH" { on = ($2 == "COMMANDS") } on && $1 == "SS" { print $2 }' "$OPS_DIR/cmd-page" \
	| sort >"$OPS_DIR/page-commands"
awk -F '\t' '$1 == "SH" { on = ($2 == "SYNOPSIS") } on && $1 == "TEXT" && $2 ~ /^despatch [a-z]/ \
	{ split($2, w, " "); print w[2] }' "$OPS_DIR/cmd-page" | sort -u >"$OPS_DIR/synopsis-commands"
comm -23 "$OPS_DIR/commands" "$OPS_DIR/page-commands" >"$OPS_DIR/cmd-not-on-page"
[ ! -s "$OPS_DIR/cmd-not-on-page" ]
ops_ok $? "despatch(8) has a COMMANDS subsection for every command"
sed 's/^/#   no subsection: /' "$OPS_DIR/cmd-not-on-page"
comm -23 "$OPS_DIR/commands" "$OPS_DIR/synopsis-commands" >"$OPS_DIR/cmd-not-in-synopsis"
[ ! -s "$OPS_DIR/cmd-not-in-synopsis" ]
ops_ok $? "despatch(8)'s SYNOPSIS shows every command"
sed 's/^/#   not in the synopsis: /' "$OPS_DIR/cmd-not-in-synopsis"
cat "$OPS_DIR/page-commands" "$OPS_DIR/synopsis-commands" | sort -u | comm -13 "$OPS_DIR/commands" - \
	>"$OPS_DIR/cmd-only-on-page"
[ ! -s "$OPS_DIR/cmd-only-on-page" ]
ops_ok $? "despatch(8) names no command the tool lacks"
sed 's/^/#   on the page but not a command: /' "$OPS_DIR/cmd-only-on-page"

# The tool itself takes each command (and the probe can tell when it does
# not), run without arguments in a scratch folder: its default ./despatch.db.
mkdir "$OPS_DIR/probe"
probe ()
{
	(cd "$OPS_DIR/probe" && exec "$DESPATCH" "$1" </dev/null)
}
ops_bounded "$OPS_DIR/probe.out" probe no-such-command
grep -q "unknown command 'no-such-command'" "$OPS_DIR/probe.out"
ops_ok $? "despatch refuses a command it does not have"
bad=""
for c in $(cat "$OPS_DIR/commands"); do
	ops_bounded "$OPS_DIR/probe.out" probe "$c"
	{ [ "$OPS_RC" = 124 ] || grep -q "unknown command" "$OPS_DIR/probe.out"; } && bad="$bad $c"
done
[ -z "$bad" ]
ops_ok $? "despatch takes every command of its tables"
[ -z "$bad" ] || echo "#   refused or hung:$bad"
ops_done
