import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { BundleVersions } from './build.js';
import { type BundleBinary, type BundleImage, type BundleManifest, describeFile, MANIFEST, sha256File } from './manifest.js';

/** The official downloads a bundle is fetched from, for a user with internet access. */
export interface FetchPlan {
  binaries: { name: string; url: string; sha256Url: string; dest: string }[];
  archives: { url: string; sha256Url: string; members: { name: string; dest: string; rel: string }[] }[];
  images: { component: string; name: string }[];
}

const CNI = ['bridge', 'host-local', 'loopback', 'portmap', 'bandwidth', 'firewall', 'tuning'];

/** Pure: what `bundle fetch` downloads for these versions (unit-tested; run only where the internet is). */
export function fetchPlan(v: BundleVersions, kubeadmImages: string[]): FetchPlan {
  const dl = `https://dl.k8s.io/release/${v.kubernetes}/bin/linux/amd64`;
  const gh = 'https://github.com';
  const comp = (n: string): string => n.slice(0, n.lastIndexOf(':')).split('/').pop()!;
  return {
    binaries: ['kubeadm', 'kubelet', 'kubectl'].map((b) => ({ name: b, url: `${dl}/${b}`, sha256Url: `${dl}/${b}.sha256`, dest: `/usr/bin/${b}` })),
    archives: [
      {
        url: `${gh}/kubernetes-sigs/cri-tools/releases/download/${v.crictl}/crictl-${v.crictl}-linux-amd64.tar.gz`,
        sha256Url: `${gh}/kubernetes-sigs/cri-tools/releases/download/${v.crictl}/crictl-${v.crictl}-linux-amd64.tar.gz.sha256`,
        members: [{ name: 'crictl', rel: 'bin/crictl', dest: '/usr/bin/crictl' }],
      },
      {
        url: `${gh}/Mirantis/cri-dockerd/releases/download/${v.criDockerd}/cri-dockerd-${v.criDockerd.replace(/^v/, '')}.amd64.tgz`,
        sha256Url: '',
        members: [{ name: 'cri-dockerd', rel: 'bin/cri-dockerd', dest: '/usr/bin/cri-dockerd' }],
      },
      {
        url: `${gh}/containernetworking/plugins/releases/download/${v.cniPlugins}/cni-plugins-linux-amd64-${v.cniPlugins}.tgz`,
        sha256Url: `${gh}/containernetworking/plugins/releases/download/${v.cniPlugins}/cni-plugins-linux-amd64-${v.cniPlugins}.tgz.sha256`,
        members: CNI.map((p) => ({ name: p, rel: `cni/${p}`, dest: `/opt/cni/bin/${p}` })),
      },
      {
        url: `${gh}/flannel-io/cni-plugin/releases/download/${v.flannelCniPlugin}/cni-plugin-flannel-linux-amd64-${v.flannelCniPlugin}.tgz`,
        sha256Url: `${gh}/flannel-io/cni-plugin/releases/download/${v.flannelCniPlugin}/cni-plugin-flannel-linux-amd64-${v.flannelCniPlugin}.tgz.sha256`,
        members: [{ name: 'flannel', rel: 'cni/flannel', dest: '/opt/cni/bin/flannel' }],
      },
    ],
    images: [
      ...kubeadmImages.map((n) => ({ component: comp(n), name: n })),
      { component: 'flannel', name: `ghcr.io/flannel-io/flannel:${v.flannel}` },
      { component: 'flannel-cni-plugin', name: `ghcr.io/flannel-io/flannel-cni-plugin:${v.flannelCniPlugin}` },
    ],
  };
}

async function download(url: string, to: string): Promise<void> {
  const r = await execa('curl', ['-fsSL', '--retry', '3', '-o', to, url], { reject: false });
  if (r.exitCode !== 0) throw new Error(`cannot download ${url}: ${r.stderr.trim() || `curl exit ${r.exitCode}`}`);
}

async function expectedSha(url: string): Promise<string> {
  const r = await execa('curl', ['-fsSL', '--retry', '3', url], { reject: false });
  if (r.exitCode !== 0) throw new Error(`cannot download ${url}: ${r.stderr.trim()}`);
  return r.stdout.trim().split(/\s+/)[0]!;
}

