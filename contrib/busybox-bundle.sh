#!/usr/bin/env bash
# busybox-bundle.sh OUTDIR
#
# Build a minimal OCI runtime bundle from the host's static busybox:
#   OUTDIR/rootfs       busybox + one /bin symlink per applet, a few dirs,
#                       /etc/passwd, /etc/group, /etc/hostname
#   OUTDIR/config.json  runtime-spec 1.0.2 config equivalent to `runc spec`
#                       (but "terminal": false, args ["sh"])
#
# Idempotent: re-running over an existing OUTDIR refreshes it in place.
# Environment: BUSYBOX=/path/to/static/busybox (default /bin/busybox).
set -euo pipefail

die() { echo "busybox-bundle.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $0 OUTDIR"
out=$1
busybox=${BUSYBOX:-/bin/busybox}

[ -e "$busybox" ] || die "$busybox not found (install busybox-static: apt-get install busybox-static)"
[ -x "$busybox" ] || die "$busybox is not executable"
# A dynamically linked busybox would not run inside the bare rootfs.
if command -v file >/dev/null 2>&1; then
	case $(file -L "$busybox") in
	*"dynamically linked"*) die "$busybox is dynamically linked; a static busybox is required (busybox-static)";;
	esac
fi

umask 022
rootfs=$out/rootfs
mkdir -p "$rootfs"
(
	cd "$rootfs"
	mkdir -p bin proc sys dev tmp etc root var/run
	chmod 1777 tmp
	chmod 0700 root

	# Copy busybox (replace atomically so a re-run never leaves a half-written binary).
	cp -f "$busybox" bin/.busybox.tmp
	chmod 0755 bin/.busybox.tmp
	mv -f bin/.busybox.tmp bin/busybox

	# One symlink per applet, all in /bin (names only; --list prints bare names).
	"$busybox" --list | while IFS= read -r applet; do
		[ -n "$applet" ] && [ "$applet" != busybox ] || continue
		ln -sfn busybox "bin/$applet"
	done

	cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
berth:x:1000:1000:berth:/tmp:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
	cat > etc/group <<'GROUP'
root:x:0:
berth:x:1000:
nogroup:x:65534:
GROUP
	echo busybox > etc/hostname
	chmod 0644 etc/passwd etc/group etc/hostname
)

cat > "$out/config.json.tmp" <<'JSON'
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
JSON
mv -f "$out/config.json.tmp" "$out/config.json"
