# shellcheck shell=bash
# .ci/lib.sh: functions for .ci/run. Sourced, never run on its own.
#
# Every service is started with setsid, so its process id is also its process
# group id: stopping it signals that group only, never processes by name.

# PIDS lists the process (group) ids of the services started, in start order.
PIDS=()
# NAMES holds a name for each entry of PIDS, for messages.
NAMES=()
# SHOW_LOGS=1 makes cleanup print the tail of every service log.
SHOW_LOGS=0
# D is the temporary directory that holds every service's state.
D=${D:-}
# TEST_PID is the process (group) id of the running tests, if any.
TEST_PID=

# STRAY_PATHS are created outside $D whatever the flags say: dockerd's plugin
# directory, containerd's shim socket directory, and the blob-info cache that
# root's podman and skopeo keep. Children come before their parents.
STRAY_PATHS=(
	/run/docker/plugins /run/docker
	/run/containerd/s /run/containerd
	/var/lib/containers/cache/blob-info-cache-v1.boltdb /var/lib/containers/cache /var/lib/containers
)
# STRAY_NEW lists those of STRAY_PATHS that did not exist before the run.
STRAY_NEW=()

# note_stray_paths records which of STRAY_PATHS do not exist yet.
note_stray_paths() {
	local p
	for p in "${STRAY_PATHS[@]}"; do
		[ -e "$p" ] || STRAY_NEW+=("$p")
	done
}

# remove_stray_paths removes what the run created of STRAY_PATHS: the cache
# file, and directories only when empty.
remove_stray_paths() {
	local p
	for p in "${STRAY_NEW[@]}"; do
		if [ -f "$p" ]; then
			rm -f "$p"
		elif [ -d "$p" ]; then
			rmdir "$p" 2>/dev/null
		fi
	done
	return 0
}

# step prints a progress line on stderr.
step() { printf '==> %s\n' "$*" >&2; }

# die prints an error and exits; the EXIT trap then stops the services.
die() {
	printf 'ERROR: %s\n' "$*" >&2
	SHOW_LOGS=1
	exit 1
}

# install_packages installs the Debian packages that are missing, quietly,
# and returns at once when all are present.
install_packages() {
	local missing=() p
	command -v dpkg-query >/dev/null || die "dpkg-query not found: .ci/run expects a Debian machine"
	for p in "$@"; do
		if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		step "packages present: $*"
		return 0
	fi
	if [ "${STRATA_CI_SKIP_INSTALL:-}" = 1 ]; then
		die "missing packages (${missing[*]}) and STRATA_CI_SKIP_INSTALL=1"
	fi
	[ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
	step "installing ${missing[*]}"

	# Keep the packages' maintainer scripts from starting system services
	# (a system dockerd, containerd or registry): the tests start their own.
	local policy=/usr/sbin/policy-rc.d created=0 rc=0 aptlog
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 0755 "$policy"
		created=1
	fi
	aptlog=$(mktemp /tmp/strata-ci-apt.XXXXXX)
	{
		DEBIAN_FRONTEND=noninteractive apt-get update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
				-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
				"${missing[@]}"
	} </dev/null >"$aptlog" 2>&1 || rc=$?
	if [ "$created" = 1 ]; then
		rm -f "$policy"
	fi
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$aptlog" >&2
		rm -f "$aptlog"
		die "apt-get failed (status $rc)"
	fi
	rm -f "$aptlog"
}

# start_service NAME LOG CMD... starts CMD in its own session, logging to LOG.
start_service() {
	local name=$1 logfile=$2
	shift 2
	setsid "$@" </dev/null >"$logfile" 2>&1 &
	PIDS+=("$!")
	NAMES+=("$name")
}

# wait_until NAME SECONDS PID LOG CMD... runs CMD once a second until it
# succeeds; it fails when PID dies or time runs out (cleanup then prints the
# logs).
wait_until() {
	local name=$1 timeout=$2 pid=$3 logfile=$4 start=$SECONDS
	shift 4
	until "$@" >/dev/null 2>&1; do
		if ! kill -0 "$pid" 2>/dev/null; then
			die "$name exited during startup (its log follows: $logfile)"
		fi
		if [ $((SECONDS - start)) -ge "$timeout" ]; then
			die "$name did not answer within ${timeout}s (its log follows: $logfile)"
		fi
		sleep 1
	done
	step "$name ready after $((SECONDS - start))s"
}

# free_port prints a TCP port on 127.0.0.1 nothing listens on.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free TCP port found"
}

