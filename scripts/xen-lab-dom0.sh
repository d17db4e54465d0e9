#!/bin/sh
# xen-lab-dom0.sh - /init of dom0 in the Xen lab: start the Xen tools, run
# the lab's checks with PV domUs, print the results on the serial console.
#
# Each check prints "YBLAB PASS name detail" or "YBLAB FAIL name detail";
# the results of every guest come out as one base64 tar between
# YBLAB-TAR-BEGIN and YBLAB-TAR-END; "YBLAB DONE" ends the run.  Under
# QEMU's TCG every timing here is meaningless as performance data.
export PATH=/usr/local/bin:/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /run/xenstored /var/log/xen/console /var/lib/xen /results \
	/var/run/xen /proc/xen
for m in xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-netback \
	bridge vsock_loopback; do
	modprobe $m || echo "YBLAB note: modprobe $m failed"
done
mount -t xenfs xenfs /proc/xen
xenstored --pid-file=/run/xenstored.pid
xen-init-dom0 >/dev/null
xenconsoled --log=guest --log-dir=/var/log/xen/console
T_START=$(date +%s)
# Emulated timings mean nothing: short trials (the lab checks correctness,
# data integrity and failure behaviour, every point verified in its pass).
SWEEP="--quick --pow2 --max-bytes 256K --trials 2 --trial-time 0.005 --verify --mode both --no-plot"
LIMIT=/sys/module/xen_gntalloc/parameters/limit

pass() { echo "YBLAB PASS $*"; }
fail() { echo "YBLAB FAIL $*"; }
elapsed() { echo $(( $(date +%s) - T_START )); }

# A PV domU running xen-lab-guest.sh as ROLE.
mkcfg() { # name role peer ip srvip [extra]; MEM=MiB (default 256)
	cat > /tmp/$1.cfg <<EOF
name = "$1"
type = "pv"
kernel = "/lab/vmlinux"
ramdisk = "/lab/domu.cpio"
memory = ${MEM:-256}
vcpus = 1
extra = "console=hvc0 quiet yb.role=$2 yb.peer=$3 yb.ip=$4 yb.srvip=$5 $6"
vif = [ "bridge=xenbr0" ]
on_poweroff = "destroy"
on_crash = "destroy"
EOF
}

create() { # name: create paused, print its domid
	c0=$(date +%s)
	xl create -p /tmp/$1.cfg > /tmp/$1.create 2>&1 ||
		{ cat /tmp/$1.create; return 1; }
	echo "YBLAB note: $1 built in $(( $(date +%s) - c0 )) s" >&2
	xl domid "$1"
}

# Wait for a guest to power off, at most SECONDS (the limits only catch
# a guest that hangs: a host busy with other work has made a guest's
# whole run, boot included, take five times as long as on a quiet one).
# The log says how long each guest took, which is where the lab's time
# goes.
wait_gone() { # name seconds
	w0=$(date +%s)
	while xl domid "$1" >/dev/null 2>&1; do
		if [ $(( $(date +%s) - w0 )) -gt "$2" ]; then
			echo "YBLAB note: $1 still running after $2 s"
			return 1
		fi
		sleep 1
	done
	echo "YBLAB note: $1 finished $(( $(date +%s) - w0 )) s after we began to wait"
	return 0
}

wait_log() { # file pattern seconds
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$3" ] && return 1
		sleep 1
	done
	return 0
}

# Bring a guest's results and verdicts home from its console log.
collect() { # name
	log=/var/log/xen/console/guest-$1.log
	sleep 1
	tr -d '\r' < "$log" > /tmp/$1.console 2>/dev/null
	mkdir -p /results/$1
	sed -n '/^YBDOMU-TAR-BEGIN$/,/^YBDOMU-TAR-END$/p' /tmp/$1.console |
		grep -v '^YBDOMU-TAR-' | base64 -d 2>/dev/null |
		tar -xzf - -C /results/$1 2>/dev/null || {
		echo "YBLAB note: no results archive from $1 ($(grep -c . /tmp/$1.console) console lines)"
		grep -n 'YBDOMU-TAR' /tmp/$1.console | head -n 4
	}
	cp /tmp/$1.console /results/$1/console.log
	grep '^YBLAB RESULT ' /tmp/$1.console | while read -r _ _ name st; do
		if [ "${st%/*}" = "${st#*/}" ]; then
			pass "$name exit ${st%/*} (guest $1)"
		else
			fail "$name exit ${st%/*}, expected ${st#*/} (guest $1)"
			grep "^YBLAB DETAIL $name:" /tmp/$1.console | sed 's/^YBLAB DETAIL/  /'
			grep "^\[$name\]" /tmp/$1.console | tail -n 6 | sed 's/^/  /' 
		fi
	done
	grep -q '^YBLAB RESULT ' /tmp/$1.console ||
		{ fail "$1 reported nothing"; tail -n 20 /tmp/$1.console; }
}

