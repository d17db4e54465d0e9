# ab_rounds.gp - an A/B gate's verdict: for each curve and metric, the change of
# every round (NEW against OLD measured next to it, + is worse) as dots,
# and the estimated change with its interval as a black bar.  The dashed
# line is the tolerance: a curve regresses when its estimate is above it
# and its whole interval above zero.  Data: block 0 holds "x change" for
# every round (x = the curve's position, spread a little per round);
# block 1 "x estimate low high label" per curve.  Set by the caller:
# ncurves, tolerance, outfile, fmt, plottitle, datafile, scriptdir.
load scriptdir."/common.gp"
unset logscale x
unset xtics
unset mxtics
set xtics rotate by -30 nomirror noenhanced
set xrange [-0.6:ncurves - 0.4]
set xlabel ""
set ylabel "change, NEW against OLD (%; + is worse)"
set key outside right top box opaque noenhanced
set title "A/B rounds and the estimated change\n".plottitle noenhanced
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "#555555"
set arrow 2 from graph 0, first tolerance to graph 1, first tolerance \
	nohead lc rgb "#d62728" dt 2
plot datafile index 0 using 1:2 with points pt 7 ps 0.7 \
		lc rgb "#1f77b4" title "one round", \
     datafile index 1 using 1:2:3:4:xtic(5) with yerrorbars pt 5 ps 1.2 \
		lc rgb "black" lw 2 title "estimate and interval", \
     NaN with lines lc rgb "#d62728" dt 2 title sprintf("tolerance %g%%", tolerance)
