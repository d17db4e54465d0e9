#!/bin/sh
# xen-lab-guest.sh - /init of a PV domU in the Xen lab (busybox only).
#
# The dom0 side (xen-lab-dom0.sh) says what to do on the kernel command
# line: yb.role=ROLE yb.peer=DOMID yb.ip=ADDR/LEN yb.srvip=ADDR.  Each role
# runs yasmin-bench exactly as a user would, prints "YBLAB RESULT name rc"
# lines and its results directory as a base64 tar between markers on the
# console, and powers the domain off.
export PATH=/bin:/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /results /proc/xen
for m in xen-evtchn xen-gntdev xen-gntalloc xenfs xen-netfront; do
	modprobe $m 2>/dev/null
done
mount -t xenfs xenfs /proc/xen 2>/dev/null

arg() { sed -n "s/.*\byb\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
ROLE=$(arg role)
PEER=$(arg peer)
IP=$(arg ip)
SRVIP=$(arg srvip)
PEERIP=$(arg peerip)
SO=/lib/yasmin-bench/libyasmin-bench-preload.so
echo "YBLAB domU role=$ROLE peer=$PEER ip=$IP"

if [ -n "$IP" ]; then
	ip link set lo up
	ip link set eth0 up 2>/dev/null
	ip addr add "$IP" dev eth0 2>/dev/null
fi
[ -n "$(arg gntalloc)" ] &&
	echo "$(arg gntalloc)" > /sys/module/xen_gntalloc/parameters/limit

# Emulated timings mean nothing: short trials (the lab checks correctness,
# data integrity and failure behaviour, every point verified in its pass).
SWEEP="--quick --pow2 --max-bytes 256K --trials 2 --trial-time 0.005 --verify --mode both --no-plot"
result() { echo "YBLAB RESULT $1 $2"; }

# Run a client; "expect" = the exit status it must have.
client() { # name expect args...
	name=$1 expect=$2
	shift 2
	yasmin-bench client "$@" > /tmp/$name.out 2>&1
	rc=$?
	sed "s/^/[$name] /" /tmp/$name.out | tail -n 12
	cp /tmp/$name.out /results/$name.log 2>/dev/null
	result "$name" "$rc/$expect"
	echo "YBLAB DETAIL $name: $(grep -v '^  ' /tmp/$name.out | tail -n 1)"
}

# An unmodified program under `yasmin-bench wrap` over yasmin rings to the
# domain at ADDRESS; "expect" = its exit status.  The wrap library says
# on standard error which way each connection went.
wrapped() { # name expect ADDRESS=DOMID program args...
	name=$1 expect=$2 peer=$3
	shift 3
	yasmin-bench wrap --preload $SO -v --transport yasmin --peer $peer \
		-- "$@" > /tmp/$name.out 2>&1
	rc=$?
	sed "s/^/[$name] /" /tmp/$name.out | tail -n 12
	cp /tmp/$name.out /results/$name.log 2>/dev/null
	result "$name" "$rc/$expect"
}

# What diag sees in a guest: domid, Xen version, devices, gntalloc limit.
yasmin-bench diag --json > /results/diag-$ROLE.json 2>/results/diag-$ROLE.err

case $ROLE in
client-of-dom0)
	# dom0 serves yasmin, vchan and tcp; we sweep each, then a ring
	# above libxenvchan's 1 MiB cap over yasmin.
	client dom0-domU-yasmin 0 yasmin:0 $SWEEP --out /results/dom0-domU-yasmin
	client dom0-domU-vchan 0 vchan:0 $SWEEP --out /results/dom0-domU-vchan
	client dom0-domU-tcp 0 tcp:$SRVIP:7470 $SWEEP --out /results/dom0-domU-tcp
	client yasmin-ring-4M 0 yasmin:0 --quick --pow2 --max-bytes 4M \
		--min-bytes 1M --trials 1 --trial-time 0.005 --verify --mode both --no-plot \
		--ring-size 4K,4M --out /results/yasmin-ring-4M
	# Streams from dom0 to us, and both ways at once: over the rings
	# the side that maps the pages (dom0 maps ours) is now a producer.
	for t in yasmin vchan; do
		for d in reverse bidir; do
			client $d-$t 0 $t:0 --quick --pow2 --max-bytes 256K \
				--trials 2 --trial-time 0.005 --verify --mode stream \
				--no-plot --$d --out /results/$d-$t
		done
	done
	# Two connections at once from this one domain, each its own ring
	# and its own request in our XenStore tree.
	for t in yasmin vchan; do
		client pairs-$t 0 $t:0 --pairs 2 --quick --pow2 --max-bytes 64K \
			--trials 2 --trial-time 0.005 --verify --mode both \
			--no-plot --out /results/pairs-$t
	done
	# iperf3, unmodified, to dom0's wrapped iperf3 server: its control
	# and data connections each over a yasmin ring.
	if [ -x /bin/iperf3 ] && [ -f $SO ]; then
		wrapped wrap-iperf3 0 $SRVIP=0 iperf3 -c $SRVIP -p 5201 -t 3
		n=$(grep -c "yasmin ring to domain 0" /tmp/wrap-iperf3.out)
		[ "$n" -ge 2 ] && result wrap-iperf3-rings 0/0 || result wrap-iperf3-rings $n/2
	fi
	;;
