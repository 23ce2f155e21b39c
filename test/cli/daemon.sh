#!/bin/bash
# ikegwd + ikegw end to end over a real control socket (no kernel, no
# peer): status/JSON, up/down, reload (good, bad, SIGHUP), lock, hostile
# requests, shutdown.  Uses the sanitized binaries.
set -u
# In a network namespace of its own: the configs name documentation
# addresses, and nothing a daemon sends may leave this machine.
if [ -z "${IKEGW_TEST_NETNS:-}" ] && [ "$(id -u)" = 0 ]; then
	IKEGW_TEST_NETNS=1 exec unshare --net "$0" "$@"
fi
cd "$(dirname "$0")/../.."
D=build/san/ikegwd
C=build/san/ikegw
[ -x $D ] && [ -x $C ] || make -s SANITIZE=1 build/san/ikegwd build/san/ikegw >/dev/null || exit 1
T=$(mktemp -d /tmp/ikegw-daemon.XXXXXX)
S=$T/run/sock
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT

fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; fails=$((fails + 1)); }
# check NAME EXPECTED_RC CMD...: runs CMD, output in $out, rc in $rc
check() {
	local name=$1 want=$2
	shift 2
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name" "rc=$rc want $want" "$out"; fi
}
has() {	# has NAME PATTERN: $out contains PATTERN (grep -E)
	if grep -qE -- "$2" <<<"$out"; then pass "$1"; else fail "$1" "no '$2' in:" "$out"; fi
}

conf1() {
	cat > $T/c.conf <<'EOF'
[connection office]
local_address = 198.51.100.1
remote_address = 203.0.113.7
local_subnets = 192.168.1.0/24, 192.168.2.0/24
remote_subnets = 172.16.1.0/24
psk = correct horse battery staple
start = manual

[connection branch]
remote_address = 203.0.113.9
local_subnets = 10.1.0.0/16
remote_subnets = 10.2.0.0/16
psk = another long enough secret key
EOF
	chmod 600 $T/c.conf
}

# --- daemon not running ---
check not-running-exit-3 3 $C -s $S status
has not-running-message "^ikegwd is not running \(no socket at $S\)$"

conf1
$D -f -c $T/c.conf -s $S 2>$T/daemon.log &
PID=$!
for i in $(seq 50); do [ -S $S ] && break; sleep 0.1; done
[ -S $S ] && pass daemon-socket || fail daemon-socket "$(cat $T/daemon.log)"
mode=$(stat -c %a $S)
if getent group ikegw >/dev/null; then want=660; else want=600; fi
[ "$mode" = $want ] && pass socket-mode || fail socket-mode "mode $mode, want $want"
[ "$(stat -c %a $T/run)" = 700 ] && pass socket-dir-0700 || fail socket-dir-0700 "$(stat -c %a $T/run)"
grep -qx "$PID" $S.lock && pass lock-holds-pid || fail lock-holds-pid "$(cat $S.lock)"

# --- status ---
check status-not-established-exit-5 5 $C -s $S status
has status-office-down "^office +IKEv2 +phase 1 DOWN \(start = manual\) +198\.51\.100\.1 <-> 203\.0\.113\.7"
has status-branch "^branch +IKEv2 +phase 1 CONNECTING"   # start = immediate; no route here
has status-coverage "coverage +192\.168\.1\.0/24 +=== 172\.16\.1\.0/24 +missing"
check no-args-is-status 5 $C -s $S
has no-args-office "^office "
check status-name 5 $C -s $S status office
has status-name-only-office "^office "
grep -q '^branch' <<<"$out" && fail status-name-filters "$out" || pass status-name-filters
check status-unknown-exit-2 2 $C -s $S status nosuch
has status-unknown-msg "no connection 'nosuch'"
[ "$(wc -l <<<"$out")" = 1 ] && pass status-unknown-one-line || fail status-unknown-one-line "$out"

