#!/bin/bash
# Run one test script inside a user-mode-linux guest and return its status.
#
#   test/kernel/uml.sh [-t SECONDS] [-m MEM] SCRIPT [ARGS...]
#
# The guest sees the host's / read-only (so built binaries are at the same
# paths), with writable tmpfs overlays on /etc /var /tmp /root, a modprobe
# wrapper for the UML modules, and $IKEGW_OUT: a host directory mounted
# read-write where the script may leave files (logs, captures).  SCRIPT runs
# as root with cwd = the repository; its stdout+stderr are printed here and
# its exit status is ours (124 on timeout, 125 if the guest did not run it).
# UML_KEEP=1 keeps the run directory (console log, output) for debugging.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout=${UML_TIMEOUT:-300}
mem=512M
while getopts t:m: o; do
	case $o in
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	*) echo "usage: uml.sh [-t SECONDS] [-m MEM] SCRIPT [ARGS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: uml.sh [-t SECONDS] [-m MEM] SCRIPT [ARGS...]" >&2; exit 2; }
script=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
uml=${LINUX_UML:-/usr/bin/linux.uml}
[ -x "$uml" ] || { echo "uml.sh: $uml not found (package user-mode-linux)" >&2; exit 125; }
[ -x "$script" ] || { echo "uml.sh: $script is not executable" >&2; exit 2; }

run=$(mktemp -d "${TMPDIR:-/tmp}/ikegw-uml.XXXXXX") || exit 125
mkdir -p "$run/out" "$run/uml"
# The command line, one shell-quoted word per argument, read by the guest.
{
	printf 'cd %q\n' "$repo"
	printf 'exec %q' "$script"
	for a in "$@"; do printf ' %q' "$a"; done
	printf '\n'
} > "$run/cmd"
echo "$timeout" > "$run/timeout"

pgid=
cleanup() {
	if [ -n "$pgid" ]; then
		kill -KILL -- "-$pgid" 2>/dev/null
		wait "$pgid" 2>/dev/null
	fi
	[ "${UML_KEEP:-0}" = 1 ] && echo "uml.sh: run directory kept: $run" >&2 ||
		rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

setsid "$uml" mem="$mem" rootfstype=hostfs rootflags=/ ro \
	init="$here/uml-init.sh" con=null con0=fd:0,fd:1 quiet \
	umid="ikegw$$" uml_dir="$run/uml" IKEGW_RUN="$run" \
	</dev/null >"$run/console.log" 2>&1 &
pgid=$!

# Outer timeout: the guest has its own (inner) one; allow boot and halt.
deadline=$((SECONDS + timeout + 60))
while kill -0 "$pgid" 2>/dev/null; do
	[ -e "$run/out/.status" ] && sleep 0.2 && break
	if [ $SECONDS -ge $deadline ]; then
		echo "uml.sh: guest did not finish within $((timeout + 60)) s" >&2
		break
	fi
	sleep 0.1
done

[ -e "$run/out/.output" ] && cat "$run/out/.output"
if [ -e "$run/out/.status" ]; then
	rc=$(cat "$run/out/.status")
else
	echo "uml.sh: the guest did not report a status; console:" >&2
	tail -30 "$run/console.log" >&2
	rc=125
fi
if [ -n "${UML_OUT:-}" ]; then
	mkdir -p "$UML_OUT" && cp -r "$run/out/." "$UML_OUT/" && cp "$run/console.log" "$UML_OUT/"
fi
exit "$rc"
