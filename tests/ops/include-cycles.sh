#!/bin/sh
# include-cycles.sh: no circle anywhere in the tree's includes (TAP).
#
# Three pictures of every .c and .h file under the source tree:
#  1. headers: a header that reaches itself again through what it includes;
#  2. files: a .c file depends on another when it uses a function or variable
#     that the other defines and that a header it includes (directly or
#     through other headers) declares. A circle there means two parts of the
#     code each need the other, however the headers are laid out;
#  3. folders: a folder depends on another when one of its .c files does, so
#     the folders stay layers (hub/loop above hub/cmd above hub/flow ...).
# Each circle is listed with the names (or files) that make each of its steps.
#
#   include-cycles.sh [-v]     -v also prints every dependency (TAP comments)
#
# It reads the files as the house style writes them: a function definition
# has its name at the start of a line, after its return type's line.
top="${top_srcdir:-$(dirname "$0")/../..}"
verbose=0
[ "$1" = "-v" ] && verbose=1
cd "$top" || { echo "Bail out! cannot read the source tree $top"; exit 99; }
list=$(mktemp "${TMPDIR:-/tmp}/include-cycles.XXXXXX") || { echo "Bail out! cannot make a temporary file"; exit 99; }
trap 'rm -f "$list"' EXIT
find . \( -name '.git' -o -name '_build*' -o -name 'autom4te.cache' -o -name 'despatch-[0-9]*' \) -prune \
	-o -type f \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | LC_ALL=C sort > "$list" || exit 99
nlist=$(wc -l < "$list")
[ "$nlist" -gt 0 ] || { echo "Bail out! no .c or .h file under $top"; exit 99; }

