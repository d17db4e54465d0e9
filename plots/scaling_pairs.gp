# scaling_pairs.gp - what happens as more pairs run at once (yasmin-bench
# merge): aggregate bandwidth of stream rows, or each pair's one-way
# latency of ping-pong rows, against the number of connections measured at
# the same time.  One line per curve and message size, in the curve's
# colour, a dash type per size.  Both axes are logarithmic: bandwidth that
# grows with the pairs rises at 45 degrees, a shared bottleneck is flat.
# Data columns: 1 pairs, 2 bw_total_gbps, 3 lat_p50_us (the median of the
# pairs' p50), 4 lat_p50_worst_us, 5 bw_per_pair_gbps.  Set by the caller
# besides common.gp's variables:
#   metric     "bandwidth" or "latency"
#   pmin, pmax the fewest and most pairs of a set
#   pairtics   every set's pair count ("1 2 4 8"), each labelled on x
load scriptdir."/common.gp"
set logscale x 2
set xlabel "pairs measured at the same time"
set format x "%g"
set xtics ()
do for [i=1:words(pairtics)] {
	set xtics add (word(pairtics, i) int(word(pairtics, i)))
}
set mxtics 1
set xrange [pmin / 1.25 : pmax * 1.25]
set logscale y 10
if (metric eq "latency") {
	set title "One-way latency (round trip / 2) per pair, median of the pairs' p50, ping-pong\n".plottitle noenhanced
	set ylabel "one-way latency per pair, median (us)"
	col = 3
} else {
	set title "Aggregate bandwidth of all pairs (sum of each run's median trial), stream\n".plottitle noenhanced
	set ylabel "aggregate bandwidth (Gbit/s, 10^9 bit/s)" noenhanced
	col = 2
}
plot for [i=0:ncurves-1] datafile index i using 1:col title columnheader(1) \
	noenhanced lt lt_of(i) dt dt_of(i)
