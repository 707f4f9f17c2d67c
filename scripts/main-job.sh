#!/usr/bin/env bash
# The main job on the local lab: 4 fresh hosts (1 master, 2 workers, 1 load
# balancer), the steps this machine can complete for real, then the whole setup
# in check mode. Needs root (the lab) and Debian's mirrors (apt inside the hosts).
set -uo pipefail
cd "$(dirname "$0")/.."
tsplay() { node bin/tsplay.js "$@"; }

tsplay lab up 4 --lb 1 || exit 1
echo
echo "== common, containerd and haproxy, for real =="
tsplay run playbooks/setup.yml -i inventories/lab --tags common,containerd,haproxy || exit 1
echo
echo "== the same again: nothing changes =="
tsplay run playbooks/setup.yml -i inventories/lab --tags common,containerd,haproxy || exit 1
echo
echo "== the whole setup in check mode =="
tsplay run playbooks/setup.yml -i inventories/lab --check
rc=$?
if [ $rc -eq 2 ] && ! getent hosts pkgs.k8s.io >/dev/null; then
  echo
  echo "Check mode stopped at the Kubernetes package repository, which this machine cannot reach"
  echo "(kubeadm, kubelet and kubectl come from pkgs.k8s.io); every step before it completed."
  rc=0
fi
echo
echo "The lab keeps running for you to look at: tsplay lab status; stop it with: sudo node bin/tsplay.js lab down"
exit $rc
