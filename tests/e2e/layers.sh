# layers: the rooms of the source tree depend one way only.  From the
# bottom: core/base; core/wire and core/report (beside each other, neither
# using the other); core/host; core/measure; transports; cmd.  A file may
# include and call only its own room and the rooms below it, includes are
# written as paths from the root, and the analysis tools (core/report)
# link against nothing but base.
. "$(dirname "$0")/../lib.sh"
export LC_ALL=C

# The order as awk code: rank(path) and room(path); rank -1 is no room.
RANKS='
function rank(p) {
	if (p ~ /^core\/base\//) return 0
	if (p ~ /^core\/(wire|report)\//) return 1
	if (p ~ /^core\/host\//) return 2
	if (p ~ /^core\/measure\//) return 3
	if (p ~ /^transports\//) return 4
	if (p ~ /^cmd\//) return 5
	return -1
}
function room(p) { sub(/\/[^\/]*$/, "", p); return p }
# may a file of room a use room b?
function below(a, b) { return room(a) == room(b) || rank(b) < rank(a) }
'

# Every source file lives in a room that has a place in the order.
for f in core/*.[ch]; do
	[ -e "$f" ] && fail "$f sits in core/ itself, outside a room"
done
ls core/*/*.[ch] transports/*.[ch] cmd/*.[ch] >"$T/sources"
awk "$RANKS"' rank($0) < 0 { print $0 " is in no layer (core/ holds base, wire, report, host, measure)"; bad = 1 }
	END { exit bad }' "$T/sources" || fail "a source file outside the layers"
n=$(wc -l <"$T/sources")
[ "$n" -gt 50 ] || fail "only $n sources found: is this the source tree?"

# Includes: a path from the root naming a file that exists, in a room no
# higher than the includer's, and not a sibling room on the same floor.
grep -n '^#include "' $(cat "$T/sources") | sed 's/:#include "\([^"]*\)".*/ \1/; s/:/ /' |
	grep -v ' yb_version.h$\| yb_plots.h$' >"$T/includes" # file line included
while read -r f line inc; do
	[ -f "$inc" ] || echo "$f:$line: includes \"$inc\", which is not a path from the root"
done <"$T/includes" >"$T/bad"
awk "$RANKS"' rank($3) >= 0 && !below($1, $3) {
	print $1 ":" $2 ": includes " $3 ", from a room that is not below " room($1) "/" }' "$T/includes" >>"$T/bad"
[ ! -s "$T/bad" ] || { cat "$T/bad"; fail "includes point the wrong way (above)"; }
[ "$(wc -l <"$T/includes")" -gt 100 ] || fail "too few includes found"

# Symbols: each room's objects call only what its own room and the rooms
# below define.  Reporting (plot, compare, results) thereby links with no
# transport, ring or engine code.
command -v nm >/dev/null || skip "nm is not installed"
OBJ=${ROOT:-$PWD}/$BUILD
: >"$T/defs"
: >"$T/uses"
for f in core/*/*.c transports/*.c cmd/*.c; do
	o=$OBJ/${f%.c}.o
	# The wrap shim is built only into its preloaded library.
	[ "$f" = transports/preload.c ] && o=$OBJ/pic/${f%.c}.o
	[ -f "$o" ] || fail "no object $o: build first"
	nm --defined-only "$o" | awk -v f="$f" '$2 ~ /^[TDRB]$/ { print $3, f }' >>"$T/defs"
	nm --undefined-only "$o" | awk -v f="$f" '$NF ~ /^yb_/ { print $NF, f }' >>"$T/uses"
done
sort -k1,1 -o "$T/defs" "$T/defs"
sort -k1,1 -o "$T/uses" "$T/uses"
# symbol user definer, for calls between this program's own files
join "$T/uses" "$T/defs" >"$T/calls"
checked=$(wc -l <"$T/calls")
[ "$checked" -gt 100 ] || fail "only $checked calls between files checked"
# The one exception is the registry: transport.c's table names each
# transport's operations (transport_list.h), and nothing else there does.
awk "$RANKS"' {
	sym = $1; f = $2; def = $3
	if (f == "core/wire/transport.c" && sym ~ /^yb_transport_[a-z0-9]+$/ && def == "transports/" substr(sym, 14) ".c")
		next
	if (!below(f, def)) print f " uses " sym " from " def ", a room that is not below " room(f) "/"
	else if (f ~ /^core\/report\// && rank(def) > 0 && room(def) != room(f))
		print "reporting: " f " needs " sym " from " def
}' "$T/calls" >"$T/bad"
[ ! -s "$T/bad" ] || { cat "$T/bad"; fail "calls point the wrong way (above)"; }
note "$n sources, $checked calls between files checked"