out=$($C -s $S status --json 2>&1); rc=$?
[ $rc = 5 ] && pass json-exit-5 || fail json-exit-5 "rc=$rc"
if python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["version"] == 1, d
c = {x["name"]: x for x in d["connections"]}
assert set(c) == {"office", "branch"}, c
o = c["office"]
assert o["phase1"] == "down" and o["ike_version"] == 2 and o["start"] == "manual"
assert o["local"] == "198.51.100.1" and o["remote"] == "203.0.113.7"
assert c["branch"]["local"] is None
assert o["established"] is False and o["children"] == []
assert len(o["coverage"]) == 2 and o["coverage"][0]["child"] is None
for k in ("since", "algs", "local_port", "remote_port", "local_id", "remote_id",
          "nat_t", "spi_i", "spi_r", "rekey_at", "reason", "detail", "hint",
          "attempts", "last_failure", "mode"):
    assert k in o, k
' <<<"$out"; then pass json-fields; else fail json-fields "$out"; fi
python3 -m json.tool <<<"$out" >/dev/null && pass json-valid || fail json-valid "$out"
check json-unknown-exit-2 2 $C -s $S status nosuch --json

# --- up / down / diagnose ---
check up-no-wait 0 $C -s $S up office --no-wait
has up-initiating "initiating 'office'"
check up-wait-times-out-5 5 $C -s $S up office --timeout 1
has up-timeout-msg "office is not up"
check up-unknown-exit-2 2 $C -s $S up nosuch --no-wait
has up-unknown-msg "^ikegw: no connection 'nosuch'$"
check down 0 $C -s $S down office
check down-unknown-exit-2 2 $C -s $S down nosuch
check up-usage-exit-1 1 $C -s $S up
check bad-timeout-exit-1 1 $C -s $S up office --timeout 0
check unknown-command-exit-1 1 $C -s $S fly
check diagnose-down-exit-5 5 $C -s $S diagnose office --interval 0
has diagnose-tunnel-fail "^FAIL  tunnel +phase 1 is down"
has diagnose-forward-line "^(PASS|FAIL|SKIP)  ip_forward +net.ipv4.ip_forward = [01]"
has diagnose-one-sample "^SKIP  counters +one status sample only: counters not compared$"
has diagnose-coverage "^FAIL  coverage +2 of 2 configured subnet pairs have no phase-2 SA"
has diagnose-summary "^office: [0-9]+ checks: [1-9][0-9]* failed, [0-9]+ warnings?$"
check diagnose-two-samples 5 $C -s $S diagnose office --interval 1
has diagnose-sample-age "^counters compared over [0-9]+ s$"
has diagnose-counters-down "^SKIP  counters +no established phase-2 SA$"
check diagnose-unknown 2 $C -s $S diagnose nosuch
has diagnose-unknown-msg "^ikegw: no connection 'nosuch'$"
check diagnose-bad-interval 1 $C -s $S diagnose office --interval 601

# --- reload ---
sed -i 's/^psk = correct horse battery staple/psk = a different secret of length/; s/^remote_subnets = 10.2.0.0\/16/remote_subnets = 10.3.0.0\/16/' $T/c.conf
cat >> $T/c.conf <<'EOF'

[connection lab]
remote_address = 2001:db8::1
local_subnets = 2001:db8:1::/48
remote_subnets = 2001:db8:2::/48
psk = a third secret, long enough
EOF
check reload-good 0 $C -s $S reload
has reload-changed-psk "changed: office: .*psk"
has reload-changed-subnets "changed: branch: .*remote_subnets"
has reload-added "added: lab"
check reload-served 5 $C -s $S status lab
has reload-lab-shown "^lab "
sed -i '/^\[connection lab\]/,$d' $T/c.conf
echo "bogus_key = 1" >> $T/c.conf
check reload-bad-exit-2 2 $C -s $S reload
has reload-bad-error "c\.conf:[0-9]+: .*bogus_key"
has reload-bad-kept "running configuration kept"
check old-config-served 5 $C -s $S status lab
# SIGHUP: a good file again (lab removed)
sed -i '/^bogus_key/d' $T/c.conf
kill -HUP $PID
for i in $(seq 50); do grep -q 'removed lab' $T/daemon.log && break; sleep 0.1; done
grep -q 'reload: removed lab' $T/daemon.log && pass sighup-reload || fail sighup-reload "$(tail -5 $T/daemon.log)"
check sighup-lab-gone 2 $C -s $S status lab

