# bench/port.sh: sourced by the benchmarks that listen on TCP. bench_port prints
# a port for this run below the kernel's range of ephemeral ports: in that
# range a client socket of the benchmark itself (hundreds per run, some still in
# TIME_WAIT from the run before) can hold the port, and the server's bind fails.
bench_port ()
{
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "${lo:-0}" -gt 12000 ] 2>/dev/null || lo=32768
	echo $((10000 + $$ % (lo - 10000)))
}
