# bench/db-copy.sh: sourced by the benchmarks that start a hub on a copy of a
# prepared database. bench_db_copy SRC DST copies it and writes the copy to the
# disk before the hub opens it: left in the page cache, the copy's tens of
# megabytes went out with the hub's first checkpoint, whose fsync of the
# database then held the loop's own commit 25-30 ms, once in every run, a
# stall of the benchmark's making that no running hub meets.
bench_db_copy ()
{
	cp "$1" "$2" && sync "$2"
}