xs_clean() { # name: no rendezvous directory left in dom0's XenStore
	left=$(xenstore-ls /local/domain/0/data/yasmin-bench 2>/dev/null)
	if [ -z "$left" ]; then
		pass "$1 no XenStore entries left"
	else
		fail "$1 XenStore entries left: $(echo $left | head -c 200)"
		xenstore-ls -p /local/domain/0/data | head -n 20
		tail -n 5 /tmp/srv-*.log
	fi
}

echo "YBLAB dom0 up after $(cut -d' ' -f1 /proc/uptime) s: $(xl info | grep -E '^xen_version' )"

mkdir -p /results/dom0
yasmin-bench diag --json > /results/dom0/diag.json 2>/results/dom0/diag.err
yasmin-bench transports > /results/dom0/transports.txt 2>&1

ip link add xenbr0 type bridge
ip addr add 169.254.0.1/16 dev xenbr0
ip link set xenbr0 up

# --- 1a. dom0 <-> domU: yasmin, vchan, tcp; a 4 MiB ring over yasmin ------
# The servers run in dom0; a 4 MiB ring needs 2051 granted pages.
echo 8192 > $LIMIT
mkcfg yb1 client-of-dom0 0 169.254.0.11/16 169.254.0.1
D1=$(create yb1) || fail "xl create yb1"
echo "YBLAB domU yb1 is domain $D1"
# Where both domains' vCPUs run, as dom0 sees it.
yasmin-bench diag --peer "$D1" --json > /results/dom0/diag-peer.json 2>/results/dom0/diag-peer.err
yasmin-bench server yasmin:$D1 > /tmp/srv-yasmin.log 2>&1 & S1=$!
yasmin-bench server vchan:$D1 > /tmp/srv-vchan.log 2>&1 & S2=$!
yasmin-bench server tcp:169.254.0.1:7470 > /tmp/srv-tcp.log 2>&1 & S3=$!
# iperf3's server, unmodified and wrapped, for one test from yb1.
SO=/usr/local/lib/yasmin-bench/libyasmin-bench-preload.so
S4=
if [ -f $SO ]; then
	LD_LIBRARY_PATH=/usr/local/lib/yb-iperf3 yasmin-bench wrap --preload $SO \
		-v --transport yasmin --peer 169.254.0.11=$D1 -- \
		iperf3 -s -1 -p 5201 > /tmp/srv-iperf3.log 2>&1 & S4=$!
fi
sleep 2
xl unpause yb1
wait_gone yb1 1800 || { fail "yb1 did not finish"; xl destroy yb1; }
kill $S1 $S2 $S3
wait $S1 $S2 $S3
if [ -n "$S4" ]; then
	# It ends by itself after its one test.
	i=0
	while kill -0 $S4 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
	kill $S4 2>/dev/null
	wait $S4
	rc=$?
	if [ $rc = 0 ] && [ "$(grep -c 'yasmin ring from domain' /tmp/srv-iperf3.log)" -ge 2 ]; then
		pass "wrap-iperf3-server served yb1 over yasmin rings: $(grep -E 'receiver$' /tmp/srv-iperf3.log | tail -n 1 | tr -s ' ')"
	else
		fail "wrap-iperf3-server: exit $rc: $(tail -n 3 /tmp/srv-iperf3.log)"
	fi
fi
collect yb1
mkdir -p /results/dom0-logs
cp /tmp/srv-*.log /results/dom0-logs/
xs_clean "servers-stopped:"
echo "YBLAB phase 1a done at $(elapsed) s"

