# kill -9 during the handshake, and at arbitrary moments of a run's start,
# over every local transport:
#  - a server daemon that dies while a client waits for its answer (the
#    daemon is stopped, so the client is certainly inside its handshake)
#    is reported by the client within a second;
#  - a client that dies inside its handshake (same trick) costs the daemon
#    nothing: it goes on serving, with no child and no descriptor left;
#  - clients killed and serving processes killed at staggered moments
#    right after they start (connect, rendezvous, hello, first trials)
#    leave the daemon serving, and clients notice dead servers in time;
#  - `run` killed at staggered moments leaves no process, no rendezvous
#    file or directory behind;
#  - nothing appears in /dev/shm (the rings are memfds) at any point.
. "$(dirname "$0")/../lib.sh"

cases=0
# NOTICE_MS (tests/lib.sh): a second here, more in a sanitizer build,
# where a busy machine once held a run's server past 3 s.
exit_ms=$NOTICE_MS
case ${BUILD:-} in *san*) exit_ms=10000 ;; esac
shm_before=$(ls -A /dev/shm 2>/dev/null | sort)
tmp_before=$(ls -d /tmp/yasmin-bench.* 2>/dev/null | sort)

# where_is PID: what a process that should have ended is doing.
where_is() {
	echo "# pid $1: state $(ps -o stat= -p "$1" 2>/dev/null)," \
		"waiting in $(cat /proc/$1/wchan 2>/dev/null)," \
		"syscall $(cut -d' ' -f1 /proc/$1/syscall 2>/dev/null)," \
		"parent $(ps -o ppid= -p "$1" 2>/dev/null)"
	ls -l /proc/$1/fd 2>/dev/null | sed 's/^/# /'
	sed 's/^/# /' /proc/$1/stack 2>/dev/null
}
# gone_within PID MS WHAT: PID has exited (or is a zombie) within MS ms.
gone_within() {
	local t0 st
	t0=$(now_ms)
	while :; do
		st=$(ps -o stat= -p "$1" 2>/dev/null)
		case $st in '' | Z*) return 0 ;; esac
		[ $(($(now_ms) - t0)) -lt "$2" ] ||
			{ where_is "$1"; fail "$3: pid $1 still running after $2 ms"; }
		sleep 0.02
	done
}
# no_children PID MS WHAT: PID has no live child within MS ms.
no_children() {
	local t0 c live
	t0=$(now_ms)
	while :; do
		live=
		for c in $(pgrep -P "$1"); do
			case $(ps -o stat= -p "$c" 2>/dev/null) in '' | Z*) ;; *) live="$live $c" ;; esac
		done
		[ -z "$live" ] && return 0
		[ $(($(now_ms) - t0)) -lt "$2" ] || fail "$3: children$live of $1 still running after $2 ms"
		sleep 0.02
	done
}
start_server() {
	bg "$T/$t.srv" "$BIN" server "$addr"
	srv=$BG_PID
	wait_for "$T/$t.srv" "listening on"
}
client_bg() {
	bg "$T/$1.out" "$BIN" client "$addr" --max-bytes 4M --trial-time 0.05 \
		--no-plot --out "$T/$1"
	cli=$BG_PID
}

