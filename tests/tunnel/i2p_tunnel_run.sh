#!/usr/bin/env bash
# i2p_tunnel_run.sh TEST_BINARY [ARGS...] — runs tests/tunnel/i2p_tunnel_test inside a private I2P
# network that it creates for this run and always removes:
#
#   namespace tenebra-i2p-tt<pid> (only lo, no route out)
#     198.18.0.1..4   r1..r4 from scripts/i2pnet (r1, r2 floodfills), SAM 127.0.0.1:7610..7640
#     198.18.0.5      node A: i2pd started by the test's I2pdSupervisor, SAM 127.0.0.1:7660
#     198.18.0.6      node B: likewise, SAM 127.0.0.1:7670
#
# The test binary runs in the namespace (`ip netns exec`) and finds the network in $I2PTT_NET.
# Cleanup on every exit path (EXIT/INT/TERM traps): the test process, `i2pnet down` (routers, then
# the namespace), then a backstop that kills whatever is left in the namespace and deletes it.
# Routers also carry I2PNET_LIFETIME, and the test's own i2pd children die with it (PDEATHSIG), so
# even a SIGKILL of this script leaves nothing running for long; the next run removes namespaces
# of runs whose script is gone. Exit code: the test's, 77 (skip) when not root.
set -uo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 TEST_BINARY [ARGS...]" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then
  echo "i2p_tunnel_test: needs root (network namespace); skipped"
  exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
i2pnet=$here/../../scripts/i2pnet
readonly ns_prefix=tenebra-i2p-tt
ns=$ns_prefix$$
dir=""
test_pid=""
ok=0

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$1"; }

kill_ns_processes() {
  local pids
  pids=$(ip netns pids "$1" 2>/dev/null | tr '\n' ' ')
  [[ -n ${pids// /} ]] || return 0
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.3
}

# Namespaces of earlier runs whose runner is gone (SIGKILLed): remove them.
remove_stale() {
  local other pid
  for other in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${ns_prefix}[0-9]+\$"); do
    pid=${other#"$ns_prefix"}
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q i2p_tunnel_run; then continue; fi
    echo "i2p_tunnel_run: removing stale namespace $other" >&2
    kill_ns_processes "$other"
    ip netns del "$other" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $test_pid ]] && kill -0 "$test_pid" 2>/dev/null; then
    kill -TERM "$test_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$test_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$test_pid" 2>/dev/null || true
    wait "$test_pid" 2>/dev/null || true
  fi
  if [[ -n $dir ]]; then
    "$i2pnet" down "$dir/net" >>"$dir/i2pnet.log" 2>&1 || true
  fi
  if ns_exists "$ns"; then
    kill_ns_processes "$ns"
    ip netns del "$ns" 2>/dev/null || true
  fi
  if ns_exists "$ns"; then
    echo "i2p_tunnel_run: could not delete namespace $ns" >&2
    rc=1
  fi
  if [[ -n $dir ]]; then
    if ((ok)) && [[ -z ${TENEBRA_KEEP_TEST_DIR:-} ]]; then rm -rf -- "$dir"; else echo "logs kept in $dir" >&2; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "i2p_tunnel_run: interrupted" >&2; exit 130' INT TERM

remove_stale
dir=$(mktemp -d /tmp/i2ptt.XXXXXX)
start_us=${EPOCHREALTIME//[!0-9]/}
# Routers stop on their own after 10 min even if nothing else runs `down`.
if ! I2PNET_NS=$ns I2PNET_LIFETIME=600 I2PNET_TIMEOUT=60 "$i2pnet" up "$dir/net" >"$dir/i2pnet.log" 2>&1; then
  echo "i2p_tunnel_run: i2pnet up failed:" >&2
  tail -n 20 "$dir/i2pnet.log" >&2
  exit 1
fi
elapsed_ms=$(((${EPOCHREALTIME//[!0-9]/} - start_us) / 1000))
printf '[timing] private I2P network up (4 routers): %d.%03d s\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000))
ip -n "$ns" addr add 198.18.0.5/32 dev lo || exit 1
ip -n "$ns" addr add 198.18.0.6/32 dev lo || exit 1

# In the background so INT/TERM reach the trap at once; bounded by timeout(1) as well.
I2PTT_NET=$dir/net ip netns exec "$ns" timeout -s TERM 330 "$@" &
test_pid=$!
wait "$test_pid"
rc=$?
test_pid=""
((rc == 0)) && ok=1
exit "$rc"