# start_dockerd starts a Docker Engine with vfs storage and its own socket,
# data and exec roots under $D; dockerd starts its own containerd under the
# exec root.
start_dockerd() {
	local sock="$D/docker.sock"
	mkdir -p "$D/docker"
	# An empty config file: a system /etc/docker/daemon.json must not apply.
	echo '{}' >"$D/docker/daemon.json"
	step "starting dockerd (unix://$sock)"
	start_service dockerd "$D/dockerd.log" dockerd \
		--config-file="$D/docker/daemon.json" \
		--storage-driver=vfs \
		--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
		--bridge=none \
		--data-root="$D/docker/data" \
		--exec-root="$D/docker/exec" \
		--pidfile="$D/docker/pid" \
		--host="unix://$sock"
	wait_until dockerd 90 "${PIDS[-1]}" "$D/dockerd.log" \
		docker -H "unix://$sock" version

	local driver
	driver=$(docker -H "unix://$sock" info --format '{{.Driver}}')
	[ "$driver" = vfs ] || die "dockerd runs with storage driver '$driver', want vfs"

	# Smoke test of containerd and runc: run one container from an imported
	# busybox rootfs, as the tests' docker build will.
	local smoke="$D/smoke"
	mkdir -p "$smoke/rootfs/bin"
	cp /bin/busybox "$smoke/rootfs/bin/busybox"
	tar -C "$smoke/rootfs" -cf "$smoke/rootfs.tar" .
	if ! DOCKER_CONFIG="$smoke" docker -H "unix://$sock" import "$smoke/rootfs.tar" strata-ci/smoke:1 >"$smoke/log" 2>&1 ||
		! DOCKER_CONFIG="$smoke" docker -H "unix://$sock" run --rm --network none strata-ci/smoke:1 \
			/bin/busybox true >>"$smoke/log" 2>&1; then
		cat "$smoke/log" >&2
		die "dockerd cannot run a container (containerd/runc); its log follows"
	fi
	DOCKER_CONFIG="$smoke" docker -H "unix://$sock" rmi strata-ci/smoke:1 >/dev/null
	rm -rf "$smoke"
	step "dockerd runs containers"
}

# start_podman writes an isolated storage.conf (vfs, graph and run roots under
# $D) and containers.conf, exports them for the podman CLI, and starts the
# rootful API service on its own socket.
start_podman() {
	local p="$D/podman"
	mkdir -p "$p/root" "$p/runroot" "$p/tmp" "$p/volumes" "$p/networks"
	cat >"$p/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$p/root"
runroot = "$p/runroot"
EOF
	cat >"$p/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$p/events.log"
tmp_dir = "$p/tmp"
volume_path = "$p/volumes"

[network]
network_config_dir = "$p/networks"
EOF
	export CONTAINERS_STORAGE_CONF="$p/storage.conf"
	export CONTAINERS_CONF="$p/containers.conf"
	step "starting podman system service (unix://$D/podman.sock)"
	start_service podman "$D/podman.log" podman system service --time=0 "unix://$D/podman.sock"
	wait_until podman 60 "${PIDS[-1]}" "$D/podman.log" \
		curl -fsS --unix-socket "$D/podman.sock" http://podman/_ping
}

# start_containerd starts a private containerd with its own config, root,
# state and sockets under $D (never /run/containerd, never the system one;
# dockerd's own containerd is another process), with no CRI plugin and no
# debug or metrics listener. It sets CONTAINERD_SOCK. The opt plugin, which
# would install into /opt/containerd, is disabled.
start_containerd() {
	local c="$D/containerd"
	CONTAINERD_SOCK="$c/containerd.sock"
	mkdir -p "$c/root" "$c/state"
	cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
]

[grpc]
  address = "$CONTAINERD_SOCK"

[ttrpc]
  address = "$c/containerd.sock.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""
EOF
	step "starting containerd (unix://$CONTAINERD_SOCK)"
	start_service containerd "$D/containerd.log" containerd --config "$c/config.toml"
	wait_until containerd 60 "${PIDS[-1]}" "$D/containerd.log" \
		ctr --address "$CONTAINERD_SOCK" version
}

