# tail.gp - the latency tail: p50 (solid), p99 (dashed) and p99.9 (dotted)
# in the curve's colour against message size, ping-pong rows only.
# Columns 2, 4 and 5 of the data; a file without p99.9 draws none.
load scriptdir."/common.gp"
set title "One-way latency (round trip / 2): p50, p99 and p99.9, ping-pong\n".plottitle noenhanced
set logscale y 10
set ylabel "one-way latency (us)"
plot for [i=0:ncurves-1] datafile index i using 1:2 title columnheader(1) \
	noenhanced lt lt_of(i) dt 1, \
     for [i=0:ncurves-1] datafile index i using 1:4 notitle with lines \
	lt lt_of(i) dt 2, \
     for [i=0:ncurves-1] datafile index i using 1:5 notitle with lines \
	lt lt_of(i) dt 3, \
     keyentry with lines lc "black" dt 1 title "p50", \
     keyentry with lines lc "black" dt 2 title "p99", \
     keyentry with lines lc "black" dt 3 title "p99.9"