for t in tcp unix shm; do
	case $t in
	tcp) port=$(free_port); addr=tcp:127.0.0.1:$port ;;
	*) addr=$t:$T/$t.sock ;;
	esac

	# 1. The server dies while a client is inside its handshake.
	start_server
	kill -STOP $srv
	client_bg "$t-h1"
	sleep 0.3
	ps -o stat= -p $cli | grep -q '^[SR]' || fail "$t: client ended before the handshake"
	t0=$(now_ms)
	kill -9 $srv
	kill -CONT $srv 2>/dev/null
	wait $srv 2>/dev/null
	wait $cli
	rc=$?
	ms=$(($(now_ms) - t0))
	[ $rc -eq 1 ] || { cat "$T/$t-h1.out"; fail "$t: client exited $rc when its server died in the handshake"; }
	[ $ms -lt $NOTICE_MS ] || fail "$t: server death in the handshake noticed after $ms ms"
	grep -c "^yasmin-bench: " "$T/$t-h1.out" | grep -qx 1 &&
		tail -n 1 "$T/$t-h1.out" | grep -q "^yasmin-bench: .*\(peer\|server\)" ||
		{ cat "$T/$t-h1.out"; fail "$t: not one error line naming the peer"; }
	note "$t: server killed in the handshake, client exited 1 after $ms ms: $(tail -n 1 "$T/$t-h1.out")"
	cases=$((cases + 1))

	# 2. A client dies inside its handshake.
	start_server
	base=$(ls /proc/$srv/fd | wc -l)
	kill -STOP $srv
	client_bg "$t-h2"
	sleep 0.3
	kill -9 $cli
	wait $cli 2>/dev/null
	kill -CONT $srv
	sleep 0.2
	no_children $srv $NOTICE_MS "$t: client killed in the handshake"
	cases=$((cases + 1))

	# 3. Clients killed at staggered moments of their start.
	for d in 0 1 2 4 7 10 15 25 40 70; do
		client_bg "$t-k$d"
		sleep "0.0$(printf %02d $d)"
		kill -9 $cli
		wait $cli 2>/dev/null
		no_children $srv $NOTICE_MS "$t: client killed after $d ms"
		cases=$((cases + 1))
	done

	# 4. Serving processes killed at staggered moments after the accept.
	for d in 0 1 2 4 7 10 15 25 40 70; do
		n=$(grep -c "connected, served by pid" "$T/$t.srv")
		client_bg "$t-s$d"
		for i in $(seq 200); do
			[ "$(grep -c "connected, served by pid" "$T/$t.srv")" -gt "$n" ] && break
			sleep 0.005
		done
		sleep "0.0$(printf %02d $d)"
		kill_serving "$T/$t.srv" $cli "$T/$t-s$d.out" "$t: server killed at $d ms"
		cases=$((cases + 1))
	done

	# Still serving, with the descriptors it had before all this.
	"$BIN" client "$addr" --quick --max-bytes 1K --no-plot --out "$T/last-$t" >/dev/null 2>&1 ||
		{ cat "$T/$t.srv"; fail "$t: the daemon did not serve the next client"; }
	no_children $srv $NOTICE_MS "$t: after the last client"
	fds=$(ls /proc/$srv/fd | wc -l)
	[ "$fds" -eq "$base" ] || { ls -l /proc/$srv/fd; fail "$t: daemon holds $fds descriptors, $base before"; }
	ls -l /proc/$srv/fd | grep -q memfd && fail "$t: daemon still holds a ring"
	kill -INT $srv
	wait $srv
done

# 5. `run` killed at staggered moments: its server child ends within a
#    second and nobody leaves a socket or a directory in /tmp (the
#    servers make and remove the directories, so a client killed at any
#    moment leaves none).
# The same for `run --pairs 2`, whose servers hold a directory each.
for d in 0 2 5 10 20 40 80 150 300 600 p0 p3 p10 p40 p150 p400; do
	case $d in
	p*) d=${d#p}
	    bg "$T/run.out" "$BIN" run --pairs 2 -t shm,tcp --quick --max-bytes 64K \
		    --no-plot --out "$T/run-p$d" ;;
	*)  bg "$T/run.out" "$BIN" run --quick --max-bytes 64K --no-plot --out "$T/run-$d" ;;
	esac
	r=$BG_PID
	sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
	kids=$(pgrep -P $r)
	kill -9 $r
	wait $r 2>/dev/null
	for k in $kids; do gone_within "$k" $exit_ms "run killed at $d ms: its server"; done
	# Its server removes what the run left within a second, even one
	# forked after we looked for it.
	for i in $(seq 50); do
		new=$(comm -13 <(echo "$tmp_before") <(ls -d /tmp/yasmin-bench.* 2>/dev/null | sort))
		[ -z "$new" ] && break
		sleep 0.02
	done
	[ -z "$new" ] || fail "left in /tmp by a run killed at $d ms: $new"
	cases=$((cases + 1))
done

shm_after=$(ls -A /dev/shm 2>/dev/null | sort)
[ "$shm_before" = "$shm_after" ] || fail "/dev/shm changed: $(comm -13 <(echo "$shm_before") <(echo "$shm_after"))"
note "$cases fault cases: survivors noticed within a second, nothing left behind"
exit 0
