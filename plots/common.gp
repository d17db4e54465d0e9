# common.gp - what every yasmin-bench graph shares.  Loaded by the other
# scripts; `yasmin-bench plot` sets these variables before each script:
#   datafile   curves, one gnuplot index block each, first line the title
#   ncurves    number of blocks
#   npingpong  cpu.gp: blocks 0..npingpong-1 are ping-pong, the rest stream
#   lts        the line type of each block ("1 2 3"): one per curve, the
#              same curve the same colour in every graph
#   dts        the dash type of each block (latency_cdf.gp: one per size)
#   modes      the modes of the rows drawn: "ping-pong", "stream" or
#              "ping-pong and stream"
#   outfile    the image to write
#   fmt        "png" or "svg"
#   plottitle  host, date and version of the run(s)
if (fmt eq "svg") {
	set terminal svg size 960,600 dynamic enhanced font "sans,12"
} else {
	set terminal pngcairo size 1200,750 enhanced font "sans,11"
}
set output outfile
set datafile separator whitespace
set key outside right top box opaque
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set logscale x 2
set xlabel "message size (bytes)"
# Byte labels a person reads: 1, 4, 16, ... 1K, 4K, ... 1M, ... 1G.
set xtics ("1" 1, "4" 4, "16" 16, "64" 64, "256" 256, "1K" 1024, \
	"4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, "1M" 1048576, \
	"4M" 4194304, "16M" 16777216, "64M" 67108864, "256M" 268435456, \
	"1G" 1073741824)
set title plottitle noenhanced
set style data linespoints
set pointsize 0.6
# Ten colours that stay apart on white and in print (gnuplot's own fifth is
# a yellow that vanishes); a curve's line type is its number in lts.
set linetype 1 lc rgb "#1f77b4" lw 1.5 pt 7
set linetype 2 lc rgb "#d62728" lw 1.5 pt 5
set linetype 3 lc rgb "#2ca02c" lw 1.5 pt 9
set linetype 4 lc rgb "#ff7f0e" lw 1.5 pt 13
set linetype 5 lc rgb "#9467bd" lw 1.5 pt 11
set linetype 6 lc rgb "#8c564b" lw 1.5 pt 6
set linetype 7 lc rgb "#e377c2" lw 1.5 pt 4
set linetype 8 lc rgb "#17becf" lw 1.5 pt 8
set linetype 9 lc rgb "#7f7f7f" lw 1.5 pt 12
set linetype 10 lc rgb "#bcbd22" lw 1.5 pt 10
set linetype cycle 10
# The line type and dash type of block i (0-based).
lt_of(i) = int(word(lts, i + 1))
dt_of(i) = int(word(dts, i + 1))
