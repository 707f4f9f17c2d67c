#!/usr/bin/env bash
# The main job on the local lab: a real Kubernetes cluster (1 master, 2 workers,
# containerd, Flannel) built by playbooks/setup.yml from the offline bundle, then
# the same run again (nothing changes) and `kubectl get nodes`. The bundle is built
# from the Go module proxy the first time (about 25 minutes on 2 cores) and reused
# after that. Needs root (the lab), Go and Debian's mirrors (apt inside the hosts).
set -uo pipefail
cd "$(dirname "$0")/.."
tsplay() { node bin/tsplay.js "$@"; }
npm run build --silent || exit 1
bundle=$(node -e 'import("./dist/bundle/paths.js").then(m => console.log(m.defaultBundleDir()))')

if ! command -v go >/dev/null; then
  echo "Go is not installed: the offline bundle cannot be built here; running the setup in check mode only."
  tsplay lab up 3 || exit 1
  tsplay run playbooks/setup.yml -i inventories/lab --check
  exit $?
fi

echo "== the offline bundle: $bundle =="
if ! tsplay bundle verify "$bundle" 2>/dev/null; then
  tsplay bundle build --from-source "$bundle" || exit 1
fi
echo
tsplay lab up 3 || exit 1
echo
echo "== playbooks/setup.yml: kubeadm, kubelet, containerd and Flannel, for real =="
tsplay run playbooks/setup.yml -i inventories/lab || exit 1
echo
echo "== the same again: nothing changes =="
tsplay run playbooks/setup.yml -i inventories/lab || exit 1
echo
echo "== kubectl get nodes -o wide (on lab1) =="
key=/var/lib/tsplay-lab/ssh/id_ed25519
ssh -i "$key" -o UserKnownHostsFile=/var/lib/tsplay-lab/ssh/known_hosts -o BatchMode=yes root@10.77.0.11 \
  'kubectl get nodes -o wide && kubectl get pods -A'
echo
echo "The cluster keeps running for you to use: ssh -i $key root@10.77.0.11 kubectl get nodes"
echo "Stop it with: sudo node bin/tsplay.js lab down"
