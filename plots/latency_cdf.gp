# latency_cdf.gp - the distribution of one-way latency (round trip / 2) at
# a few message sizes, from the round-trip histograms of results.json: one
# line per curve and size, in the curve's colour, a dash type per size.
# Column 1: one-way latency (us); column 2: the fraction of round trips at
# or below it.
#
# The y axis is the percentile on a scale of nines, -log10(1 - fraction):
# 0, 90, 99, 99.9 and 99.99 are evenly spaced.  On the textbook linear
# 0..1 axis everything from p99 up - where transports differ most (wake-
# ups, preemption, interrupts) - is squeezed into the top hundredth of the
# figure; here the body of the distribution takes the first unit and
# every further nine as much again, as latency tails are usually drawn.
# The last point (fraction 1: the largest bucket's top) lies at infinity
# and is left out; the line ends at that bucket's bottom.
load scriptdir."/common.gp"
set title "Distribution of one-way latency (round trip / 2), ping-pong\n".plottitle noenhanced
unset logscale x
set logscale x 10
set xtics auto
set mxtics 10
set format x "%g"
set xlabel "one-way latency (us)"
set ylabel "percentile of round trips at or below (scale of nines)"
set ytics ("0" 0, "50" log10(2), "90" 1, "99" 2, "99.9" 3, "99.99" 4, \
	"99.999" 5, "99.9999" 6, "99.99999" 7)
set mytics 1
nines(f) = f < 1 ? -log10(1 - f) : NaN
# Up to the next whole nine above the data, so that the top is labelled.
stats datafile using (nines($2)) nooutput
set yrange [0:ceil(STATS_max + 0.01)]
plot for [i=0:ncurves-1] datafile index i using 1:(nines($2)) with lines \
	title columnheader(1) noenhanced lt lt_of(i) dt dt_of(i)