# --- second daemon on the same socket ---
check second-daemon-refused 1 $D -f -c $T/c.conf -s $S
has second-daemon-msg "another ikegwd \(pid $PID\) is running on $S"
[ -S $S ] && pass socket-survives-second || fail socket-survives-second

# --- hostile requests over SOCK_SEQPACKET ---
out=$(python3 - "$S" <<'EOF' 2>&1
import socket, sys
def ask(b):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.send(b)
    r = b""
    while not r.endswith(b"\n\n"):
        m = s.recv(1 << 17)
        if not m:
            break
        r += m
    s.close()
    return r.decode(errors="replace")
cases = {
    "overlong-line": b"cmd=status\nname=" + b"a" * 5000 + b"\n\n",
    "unknown-key": b"cmd=status\ncolour=blue\n\n",
    "unknown-verb": b"cmd=explode\n\n",
    "binary-junk": bytes(range(256)) * 4,
    "missing-cmd": b"name=office\n\n",
    "no-empty-line": b"cmd=status\n",
    "too-big": b"x" * 70000,
    "empty": b"",
    "sample-not-diagnose": b"cmd=status\nsample=begin\n\n",
    "sample-bad-value": b"cmd=diagnose\nname=office\nsample=end\n\n",
}
for name, req in cases.items():
    r = ask(req)
    ok = "errno=22\n" in r and "\nmsg=bad request: " in r
    print(("ok " if ok else "bad ") + name + " " + repr(r[-80:]))
# several requests on one connection, then a status
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
for i in range(3):
    s.send(b"version=1\ncmd=status\nname=office\n\n")
    r = s.recv(1 << 17).decode()
    print(("ok " if r.startswith("conn=office\n") and r.endswith("errno=0\nmsg=ok\n\n") else "bad ") + "reuse " + repr(r[-40:]))
EOF
)
for n in overlong-line unknown-key unknown-verb binary-junk missing-cmd no-empty-line too-big sample-not-diagnose sample-bad-value reuse; do
	grep -q "^ok $n" <<<"$out" && ! grep -q "^bad $n" <<<"$out" && pass "hostile-$n" || fail "hostile-$n" "$out"
done
check status-after-hostile 5 $C -s $S status office
kill -0 $PID 2>/dev/null && pass daemon-alive || fail daemon-alive

# --- by hand with socat, as ikegwd(8) shows ---
if command -v socat >/dev/null; then
	out=$(printf 'cmd=status\nname=office\n\n' | socat - UNIX-CONNECT:$S,type=5 2>&1)
	has socat-status "^conn=office$"
	has socat-trailer "^errno=0$"
fi

# --- 16 clients hold connections: the 17th is told it is busy ---
out=$(python3 - "$S" <<'EOF' 2>&1
import socket, sys
held = []
for i in range(16):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1]); held.append(s)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.settimeout(5)
print(s.recv(4096).decode())
EOF
)
has max-clients-busy "errno=16"
check status-after-busy 5 $C -s $S status office

# --- permissions: file mode first, then SO_PEERCRED ---
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	check perm-dir-exit-4 4 runuser -u nobody -- $C -s $S status
	has perm-dir-msg "^permission denied on $S: run as root$"
	chmod 755 $T $T/run; chmod 666 $S
	check perm-peercred-exit-4 4 runuser -u nobody -- $C -s $S status
	grep -q "refused client uid $(id -u nobody)" $T/daemon.log && pass perm-peercred-logged ||
		fail perm-peercred-logged "$(tail -3 $T/daemon.log)"
	chmod 700 $T $T/run; chmod 600 $S
fi

# --- a reply larger than one message (ctl_proto.h: split at lines) ---
for i in $(seq 300); do
	printf '\n[connection many%03d]\nremote_address = 192.0.2.%d\nlocal_subnets = 10.%d.0.0/16, 10.%d.1.0/24\nremote_subnets = 172.16.%d.0/24\npsk = a long enough secret %d\n' \
		$i $((i % 250 + 1)) $((i % 250)) $((i % 250)) $((i % 250)) $i
