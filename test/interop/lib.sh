# Shared by the peer drivers (sourced, POSIX sh + bash-compatible).
#
# A scenario file (scenarios/*.scn) is shell assignments describing one
# tunnel from gateway A's point of view; A is the side ikegw plays in the
# interop tests, B the peer daemon.  scn_load FILE SIDE resolves it for one
# side into C_* variables in that side's own point of view:
#   side a: C_X = ${A_X:-$X}
#   side b: local/remote swapped, ROLE inverted, then ${B_X:-...}
# so one file configures ikegw, strongSwan and libreswan alike.  See
# README.md for the variables.

INTEROP_DIR=${INTEROP_DIR:-$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)}

die() { echo "${0##*/}: $*" >&2; exit 1; }

# Side-independent keys and their defaults.
SCN_KEYS="IKE_VERSION IKE_MODE PSK IKE_ENCRYPTION IKE_INTEGRITY IKE_DH_GROUP
	ESP_ENCRYPTION ESP_INTEGRITY ESP_PFS IKE_LIFETIME ESP_LIFETIME
	DPD_INTERVAL DPD_TIMEOUT NAT_TRAVERSAL SPLIT START CLOSE_ACTION NARROWING"

scn_defaults() {
	IKE_VERSION=2 IKE_MODE=main
	IKE_ENCRYPTION=aes256 IKE_INTEGRITY=sha256 IKE_DH_GROUP=14
	ESP_ENCRYPTION=aes256 ESP_INTEGRITY=sha256 ESP_PFS=none
	IKE_LIFETIME=86400 ESP_LIFETIME=3600
	DPD_INTERVAL=0 DPD_TIMEOUT=0 NAT_TRAVERSAL=yes SPLIT=auto
	START= CLOSE_ACTION=none NARROWING=no ROLE=initiator
	LOCAL_ID= REMOTE_ID= PEERS="strongswan libreswan"
	EXPECT=up EXPECT_CHILDREN=1 EXPECT_MISSING= EXPECT_REASON= NOTE=
}

# pick VAR: first non-empty of the following words' variables
scn_pick() {
	local _v=$1 _s; shift
	for _s in "$@"; do
		eval "[ -n \"\${$_s:-}\" ]" && { eval "$_v=\${$_s}"; return 0; }
	done
	eval "$_v="
}

scn_load() {
	local file=$1 side=${2:-a} k S
	[ -r "$file" ] || die "no scenario file $file"
	case $side in a) S=A ;; b) S=B ;; *) die "side must be a or b" ;; esac
	scn_defaults
	. "$INTEROP_DIR/topo.sh"
	. "$file"
	NAME=${NAME:-$(basename "$file" .scn)}
	C_SIDE=$side C_NAME=$NAME
	for k in $SCN_KEYS; do scn_pick "C_$k" "${S}_$k" "$k"; done
	if [ $side = a ]; then
		scn_pick C_LOCAL_ADDR A_LOCAL_ADDR LOCAL_ADDR
		scn_pick C_REMOTE_ADDR A_REMOTE_ADDR REMOTE_ADDR
		scn_pick C_LOCAL_SUBNETS A_LOCAL_SUBNETS LOCAL_SUBNETS
		scn_pick C_REMOTE_SUBNETS A_REMOTE_SUBNETS REMOTE_SUBNETS
		scn_pick C_LOCAL_ID A_LOCAL_ID LOCAL_ID
		scn_pick C_REMOTE_ID A_REMOTE_ID REMOTE_ID
		scn_pick C_ROLE A_ROLE ROLE
	else
		scn_pick C_LOCAL_ADDR B_LOCAL_ADDR REMOTE_ADDR
		scn_pick C_REMOTE_ADDR B_REMOTE_ADDR LOCAL_ADDR
		scn_pick C_LOCAL_SUBNETS B_LOCAL_SUBNETS REMOTE_SUBNETS
		scn_pick C_REMOTE_SUBNETS B_REMOTE_SUBNETS LOCAL_SUBNETS
		scn_pick C_LOCAL_ID B_LOCAL_ID REMOTE_ID
		scn_pick C_REMOTE_ID B_REMOTE_ID LOCAL_ID
		case $ROLE in initiator) C_ROLE=responder ;; *) C_ROLE=initiator ;; esac
		[ -n "${B_ROLE:-}" ] && C_ROLE=$B_ROLE
	fi
	# An ID not configured is the gateway's own address, as ikegw does.
	: "${C_LOCAL_ID:=ip:$C_LOCAL_ADDR}" "${C_REMOTE_ID:=ip:$C_REMOTE_ADDR}"
	if [ -z "$C_START" ]; then
		case $C_ROLE in initiator) C_START=manual ;; *) C_START=respond ;; esac
	fi
	[ -n "$C_LOCAL_ADDR" ] && [ -n "$C_REMOTE_ADDR" ] || die "$file: addresses missing"
	[ -n "$C_LOCAL_SUBNETS" ] && [ -n "$C_REMOTE_SUBNETS" ] || die "$file: subnets missing"
	[ -n "$C_PSK" ] || die "$file: PSK missing"
	case $C_ROLE in initiator|responder) ;; *) die "$file: ROLE=$C_ROLE" ;; esac
	case $C_SPLIT in auto|yes|no) ;; *) die "$file: SPLIT=$C_SPLIT" ;; esac
	case $C_START in immediate|on-traffic|manual|respond) ;;
		*) die "$file: START=$C_START" ;; esac
}

# Print the resolved scenario (what the drivers saw), for logs.
scn_dump() {
	local k
	for k in SIDE NAME ROLE LOCAL_ADDR REMOTE_ADDR LOCAL_SUBNETS REMOTE_SUBNETS \
		 LOCAL_ID REMOTE_ID $SCN_KEYS; do
		case $k in PSK) eval "echo C_$k=\${#C_$k}-chars" ;;
			*) eval "echo C_$k=\\'\${C_$k}\\'" ;; esac
	done
}

# words of a comma list, one per line
csv_words() { echo "$1" | tr ', ' '\n\n' | sed '/^$/d'; }

is_aead() { case $1 in *gcm*) return 0 ;; esac; return 1; }

# Every (local, remote) subnet pair as "l r" lines.
subnet_pairs() {
	local l r
	for l in $(csv_words "$1"); do
		for r in $(csv_words "$2"); do echo "$l $r"; done
	done
}

# ID in ikegw syntax -> kind and value ("fqdn b.example", "ip 192.0.2.1").
id_split() {
	case $1 in
	fqdn:*) echo "fqdn ${1#fqdn:}" ;;
	ip:*) echo "ip ${1#ip:}" ;;
	email:*) echo "email ${1#email:}" ;;
	keyid:*) echo "keyid ${1#keyid:}" ;;
	*@*) echo "email $1" ;;
	*[!0-9a-fA-F.:]*) echo "fqdn $1" ;;
	*) echo "ip $1" ;;
	esac
}

hex_of() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# A process is gone when it does not exist or is a zombie.
pid_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# stop_pid PIDFILE NAME: TERM, wait up to 5 s, KILL, verify gone.
stop_pid() {
	local pid i
	pid=$(cat "$1" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	i=0
	while pid_alive "$pid" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if pid_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null; sleep 0.2
	fi
	if pid_alive "$pid"; then echo "$2 pid $pid did not die" >&2; return 1; fi
	rm -f "$1"
}

# wait_for SECONDS TEST...: poll TEST every 0.1 s
wait_for() {
	local n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}

# The time since the epoch in ms, for measurements.
now_ms() { date +%s%3N; }
