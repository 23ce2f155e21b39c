#!/bin/bash
# PID 1 of the UML guest (started by uml.sh).  Makes the read-only host
# root usable, runs the command uml.sh wrote to $IKEGW_RUN/cmd, stores its
# output and exit status in that (host) directory, and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

# Kernel modules: modprobe -d over a tree pointing at the UML modules.
kver=$(uname -r)
mkdir -p "/run/modroot/lib/modules"
ln -s "/usr/lib/uml/modules/$kver" "/run/modroot/lib/modules/$kver"
printf '#!/bin/sh\nexec /usr/sbin/modprobe -d /run/modroot "$@"\n' > /run/modprobe
chmod 755 /run/modprobe
echo /run/modprobe > /proc/sys/kernel/modprobe
# One modprobe run for what every test needs (each fork costs here);
# the rest autoloads through the wrapper.
/run/modprobe -q -a overlay veth ipv6 esp4 esp6 xfrm_user xfrm4_tunnel xfrm6_tunnel 2>/dev/null
# Writable system directories; nothing written here reaches the host.
for d in etc var tmp root; do
	mkdir -p "/run/ovl/$d/up" "/run/ovl/$d/work"
	mount -t overlay overlay \
		-o "lowerdir=/$d,upperdir=/run/ovl/$d/up,workdir=/run/ovl/$d/work" "/$d"
done
chmod 1777 /tmp

# The host directory uml.sh reads the results from.
mkdir -p /run/host
mount -t hostfs -o "$IKEGW_RUN/out" hostfs /run/host
export IKEGW_OUT=/run/host

ip link set lo up
hostname uml 2>/dev/null

t=$(cat "$IKEGW_RUN/timeout" 2>/dev/null || echo 300)
timeout -k 5 "$t" /bin/bash "$IKEGW_RUN/cmd" > /run/host/.output 2>&1 </dev/null
echo $? > /run/host/.status
sync
echo o > /proc/sysrq-trigger 2>/dev/null
poweroff -f -f 2>/dev/null
halt -f -f
