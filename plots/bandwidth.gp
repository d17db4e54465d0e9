# bandwidth.gp - bandwidth against message size, one line per curve:
# stream rows, or ping-pong rows for a file without any.  Column 3 of the
# data.
load scriptdir."/common.gp"
set title "Bandwidth, ".modes."\n".plottitle noenhanced
set logscale y 10
set ylabel "bandwidth (Gbit/s, 10^9 bit/s)" noenhanced
plot for [i=0:ncurves-1] datafile index i using 1:3 title columnheader(1) \
	noenhanced lt lt_of(i)
