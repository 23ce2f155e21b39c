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

if [ -z "${INTEROP_DIR:-}" ]; then
	INTEROP_DIR=${BASH_SOURCE[0]%/*}
	[ "$INTEROP_DIR" = "${BASH_SOURCE[0]}" ] && INTEROP_DIR=.
fi

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
	EXPECT_NAT= EXPECT_DURATION= PING_INTERVAL=0.2 EXPECT_AFTER_DELETE= TOPOLOGY=direct
	DESCRIPTION=
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
	# SCN_ROLE=initiator|responder runs a scenario with A's role swapped.
	[ -n "${SCN_ROLE:-}" ] && ROLE=$SCN_ROLE
	if [ -z "${NAME:-}" ]; then NAME=${file##*/}; NAME=${NAME%.scn}; fi
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
	C_LOCAL_ID_SET=$C_LOCAL_ID C_REMOTE_ID_SET=$C_REMOTE_ID
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

# The helpers below set R (and R2) instead of printing: every $(...) is a
# fork, and a fork costs ~25-50 ms in the UML guest.

# R: the words of a comma list, space-separated
csv_words() { R=${1//,/ }; }

is_aead() { case $1 in *gcm*) return 0 ;; esac; return 1; }

# R: number of words in a comma list
csv_count() { local -a w; read -ra w <<<"${1//,/ }"; R=${#w[@]}; }

# ID in ikegw syntax -> R (kind: fqdn ip email keyid) and R2 (value)
id_split() {
	case $1 in
	fqdn:*) R=fqdn R2=${1#fqdn:} ;;
	ip:*) R=ip R2=${1#ip:} ;;
	email:*) R=email R2=${1#email:} ;;
	keyid:*) R=keyid R2=${1#keyid:} ;;
	*@*) R=email R2=$1 ;;
	*[!0-9a-fA-F.:]*) R=fqdn R2=$1 ;;
	*) R=ip R2=$1 ;;
	esac
}

# R: lowercase hex of a string's bytes (C locale: bytes, not characters)
hex_of() {
	local LC_ALL=C s=$1 i h
	R=
	for ((i = 0; i < ${#s}; i++)); do
		printf -v h '%02x' "'${s:i:1}"
		R+=$h
	done
}

# A process is gone when it does not exist or is a zombie.
pid_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	read -r st <"/proc/$1/stat" 2>/dev/null || return 1
	st=${st##*) }
	[ "${st:0:1}" != Z ]
}

# stop_pid PIDFILE NAME: TERM, wait up to 5 s, KILL, verify gone.
stop_pid() {
	local pid i
	[ -f "$1" ] || return 0
	pid=$(<"$1")
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

# wait_for SECONDS TEST...: run TEST until it succeeds, every 0.1 s,
# for at most SECONDS of wall time (TEST itself may be slow in the guest)
wait_for() {
	local end
	now_ms; end=$((MS + $1 * 1000)); shift
	while :; do
		"$@" && return 0
		now_ms; [ "$MS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# MS: the time since the epoch in ms, for measurements (bash 5: no fork).
now_ms() { MS=${EPOCHREALTIME/./}; MS=${MS:0:-3}; }

# DIR: $1 made absolute (lexically; no fork)
abs_dir() {
	case $1 in /*) DIR=$1 ;; *) DIR=$PWD/$1 ;; esac
	DIR=${DIR%/}
	[ -d "$DIR" ] || die "$1: no such directory"
}