scaling-client)
	# dom0 writes a plan, NAME@ADDRESS@EPOCH,..., into our XenStore tree
	# (ybplan): at each wall-clock time, one stream size to ADDRESS,
	# begun together with the other guests given the same time (Xen
	# guests share the hypervisor's wall clock).  Under emulation the
	# rendezvous alone takes up to a second or so, more in one guest than
	# in another, and a server greets its clients one after another: the
	# trials last seconds, long enough to overlap.  The ends sleep while
	# they wait (--wait block): spinning ends of three guests and of
	# dom0's servers on two emulated CPUs stretch every step unevenly.
	plan=$(lab-xsreq wait ybplan 600)
	echo "YBLAB plan $plan, clock $(date +%s)"
	for step in $(echo "$plan" | tr , ' '); do
		name=${step%%@*}
		rest=${step#*@}
		client $name 0 ${rest%@*} --mode stream --min-bytes 64K \
			--max-bytes 64K --trials 40 --trial-time 0.25 --wait block --verify \
			--no-plot --start-at @${rest#*@} --out /results/$name
	done
	;;
server)
	# Serve the peer domU until dom0 destroys us.
	yasmin-bench server yasmin:$PEER > /tmp/srv-yasmin.log 2>&1 &
	yasmin-bench server vchan:$PEER > /tmp/srv-vchan.log 2>&1 &
	yasmin-bench server tcp:${IP%%/*}:7470 > /tmp/srv-tcp.log 2>&1 &
	# NPtcp's receiver, unmodified and wrapped, for the peer's transmitter.
	if [ -x /bin/NPtcp ] && [ -f $SO ] && [ -n "$PEERIP" ]; then
		(cd /tmp && yasmin-bench wrap --preload $SO -v --transport yasmin \
			--peer $PEERIP=$PEER -- NPtcp -P 5002 -l 1 -u 65536 -n 4 -p 0 \
			-o /tmp/np-srv.out > /tmp/srv-nptcp.log 2>&1 &)
	fi
	echo "YBLAB SERVING"
	while :; do
		sleep 5
		tail -n 3 /tmp/srv-*.log | sed 's/^/[server] /'
	done
	;;
client-of-domU)
	client domU-domU-yasmin 0 yasmin:$PEER $SWEEP --out /results/domU-domU-yasmin
	client domU-domU-vchan 0 vchan:$PEER $SWEEP --out /results/domU-domU-vchan
	client domU-domU-tcp 0 tcp:$SRVIP:7470 $SWEEP --out /results/domU-domU-tcp
	# The server's domain keeps gntalloc's default limit (1024 pages):
	# a 4 MiB ring needs 2051 and must be refused with the limit named.
	client gntalloc-limit 1 yasmin:$PEER --quick --max-bytes 1K \
		--ring-size 4M --no-plot --out /results/gntalloc-limit
	# NetPIPE, unmodified, wrapped at both ends: a sweep from 1 byte to
	# 64 KiB over a yasmin ring between the two domUs.
	if [ -x /bin/NPtcp ] && [ -f $SO ]; then
		(cd /tmp && wrapped wrap-nptcp 0 $SRVIP=$PEER NPtcp -h $SRVIP \
			-P 5002 -l 1 -u 65536 -n 4 -p 0 -o /results/wrap-nptcp.out)
		grep -q "yasmin ring to domain $PEER" /tmp/wrap-nptcp.out &&
			result wrap-nptcp-ring 0/0 || result wrap-nptcp-ring 1/0
		echo "YBLAB DETAIL wrap-nptcp-sweep: $(grep -c . /results/wrap-nptcp.out) points: $(head -n 1 /results/wrap-nptcp.out) ... $(tail -n 1 /results/wrap-nptcp.out)"
		awk '$1 == 65536 && $2 > 0 { f = 1 } END { exit !f }' /results/wrap-nptcp.out &&
			result wrap-nptcp-sweep 0/0 || result wrap-nptcp-sweep 1/0
	fi
	;;
stream)
	# Stream until dom0 destroys this domain.
	echo "YBLAB STREAMING"
	yasmin-bench client yasmin:0 --duration 300 --verify --no-plot \
		--out /results/destroy 2>&1 | tail -n 5
	;;
holder)
	# Keep a yasmin and a vchan server busy, every byte checked, until
	# dom0 has sent another domain to be refused and says so by calling
	# a one-shot tcp server here; then stop the soaks as Ctrl-C would.
	for t in yasmin vchan; do
		yasmin-bench client $t:0 --duration 600 --verify --no-plot \
			--out /results/hold-$t > /tmp/hold-$t.out 2>&1 &
		echo $! > /tmp/hold-$t.pid
	done
	echo "YBLAB HOLDING"
	yasmin-bench server tcp:${IP%%/*}:7471 --once > /tmp/wake.log 2>&1
	for t in yasmin vchan; do
		pid=$(cat /tmp/hold-$t.pid)
		kill -INT $pid
		wait $pid
		rc=$?
		sed "s/^/[hold-$t] /" /tmp/hold-$t.out | tail -n 6
		cp /tmp/hold-$t.out /results/hold-$t.log
		# Stopped by the signal (130), after moving and checking data.
		result hold-$t "$rc/130"
		if grep -q "delivered and verified, 0 corrupted bytes" /tmp/hold-$t.out; then
			result hold-$t-verified 0/0
		else
			result hold-$t-verified 1/0
		fi
	done
	;;
busy-client)
	# Both servers are busy with the holder: each must say so and name it.
	client busy-yasmin 4 yasmin:0 --quick --no-plot --out /results/busy-yasmin
	client busy-vchan 4 vchan:0 --quick --no-plot --out /results/busy-vchan
	for t in yasmin vchan; do
		grep -q "server busy: it is measuring another client ($t:" /tmp/busy-$t.out &&
			[ ! -e /results/busy-$t ] && result busy-$t-says-busy 0/0 ||
			result busy-$t-says-busy 1/0
	done
	;;
client-after-destroy)
	# First a request that claims to come from the domain created next
	# (yb.claim): refused, and the claimed domain is served after us.
	lab-xsreq yasmin 0 7470 "$(arg claim)" > /tmp/spoof.out 2>&1
	rc=$?
	sed 's/^/[spoof] /' /tmp/spoof.out
	cp /tmp/spoof.out /results/spoof.log
	result spoofed-request-refused "$rc/0"
	client after-destroy 0 yasmin:0 --quick --pow2 --max-bytes 64K \
		--trials 1 --trial-time 0.005 --verify --no-plot --out /results/after-destroy
	;;
claimed)
	client claimed-domain-served 0 yasmin:0 --quick --pow2 --max-bytes 4K \
		--trials 1 --trial-time 0.005 --verify --no-plot --out /results/claimed
	;;
*)
	echo "YBLAB unknown role '$ROLE'"
	;;
esac

cd /results && {
	echo "YBDOMU-TAR-BEGIN"
	tar -czf - . | base64
	echo "YBDOMU-TAR-END"
}
sync
sleep 2
poweroff -f
