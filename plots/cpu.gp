# cpu.gp - what each end spends: CPU time (user + system) of the client
# (solid) and of the server (dashed, same colour) over its timed windows,
# in percent of one core, against message size.  A transport that spins
# while it waits (shm or yasmin with poll or adaptive waiting) costs up to
# a core per end; one that sleeps (unix, tcp) costs what its system calls
# do.  Ping-pong and stream differ in kind, so each has a panel of its own
# when the input has both.  Columns 6 and 7 of the data.
load scriptdir."/common.gp"
set ylabel "CPU time (% of one core)"
set yrange [0:*]
what = "CPU time of each end (client solid, server dashed)"
# The panels share one x axis: fixed margins keep them aligned whatever
# the width of their keys.
set lmargin at screen 0.07
set rmargin at screen 0.76
if (npingpong > 0 && npingpong < ncurves) {
	set multiplot layout 2,1 title what."\n".plottitle noenhanced
	set title "ping-pong" noenhanced
	set xlabel " "
	plot for [i=0:npingpong-1] datafile index i using 1:6 \
		title columnheader(1) noenhanced lt lt_of(i) dt 1, \
	     for [i=0:npingpong-1] datafile index i using 1:7 notitle \
		lt lt_of(i) dt 2, \
	     keyentry with lines lc "black" dt 1 title "client", \
	     keyentry with lines lc "black" dt 2 title "server"
	set title "stream" noenhanced
	set xlabel "message size (bytes)"
	plot for [i=npingpong:ncurves-1] datafile index i using 1:6 \
		title columnheader(1) noenhanced lt lt_of(i) dt 1, \
	     for [i=npingpong:ncurves-1] datafile index i using 1:7 notitle \
		lt lt_of(i) dt 2, \
	     keyentry with lines lc "black" dt 1 title "client", \
	     keyentry with lines lc "black" dt 2 title "server"
	unset multiplot
} else {
	set title what.(npingpong > 0 ? ", ping-pong" : ", stream")."\n". \
		plottitle noenhanced
	plot for [i=0:ncurves-1] datafile index i using 1:6 \
		title columnheader(1) noenhanced lt lt_of(i) dt 1, \
	     for [i=0:ncurves-1] datafile index i using 1:7 notitle \
		lt lt_of(i) dt 2, \
	     keyentry with lines lc "black" dt 1 title "client", \
	     keyentry with lines lc "black" dt 2 title "server"
}