# --- 1b. vsock over the loopback transport in dom0 -------------------------
if yasmin-bench run --transports vsock $SWEEP --out /results/dom0/vsock \
	> /tmp/vsock.log 2>&1; then
	pass "dom0-vsock-loopback sweep with --verify"
else
	fail "dom0-vsock-loopback: $(tail -n 1 /tmp/vsock.log)"
fi
cp /tmp/vsock.log /results/dom0-logs/
for d in reverse bidir; do
	if yasmin-bench run --transports vsock --quick --pow2 --max-bytes 64K \
		--trials 2 --trial-time 0.005 --verify --mode stream --no-plot --$d \
		--out /results/dom0/vsock-$d > /tmp/vsock-$d.log 2>&1; then
		pass "dom0-vsock-loopback-$d stream sweep with --verify"
	else
		fail "dom0-vsock-loopback-$d: $(tail -n 1 /tmp/vsock-$d.log)"
	fi
	cp /tmp/vsock-$d.log /results/dom0-logs/
done
# One vsock server, two clients at once over the loopback.
yasmin-bench server vsock:7480 > /tmp/srv-vsock.log 2>&1 & SV=$!
sleep 1
at=$(( $(date +%s) + 3 ))
for c in a b; do
	yasmin-bench client vsock:1:7480 --start-at @$at --mode stream \
		--min-bytes 64K --max-bytes 64K --trials 8 --trial-time 0.25 \
		--verify --no-plot --out /results/dom0/vsock-two-$c \
		> /tmp/vsock-two-$c.log 2>&1 &
	eval VC_$c=$!
done
wait $VC_a
ra=$?
wait $VC_b
rb=$?
kill $SV
wait $SV
if [ $ra = 0 ] && [ $rb = 0 ] && grep -q "(2 clients at once)" /tmp/srv-vsock.log; then
	pass "concurrent-clients-vsock one server measured two clients at once, both verified"
else
	fail "concurrent-clients-vsock: exits $ra/$rb: $(tail -n 2 /tmp/srv-vsock.log)"
fi
cp /tmp/vsock-two-*.log /tmp/srv-vsock.log /results/dom0-logs/

# --- 1c. domU <-> domU: yasmin, vchan, tcp through the dom0 bridge ---------
# Domain ids are handed out in sequence: yb2 and yb3 get the next two.
N=$((D1 + 1))
M=$((D1 + 2))
mkcfg yb2 server $M 169.254.0.12/16 "" yb.peerip=169.254.0.13
mkcfg yb3 client-of-domU $N 169.254.0.13/16 169.254.0.12
D2=$(create yb2)
D3=$(create yb3)
if [ "$D2" != "$N" ] || [ "$D3" != "$M" ]; then
	fail "domU-domU: domain ids $D2/$D3, expected $N/$M"
fi
xl unpause yb2
wait_log /var/log/xen/console/guest-yb2.log "YBLAB SERVING" 600 ||
	fail "yb2 did not start serving"
sleep 2
xl unpause yb3
wait_gone yb3 1800 || { fail "yb3 did not finish"; xl destroy yb3; }
xl destroy yb2
collect yb3
cp /var/log/xen/console/guest-yb2.log /results/yb3/server-console.log
echo "YBLAB phase 1c done at $(elapsed) s"