done >> $T/c.conf
check reload-many 0 $C -s $S reload
has reload-many-added "added: many300"
out=$($C -s $S status --json 2>&1)
n=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["connections"]))' <<<"$out" 2>&1)
[ "$n" = 302 ] && pass multi-message-status || fail multi-message-status "$n"
size=$($C -s $S status | wc -c)
[ "$size" -gt 40000 ] && pass multi-message-big || fail multi-message-big "only $size bytes"

# --- shutdown ---
kill -TERM $PID
wait $PID; rc=$?
PID=
[ $rc = 0 ] && pass sigterm-exit-0 || fail sigterm-exit-0 "rc=$rc $(tail -5 $T/daemon.log)"
[ ! -e $S ] && pass socket-removed || fail socket-removed
[ ! -e $S.lock ] && pass lock-removed || fail lock-removed
grep -qiE 'runtime error|AddressSanitizer|LeakSanitizer' $T/daemon.log &&
	fail daemon-sanitizers "$(cat $T/daemon.log)" || pass daemon-sanitizers

# --- stale socket from a crashed daemon is replaced ---
$D -f -c $T/c.conf -s $S 2>$T/daemon2.log &
PID=$!
for i in $(seq 50); do [ -S $S ] && break; sleep 0.1; done
kill -KILL $PID; wait $PID 2>/dev/null; PID=
[ -S $S ] && pass crash-leaves-socket || fail crash-leaves-socket
check stale-socket-not-running 3 $C -s $S status
$D -f -c $T/c.conf -s $S 2>$T/daemon3.log &
PID=$!
for i in $(seq 50); do $C -s $S status >/dev/null 2>&1; [ $? = 5 ] && break; sleep 0.1; done
check stale-socket-replaced 5 $C -s $S status
kill -TERM $PID; wait $PID; PID=

# --- daemonized (no -f): parent returns once the socket is up ---
check daemonize 0 $D -c $T/c.conf -s $S
check daemonized-serves 5 $C -s $S status
DPID=$(cat $S.lock)
kill -TERM "$DPID"
for i in $(seq 50); do [ -e $S ] || break; sleep 0.1; done
[ ! -e $S ] && pass daemonized-stops || fail daemonized-stops

# --- bad configuration at start ---
echo "nonsense" > $T/bad.conf; chmod 600 $T/bad.conf
check daemon-bad-config-exit-1 1 $D -f -c $T/bad.conf -s $T/other.sock
has daemon-bad-config-line "bad\.conf:1:"
check daemon-bad-option-exit-1 1 $D -x

# --- unsafe socket places ---
mkdir -m 777 $T/open
check open-dir-refused 1 $D -f -c $T/c.conf -s $T/open/sock
has open-dir-msg "directory $T/open has mode 0777"
[ ! -e $T/open/sock ] && pass open-dir-no-socket || fail open-dir-no-socket
touch $T/notsock
check not-a-socket-refused 1 $D -f -c $T/c.conf -s $T/notsock
has not-a-socket-msg "$T/notsock exists and is not a socket"
[ -f $T/notsock ] && pass not-a-socket-kept || fail not-a-socket-kept

# --- check-config (no daemon) ---
check check-config-sample 0 $C check-config -c etc/ikegw.conf
check check-config-good 0 $C check-config -c $T/c.conf
has check-config-masks-psk "psk = \*+"
grep -q 'another long enough' <<<"$out" && fail check-config-no-psk "$out" || pass check-config-no-psk
check check-config-bad-exit-1 1 $C check-config -c $T/bad.conf
has check-config-bad-file-line "bad\.conf:1: "
chmod 644 $T/c.conf
# A draft is linted with a warning; the daemon refuses the same file.
check check-config-mode-warns 0 $C check-config -c $T/c.conf
has check-config-mode-says-chmod "mode 0644: ikegwd will refuse it.*chmod 600"
check daemon-refuses-mode 1 $D -f -c $T/c.conf -s $T/mode.sock
has daemon-mode-says-chmod "chmod 600"
check check-config-missing-exit-1 1 $C check-config -c $T/none.conf

[ $fails = 0 ]
