import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { DEFAULT_VERSIONS } from '../../bundle/build.js';
import { fetchPlan } from '../../bundle/fetch.js';
import { goModFor, kubeadmPins, mergeGoMod, parseReplaces, stagingVersion } from '../../bundle/gomod.js';
import { type BundleManifest, describeFile, verifyBundle } from '../../bundle/manifest.js';
import { writeImageArchive } from '../../bundle/oci.js';
import { labSettings } from '../../lab/lab.js';

/** Shortened from k8s.io/kubernetes v1.34.4's and go.etcd.io/etcd/server/v3 v3.6.5's go.mod. */
const KUBE_GOMOD = `module k8s.io/kubernetes

go 1.24.0

require (
\tgithub.com/blang/semver/v4 v4.0.0
\tk8s.io/api v0.0.0
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go // the client
)
`;
const ETCD_GOMOD = `module go.etcd.io/etcd/server/v3

replace (
\tgo.etcd.io/etcd/api/v3 => ../api
\tgo.etcd.io/etcd/client/v3 => ../client/v3
)

replace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY
replace github.com/example/old => github.com/example/new v1.2.3
`;

describe('offline bundle: go.mod for modules with local replaces', () => {
  it('reads replace lines in the block and the one-line form, comments dropped', () => {
    expect(parseReplaces(KUBE_GOMOD)).to.deep.equal([
      { from: 'k8s.io/api', to: './staging/src/k8s.io/api', version: '' },
      { from: 'k8s.io/client-go', to: './staging/src/k8s.io/client-go', version: '' },
    ]);
    expect(parseReplaces(ETCD_GOMOD).map((r) => r.from)).to.deep.equal([
      'go.etcd.io/etcd/api/v3',
      'go.etcd.io/etcd/client/v3',
      'go.etcd.io/etcd',
      'github.com/example/old',
    ]);
  });

  it('turns local staging paths into the published modules at v0.MINOR.PATCH', () => {
    const text = goModFor({
      module: 'tsplay.local/bundle/k',
      require: { path: 'k8s.io/kubernetes', version: 'v1.34.4' },
      dependencyGoMod: KUBE_GOMOD,
      localVersion: stagingVersion('v1.34.4'),
    });
    expect(text).to.include('require k8s.io/kubernetes v1.34.4');
    expect(text).to.include('\tk8s.io/api => k8s.io/api v0.34.4\n');
    expect(text).to.include('\tk8s.io/client-go => k8s.io/client-go v0.34.4\n');
    expect(text).not.to.include('./staging');
  });

  it("keeps published replaces, drops etcd's FORBIDDEN_DEPENDENCY guards, and merges several requires", () => {
    const a = goModFor({ module: 'm', require: { path: 'go.etcd.io/etcd/server/v3', version: 'v3.6.5' }, dependencyGoMod: ETCD_GOMOD, localVersion: 'v3.6.5' });
    expect(a).to.include('\tgithub.com/example/old => github.com/example/new v1.2.3\n');
    expect(a).to.include('\tgo.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v3.6.5\n');
    expect(a).not.to.include('FORBIDDEN');
    const b = goModFor({
      module: 'm',
      require: { path: 'go.etcd.io/etcd/etcdctl/v3', version: 'v3.6.5' },
      dependencyGoMod: ETCD_GOMOD,
      localVersion: 'v3.6.5',
    });
    const merged = mergeGoMod(a, b);
    expect(merged).to.include('require go.etcd.io/etcd/server/v3 v3.6.5\nrequire go.etcd.io/etcd/etcdctl/v3 v3.6.5');
    expect(merged.match(/go\.etcd\.io\/etcd\/api\/v3 =>/g)).to.have.length(1);
  });

  it('rejects a version that is not v1.MINOR.PATCH, and reads what kubeadm pins', () => {
    expect(() => stagingVersion('1.34.4')).to.throw(/expected v1.MINOR.PATCH/);
    const pins = kubeadmPins('\tDefaultEtcdVersion = "3.6.5-0"\n\tCoreDNSVersion = "v1.12.1"\n\tPauseVersion = "3.10.1"\n');
    expect(pins).to.deep.equal({ etcd: '3.6.5-0', coredns: 'v1.12.1', pause: '3.10.1' });
    expect(() => kubeadmPins('nothing')).to.throw(/DefaultEtcdVersion not found/);
  });
});

describe('offline bundle: fetch plan (what a user with internet downloads)', () => {
  it('takes the official binaries with their .sha256 and every image kubeadm lists', () => {
    const p = fetchPlan(DEFAULT_VERSIONS, [
      'registry.k8s.io/kube-apiserver:v1.34.4',
      'registry.k8s.io/coredns/coredns:v1.12.1',
      'registry.k8s.io/pause:3.10.1',
    ]);
    expect(p.binaries.map((b) => b.url)).to.deep.equal(['kubeadm', 'kubelet', 'kubectl'].map((b) => `https://dl.k8s.io/release/v1.34.4/bin/linux/amd64/${b}`));
    expect(p.binaries[0]!.sha256Url).to.equal('https://dl.k8s.io/release/v1.34.4/bin/linux/amd64/kubeadm.sha256');
    expect(p.images.map((i) => i.component)).to.deep.equal(['kube-apiserver', 'coredns', 'pause', 'flannel', 'flannel-cni-plugin']);
    expect(p.archives[2]!.url).to.equal('https://github.com/containernetworking/plugins/releases/download/v1.10.0/cni-plugins-linux-amd64-v1.10.0.tgz');
  });
});