# One awk reads every file (the list is checked against what it read).
# shellcheck disable=SC2016
xargs ${AWK:-awk} -v verbose="$verbose" -v nlist="$nlist" '
function dirname(p) { return p ~ /\// ? substr(p, 1, match(p, /\/[^\/]*$/) - 1) : "." }
function basename(p) { sub(/.*\//, "", p); return p }
function resolve(from, name,   d, c) {
	d = dirname(from)
	c = (d == "." ? "" : d "/") name
	if (c in isfile) return c
	if (name in isfile) return name
	if (("common/" name) in isfile) return "common/" name
	if (byname[basename(name)] != "" && byname[basename(name)] != "?") return byname[basename(name)]
	return ""
}
# The line without comments, strings and character constants (state kept in incomment).
function clean(s,   out, i, n, c, d, q) {
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (incomment) {
			if (c == "*" && substr(s, i + 1, 1) == "/") { incomment = 0; i++ }
			continue
		}
		d = substr(s, i, 2)
		if (d == "/*") { incomment = 1; i++; out = out " "; continue }
		if (d == "//") break
		if (c == "\"" || c == "\047") {
			q = c
			for (i++; i <= n; i++) {
				c = substr(s, i, 1)
				if (c == "\\") { i++; continue }
				if (c == q) break
			}
			out = out " \"\" "
			continue
		}
		out = out c
	}
	return out
}
# A header statement at brace depth 0 is complete: note what it declares.
function declare(f, st,   t, name) {
	gsub(/[ \t]+/, " ", st)
	sub(/^ /, "", st)
	if (st ~ /^typedef / || st == "") return
	if (index(st, "(")) {
		t = substr(st, 1, index(st, "(") - 1)
		sub(/ +$/, "", t)
		if (match(t, /[A-Za-z_][A-Za-z0-9_]*$/)) {
			name = substr(t, RSTART, RLENGTH)
			decl[f] = decl[f] " " name
		}
	} else if (st ~ /^extern /) {
		t = st
		sub(/(\[[^]]*\])* *;?$/, "", t)
		if (match(t, /[A-Za-z_][A-Za-z0-9_]*$/)) {
			name = substr(t, RSTART, RLENGTH)
			decl[f] = decl[f] " " name
		}
	}
}
FNR == 1 {
	incomment = 0; prev = ""; depth = 0; stmt = ""
	nfiles++
	isfile[FILENAME] = 1
	order[nfiles] = FILENAME
	b = basename(FILENAME)
	byname[b] = (b in byname) ? "?" : FILENAME
}
{
	raw = $0
	if (match(raw, /^[ \t]*#[ \t]*include[ \t]*"[^"]+"/)) {
		inc = substr(raw, RSTART, RLENGTH)
		sub(/^[^"]*"/, "", inc)
		sub(/"$/, "", inc)
		ninc[FILENAME]++
		incs[FILENAME, ninc[FILENAME]] = inc
	}
	line = clean(raw)
	if (line ~ /^[ \t]*#/) {
		# a macro may use names: count them, but it declares nothing
		u = line
		gsub(/[^A-Za-z0-9_]+/, " ", u)
		nw = split(u, w, " ")
		for (k = 1; k <= nw; k++) uses[FILENAME, w[k]] = 1
		while (line ~ /\\$/ && (getline raw) > 0) {
			u = clean(raw)
			line = u
			gsub(/[^A-Za-z0-9_]+/, " ", u)
			nw = split(u, w, " ")
			for (k = 1; k <= nw; k++) uses[FILENAME, w[k]] = 1
		}
		next
	}
	u = line
	gsub(/[^A-Za-z0-9_]+/, " ", u)
	nw = split(u, w, " ")
	for (k = 1; k <= nw; k++) uses[FILENAME, w[k]] = 1
	if (FILENAME ~ /\.c$/) {
		if (match(line, /^[A-Za-z_][A-Za-z0-9_]* ?\(/) && line !~ /;[ \t]*$/ && prev !~ /^static[ \t]/ \
		    && prev !~ /^static$/) {
			name = substr(line, 1, RLENGTH)
			sub(/ ?\($/, "", name)
			defs[name] = defs[name] " " FILENAME
		} else if (line ~ /^[A-Za-z_]/ && line !~ /^(static|typedef|extern|struct [A-Za-z0-9_]+ *\{|enum|union)/ \
		    && match(line, /^[^(=]*=/)) {
			t = substr(line, 1, RLENGTH - 1)
			sub(/[ \t]*(\[[^]]*\])*[ \t]*$/, "", t)
			if (match(t, /[A-Za-z_][A-Za-z0-9_]*$/)) {
				name = substr(t, RSTART, RLENGTH)
				defs[name] = defs[name] " " FILENAME
			}
		}
		if (line !~ /^[ \t]*$/) prev = line
		next
	}
	# a header: statements at brace depth 0
	n = length(line)
	for (i = 1; i <= n; i++) {
		c = substr(line, i, 1)
		if (c == "{") { if (depth == 0) stmt = ""; depth++; continue }
		if (c == "}") { if (depth > 0) depth--; if (depth == 0) skipping = 1; continue }
		if (depth > 0) continue
		if (c == ";") {
			if (!skipping) declare(FILENAME, stmt)
			stmt = ""; skipping = 0
			continue
		}
		stmt = stmt c
	}
	stmt = stmt " "
}
# Every header reachable from f through includes, into the array seen.
function reach_headers(f,   i, h) {
	for (i = 1; i <= ninc[f]; i++) {
		h = resolve(f, incs[f, i])
		if (h == "" || (h in seen)) continue
		seen[h] = 1
		reach_headers(h)
	}
}
# Circles of the graph whose edges are adj[u] (" v1 v2 ..."), over the nodes in nodes[1..nn].
function circles(title, testno, noun,   i, j, u, v, q, head, tail, nq, ncirc, members, k, a, b, out, m, w2, nm, ok) {
	for (i = 1; i <= nn; i++) {
		u = nodes[i]
		# breadth-first from u
		split("", vis)
		head = 1; tail = 0
		nq = split(adj[u], tmp, " ")
		for (j = 1; j <= nq; j++) if (!(tmp[j] in vis)) { vis[tmp[j]] = 1; queue[++tail] = tmp[j] }
		while (head <= tail) {
			v = queue[head++]
			nq = split(adj[v], tmp, " ")
			for (j = 1; j <= nq; j++) if (!(tmp[j] in vis)) { vis[tmp[j]] = 1; queue[++tail] = tmp[j] }
		}
		for (v in vis) reach[u, v] = 1
	}
	ncirc = 0
	split("", placed)
	out = ""
	for (i = 1; i <= nn; i++) {
		u = nodes[i]
		if ((u in placed) || !((u, u) in reach)) continue
		members = ""
		nm = 0
		for (j = 1; j <= nn; j++) {
			v = nodes[j]
			if (((u, v) in reach) && ((v, u) in reach)) { placed[v] = 1; members = members " " v; nm++ }
		}
		ncirc++
		out = out "# circle " ncirc " (" nm " " noun "):" members "\n"
		m = split(members, mm, " ")
		for (a = 1; a <= m; a++)
			for (b = 1; b <= m; b++)
				if ((mm[a], mm[b]) in why)
					out = out "#   " mm[a] " -> " mm[b] ":" why[mm[a], mm[b]] "\n"
	}
	if (ncirc == 0)
		printf "ok %d - %s\n", testno, title
	else
		printf "not ok %d - %s: %d circle%s\n%s", testno, title, ncirc, ncirc == 1 ? "" : "s", out
	split("", reach)
	return ncirc
}
END {
	if (nfiles != nlist) {
		printf "Bail out! read %d of the %d files listed\n", nfiles, nlist
		exit 99
	}
	print "1..3"
	# 1. headers including themselves through others
	nn = 0; nedges = 0
	split("", adj); split("", why)
	for (i = 1; i <= nfiles; i++) {
		f = order[i]
		nodes[++nn] = f
		for (j = 1; j <= ninc[f]; j++) {
			h = resolve(f, incs[f, j])
			if (h == "") continue
			adj[f] = adj[f] " " h
			why[f, h] = " #include \"" incs[f, j] "\""
			nedges++
		}
	}
	bad = circles("no header reaches itself through its includes (" nfiles " files, " nedges " includes)", 1, "files")
	# 2. files depending on each other through what they use
	nn = 0; nedges = 0
	split("", adj); split("", why)
	for (i = 1; i <= nfiles; i++) {
		f = order[i]
		if (f !~ /\.c$/) continue
		nodes[++nn] = f
		split("", seen)
		reach_headers(f)
		for (h in seen) {
			nd = split(decl[h], dd, " ")
			for (k = 1; k <= nd; k++) {
				s = dd[k]
				if (!((f, s) in uses) || defs[s] == "") continue
				ndf = split(defs[s], df, " ")
				for (m = 1; m <= ndf; m++) {
					d = df[m]
					if (d == f) continue
					if (!((f, d) in why)) { adj[f] = adj[f] " " d; nedges++ }
					if (index(why[f, d] " ", " " s " ") == 0) why[f, d] = why[f, d] " " s
				}
			}
		}
	}
	if (verbose)
		for (i = 1; i <= nn; i++) {
			f = nodes[i]
			nd = split(adj[f], dd, " ")
			for (k = 1; k <= nd; k++) print "# " f " -> " dd[k] ":" why[f, dd[k]]
		}
	bad += circles("no circle of .c files through what they use (" nn " files, " nedges " dependencies)", 2, "files")
	# 3. the same between folders
	for (i = 1; i <= nn; i++) {
		f = nodes[i]
		nd = split(adj[f], dd, " ")
		for (k = 1; k <= nd; k++) {
			a = dirname(f); b = dirname(dd[k])
			if (a == b) continue
			if (!((a, b) in fwhy)) { fadj[a] = fadj[a] " " b; nfedges++ }
			if (length(fwhy[a, b]) < 200) fwhy[a, b] = fwhy[a, b] " " f " -> " dd[k] ";"
			folder[a] = 1; folder[b] = 1
		}
	}
	nn = 0
	nfedges += 0
	split("", adj); split("", why)
	for (a in folder) nodes[++nn] = a
	for (a in fadj) adj[a] = fadj[a]
	for (k in fwhy) why[k] = fwhy[k]
	bad += circles("no circle of folders (" nn " folders, " nfedges " dependencies)", 3, "folders")
	exit bad ? 1 : 0
}
' < "$list"
[ $? -eq 0 ] || exit 1
