# common.gp - what every yasmin-bench graph shares.  Loaded by the other
# scripts; `yasmin-bench plot` sets these variables with -e:
#   datafile   curves, one gnuplot index block each, first line the title
#   ncurves    number of blocks
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