# start_registry NAME PORTVAR [HTPASSWD] [TLSDIR] starts a docker-registry on
# a free 127.0.0.1 port, storing under $D/registry/NAME, and sets PORTVAR to
# its port. With HTPASSWD it requires basic auth; with TLSDIR (see
# make_tls_certs) it serves HTTPS with TLSDIR/server.pem.
start_registry() {
	local name=$1 portvar=$2 htpasswd=${3:-} tlsdir=${4:-} r="$D/registry/$1" port want=200 scheme=http
	port=$(free_port)
	mkdir -p "$r/data"
	cat >"$r/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $r/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: strata-ci-$name
EOF
	if [ -n "$htpasswd" ]; then
		cat >>"$r/config.yml" <<EOF
auth:
  htpasswd:
    realm: strata-ci
    path: $htpasswd
EOF
		want=401
	fi
	if [ -n "$tlsdir" ]; then
		cat >>"$r/config.yml" <<EOF
  tls:
    certificate: $tlsdir/server.pem
    key: $tlsdir/server.key
EOF
		scheme=https
	fi
	step "starting docker-registry '$name' on 127.0.0.1:$port"
	# REGISTRY_* variables would override the config file.
	start_service "registry-$name" "$D/registry-$name.log" \
		env $(env | awk -F= '/^REGISTRY_/ {printf "-u %s ", $1}') \
		docker-registry serve "$r/config.yml"
	wait_until "registry '$name'" 30 "${PIDS[-1]}" "$D/registry-$name.log" \
		http_status_is "$want" "$scheme://127.0.0.1:$port/v2/" ${tlsdir:+--cacert "$tlsdir/ca.pem"}
	printf -v "$portvar" '%s' "$port"
}

# http_status_is CODE URL [CURL-ARGS...] succeeds when a GET of URL answers
# CODE.
http_status_is() {
	local code=$1 url=$2
	shift 2
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")" = "$code" ]
}

# make_tls_certs DIR writes a throwaway certificate authority (ca.pem,
# ca.key) and a server certificate it signed for 127.0.0.1 and localhost
# (server.pem, server.key) into DIR.
make_tls_certs() {
	local dir=$1
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=strata CI test CA" \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1 || die "openssl: cannot make the test CA"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 || die "openssl: cannot make the server key"
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
		-days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" >/dev/null 2>&1 || die "openssl: cannot sign the server certificate"
}

# start_registries starts the open registry, the one with basic auth (user
# strata, password s3cret) and one over TLS with a certificate from a CA of
# its own ($D/tls/ca.pem), setting REGISTRY_PORT, REGISTRY_AUTH_PORT and
# REGISTRY_TLS_PORT.
start_registries() {
	mkdir -p "$D/registry"
	htpasswd -Bbn strata s3cret >"$D/registry/htpasswd"
	start_registry open REGISTRY_PORT
	start_registry auth REGISTRY_AUTH_PORT "$D/registry/htpasswd"
	make_tls_certs "$D/tls"
	start_registry tls REGISTRY_TLS_PORT "" "$D/tls"
}

# stop_service PID NAME sends SIGTERM to the service's process group, waits up
# to 30s, then sends SIGKILL.
stop_service() {
	local pid=$1 name=$2 i
	kill -0 -- "-$pid" 2>/dev/null || {
		wait "$pid" 2>/dev/null
		return 0
	}
	kill -TERM -- "-$pid" 2>/dev/null
	for i in $(seq 1 60); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 -- "-$pid" 2>/dev/null; then
		step "$name (pid $pid) did not stop on SIGTERM; killing it"
		kill -KILL -- "-$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# stop_pidfile FILE NAME stops the process whose id FILE holds, if it runs.
stop_pidfile() {
	local file=$1 name=$2 pid i
	[ -s "$file" ] || return 0
	pid=$(cat "$file")
	kill -0 "$pid" 2>/dev/null || return 0
	step "stopping leftover $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 20); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# unmount_under DIR unmounts whatever is still mounted below DIR, deepest first.
unmount_under() {
	local m
	awk -v d="$1/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
		while read -r m; do
			umount -l "$m" 2>/dev/null || true
		done
}

# show_logs prints the tail of every service log.
show_logs() {
	local f
	for f in "$D"/*.log; do
		[ -e "$f" ] || continue
		printf -- '--- last lines of %s ---\n' "$f" >&2
		tail -n 50 "$f" >&2
	done
}

# cleanup is the EXIT trap: it stops every service, newest first, removes $D
# and keeps the exit status.
cleanup() {
	local status=$? i
	set +e
	trap - INT TERM
	[ -n "$D" ] && [ -d "$D" ] || exit "$status"
	if [ -n "$TEST_PID" ]; then
		step "stopping the tests"
		stop_service "$TEST_PID" "go test"
	fi
	if [ "$status" -ne 0 ] || [ "$SHOW_LOGS" = 1 ]; then
		show_logs
	fi
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		stop_service "${PIDS[i]}" "${NAMES[i]}"
	done
	# dockerd stops the containerd it started; make sure of it.
	stop_pidfile "$D/docker/exec/containerd/containerd.pid" containerd
	unmount_under "$D"
	rm -rf "$D" || step "could not remove $D"
	remove_stray_paths
	step "services stopped"
	exit "$status"
}
