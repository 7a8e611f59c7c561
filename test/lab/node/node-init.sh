#!/bin/sh
# node-init: turns a fresh set of namespaces into a lab node.
#
# Started by the host as
#   ip netns exec NETNS unshare --mount --uts --pid --fork --mount-proc \
#     --propagation private tini -s -- /bin/sh node-init.sh NODE_DIR
# so it runs as PID 2 (tini is PID 1 and reaps orphans) in the node's own
# network, mount, UTS and PID namespaces. NODE_DIR is the node's directory in
# the lab's state dir on the host; it holds node.env, the prepared upper layer
# (upper/) and files for /run/lab (runtime/).
#
# The node's root is an overlay whose lower layer is the host's root file
# system and whose upper layer is NODE_DIR/upper: everything the node (or a
# test, or cis-fix over SSH) writes lands in the upper layer and the host is
# never modified. The state dir itself is hidden from the node by a whiteout
# the host put into the upper layer.
#
# Output before the pivot goes to NODE_DIR/init.log (readable on the host even
# when the node died); after it, to /var/log/lab-init.log inside the node.
set -eu

NODE_DIR=$1
. "$NODE_DIR/node.env"
# node.env sets: LAB_NODE_NAME LAB_NODE_IP LAB_PREFIX_LEN LAB_KIND (node|bastion)
#                LAB_CODE_DIR (test/lab/node on the host) LAB_REPO_DIR

log() { echo "node-init[$LAB_NODE_NAME] $*"; }

# --- network: only the lab subnet, no default route ---------------------------
ip link set lo up
ip addr add "$LAB_NODE_IP/$LAB_PREFIX_LEN" dev eth0
ip link set eth0 up
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null || true
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null || true

# --- root file system ---------------------------------------------------------
R="$NODE_DIR/root"
mount -t overlay overlay \
  -o "lowerdir=/,upperdir=$NODE_DIR/upper,workdir=$NODE_DIR/work" "$R"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
mount --bind /proc "$R/proc"
# Kernel state shared with the host stays read-only (as in a container).
mount --bind "$R/proc/sys" "$R/proc/sys"
mount -o remount,bind,ro "$R/proc/sys"
mount --bind /sys "$R/sys"
mount -o remount,bind,ro "$R/sys"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/var/tmp"
# The lab's own code, read-only at the same path, so the node can run it even
# if the repository lives on another file system than the host's root — or
# under /tmp or /var/tmp, which the node has just covered with its own tmpfs
# (hence the mkdir: the mount point may not exist there).
mkdir -p "$R$LAB_REPO_DIR"
mount --bind "$LAB_REPO_DIR" "$R$LAB_REPO_DIR"
mount -o remount,bind,ro "$R$LAB_REPO_DIR"

mkdir -p "$R/run/lab" "$R/run/sshd" "$R/run/lock" "$R/run/user"
chmod 0755 "$R/run/sshd"
cp -a "$NODE_DIR/runtime/." "$R/run/lab/"

mkdir "$R/run/lab/.oldroot"
cd "$R"
pivot_root . run/lab/.oldroot
cd /
umount -l /run/lab/.oldroot
rmdir /run/lab/.oldroot

exec >>/var/log/lab-init.log 2>&1
hostname "$LAB_NODE_NAME"
log "root pivoted, hostname set"

# --- sshd ------------------------------------------------------------------------
if [ "$LAB_KIND" = bastion ]; then
  log "starting sshd (bastion)"
  exec /usr/sbin/sshd -D -f /etc/ssh/sshd_config -E /var/log/sshd.log
fi
/usr/sbin/sshd -f /etc/ssh/sshd_config -E /var/log/sshd.log
log "sshd started"

# --- the simulated kubelet (static pods + systemctl) -----------------------------
# Small heaps: one runner per node, 100 nodes must fit comfortably.
exec /usr/bin/node --max-semi-space-size=1 --max-old-space-size=48 \
  "$LAB_CODE_DIR/${LAB_SUPERVISOR:-kubelet-sim.mjs}"