# --- 2. a busy server refuses a second domain before granting anything -----
# Servers for any domain, traced for the opening of the grant and event
# channel devices (every connection they serve opens both).  A holder domU
# soaks each server; while it does, a second domU asks both and must hear
# "busy" (exit 4) with no device opened for it, and the holder's soaks go
# on, every byte checked, until dom0 tells the holder to stop them.
opens() { # trace file: gntalloc and evtchn opens so far
	grep -c -E 'open(at)?\(.*"/dev/xen/(gntalloc|evtchn)"' "$1"
}
traced() { # log trace args...: a server under strace; sets TRACER, SERVER
	log=$1 trace=$2
	shift 2
	strace -f -qq --seccomp-bpf -e trace=open,openat -e signal=none -o "$trace" \
		"$@" > "$log" 2>&1 &
	TRACER=$!
	i=0
	while [ -z "$(ps -o pid= --ppid $TRACER)" ] && [ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	SERVER=$(ps -o pid= --ppid $TRACER | tr -d ' ')
}
if command -v strace >/dev/null 2>&1; then
	traced /tmp/srv-busy-yasmin.log /tmp/st-yasmin.log yasmin-bench server yasmin:any --max-clients 1
	TY=$TRACER SY=$SERVER
	traced /tmp/srv-busy-vchan.log /tmp/st-vchan.log yasmin-bench server vchan:any --max-clients 1
	TV=$TRACER SV=$SERVER
	sleep 2
	mkcfg yb6 holder 0 169.254.0.16/16 ""
	mkcfg yb7 busy-client 0 169.254.0.17/16 ""
	D6=$(create yb6)
	D7=$(create yb7)
	echo "YBLAB holder yb6 is domain $D6, newcomer yb7 is domain $D7"
	xl unpause yb6
	if wait_log /tmp/srv-busy-yasmin.log "connected" 600 &&
		wait_log /tmp/srv-busy-vchan.log "connected" 300; then
		sleep 1
		y0=$(opens /tmp/st-yasmin.log)
		v0=$(opens /tmp/st-vchan.log)
		t0=$(elapsed)
		xl unpause yb7
		wait_gone yb7 900 || { fail "yb7 did not finish"; xl destroy yb7; }
		echo "YBLAB newcomer done $(( $(elapsed) - t0 )) s after unpause"
		y1=$(opens /tmp/st-yasmin.log)
		v1=$(opens /tmp/st-vchan.log)
		for t in yasmin vchan; do
			log=/tmp/srv-busy-$t.log
			# The holder was still being measured when the newcomer
			# was turned away.
			nref=$(grep -n "refused $t:$D7 " $log | head -n 1 | cut -d: -f1)
			nend=$(grep -n "client $t:$D6 " $log | grep -v "connected, served" |
				head -n 1 | cut -d: -f1)
			if [ -n "$nref" ] && [ -n "$nend" ] && [ "$nend" -lt "$nref" ]; then
				fail "busy-$t: the holder's run ended before the newcomer came"
			fi
			if grep -q "refused $t:$D7 .*: busy with $t:$D6 " $log; then
				pass "busy-$t refusal logged: $(grep "refused $t:$D7 " $log | tail -n 1 | sed 's/^[^:]*: //')"
			else
				fail "busy-$t: the server did not log refusing domain $D7: $(tail -n 2 $log)"
			fi
		done
		if [ "$y0" -ge 2 ] && [ "$y1" = "$y0" ]; then
			pass "busy-yasmin nothing opened for the refused domain ($y0 device opens, all for the holder)"
		else
			fail "busy-yasmin device opens $y0 before the newcomer, $y1 after"
			grep -n '/dev/xen' /tmp/st-yasmin.log | tail -n 8
		fi
		if [ "$v0" -ge 2 ] && [ "$v1" = "$v0" ]; then
			pass "busy-vchan nothing opened for the refused domain ($v0 device opens, all for the holder)"
		else
			fail "busy-vchan device opens $v0 before the newcomer, $v1 after"
			grep -n '/dev/xen' /tmp/st-vchan.log | tail -n 8
		fi
		collect yb7
		# Tell the holder to stop its soaks.
		yasmin-bench client tcp:169.254.0.16:7471 --mode pingpong \
			--max-bytes 64 --trials 1 --trial-time 0.005 --no-plot \
			--out /tmp/wake > /tmp/wake.log 2>&1 ||
			{ fail "busy: cannot wake the holder: $(tail -n 1 /tmp/wake.log)"; xl destroy yb6; }
	else
		fail "busy: the holder's soaks never started: $(tail -n 1 /tmp/srv-busy-yasmin.log) / $(tail -n 1 /tmp/srv-busy-vchan.log)"
		xl destroy yb7
		xl destroy yb6
	fi
	wait_gone yb6 600 || { fail "yb6 did not finish"; xl destroy yb6; }
	collect yb6
	kill $SY $SV
	wait $TY $TV
	cp /tmp/srv-busy-*.log /tmp/st-*.log /results/dom0-logs/
	xs_clean "busy-servers-stopped:"
else
	fail "busy: strace is missing from the dom0 image"
fi
echo "YBLAB phase 2 done at $(elapsed) s"

# --- 3. a peer domain destroyed mid-stream ----------------------------------
# gntalloc may hand out exactly what one 1 MiB ring needs (514 pages): if
# the destroyed connection left a grant behind, the next client is refused.
echo 514 > $LIMIT
yasmin-bench server yasmin:any > /tmp/srv-destroy.log 2>&1 & S4=$!
mkcfg yb4 stream 0 169.254.0.14/16 ""
D4=$(create yb4)
xl unpause yb4
echo "YBLAB domU yb4 is domain $D4"
if wait_log /tmp/srv-destroy.log "connected" 600; then
	sleep 5
	if grep -v "connected, served" /tmp/srv-destroy.log | grep -q "client yasmin:$D4"; then
		fail "destroyed-peer: the stream ended before the domain was destroyed"
		tail -n 8 /var/log/xen/console/guest-yb4.log
	fi
	# The limit is the emulator's, with a wide margin: the server
	# learns of the destruction from a XenStore watch, which fires
	# when xl removes the domain's tree at the end of its destroy
	# (that alone has taken seconds under a loaded host).  The time
	# after xl returned is what detection itself costs.
	t0=$(date +%s%N)
	xl destroy yb4
	td=$(date +%s%N)
	i=0
	while ! grep -v "connected, served" /tmp/srv-destroy.log |
		grep -q "client yasmin:$D4"; do
		i=$((i + 1))
		[ $i -gt 600 ] && break
		sleep 0.05
	done
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	after=$(( (t1 - td) / 1000000 ))
	took=$(( (td - t0) / 1000000 ))
	line=$(grep -v "connected, served" /tmp/srv-destroy.log | grep "client yasmin:$D4" | tail -n 1)
	# The server must say the peer went away and why, not that it finished.
	case $line in
	*"went away"*"destroyed or crashed"*) ok=1 ;;
	*) ok=0 ;;
	esac
	if [ $ok = 1 ] && [ $ms -le 30000 ]; then
		pass "destroyed-peer noticed $after ms after xl destroy returned (it took $took ms): ${line#*: }"
	else
		fail "destroyed-peer not reported within $ms ms (xl destroy took $took ms): ${line:-nothing}"
		tail -n 8 /var/log/xen/console/guest-yb4.log
	fi