describe('offline bundle: manifest and verify', () => {
  let dir: string;
  let manifest: BundleManifest;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'images'));
    for (const b of ['kubeadm', 'kubelet', 'kubectl']) writeFileSync(join(dir, 'bin', b), `#!/bin/sh\necho ${b}\n`);
    const comps = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'coredns', 'pause'];
    for (const c of comps) writeFileSync(join(dir, 'images', `${c}.tar`), c);
    manifest = {
      format: 'tsplay-bundle/1',
      kubernetes_version: '1.34.4',
      image_repository: 'registry.k8s.io',
      built_from: 'source',
      arch: 'amd64',
      components: {},
      binaries: await Promise.all(
        ['kubeadm', 'kubelet', 'kubectl'].map(async (b) => ({ name: b, dest: `/usr/bin/${b}`, ...(await describeFile(dir, `bin/${b}`)) })),
      ),
      cni_plugins: [],
      images: await Promise.all(comps.map(async (c) => ({ name: `registry.k8s.io/${c}:x`, component: c, ...(await describeFile(dir, `images/${c}.tar`)) }))),
      created: '',
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  });

  it('passes a bundle whose files match', async () => {
    const r = await verifyBundle(dir);
    expect(r.problems).to.deep.equal([]);
    expect(r.manifest.kubernetes_version).to.equal('1.34.4');
  });

  it('names a changed file (same size, other bytes), a missing one and a missing image', async () => {
    writeFileSync(join(dir, 'bin', 'kubelet'), '#!/bin/sh\necho kubeleX\n');
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        ...manifest,
        images: manifest.images.filter((i) => i.component !== 'etcd'),
        binaries: [...manifest.binaries, { name: 'crictl', dest: '/usr/bin/crictl', path: 'bin/crictl', sha256: '0', size: 1 }],
      }),
    );
    const r = await verifyBundle(dir);
    expect(r.problems.map((p) => `${p.path}: ${p.problem.split(' ')[0]}`)).to.have.members([
      'bin/kubelet: sha256',
      'bin/crictl: missing',
      'manifest.json: lists',
    ]);
  });

  it('refuses a folder that is not a bundle', async () => {
    let err = '';
    await verifyBundle(tmpdir()).catch((e: Error) => (err = e.message));
    expect(err).to.match(/not an offline bundle \(no manifest.json\)/);
  });
});

describe('offline bundle: image archives (OCI layout and docker-archive in one tar)', () => {
  it('writes index.json, manifest.json and blobs whose digests match their content', async function () {
    this.timeout(20000);
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    writeFileSync(join(dir, 'hello'), 'hello\n');
    const out = join(dir, 'img.tar');
    const r = await writeImageArchive(
      { name: 'registry.k8s.io/pause:3.10.1', root: { files: { '/pause': join(dir, 'hello') }, dirs: { '/tmp': 0o1777 } }, entrypoint: ['/pause'] },
      out,
    );
    const x = join(dir, 'x');
    mkdirSync(x);
    await execa('tar', ['-xf', out, '-C', x]);
    const index = JSON.parse(readFileSync(join(x, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests[0]!.annotations['io.containerd.image.name']).to.equal('registry.k8s.io/pause:3.10.1');
    expect(index.manifests[0]!.digest).to.equal(r.digest);
    const docker = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    expect(docker[0]!.RepoTags).to.deep.equal(['registry.k8s.io/pause:3.10.1']);
    for (const blob of [docker[0]!.Config, ...docker[0]!.Layers, `blobs/sha256/${r.digest.slice(7)}`]) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(x, blob)))
          .digest('hex'),
        blob,
      ).to.equal(blob.split('/').pop());
    }
    const config = JSON.parse(readFileSync(join(x, docker[0]!.Config), 'utf8')) as { config: { Entrypoint: string[] }; rootfs: { diff_ids: string[] } };
    expect(config.config.Entrypoint).to.deep.equal(['/pause']);
    const layer = await execa('sh', ['-c', `gzip -dc ${join(x, docker[0]!.Layers[0]!)} | tar -tvf -`]);
    expect(layer.stdout).to.match(/-rw-r--r-- 0\/0\s+6 1970-01-01 00:00 \.\/pause/);
    expect(layer.stdout).to.match(/drwxrwxrwt 0\/0 .* \.\/tmp\//);
    // The same inputs give the same image: digests a user can compare across builds.
    const again = await writeImageArchive(
      { name: 'registry.k8s.io/pause:3.10.1', root: { files: { '/pause': join(dir, 'hello') }, dirs: { '/tmp': 0o1777 } }, entrypoint: ['/pause'] },
      join(dir, 'again.tar'),
    );
    expect(again.digest).to.equal(r.digest);
  });
});

describe('lab settings', () => {
  it('sets what the lab kernel and containers need, the bundle when built, and a VIP for HA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-'));
    expect(labSettings(1, 0, dir))
      .to.include('kube_proxy_mode: iptables')
      .and.include('kube_proxy_conntrack_max_per_core: 0')
      .and.not.include('offline_bundle');
    writeFileSync(join(dir, 'manifest.json'), '{}');
    expect(labSettings(1, 0, dir))
      .to.include(`offline_bundle: ${dir}`)
      .and.not.include('vip:');
    expect(labSettings(3, 1, dir))
      .to.include('vip: 10.77.0.250')
      .and.include('control_plane_endpoint: "10.77.0.250:6443"');
  });
});
