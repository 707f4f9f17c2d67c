import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { LabState } from '../../lab/lab.js';
import { FIXTURES, ROOT, tsplay } from '../helpers.js';
import { freshLab, inHost, labInventory } from '../lab-support.js';

/**
 * The cluster roles against fresh boot-mode lab hosts. common, containerd,
 * docker and haproxy/keepalived install real Debian packages and run real
 * services. kubeadm and kubectl cannot be had here: STAND-IN scripts
 * (test/fixtures/standins) record their arguments instead, and the tests read
 * those records.
 */
const SETUP = join(ROOT, 'playbooks', 'setup.yml');
const VIP = '10.77.0.100';

describe('cluster roles on a fresh lab', function () {
  this.timeout(900000);
  let lab: LabState;
  let inv: string;
  const on = async (h: string, cmd: string) => (await inHost(lab, h, cmd)).exitCode === 0;
  const out = async (h: string, cmd: string) => (await inHost(lab, h, cmd)).stdout;
  const fingerprint = (h: string) =>
    // Units a login starts (the SSH session, root's user manager) come and go with tsplay's connection, not with its changes.
    out(
      h,
      "{ dpkg-query -W -f='${Package} ${Status}\\n' 2>/dev/null | md5sum; cat /etc/hosts; ls -la --time-style=+%s /etc/sysctl.d /etc/modules-load.d /etc/containerd /etc/haproxy 2>&1; systemctl list-units --state=active --no-legend --plain | awk '{print $1}' | grep -v -E '^(session-[0-9]+[.]scope|user@[0-9]+[.]service|user-runtime-dir@[0-9]+[.]service|user-[0-9]+[.]slice)$'; }",
    );

  before(async () => {
    lab = await freshLab(3);
    inv = labInventory(
      lab,
      { kube_master: ['lab1'], kube_node: ['lab2'], lb: ['lab3'] },
      { vip: VIP, vip_interface: 'host0', haproxy_stats_password: 'stats-pw', docker_storage_driver: 'vfs' },
    );
  });

  it('check mode on fresh hosts reports the changes and makes none (checked on the hosts)', async () => {
    const before = await Promise.all(['lab1', 'lab2', 'lab3'].map(fingerprint));
    const r = await tsplay('run', SETUP, '-i', inv, '--tags', 'common,containerd,haproxy', '--check');
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/TASK \[common : \/etc\/hosts entries[\s\S]*?changed: \[lab1\]/);
    expect(r.out).to.match(/TASK \[containerd : containerd installed\][\s\S]*?changed: \[lab2\]/);
    expect(r.out).to.match(/TASK \[haproxy : HAProxy and keepalived installed\][\s\S]*?changed: \[lab3\]/);
    const after = await Promise.all(['lab1', 'lab2', 'lab3'].map(fingerprint));
    expect(after).to.deep.equal(before);
  });

  it('common, containerd and haproxy with keepalived run for real from Debian packages', async () => {
    const r = await tsplay('run', SETUP, '-i', inv, '--tags', 'common,containerd,haproxy');
    expect(r.code, r.out).to.equal(0);
    for (const h of ['lab1', 'lab2']) {
      expect(await on(h, 'systemctl is-active -q containerd'), `containerd on ${h}`).to.equal(true);
      expect(await on(h, 'grep -q "SystemdCgroup = true" /etc/containerd/config.toml')).to.equal(true);
      expect(await on(h, 'grep -q \'sandbox_image = "registry.k8s.io/pause:3.10.1"\' /etc/containerd/config.toml')).to.equal(true);
      expect(await on(h, 'grep -q \'config_path = "/etc/containerd/certs.d"\' /etc/containerd/config.toml')).to.equal(true);
      expect(await on(h, 'grep -q "https://mirror.gcr.io" /etc/containerd/certs.d/docker.io/hosts.toml')).to.equal(true);
      expect(await on(h, 'grep -q "runtime-endpoint: unix:///run/containerd/containerd.sock" /etc/crictl.yaml')).to.equal(true);
    }
    for (const h of ['lab1', 'lab2', 'lab3']) {
      expect(await out(h, 'sysctl -n net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables')).to.equal('1\n1');
      expect(
        await on(
          h,
          'grep -qx net.bridge.bridge-nf-call-iptables=1 /etc/sysctl.d/k8s.conf && grep -qx br_netfilter /etc/modules-load.d/br_netfilter.conf && grep -qx overlay /etc/modules-load.d/overlay.conf',
        ),
      ).to.equal(true);
      expect(
        await on(h, `grep -q "^10.77.0.11 lab1$" /etc/hosts && grep -q "^10.77.0.12 lab2$" /etc/hosts && grep -q "^${VIP} k8s-api.cluster.local$" /etc/hosts`),
        `/etc/hosts on ${h}`,
      ).to.equal(true);
      expect(await on(h, 'for p in ipset ipvsadm conntrack chrony; do dpkg-query -W -f="\\${db:Status-Abbrev}" $p | grep -q ^ii || exit 1; done')).to.equal(
        true,
      );
    }
    expect(await on('lab3', 'systemctl is-active -q haproxy && systemctl is-active -q keepalived'), 'haproxy and keepalived active').to.equal(true);
    expect(await on('lab3', 'haproxy -c -f /etc/haproxy/haproxy.cfg')).to.equal(true);
    expect(await out('lab3', 'grep -E "^\\s+(bind|server) " /etc/haproxy/haproxy.cfg')).to.match(
      new RegExp(`bind ${VIP.replace(/\./g, '\\.')}:6443[\\s\\S]*server lab1 10\\.77\\.0\\.11:6443 check`),
    );
    expect(await on('lab3', 'grep -q "stats auth admin:stats-pw" /etc/haproxy/haproxy.cfg')).to.equal(true);
    expect(await on('lab3', `ss -ltn | grep -q "${VIP}:6443"`), 'haproxy listens on the VIP:6443').to.equal(true);
    expect(await on('lab3', `grep -q "${VIP}" /etc/keepalived/keepalived.conf && [ "$(sysctl -n net.ipv4.ip_nonlocal_bind)" = 1 ]`)).to.equal(true);
  });

  it('the second run reports no change anywhere', async () => {
    const r = await tsplay('run', SETUP, '-i', inv, '--tags', 'common,containerd,haproxy');
    expect(r.code, r.out).to.equal(0);
    for (const h of ['lab1', 'lab2', 'lab3']) expect(r.out).to.match(new RegExp(`${h}\\s+: ok=\\d+\\s+changed=0\\s+unreachable=0\\s+failed=0`));
  });

  it('docker from docker.io runs for real, with daemon.json as the runbooks write it', async () => {
    const dinv = labInventory(lab, { kube_master: ['lab2'], kube_node: [], lb: [] }, { container_runtime: 'docker', docker_storage_driver: 'vfs' });
    const r = await tsplay('run', SETUP, '-i', dinv, '--tags', 'docker');
    expect(r.code, r.out).to.equal(0);
    expect(await on('lab2', 'systemctl is-active -q docker')).to.equal(true);
    const daemon = JSON.parse(await out('lab2', 'cat /etc/docker/daemon.json')) as Record<string, unknown>;
    expect(daemon['exec-opts']).to.deep.equal(['native.cgroupdriver=systemd']);
    expect(daemon['registry-mirrors']).to.deep.equal(['https://mirror.gcr.io']);
    expect(daemon['insecure-registries']).to.deep.equal([]);
    const again = await tsplay('run', SETUP, '-i', dinv, '--tags', 'docker');
    expect(again.out).to.match(/lab2\s+: ok=\d+\s+changed=0/);
  });

  it('cri-dockerd units carry fd:// and the pause image (rendered, shown in check+diff mode)', async () => {
    const dinv = labInventory(
      lab,
      { kube_master: ['lab2'], kube_node: [], lb: [] },
      { container_runtime: 'docker', cri_dockerd_install: false, image_repository: 'registry.aliyuncs.com/google_containers' },
    );
    const r = await tsplay('run', SETUP, '-i', dinv, '--tags', 'cri-dockerd', '--check', '--diff');
    expect(r.out).to.include(
      '+ExecStart=/usr/bin/cri-dockerd --container-runtime-endpoint fd:// --pod-infra-container-image=registry.aliyuncs.com/google_containers/pause:3.10.1',
    );
    expect(r.out).to.include('+ListenStream=%t/cri-dockerd.sock');
  });

  describe('kubeadm with STAND-IN kubeadm and kubectl binaries', () => {
    const standins = async (hosts: string[], nodes: string[]) => {
      const kubeadm = readFileSync(join(FIXTURES, 'standins', 'kubeadm'), 'utf8');
      const kubectl = readFileSync(join(FIXTURES, 'standins', 'kubectl'), 'utf8');
      for (const h of hosts) {
        const script = [
          `cat > /usr/local/bin/kubeadm <<'EOS'\n${kubeadm}EOS`,
          `cat > /usr/local/bin/kubectl <<'EOS'\n${kubectl}EOS`,
          'chmod +x /usr/local/bin/kubeadm /usr/local/bin/kubectl',
          'printf "[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n" > /lib/systemd/system/kubelet.service && systemctl daemon-reload',
          `mkdir -p /etc/tsplay-standin && echo "${nodes.join(' ')}" > /etc/tsplay-standin/nodes`,
          'rm -f /var/log/kubeadm-standin.log /var/log/kubectl-standin.log /etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf',
        ].join('\n');
        expect((await inHost(lab, h, script)).exitCode, `stand-ins on ${h}`).to.equal(0);
      }
    };
    const calls = (h: string) => out(h, 'cat /var/log/kubeadm-standin.log 2>/dev/null');

    it('init once on the first master with the settings; workers join with the runtime socket; a second run joins nobody; tokens never shown', async () => {
      await standins(['lab1', 'lab2'], ['lab1', 'lab2']);
      const kinv = labInventory(lab, { kube_master: ['lab1'], kube_node: ['lab2'], lb: [] }, { kube_install_packages: false, pod_cidr: '10.245.0.0/16' });
      const r = await tsplay('run', SETUP, '-i', kinv, '--tags', 'kubeadm,calico', '-vvv');
      expect(r.code, r.out).to.equal(0);
      expect(r.out + r.err).not.to.include('SECRETTOKEN');
      expect(r.out + r.err).not.to.include('f3ce1b0a9d4e5f6a');
      const m = await calls('lab1');
      expect(m.match(/^kubeadm init --config/gm)).to.have.length(1);
      expect(m).to.include('kubeadm init --config /etc/kubernetes/kubeadm-config.yaml --upload-certs');
      const w = await calls('lab2');
      expect(w).to.match(
        /^kubeadm join 10\.77\.0\.11:6443 --token abcdef\.SECRETTOKEN0123 --discovery-token-ca-cert-hash sha256:\w+ --cri-socket unix:\/\/\/run\/containerd\/containerd\.sock --node-name lab2$/m,
      );
      expect(w).not.to.include('--control-plane');
      const cfg = await out('lab1', 'cat /etc/kubernetes/kubeadm-config.yaml');
      expect(cfg).to.include('podSubnet: 10.245.0.0/16').and.include('serviceSubnet: 10.96.0.0/12').and.include('kubernetesVersion: v1.34.4');
      expect(cfg).to.include('imageRepository: registry.k8s.io').and.include('criSocket: unix:///run/containerd/containerd.sock');
      expect(cfg).to.include('controlPlaneEndpoint: "10.77.0.11:6443"').and.include('advertiseAddress: 10.77.0.11');
      const calico = await out('lab1', 'cat /etc/kubernetes/addons/calico.yaml');
      expect(calico).to.match(/- name: CALICO_IPV4POOL_CIDR\n\s+value: "10\.245\.0\.0\/16"/);
      expect(calico).to.match(/- name: CALICO_IPV4POOL_IPIP\n\s+value: "Always"/);
      expect(await out('lab1', 'cat /var/log/kubectl-standin.log')).to.include('apply -f /etc/kubernetes/addons/calico.yaml');
      expect(await on('lab1', 'systemctl is-enabled -q kubelet && [ -f /root/.kube/config ]')).to.equal(true);
      const again = await tsplay('run', SETUP, '-i', kinv, '--tags', 'kubeadm');
      expect(again.code, again.out).to.equal(0);
      expect((await calls('lab1')).match(/^kubeadm init --config/gm)).to.have.length(1);
      expect((await calls('lab2')).match(/^kubeadm join /gm)).to.have.length(1);
    });

    it('with three masters the others join with --control-plane and the certificate key; reset.yml undoes it', async () => {
      await standins(['lab1', 'lab2', 'lab3'], ['lab1', 'lab2', 'lab3']);
      const kinv = labInventory(
        lab,
        { kube_master: ['lab1', 'lab2', 'lab3'], kube_node: [], lb: [] },
        { kube_install_packages: false, vip: VIP, control_plane_endpoint: `${VIP}:6443`, cni: 'flannel', flannel_backend: 'host-gw' },
      );
      const r = await tsplay('run', SETUP, '-i', kinv, '--tags', 'kubeadm,flannel');
      expect(r.code, r.out).to.equal(0);
      for (const h of ['lab2', 'lab3']) {
        expect(await calls(h)).to.match(
          new RegExp(
            `^kubeadm join 10\\.77\\.0\\.11:6443 .* --control-plane --certificate-key f3ce1b0a9d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a --cri-socket unix:///run/containerd/containerd.sock --apiserver-advertise-address 10\\.77\\.0\\.1[23] --node-name ${h}$`,
            'm',
          ),
        );
      }
      const flannel = await out('lab1', 'cat /etc/kubernetes/addons/kube-flannel.yml');
      expect(flannel).to.match(/"Network": "10\.244\.0\.0\/16"[\s\S]*"Type": "host-gw"/);
      expect(await out('lab1', 'cat /etc/kubernetes/kubeadm-config.yaml')).to.include(`controlPlaneEndpoint: "${VIP}:6443"`);
      const reset = await tsplay('run', join(ROOT, 'playbooks', 'reset.yml'), '-i', kinv);
      expect(reset.code, reset.out).to.equal(0);
      for (const h of ['lab1', 'lab2', 'lab3']) {
        expect(await calls(h)).to.include('kubeadm reset -f --cri-socket unix:///run/containerd/containerd.sock');
        expect(await on(h, '[ ! -e /etc/kubernetes/kubelet.conf ]')).to.equal(true);
      }
    });
  });

  it('without a reachable Kubernetes package repository the run stops there, naming it', async () => {
    const kinv = labInventory(lab, { kube_master: ['lab1'], kube_node: ['lab2'], lb: [] }, { kube_repo_base: 'http://10.77.0.1:9/k8s' });
    const r = await tsplay('run', SETUP, '-i', kinv, '--tags', 'kubeadm');
    expect(r.code).to.equal(2);
    expect(r.out).to.match(
      /fatal: \[lab1\]: FAILED! => .*cannot download the key from http:\/\/10\.77\.0\.1:9\/k8s\/v1\.34\/deb\/Release\.key on the host \(offline or wrong URL\)/,
    );
    expect(r.out + r.err).not.to.match(/\n\s+at \w/);
  });

  it('invalid settings stop the run before any host is touched', async () => {
    const bad = [
      [{ container_runtime: 'cri-o' }, /container_runtime must be containerd or docker \(is cri-o\)/],
      [{ pod_cidr: '10.96.0.0/16' }, /must not overlap/],
      [{ cni: 'weave' }, /cni calico or flannel \(is weave\)/],
    ] as const;
    for (const [vars, msg] of bad) {
      const b = labInventory(lab, { kube_master: ['lab1'], kube_node: ['lab2'] }, vars as Record<string, unknown>);
      const r = await tsplay('run', SETUP, '-i', b, '--json');
      expect(r.code).to.equal(2);
      expect(r.out).to.match(msg);
      const doc = JSON.parse(r.out) as { commands: Record<string, number> };
      expect(
        Object.values(doc.commands).reduce((a, n) => a + n, 0),
        'no remote command ran',
      ).to.equal(0);
    }
    const even = labInventory(lab, { kube_master: ['lab1', 'lab2'], kube_node: [] }, { vip: VIP });
    const r = await tsplay('run', SETUP, '-i', even);
    expect(r.code).to.equal(2);
    expect(r.out).to.match(/kube_master needs 1 or an odd number of hosts \(has 2\)/);
  });
});