else
	fail "destroyed-peer: the stream never started: $(tail -n 3 /tmp/srv-destroy.log)"
	xl destroy yb4
fi
sleep 1
left=$(xenstore-list /local/domain/0/data/yasmin-bench/yasmin-7470 2>/dev/null | grep '^reply')
if [ -z "$left" ] && xenstore-read /local/domain/0/data/yasmin-bench/yasmin-7470/state >/dev/null 2>&1; then
	pass "destroyed-peer no rendezvous reply left in XenStore"
else
	fail "destroyed-peer rendezvous reply left: $left"
fi
# yb5 first asks with a request claiming to be the domain created after
# it (ids are handed out in sequence), then as itself; that next domain
# must then be served as usual.
mkcfg yb5 client-after-destroy 0 169.254.0.15/16 "" "yb.claim=$((D4 + 2))"
D5=$(create yb5) && xl unpause yb5
wait_gone yb5 1200 || { fail "yb5 did not finish"; xl destroy yb5; }
mkcfg yb8 claimed 0 169.254.0.18/16 ""
D8=$(create yb8) && xl unpause yb8
[ "$D8" = "$((D4 + 2))" ] || fail "spoofed-request: the claimed domain is $((D4 + 2)), yb8 got $D8"
wait_gone yb8 1200 || { fail "yb8 did not finish"; xl destroy yb8; }
kill $S4
wait $S4
if grep -q "refused a request written by domain $D5 claiming to be domain $((D4 + 2))" /tmp/srv-destroy.log; then
	pass "spoofed-request server log: $(grep -o "refused a request written by.*" /tmp/srv-destroy.log | head -n 1)"
else
	fail "spoofed-request: the server did not log the refusal: $(tail -n 4 /tmp/srv-destroy.log)"
