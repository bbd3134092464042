#!/usr/bin/env bash
# The whole interop suite for csctp (`make interop`):
#   1. the Debian packages (interop/deps.sh) when missing and we are root;
#   2. the peers and the csctp driver (interop/build.sh);
#   3. run.sh -c -O csctp for csctp:usrsctp usrsctp:csctp csctp:pion pion:csctp,
#      every test (bulk: 50 MiB each way), plus 100 concurrent associations
#      csctp -> usrsctp server (many-100) and, between csctp and usrsctp, the
#      RFC 4895 AUTH test (auth), the RFC 6525 reconfiguration rows
#      (reset-*, tsnreset-*, addstreams-*; with pion reset-close-*, pion
#      resetting the streams it closes) and the RFC 8260 I-DATA rows
#      (idata-c2s, idata-s2c; also with pion, and idata-rcv128k-* where
#      usrsctp receives into a 128 KiB buffer); every pair captured and checked
#      with tshark (capture/check.sh);
#   4. when root and nft works: the echo and bulk tests again (bulk 5m) with
#      INTEROP_LOSS % (default 2) of the datagrams dropped each way by an nft
#      rule on the server's UDP port (table inet csctp_interop_loss, removed
#      at exit);
#   5. the SCTP over DTLS rows: csctp over pion/dtls <-> pion/sctp over
#      pion/dtls, both roles, zero checksum off and on (interop/dtls.sh);
#   6. when root: multihomed failover csctp -> usrsctp and usrsctp ->
#      csctp (scripts/mh_rig.sh with a usrsctp server, then a usrsctp
#      client: primary link down / 100 % loss and back, SHA-256 checked,
#      failover / failback times); skipped with the reason otherwise;
#   7. docs/interop.md: the matrices, the figures, the chunk counts.
# Ends with "N passed, M failed"; exit 1 if anything failed.
#
#   interop/interop.sh [-b BULK] [-p PAIRS] [-m MANY] [-d DOC] [-n]
#     -b BULK   bulk transfer size (default 50m)
#     -p PAIRS  space-separated CLIENT:SERVER pairs (default the four above)
#     -m MANY   concurrent associations csctp -> usrsctp (default 100; 0: skip)
#     -d DOC    report file (default docs/interop.md)
#     -n        do not build (use what is in build/interop)
# Environment: CSCTP_LIB (library the driver links; default: make lib),
# INTEROP_PORT (server UDP port, default 29899), INTEROP_LOSS (percent, 0: no
# lossy pass), INTEROP_CC (reno or cubic: the csctp peer's congestion
# controller, passed to it as CSCTP_INTEROP_CC; default reno, RFC 9260 7.2;
# the peers of the other stacks keep their own).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${INTEROP_BIN:-$root/build/interop}
bulk=50m
pairs="csctp:usrsctp usrsctp:csctp csctp:pion pion:csctp"
many=100
doc=$root/docs/interop.md
build=1
port=${INTEROP_PORT:-29899}
loss=${INTEROP_LOSS:-2}
lossy_tests="echo bulk-c2s bulk-s2c"
# The lossy pass runs against both peers. Against pion it used to hang now
# and then (the pion server never exited): a capture (2026-12-07, echo, 2 %
# loss) showed our SHUTDOWN COMPLETE dropped by the loss rule after pion's
# SHUTDOWN ACK, our peer process exiting at once, and pion resending
# SHUTDOWN ACK at +1, +3, +7, +15 s to a closed port. The csctp peer now
# keeps its stack alive 2.5 s after its last association ended (a TIME-WAIT;
# the stack answers a late SHUTDOWN ACK out of the blue, RFC 9260 8.4 (5)).
# INTEROP_LOSS_PAIRS overrides.
lossy_pairs=${INTEROP_LOSS_PAIRS:-"csctp:usrsctp usrsctp:csctp csctp:pion pion:csctp"}
lossy_done=0
cmdline="make interop"
[[ -n ${MAKELEVEL:-} ]] || cmdline="interop/interop.sh $*"

while getopts "b:p:m:d:nh" o; do
	case $o in
	b) bulk=$OPTARG ;;
	p) pairs=$OPTARG ;;
	m) many=$OPTARG ;;
	d) doc=$OPTARG ;;
	n) build=0 ;;
	*) sed -n '2,22p' "$0"; exit 2 ;;
	esac
