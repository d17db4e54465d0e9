# tail.gp - the latency tail: p50 (solid) and p99 (dashed, same colour)
# against message size.  Columns 2 and 4 of the data.
load scriptdir."/common.gp"
set logscale y 10
set ylabel "one-way latency (us): p50 solid, p99 dashed" noenhanced
plot for [i=0:ncurves-1] datafile index i using 1:2 title columnheader(1) \
	noenhanced lc i+1 dt 1, \
     for [i=0:ncurves-1] datafile index i using 1:4 notitle lc i+1 dt 2