fi
collect yb5
collect yb8
cp /tmp/srv-destroy.log /results/dom0-logs/
cp /var/log/xen/console/guest-yb4.log /results/dom0-logs/ 2>/dev/null
xs_clean "after-destroy:"
echo "YBLAB phase 3 done at $(elapsed) s"

# --- 4. the serving domain destroyed while dom0 streams from it --------------
# dom0 soaks from a domU's yasmin and vchan servers, every byte checked;
# the domU is destroyed.  Each client must stop with the cause named
# (exit 1), and its results must keep what was moved and verified.
# Its servers are for any domain (a guest serving "any" learns of requests
# from a watch on every domain's tree), and may grant both rings at once.
mkcfg yb9 server any 169.254.0.19/16 "" "yb.gntalloc=8192"
D9=$(create yb9) && xl unpause yb9
echo "YBLAB domU yb9 is domain $D9"
if wait_log /var/log/xen/console/guest-yb9.log "YBLAB SERVING" 600; then
	sleep 2
	for t in yasmin vchan; do
		yasmin-bench client $t:$D9 --duration 600 --verify --no-plot \
			--out /results/dom0/destroyed-server-$t > /tmp/dsrv-$t.log 2>&1 &
		echo $! > /tmp/dsrv-$t.pid
	done
	# Streaming: both have been soaking for a while.
	sleep 20
	t0=$(date +%s%N)
	xl destroy yb9
	td=$(date +%s%N)
	for t in yasmin vchan; do
		pid=$(cat /tmp/dsrv-$t.pid)
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do
			i=$((i + 1))
			sleep 0.05
		done
		t1=$(date +%s%N)
		if kill -0 "$pid" 2>/dev/null; then
			fail "destroyed-server-$t: the client still runs 30 s after xl destroy"
			kill "$pid"
			continue
		fi
		wait "$pid"
		rc=$?
		cp /tmp/dsrv-$t.log /results/dom0-logs/
		line=$(grep "went away" /tmp/dsrv-$t.log | tail -n 1)
		case "$rc:$line" in
		1:*"peer went away (its domain was destroyed or crashed)"*)
			pass "destroyed-server-$t noticed $(( (t1 - td) / 1000000 )) ms after xl destroy returned (it took $(( (td - t0) / 1000000 )) ms), exit 1: ${line#*: }" ;;
		*)
			fail "destroyed-server-$t: exit $rc: $(tail -n 2 /tmp/dsrv-$t.log)" ;;
		esac
		j=/results/dom0/destroyed-server-$t/results.json
		b=$(sed -n '/"soak"/,/"ended"/s/.*"verified_bytes": "\([0-9]*\)".*/\1/p' "$j" 2>/dev/null | head -n 1)
		if grep -q '"complete": false' "$j" 2>/dev/null && [ "${b:-0}" -gt 0 ] &&
			grep -q '"ended": "error' "$j"; then
			pass "soak-interrupted-$t: $b bytes verified before the error, kept with complete: false"
		else
			fail "soak-interrupted-$t: no soak totals in $j: $(grep -c . "$j" 2>/dev/null) lines"
		fi
	done
else
	fail "destroyed-server: yb9 did not start serving"
	xl destroy yb9
fi
echo "YBLAB phase 4 done at $(elapsed) s"