done

t0=$(date +%s)
out=$bin/out
mkdir -p "$out"
# Fresh logs: stale ones would leak into the report.
rm -rf "${out:?}"/*

# ------------------------------------------------------------------ deps
missing=()
for p in libusrsctp-dev tshark; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	if [[ $(id -u) == 0 ]]; then
		echo "== interop (+${SECONDS} s): installing ${missing[*]}"
		"$here/deps.sh" || { apt-get update -qq && "$here/deps.sh"; } || {
			echo "interop: installing ${missing[*]} failed" >&2
			exit 1
		}
	else
		echo "interop: missing packages: ${missing[*]} (run interop/deps.sh as root)" >&2
		exit 1
	fi
fi
command -v go >/dev/null || { echo "interop: go not found (needed for the pion peer)" >&2; exit 1; }

# ----------------------------------------------------------------- build
if ((build)); then
	echo "== interop (+${SECONDS} s): building the peers"
	"$here/build.sh" || { echo "interop: build failed" >&2; exit 1; }
fi
export PEER_CSCTP=$bin/csctp-peer
icc=${INTEROP_CC:-reno}
case $icc in
reno | cubic) export CSCTP_INTEROP_CC=$icc ;;
*) echo "interop: INTEROP_CC=$icc: want reno or cubic" >&2; exit 2 ;;
esac
echo "== interop (+${SECONDS} s): csctp congestion control: $icc"

# ------------------------------------------------------- PR-SCTP rows
# csctp <-> usrsctp / pion with PR-SCTP TTL / RTX under loss, FORWARD TSN
# checked on the wire (interop/prsctp.sh). They run in the background beside
# the pairs below, on their own UDP port: at 10 % loss they mostly wait out
# the peers' retransmission timers (minutes of wall time, seconds of CPU).
pr_pid=""
pr_port=$((port + 12))
if [[ $(id -u) == 0 ]] && command -v nft >/dev/null; then
	echo "== interop (+${SECONDS} s): PR-SCTP rows started in the background (UDP port $pr_port)"
	mkdir -p "$out/prsctp"
	INTEROP_BIN=$bin "$here/prsctp.sh" -p "$pr_port" -o "$out/prsctp" >"$out/prsctp.log" 2>&1 &
	pr_pid=$!
fi

# ------------------------------------------------------------------- run
ALL="echo send-c2s send-s2c bulk-c2s bulk-s2c shutdown-by-server abort-by-client abort-by-server restart many"
total_pass=0
total_fail=0
for pair in $pairs; do
	c=${pair%%:*}
	s=${pair#*:}
	tests=$ALL
	if [[ $c == csctp && $s == usrsctp ]] && ((many > 0)); then
		tests+=" many-$many"
	fi
	# RFC 6525 stream reconfiguration with usrsctp, both sides asking
	# (run.sh: reset, SSN/TSN reset, add streams; each both ways).
	if [[ $pair == csctp:usrsctp || $pair == usrsctp:csctp ]]; then
		tests+=" reset-c2s reset-s2c tsnreset-c2s tsnreset-s2c addstreams-c2s addstreams-s2c"
	fi
	# RFC 6525 with pion: pion/sctp resets its outgoing streams when they
	# are closed (run.sh reset-close-*: pion sends, csctp performs).
	[[ $pair == pion:csctp ]] && tests+=" reset-close-c2s"
	[[ $pair == csctp:pion ]] && tests+=" reset-close-s2c"
	# RFC 4895 AUTH: usrsctp supports it, pion does not. RFC 8260 I-DATA
	# rows (idata-c2s, idata-s2c): usrsctp takes -idata; the capture must
	# then hold I-DATA chunks sent by csctp, decoded with 0 malformed.
	# idata-rcv128k-*: the receiver has a 128 KiB buffer (run.sh rcv128k),
	# both ways: usrsctp receiving with -pd-point 4k, csctp receiving
	# parts of several streams' messages interleaved (RFC 6458 8.1.20
	# level 2, RFC 8260 4.3.1; interop/README.md "I-DATA into a small
	# receive buffer").
	# pion/sctp v1.12.1 negotiates I-DATA and I-FORWARD-TSN too (its
	# association.go setSupportedExtensions / updateInterleavingState).
	req=INIT,INIT_ACK,COOKIE_ECHO,COOKIE_ACK,DATA,SACK,SHUTDOWN,SHUTDOWN_ACK,SHUTDOWN_COMPLETE,ABORT
	if [[ $pair == csctp:usrsctp || $pair == usrsctp:csctp ]]; then
		tests+=" auth idata-c2s idata-s2c idata-rcv128k-c2s idata-rcv128k-s2c"
		req+=,I_DATA
	fi
	if [[ $pair == csctp:pion || $pair == pion:csctp ]]; then
		tests+=" idata-c2s idata-s2c"
		req+=,I_DATA
	fi
	echo "== interop (+${SECONDS} s): $c -> $s ($tests)"
	INTEROP_BIN=$bin "$here/run.sh" -c -O csctp -b "$bulk" -p "$port" -o "$out" -r "$req" -t "${tests// /,}" "$pair" \
		2>&1 | tee "$out/$c-$s.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/$c-$s.log" | tail -1)
	if [[ -z $line ]]; then
		total_fail=$((total_fail + 1))
		echo "FAIL run.sh $pair: no summary line" | tee -a "$out/$c-$s.log"
	else
		total_pass=$((total_pass + ${line%% passed*}))
		f=${line#*, }
		total_fail=$((total_fail + ${f%% failed}))
	fi
done

# ----------------------------------------------------------- lossy pass
nft_table=csctp_interop_loss
command -v nft >/dev/null && [[ $(id -u) == 0 ]] && nft delete table inet $nft_table 2>/dev/null
if [[ $loss != 0 && $(id -u) == 0 ]] && command -v nft >/dev/null &&
	nft add table inet $nft_table 2>/dev/null; then
	trap 'nft delete table inet $nft_table 2>/dev/null' EXIT
	nft add chain inet $nft_table in '{ type filter hook input priority 0; }' &&
		nft add rule inet $nft_table in udp dport "$port" udp length '>' 24 numgen random mod 100 '<' "$loss" drop &&
		nft add rule inet $nft_table in udp sport "$port" udp length '>' 24 numgen random mod 100 '<' "$loss" drop
	mkdir -p "$out/lossy"
	for pair in $lossy_pairs; do
		c=${pair%%:*}
		s=${pair#*:}
		echo "== interop (+${SECONDS} s): $c -> $s with $loss% loss each way ($lossy_tests)"
		INTEROP_BIN=$bin "$here/run.sh" -b 5m -p "$port" -o "$out/lossy" -t "${lossy_tests// /,}" "$pair" \
			2>&1 | tee "$out/lossy/$c-$s.log"
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/lossy/$c-$s.log" | tail -1)
		if [[ -z $line ]]; then
			total_fail=$((total_fail + 1))
		else
			total_pass=$((total_pass + ${line%% passed*}))
			f=${line#*, }
			total_fail=$((total_fail + ${f%% failed}))
		fi
	done
	nft delete table inet $nft_table
	trap - EXIT
	lossy_done=1
else
	echo "== interop (+${SECONDS} s): lossy pass skipped (needs root and nft; INTEROP_LOSS=$loss)"
fi

# ------------------------------------------------------- PR-SCTP rows
# (started above)
if [[ -n $pr_pid ]]; then
	wait "$pr_pid"
	echo "== interop (+${SECONDS} s): PR-SCTP rows (csctp <-> usrsctp / pion under loss; ran in the background)"
	cat "$out/prsctp.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/prsctp.log" | tail -1)
	if [[ -z $line ]]; then
		total_fail=$((total_fail + 1))
	else
		total_pass=$((total_pass + ${line%% passed*}))
		f=${line#*, }
		total_fail=$((total_fail + ${f%% failed}))
	fi
else
	echo "== interop (+${SECONDS} s): PR-SCTP rows skipped (need root and nft)"
fi

# ------------------------------------------------------- SCTP over DTLS rows
# csctp's go/sctp over pion/dtls <-> pion/sctp over pion/dtls, both roles,
# zero checksum (RFC 9653) off and on (interop/dtls.sh; Go module
# interop/dtls).
echo "== interop (+${SECONDS} s): SCTP over DTLS rows (csctp <-> pion/sctp, RFC 8261, RFC 9653)"
"$here/dtls.sh" -o "$out/dtls" 2>&1 | tee "$out/dtls.log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/dtls.log" | tail -1)
if [[ -z $line ]]; then
	total_fail=$((total_fail + 1))
else
	total_pass=$((total_pass + ${line%% passed*}))
	f=${line#*, }
	total_fail=$((total_fail + ${f%% failed}))
fi

# --------------------------------------------------------- ASCONF rows
# Each side moves an association to the other with Add IP / Set Primary /
# Delete IP (RFC 5061) inside a namespace (interop/asconf.sh; its header
# says what each row asserts, e.g. csctp's F8 refusal of usrsctp's Delete
# IP sent from the address it deletes).
if [[ $(id -u) == 0 ]] && command -v ip >/dev/null; then
	echo "== interop (+${SECONDS} s): ASCONF rows (usrsctp <-> csctp)"
	INTEROP_BIN=$bin "$here/asconf.sh" -o "$out/asconf" 2>&1 | tee "$out/asconf.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/asconf.log" | tail -1)
	if [[ -z $line ]]; then
		total_fail=$((total_fail + 1))
	else
		total_pass=$((total_pass + ${line%% passed*}))
		f=${line#*, }
		total_fail=$((total_fail + ${f%% failed}))
	fi
else
	echo "== interop (+${SECONDS} s): ASCONF rows skipped (need root and ip)"
fi

# ------------------------------------------------ multihomed failover rows
# Both multihomed over two veth links in network namespaces, UDP
# encapsulation; the primary link goes down (and separately 100 % nft loss
# one way) at 2 s and comes back at 5 s while the client sends a numbered
# stream; SHA-256 compared, failover / failback times printed
# (scripts/mh_rig.sh): csctp client -> usrsctp server (make
# multihome-usrsctp, logs in multihome/), and usrsctp client -> csctp
# server (scripts/mh_peer_usrsctp.c -client, logs in multihome-from-usrsctp/).
mh_note=""
mh_dirs=()
if [[ $(id -u) != 0 ]]; then
	mh_note="skipped: needs root (network namespaces, nft)"
elif ! make -s -C "$root" build/mh_peer build/mh_peer_usrsctp >"$out/multihome.build.log" 2>&1; then
	mh_note="FAIL: building scripts/mh_peer*.c (see $out/multihome.build.log)"
	total_fail=$((total_fail + 1))
else
	for dir in multihome multihome-from-usrsctp; do
		if [[ $dir == multihome ]]; then
			what="csctp -> usrsctp"
			client=$root/build/mh_peer server=$root/build/mh_peer_usrsctp
		else
			what="usrsctp -> csctp"
			client=$root/build/mh_peer_usrsctp server=$root/build/mh_peer
		fi
		echo "== interop (+${SECONDS} s): multihomed failover rows ($what, scripts/mh_rig.sh)"
		BUILD=$root/build MH_TRANSPORTS=udp MH_PEER=$client MH_SERVER_PEER=$server \
			MH_LOGDIR=$out/$dir bash "$root/scripts/mh_rig.sh" 2>&1 | tee "$out/$dir.log"
		line=$(grep -E '^multihome: [0-9]+ passed, [0-9]+ failed$' "$out/$dir.log" | tail -1)
		if [[ -z $line ]]; then
			total_fail=$((total_fail + 1))
			mh_note+="FAIL ($what): the rig printed no summary (see $out/$dir.log) "
		else
			mh_dirs+=("$dir")
			line=${line#multihome: }
			total_pass=$((total_pass + ${line%% passed*}))
			f=${line#*, }
			total_fail=$((total_fail + ${f%% failed}))
		fi
	done
fi
[[ -n $mh_note ]] && echo "== interop (+${SECONDS} s): multihomed failover rows $mh_note"
t1=$(date +%s)

# ---------------------------------------------------------------- report

# kv KEY LINE: the value of KEY= in LINE
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }

# csctp_sum KEY FILE: KEY summed over the per-association RESULT lines
csctp_sum() {
	grep '^RESULT impl=csctp' "$2" 2>/dev/null | grep -v ' summary ' |
		tr ' ' '\n' | sed -n "s/^$1=//p" | awk '{s += $1} END {print s + 0}'
}

# cell PAIR TEST: the matrix cell
cell() {
	local c=${1%%:*} s=${1#*:} t=$2 line
	local d=${logdir:-$out}
	line=$(grep -E "^(PASS|FAIL) $t client=$c server=$s[: ]" "$d/$c-$s.log" 2>/dev/null | head -1)
	[[ -n $line ]] || { echo "—"; return; }
	if [[ $line == FAIL* ]]; then
		echo "**FAIL**:${line#*server=$s:}" | sed 's/ (logs: .*)$//; s/|/\\|/g'
		return
	fi
	local cm sm cc sc h txt="pass"
	cm=$(kv client_mbps "$line")
	sm=$(kv server_mbps "$line")
	cc=$(kv client_close "$line")
	sc=$(kv server_close "$line")
	h=$(kv sha256 "$line")
	case $t in
	bulk-c2s) txt+=" · ${sm} MB/s · sha256 equal (${h:0:12}…)" ;;
	bulk-s2c) txt+=" · ${cm} MB/s · sha256 equal (${h:0:12}…)" ;;
	send-c2s | idata-c2s | idata-rcv128k-c2s) txt+=" · ${sm} MB/s" ;;
	send-s2c | idata-s2c | idata-rcv128k-s2c) txt+=" · ${cm} MB/s" ;;
	echo | restart | many*) txt+=" · ${cm} MB/s echoed" ;;
	auth-wire) txt+=" · ${line#*: }" ;;
	auth)
		# run.sh lists the AUTH chunks per side: "  auth SIDE hmac_id=H key_id=K chunks=N"
		local a
		a=$(grep -E '^  auth (client|server) hmac_id=[0-9]+ key_id=[0-9]+ ' "$d/$c-$s.log" 2>/dev/null |
			awk '{ sub("hmac_id=", "", $3); sub("chunks=", "", $5); printf "%s%s %s× HMAC id %s", sep, $2, $5, $3; sep = ", " }')
		txt+=" · ${cm} MB/s echoed · AUTH before DATA: ${a:-not captured}"
		;;
	esac
	case $t in
	shutdown-by-server | abort-by-client | abort-by-server) txt+=" · $cc / $sc" ;;
	restart)
		local rs
		rs=$(grep '^RESULT' "$d/$c-$s.restart.server.out" 2>/dev/null | grep -v summary | head -1)
		txt+=" · restarts seen by server: $(kv restarts "$rs")"
		;;
	esac
	# csctp's own recovery figures for the test
	local f=""
	[[ $c == csctp ]] && f="$d/$c-$s.$t.client.out"
	[[ $s == csctp ]] && f="$d/$c-$s.$t.server.out"
	if [[ -n $f ]]; then
		local rtx t3
		rtx=$(csctp_sum retransmits "$f")
		t3=$(csctp_sum t3_expiries "$f")
		((rtx > 0 || t3 > 0)) && txt+=" · csctp rtx $rtx, T3 $t3"
	fi
	echo "$txt"
}

desc() {
	case $1 in
	echo) echo "ping/echo: 300 messages, 10 streams, every 4th unordered, 1 B – 256 KiB, PPIDs checked; graceful end by the client" ;;
	send-c2s) echo "300 plan messages client → server (10 streams, ordered and unordered, 1 B – 256 KiB), each verified" ;;
	send-s2c) echo "the same, server → client" ;;
	bulk-c2s) echo "$bulk in 64 KiB messages client → server, SHA-256 compared" ;;
	bulk-s2c) echo "$bulk server → client, SHA-256 compared" ;;
	shutdown-by-server) echo "server echoes 50 messages then SHUTDOWN; client must see peer-shutdown" ;;
	abort-by-client) echo "client ABORTs after the echoes; server must see peer-abort" ;;
	abort-by-server) echo "server ABORTs after receiving 50 messages; client must see peer-abort" ;;
	restart) echo "client vanishes, comes back from the same UDP/SCTP ports (RFC 9260 5.2); server must report 1 restart" ;;
	many) echo "8 concurrent associations, 50 messages each, echoed" ;;
	auth-wire) echo "tshark on the pair's capture: packets carrying an AUTH chunk decoded from each side (> 0), none of them malformed" ;;
	auth) echo "RFC 4895 AUTH on both sides, each accepting DATA only authenticated: echo of 100 plan messages; AUTH chunks per side and HMAC id from the capture" ;;
	idata-c2s) echo "RFC 8260 I-DATA negotiated by both sides (round robin scheduler): 300 plan messages client → server (10 streams, 4 unordered, 1 B – 256 KiB), each verified; the capture holds I-DATA sent by csctp" ;;
	idata-s2c) echo "the same with I-DATA, server → client" ;;
	idata-rcv128k-c2s) echo "idata-c2s into a 128 KiB receive buffer (both readers at fragment interleave level 2, RFC 6458 8.1.20, putting each stream's message together from its parts; usrsctp with partial delivery point 4 KiB)" ;;
	idata-rcv128k-s2c) echo "the same, server → client" ;;
	many-*) echo "${1#many-} concurrent associations from one csctp stack (one UDP port) to one usrsctp server, 50 messages each (1 B – 256 KiB), echoed" ;;
	wire-check) echo "tshark: CRC32c, malformed frames, expert errors, every chunk type csctp sent decodes as that type" ;;
	esac
}

mkdir -p "$(dirname "$doc")"
{
	echo "# Interoperability matrix"
	echo
	echo "Generated by \`$cmdline\` on $(date -u '+%Y-%m-%d %H:%M UTC') in $((t1 - t0)) s"
	echo "($(nproc) CPUs, $(uname -sr)). csctp $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?');"
	echo "usrsctp $(dpkg-query -W -f='${Version}' libusrsctp-dev 2>/dev/null) (Debian libusrsctp);"
	echo "pion/sctp $(sed -n 's/^[[:space:]]*github.com\/pion\/sctp \(v[^ ]*\).*/\1/p' "$here/pion/go.mod" | head -1);"
	echo "tshark $(tshark --version 2>/dev/null | head -1 | awk '{print $3}')."
	echo "All traffic is SCTP over UDP (RFC 6951) on loopback; csctp runs with a 1200-byte"
	echo "packet size (\`-mtu 1200\`, what pion accepts), 4 MiB buffers, congestion control $CSCTP_INTEROP_CC"
	echo "(INTEROP_CC). Driver: \`interop/csctp/peer.c\`;"
	echo "harness and peers: \`interop/README.md\`."
	echo
	echo "**Result: $total_pass passed, $total_fail failed.**"
	echo
	printf '| test |'
	for pair in $pairs; do printf ' %s → %s |' "${pair%%:*}" "${pair#*:}"; done
	echo
	printf '|---|'
	for _ in $pairs; do printf -- '---|'; done
	echo
	tests_all="$ALL"
	((many > 0)) && tests_all+=" many-$many"
	tests_all+=" auth auth-wire idata-c2s idata-s2c idata-rcv128k-c2s idata-rcv128k-s2c"
	for t in $tests_all wire-check; do
		printf '| `%s` |' "$t"
		for pair in $pairs; do
			c=${pair%%:*}
			s=${pair#*:}
			if [[ $t == wire-check ]]; then
				l=$(grep -E "^(PASS|FAIL) wire-check client=$c server=$s" "$out/$c-$s.log" 2>/dev/null | head -1)
				if [[ -z $l ]]; then
					printf ' — |'
				elif [[ $l == PASS* ]]; then
					chk="$out/$c-$s.pcapng.check"
					side=client
					[[ $s == csctp ]] && side=server
					sl=$(grep "^SIDE $side " "$chk" 2>/dev/null)
					printf ' pass · %s packets from csctp, 0 bad CRC, 0 malformed |' "$(kv packets "$sl")"
				else
					printf ' **FAIL** |'
				fi
			else
				printf ' %s |' "$(cell "$pair" "$t")"
			fi
		done
		echo
	done
	echo
	echo "MB/s are 10^6 bytes per second as measured by the receiver (transfers) or the client"
	echo "(echo: the whole exchange, both directions counted once). \"csctp rtx / T3\" are csctp's"
	echo "retransmitted DATA chunks and T3-rtx expiries in that test (loss on loopback comes from UDP"
	echo "socket buffers overflowing)."
	echo
	if ((lossy_done)); then
		echo "## With $loss% loss"
		echo
		echo "The same peers with an nft rule dropping $loss% of the datagrams in each direction"
		echo "(\`numgen random mod 100 < $loss drop\` on the server's UDP port; datagrams of a lone 4-byte"
		echo "chunk, COOKIE ACK / SHUTDOWN ACK / SHUTDOWN COMPLETE, are spared: a peer process that exited"
		echo "after its SHUTDOWN COMPLETE cannot answer a retransmitted SHUTDOWN ACK), bulk 5 MiB, no capture."
		echo
		printf '| test |'
		for pair in $lossy_pairs; do printf ' %s → %s |' "${pair%%:*}" "${pair#*:}"; done
		echo
		printf '|---|'
		for _ in $lossy_pairs; do printf -- '---|'; done
		echo
		for t in $lossy_tests; do
			printf '| `%s` |' "$t"
			for pair in $lossy_pairs; do printf ' %s |' "$(logdir=$out/lossy cell "$pair" "$t")"; done
			echo
		done
		echo
	fi
	if [[ -n $pr_pid && -f $out/prsctp.log ]]; then
		echo "## PR-SCTP under loss (RFC 3758, RFC 7496)"
		echo
		echo "\`interop/prsctp.sh\`: the PR sender sends 150 messages (1 B to 256 KiB) with a lifetime of 50 ms"
		echo "(ttl) or at most one retransmission (rtx) through 10 % nft loss each way; the receiver checks"
		echo "order, payload and no duplicates and lets abandoned messages be missing; the capture must decode"
		echo "cleanly and hold FORWARD TSN (I-FORWARD TSN with I-DATA, RFC 8260 2.3.1) from the PR sender."
		echo
		echo "\"abandoned\" is what the peers' programs report (usrsctp's counts chunks, pion's reports none)."
		echo
		echo '| row | client → server | FORWARD TSN chunks from the sender | abandoned | missing (receiver) | result |'
		echo '|---|---|---|---|---|---|'
		grep -E '^(PASS|FAIL) ' "$out/prsctp.log" | while read -r res t rest; do
			fwd=$(sed -n 's/.*forward_tsn_from_[a-z]*=\([0-9]*\).*/\1/p' <<<"$rest")
			echo "| \`$t\` | $(kv client "$rest") → $(kv server "$rest" | tr -d :) | ${fwd:-–} |" \
				"$(kv abandoned "$rest") | $(kv missing "$rest") | $res |"
		done
		echo
	fi
	if [[ -f $out/dtls.log ]]; then
		echo "## SCTP over DTLS (RFC 8261) with pion/sctp"
		echo
		echo "csctp's \`sctp.Client\` / \`sctp.Server\` over a pion/dtls v4.0.1 connection (UDP on loopback)"
		echo "against pion/sctp v1.12.1 over pion/dtls (\`interop/dtls.sh\`): 48 messages (1 B to 16 kB) on"
		echo "streams 0..3 each way, stream, PPID, order and SHA-256 of each checked, then csctp's"
		echo "graceful close. \"checksum 0\" counts the SCTP packets with a zero checksum (RFC 9653): csctp"
		echo "keeps a CRC32c on INIT and COOKIE ECHO (and the INIT ACK it answers statelessly)."
		echo
		echo "| row | zero checksum | messages | SHA-256 | csctp sent, checksum 0 | pion sent, checksum 0 |"
		echo "|---|---|---|---|---|---|"
		grep '^RESULT row=' "$out/dtls.log" | while read -r l; do
			echo "| $(kv row "$l") | $(kv zero_checksum "$l") | $(kv msgs "$l") | $(kv sha256 "$l") | $(kv out_zero "$l") | $(kv in_zero "$l") |"
		done
		echo
		grep -E '^(PASS|FAIL): TestDTLSCsctpBoth' "$out/dtls.log" | sed 's/^\(PASS\|FAIL\): TestDTLSCsctpBoth.*/csctp <-> csctp over DTLS with zero checksum: \1./'
		echo
	fi
	echo "## Multihomed failover (csctp ↔ usrsctp)"
	echo
	echo "csctp (\`scripts/mh_peer.c\`) and usrsctp (\`scripts/mh_peer_usrsctp.c\`), each with two addresses"
	echo "on two veth links between network namespaces, UDP encapsulation; the client sends numbered"
	echo "messages, its primary link is lost at 2 s (link down; 100 % nft loss A → B) and back at 5 s"
	echo "(\`scripts/mh_rig.sh\`; csctp → usrsctp is \`make multihome-usrsctp\`)."
	echo
	[[ -n $mh_note ]] && echo "$mh_note" && echo
	for dir in "${mh_dirs[@]}"; do
		[[ $dir == multihome ]] && echo "csctp client → usrsctp server:" || echo "usrsctp client → csctp server:"
		echo
		grep -m1 '^multihome: timers:' "$out/$dir.log" | sed 's/^multihome: /Settings: /'
		echo
		echo "| transport | primary link | result |"
		echo "|---|---|---|"
		grep -E '^\| udp \| ' "$out/$dir.log"
		echo
	done
	echo "## Tests"
	echo
	echo "| test | what |"
	echo "|---|---|"
	for t in $tests_all wire-check; do echo "| \`$t\` | $(desc "$t") |"; done
	echo
	echo "## Chunks on the wire (tshark)"
	echo
	echo "Chunk types decoded per sender over all tests of a pair. csctp's column is what our stack"
	echo "sent; every chunk type in it decoded as that type (no unknown types, no malformed frame, no"
	echo "bad CRC32c from csctp)."
	echo
	for pair in $pairs; do
		c=${pair%%:*}
		s=${pair#*:}
		chk="$out/$c-$s.pcapng.check"
		[[ -f $chk ]] || continue
		echo "### $c (client) → $s (server)"
		echo
		head -1 "$chk" | sed 's/^CHECK pcap=[^ ]* /`/; s/$/`/'
		echo
		echo "| chunk | sent by $c (client) | sent by $s (server) |"
		echo "|---|---:|---:|"
		grep '^SENT ' "$chk" | awk '{print $3}' | sort -u | while read -r ch; do
			a=$(awk -v ch="$ch" '$1 == "SENT" && $2 == "client" && $3 == ch {print $4}' "$chk")
			b=$(awk -v ch="$ch" '$1 == "SENT" && $2 == "server" && $3 == ch {print $4}' "$chk")
			echo "| $ch | ${a:-0} | ${b:-0} |"
		done
		# csctp's own DATA count against what tshark decoded from csctp
		side=client
		[[ $s == csctp ]] && side=server
		own=0
		for f in "$out/$c-$s".*."$side".out; do
			[[ -f $f ]] || continue
			own=$((own + $(csctp_sum data_chunks_out "$f")))
		done
		seen=$(awk -v sd="$side" '$1 == "SENT" && $2 == sd && $3 == "DATA" {print $4}' "$chk")
		echo
		echo "DATA chunks csctp counted sending: $own; DATA chunks tshark decoded from csctp: ${seen:-0}."
		grep '^PEER_ISSUE' "$chk" | sed 's/^PEER_ISSUE /Peer issue (not csctp): /; s/$/./'
		grep -q '^WARN capture' "$out/$c-$s.log" && echo "(dumpcap dropped packets in this capture: counts are low.)"
		echo
	done
	echo "## Failures"
	echo
	if grep -h '^failed: ' "$out"/*.log "$out"/lossy/*.log >/dev/null 2>&1; then
		grep -h '^failed: ' "$out"/*.log | sed 's/^failed: /- /'
		grep -h '^failed: ' "$out"/lossy/*.log 2>/dev/null | sed 's/^failed: /- (with loss) /'
	else
		echo "None."
	fi
} >"$doc"

echo "== interop (+${SECONDS} s): report in ${doc#"$root"/} ($((t1 - t0)) s)"
echo "$total_pass passed, $total_fail failed"
((total_fail == 0))
