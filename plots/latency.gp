# latency.gp - one-way latency (p50) against message size, one line per
# curve (transport, ring size, wait mode, file); ping-pong rows only.
# Column 2 of the data.
load scriptdir."/common.gp"
set title "One-way latency (round trip / 2), median, ping-pong\n".plottitle noenhanced
set logscale y 10
set ylabel "one-way latency, median (us)"
plot for [i=0:ncurves-1] datafile index i using 1:2 title columnheader(1) \
	noenhanced lt lt_of(i)