# --- 5. many guests at once -------------------------------------------------
# A domU serving any domain (yb10) and three client domUs with a plan of
# wall-clock start times: yb11 alone to yb10 (one domU pair), yb11 and
# yb12 together to yb10 (two pairs at once), then all three together to
# dom0's yasmin server for any domain, then likewise to its vchan server.
# dom0 merges what ran together into scaling tables.  The guests are
# small: four of the usual size would not fit beside dom0.
echo 8192 > $LIMIT
yasmin-bench server yasmin:any > /tmp/srv-many.log 2>&1 & S5=$!
yasmin-bench server vchan:any > /tmp/srv-many-vchan.log 2>&1 & S6=$!
MEM=128 mkcfg yb10 server any 169.254.0.20/16 "" "yb.gntalloc=8192"
D10=$(create yb10) && xl unpause yb10
echo "YBLAB domU yb10 is domain $D10"
if wait_log /var/log/xen/console/guest-yb10.log "YBLAB SERVING" 600; then
	MEM=128 mkcfg yb11 scaling-client 0 169.254.0.21/16 ""
	MEM=128 mkcfg yb12 scaling-client 0 169.254.0.22/16 ""
	MEM=128 mkcfg yb13 scaling-client 0 169.254.0.23/16 ""
	for g in yb11 yb12 yb13; do
		create $g > /dev/null || fail "xl create $g"
	done
	# Paused until the plan is known: it names times well after boot.
	T1=$(( $(date +%s) + 50 ))
	T2=$((T1 + 60))
	T3=$((T2 + 60))
	T4=$((T3 + 60))
	for g in yb11 yb12 yb13; do
		y=yasmin:$D10
		case $g in
		yb11) plan="pair1-one@$y@$T1,pair2-first@$y@$T2,three-a@yasmin:0@$T3,three-vchan-a@vchan:0@$T4" ;;
		yb12) plan="pair2-second@$y@$T2,three-b@yasmin:0@$T3,three-vchan-b@vchan:0@$T4" ;;
		yb13) plan="three-c@yasmin:0@$T3,three-vchan-c@vchan:0@$T4" ;;
		esac
		xenstore-write /local/domain/$(xl domid $g)/ybplan "$plan"
	done
	for g in yb11 yb12 yb13; do
		xl unpause $g
	done
	for g in yb11 yb12 yb13; do
		wait_gone $g 1200 || { fail "$g did not finish"; xl destroy $g; }
	done
	for g in yb11 yb12 yb13; do
		collect $g
	done
	R=/results
	for t in yasmin vchan; do
		log=/tmp/srv-many.log
		[ $t = vchan ] && log=/tmp/srv-many-vchan.log
		if grep -q "(3 clients at once)" $log; then
			pass "concurrent-clients dom0 served three domUs at once over $t:any: $(grep "(3 clients at once)" $log | head -n 1 | sed 's/^[^:]*: //')"
		else
			fail "concurrent-clients: the $t server never served three at once: $(tail -n 4 $log)"
		fi
	done
	if yasmin-bench merge --no-plot -o $R/dom0/concurrent \
		$R/yb11/three-a,$R/yb12/three-b,$R/yb13/three-c > /tmp/merge3.log 2>&1 &&
		awk -F, 'NR > 1 && $4 == 3 { n++ } END { exit !(n > 0) }' $R/dom0/concurrent/scaling.csv; then
		pass "concurrent-clients merged: $(awk -F, 'NR > 1 && $4 == 3 { print $6 " Gbit/s in all, overlap " $10 "%"; exit }' $R/dom0/concurrent/scaling.csv)"
	else
		fail "concurrent-clients merge: $(tail -n 3 /tmp/merge3.log)"
	fi
	if yasmin-bench merge --no-plot -o $R/dom0/domU-pairs \
		$R/yb11/pair1-one $R/yb11/pair2-first,$R/yb12/pair2-second > /tmp/merge2.log 2>&1 &&
		awk -F, 'NR > 1 { p[$4]++ } END { exit !(p[1] > 0 && p[2] > 0) }' $R/dom0/domU-pairs/scaling.csv; then
		pass "domU-pairs-scaling 1 and 2 domU pairs merged: $(awk -F, 'NR > 1 { printf "%s pairs %s Gbit/s; ", $4, $6 }' $R/dom0/domU-pairs/scaling.csv)"
	else
		fail "domU-pairs-scaling merge: $(tail -n 3 /tmp/merge2.log)"
	fi
	cp /tmp/merge*.log /tmp/srv-many*.log /results/dom0-logs/
else
	fail "many-guests: yb10 did not start serving"
fi
xl destroy yb10
kill $S5 $S6
wait $S5 $S6
echo "YBLAB phase 5 done at $(elapsed) s"

# --- results home ------------------------------------------------------------
echo "YBLAB-TAR-BEGIN"
(cd /results && tar -czf - .) | base64
echo "YBLAB-TAR-END"
echo "YBLAB lab time in dom0 $(elapsed) s"
echo "YBLAB DONE"
sync
busybox poweroff -f