/**
 * `tsplay bundle fetch DIR`: the official binaries (checked against their published
 * sha256) and the images pulled with skopeo into docker-archive files, which both
 * `ctr images import` and `docker load` read. Same layout and manifest as a source build.
 */
export async function fetchOfficial(dir: string, v: BundleVersions, imageRepository: string, log: (s: string) => void): Promise<BundleManifest> {
  const t0 = Date.now();
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'cni'), { recursive: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  const kubeadm = join(dir, 'bin', 'kubeadm');
  await download(`https://dl.k8s.io/release/${v.kubernetes}/bin/linux/amd64/kubeadm`, kubeadm);
  chmodSync(kubeadm, 0o755);
  const listed = (await execa(kubeadm, ['config', 'images', 'list', '--kubernetes-version', v.kubernetes, '--image-repository', imageRepository])).stdout
    .split('\n')
    .filter(Boolean);
  const plan = fetchPlan(v, listed);
  const binaries: BundleBinary[] = [];
  for (const b of plan.binaries) {
    const rel = `bin/${b.name}`;
    log(`bundle: ${b.url}\n`);
    await download(b.url, join(dir, rel));
    chmodSync(join(dir, rel), 0o755);
    const want = await expectedSha(b.sha256Url);
    if ((await sha256File(join(dir, rel))) !== want) throw new Error(`${b.url}: sha256 differs from ${b.sha256Url}`);
    binaries.push({ name: b.name, dest: b.dest, ...(await describeFile(dir, rel)) });
  }
  const cniPlugins: BundleBinary[] = [];
  for (const a of plan.archives) {
    const tmp = mkdtempSync(join(tmpdir(), 'tsplay-fetch-'));
    try {
      log(`bundle: ${a.url}\n`);
      await download(a.url, join(tmp, 'a.tgz'));
      // cri-dockerd publishes no checksum file; the others do.
      if (a.sha256Url && (await sha256File(join(tmp, 'a.tgz'))) !== (await expectedSha(a.sha256Url)))
        throw new Error(`${a.url}: sha256 differs from ${a.sha256Url}`);
      await execa('tar', ['-xzf', join(tmp, 'a.tgz'), '-C', tmp]);
      for (const m of a.members) {
        const found = readdirSync(tmp, { recursive: true })
          .map(String)
          .find((f) => f.split('/').pop() === m.name);
        if (!found) throw new Error(`${a.url} holds no ${m.name}`);
        await execa('cp', [join(tmp, found), join(dir, m.rel)]);
        (m.rel.startsWith('cni/') ? cniPlugins : binaries).push({ name: m.name, dest: m.dest, ...(await describeFile(dir, m.rel)) });
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const images: BundleImage[] = [];
  for (const i of plan.images) {
    const rel = `images/${i.component}.tar`;
    log(`bundle: pulling ${i.name}\n`);
    if (existsSync(join(dir, rel))) rmSync(join(dir, rel));
    const r = await execa('skopeo', ['copy', '--override-arch', 'amd64', `docker://${i.name}`, `docker-archive:${join(dir, rel)}:${i.name}`], {
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`skopeo could not pull ${i.name}: ${r.stderr.trim()}`);
    images.push({ name: i.name, component: i.component, ...(await describeFile(dir, rel)) });
  }
  const m: BundleManifest = {
    format: 'tsplay-bundle/1',
    kubernetes_version: v.kubernetes.replace(/^v/, ''),
    image_repository: imageRepository,
    built_from: 'official',
    arch: 'amd64',
    components: {
      kubernetes: v.kubernetes,
      flannel: v.flannel,
      'flannel-cni-plugin': v.flannelCniPlugin,
      'cni-plugins': v.cniPlugins,
      crictl: v.crictl,
      'cri-dockerd': v.criDockerd,
    },
    binaries,
    cni_plugins: cniPlugins,
    images,
    created: new Date().toISOString(),
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(m, null, 2)}\n`);
  log(`bundle: fetched into ${dir} in ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
  return m;
}
