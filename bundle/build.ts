import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../project.js';
import { buildGo, type GoComponent, moduleFiles } from './go.js';

export { defaultCacheDir } from './paths.js';

import { kubeadmPins, stagingVersion } from './gomod.js';
import { type BundleBinary, type BundleImage, type BundleManifest, describeFile, MANIFEST } from './manifest.js';
import { hostProgramClosure, type ImageRoot, writeImageArchive } from './oci.js';

/** Versions of what a bundle holds besides Kubernetes itself (which pins etcd, CoreDNS and pause). */
export interface BundleVersions {
  kubernetes: string;
  flannel: string;
  /** The tag upstream gives the flannel CNI plugin image that goes with that flannel. */
  flannelCniPlugin: string;
  cniPlugins: string;
  crictl: string;
  criDockerd: string;
}

export const DEFAULT_VERSIONS: BundleVersions = {
  kubernetes: 'v1.34.4',
  flannel: 'v0.27.4',
  flannelCniPlugin: 'v1.7.1-flannel1',
  cniPlugins: 'v1.10.0',
  crictl: 'v1.34.0',
  // 0.4 needs Docker's API 1.42 (Docker 23); Debian 12's docker.io is 20.10 (API 1.41).
  criDockerd: 'v0.3.14',
};

export interface BuildOptions {
  dir: string;
  versions: BundleVersions;
  imageRepository: string;
  /** Go work folders and finished binaries; reused by the next build. */
  cacheDir: string;
  log: (s: string) => void;
}

const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap', 'bandwidth', 'firewall', 'tuning'];
const CNI_PATHS: Record<string, string> = {
  bridge: 'main/bridge',
  loopback: 'main/loopback',
  'host-local': 'ipam/host-local',
  portmap: 'meta/portmap',
  bandwidth: 'meta/bandwidth',
  firewall: 'meta/firewall',
  tuning: 'meta/tuning',
};

/** The files every image needs for a root user and name lookups through the cluster's DNS. */
const BASE: ImageRoot = {
  files: {},
  dirs: { '/tmp': 0o1777, '/root': 0o700 },
  content: {
    '/etc/passwd': 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n',
    '/etc/group': 'root:x:0:\nnogroup:x:65534:\n',
    '/etc/nsswitch.conf': 'hosts: files dns\n',
  },
};

function withBase(r: ImageRoot): ImageRoot {
  return { files: { ...BASE.files, ...r.files }, dirs: { ...BASE.dirs, ...r.dirs }, content: { ...BASE.content, ...r.content }, links: r.links };
}

/** What this machine must have to build a bundle; installed with apt-get as `lab up` does. */
async function ensureBuildTools(log: (s: string) => void): Promise<void> {
  const need: string[] = [];
  if (!existsSync('/usr/sbin/xtables-nft-multi')) need.push('iptables');
  if (!existsSync('/bin/busybox')) need.push('busybox-static');
  if (!existsSync('/usr/bin/gcc')) need.push('gcc');
  if (!existsSync('/usr/lib/x86_64-linux-gnu/libc.a')) need.push('libc6-dev');
  if (!need.length) return;
  log(`bundle: installing ${need.join(' ')} with apt-get\n`);
  await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...need], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
}

/** iptables as Debian ships it (nf_tables backend), with its extensions, for kube-proxy and flanneld. */
async function iptablesRoot(): Promise<ImageRoot> {
  const multi = '/usr/sbin/xtables-nft-multi';
  const files = await hostProgramClosure([multi], ['/usr/lib/x86_64-linux-gnu/xtables']);
  const links: Record<string, string> = {};
  for (const n of [
    'iptables',
    'iptables-save',
    'iptables-restore',
    'ip6tables',
    'ip6tables-save',
    'ip6tables-restore',
    'iptables-nft',
    'iptables-nft-save',
    'iptables-nft-restore',
    'ip6tables-nft',
    'ip6tables-nft-save',
    'ip6tables-nft-restore',
  ]) {
    links[`/usr/sbin/${n}`] = 'xtables-nft-multi';
  }
  for (const f of ['/etc/protocols', '/etc/services', '/etc/ethertypes']) if (existsSync(f)) files[f] = f;
  return { files, links };
}

function busyboxRoot(tools: string[]): ImageRoot {
  return { files: { '/bin/busybox': '/bin/busybox' }, links: Object.fromEntries(tools.map((t) => [`/bin/${t}`, 'busybox'])) };
}

function merge(...roots: ImageRoot[]): ImageRoot {
  const out: ImageRoot = { files: {}, links: {}, dirs: {}, content: {} };
  for (const r of roots) {
    Object.assign(out.files, r.files);
    Object.assign(out.links!, r.links ?? {});
    Object.assign(out.dirs!, r.dirs ?? {});
    Object.assign(out.content!, r.content ?? {});
  }
  return out;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MiB`;
}

function kubeLdflags(v: string): string {
  const [, major, minor] = /^v(\d+)\.(\d+)/.exec(v)!;
  // What hack/lib/version.sh stamps: kubeadm picks image tags and kubelet reports its version from these.
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((p) => [
      `-X ${p}.gitVersion=${v}`,
      `-X ${p}.gitMajor=${major}`,
      `-X ${p}.gitMinor=${minor}`,
      `-X ${p}.gitTreeState=clean`,
      `-X ${p}.buildDate=1970-01-01T00:00:00Z`,
    ])
    .join(' ');
}

/**
 * `tsplay bundle build --from-source DIR`: Kubernetes, etcd, CoreDNS, Flannel, the CNI
 * plugins and crictl built from their Go modules, the images written by writeImageArchive
 * under the names `kubeadm config images list` gives, and manifest.json over all of it.
 */
export async function buildFromSource(o: BuildOptions): Promise<BundleManifest> {
  const t0 = Date.now();
  const { log } = o;
  const v = o.versions;
  await ensureBuildTools(log);
  const goCache = join(o.cacheDir, 'go');
  mkdirSync(goCache, { recursive: true });
  mkdirSync(o.dir, { recursive: true });
  const step = async <T>(what: string, f: () => Promise<T & { cached?: boolean }>): Promise<T> => {
    const t = Date.now();
    log(`bundle: ${what} ...\n`);
    const r = await f();
    log(`bundle: ${what}: ${r.cached ? 'reused from the cache' : 'built'} in ${((Date.now() - t) / 1000).toFixed(0)}s\n`);
    return r;
  };

  const kube: GoComponent = {
    id: `kubernetes-${v.kubernetes}`,
    requires: [{ path: 'k8s.io/kubernetes', version: v.kubernetes, localVersion: stagingVersion(v.kubernetes) }],
    binaries: Object.fromEntries(
      ['kubeadm', 'kubelet', 'kubectl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'].map((b) => [
        b,
        `k8s.io/kubernetes/cmd/${b}`,
      ]),
    ),
    ldflags: kubeLdflags(v.kubernetes),
  };
  const k = await step(`Kubernetes ${v.kubernetes} (7 programs)`, () => buildGo(kube, goCache, log));
  const kubeSrc = (await moduleFiles('k8s.io/kubernetes', v.kubernetes, k.dir)).dir;
  const pins = kubeadmPins(readFileSync(join(kubeSrc, 'cmd/kubeadm/app/constants/constants.go'), 'utf8'));
  const etcdVersion = `v${pins.etcd.replace(/-\d+$/, '')}`;

  const etcd = await step(`etcd ${etcdVersion}`, () =>
    buildGo(
      {
        id: `etcd-${etcdVersion}`,
        requires: [
          { path: 'go.etcd.io/etcd/server/v3', version: etcdVersion },
          { path: 'go.etcd.io/etcd/etcdctl/v3', version: etcdVersion },
          { path: 'go.etcd.io/etcd/etcdutl/v3', version: etcdVersion },
        ],
        binaries: { etcd: `tsplay.local/bundle/etcd-${etcdVersion}/cmd/etcd`, etcdctl: 'go.etcd.io/etcd/etcdctl/v3', etcdutl: 'go.etcd.io/etcd/etcdutl/v3' },
        sources: { 'cmd/etcd/main.go': readFileSync(join(PROJECT_ROOT, 'bundle/src/etcd/main.go'), 'utf8') },
      },
      goCache,
      log,
    ),
  );
  const coredns = await step(`CoreDNS ${pins.coredns}`, () =>
    buildGo(
      {
        id: `coredns-${pins.coredns}`,
        requires: [{ path: 'github.com/coredns/coredns', version: pins.coredns }],
        binaries: { coredns: 'github.com/coredns/coredns' },
      },
      goCache,
      log,
    ),
  );
  const flannel = await step(`Flannel ${v.flannel}`, () =>
    buildGo(
      {
        id: `flannel-${v.flannel}`,
        requires: [{ path: 'github.com/flannel-io/flannel', version: v.flannel }],
        binaries: { flanneld: 'github.com/flannel-io/flannel' },
        ldflags: `-X github.com/flannel-io/flannel/pkg/version.Version=${v.flannel}`,
        cgo: true,
      },
      goCache,
      log,
    ),
  );
  const cni = await step(`CNI plugins ${v.cniPlugins} and the flannel CNI plugin`, () =>
    buildGo(
      {
        id: `cni-plugins-${v.cniPlugins}`,
        requires: [{ path: 'github.com/containernetworking/plugins', version: v.cniPlugins }],
        binaries: {
          ...Object.fromEntries(CNI_PLUGINS.map((p) => [p, `github.com/containernetworking/plugins/plugins/${CNI_PATHS[p]}`])),
          flannel: `tsplay.local/bundle/cni-plugins-${v.cniPlugins}/cmd/flannel`,
        },
        sources: { 'cmd/flannel/main.go': readFileSync(join(PROJECT_ROOT, 'bundle/src/flannel-cni/main.go'), 'utf8') },
      },
      goCache,
      log,
    ),
  );
  const crictl = await step(`crictl ${v.crictl}`, () =>
    buildGo(
      {
        id: `cri-tools-${v.crictl}`,
        requires: [{ path: 'sigs.k8s.io/cri-tools', version: v.crictl }],
        binaries: { crictl: 'sigs.k8s.io/cri-tools/cmd/crictl' },
      },
      goCache,
      log,
    ),
  );
  const criDockerd = await step(`cri-dockerd ${v.criDockerd}`, () =>
    buildGo(
      {
        id: `cri-dockerd-${v.criDockerd}`,
        requires: [{ path: 'github.com/Mirantis/cri-dockerd', version: v.criDockerd }],
        binaries: { 'cri-dockerd': 'github.com/Mirantis/cri-dockerd' },
        ldflags: `-X github.com/Mirantis/cri-dockerd/cmd/version.Version=${v.criDockerd.replace(/^v/, '')}`,
      },
      goCache,
      log,
    ),
  );
  const pause = await step(`pause ${pins.pause}`, async () => {
    const out = join(goCache, `pause-${pins.pause}`, 'pause');
    mkdirSync(join(goCache, `pause-${pins.pause}`), { recursive: true });
    const src = join(kubeSrc, 'build/pause/linux/pause.c');
    if (existsSync(out)) return { path: out, cached: true };
    // As build/pause/Makefile does it: a static C program that reaps zombies and sleeps.
    await execa('gcc', ['-Os', '-Wall', '-Werror', '-static', `-DVERSION=v${pins.pause}`, '-o', out, src]);
    await execa('strip', [out]);
    return { path: out, cached: false };
  });

  // Binaries and CNI plugins, at the paths the Debian packages use on a host.
  const binaries: BundleBinary[] = [];
  const place = async (name: string, from: string, rel: string, dest: string, list: BundleBinary[]): Promise<void> => {
    mkdirSync(join(o.dir, rel, '..'), { recursive: true });
    copyFileSync(from, join(o.dir, rel));
    chmodSync(join(o.dir, rel), 0o755);
    list.push({ name, dest, ...(await describeFile(o.dir, rel)) });
  };
  for (const b of ['kubeadm', 'kubelet', 'kubectl']) await place(b, k.binaries[b]!, `bin/${b}`, `/usr/bin/${b}`, binaries);
  await place('crictl', crictl.binaries.crictl!, 'bin/crictl', '/usr/bin/crictl', binaries);
  await place('cri-dockerd', criDockerd.binaries['cri-dockerd']!, 'bin/cri-dockerd', '/usr/bin/cri-dockerd', binaries);
  for (const b of ['etcdctl', 'etcdutl']) await place(b, etcd.binaries[b]!, `bin/${b}`, `/usr/local/bin/${b}`, binaries);
  const cniPlugins: BundleBinary[] = [];
  for (const p of [...CNI_PLUGINS, 'flannel']) await place(p, cni.binaries[p]!, `cni/${p}`, `/opt/cni/bin/${p}`, cniPlugins);

  // Images, under the names kubeadm asks for with this image repository.
  const kubeadm = k.binaries.kubeadm!;
  const listed = (await execa(kubeadm, ['config', 'images', 'list', '--kubernetes-version', v.kubernetes, '--image-repository', o.imageRepository])).stdout
    .split('\n')
    .filter(Boolean);
  const byComponent = (c: string): string => {
    const n = listed.find((l) => l.slice(0, l.lastIndexOf(':')).split('/').pop() === c);
    if (!n) throw new Error(`kubeadm config images list names no ${c} image: ${listed.join(', ')}`);
    return n;
  };
  const ipt = await iptablesRoot();
  const control = (b: string): ImageRoot => withBase({ files: { [`/usr/local/bin/${b}`]: k.binaries[b]! } });
  const specs: { component: string; name: string; root: ImageRoot; entrypoint?: string[] }[] = [
    { component: 'kube-apiserver', name: byComponent('kube-apiserver'), root: control('kube-apiserver') },
    { component: 'kube-controller-manager', name: byComponent('kube-controller-manager'), root: control('kube-controller-manager') },
    { component: 'kube-scheduler', name: byComponent('kube-scheduler'), root: control('kube-scheduler') },
    { component: 'kube-proxy', name: byComponent('kube-proxy'), root: merge(control('kube-proxy'), ipt) },
    {
      component: 'etcd',
      name: byComponent('etcd'),
      root: withBase({
        files: {
          '/usr/local/bin/etcd': etcd.binaries.etcd!,
          '/usr/local/bin/etcdctl': etcd.binaries.etcdctl!,
          '/usr/local/bin/etcdutl': etcd.binaries.etcdutl!,
        },
        dirs: { '/var/lib/etcd': 0o700 },
      }),
    },
    { component: 'coredns', name: byComponent('coredns'), root: withBase({ files: { '/coredns': coredns.binaries.coredns! } }), entrypoint: ['/coredns'] },
    { component: 'pause', name: byComponent('pause'), root: withBase({ files: { '/pause': pause.path } }), entrypoint: ['/pause'] },
    // kube-flannel.yml's init containers run `cp` from these images, as upstream's do.
    {
      component: 'flannel',
      name: `docker.io/flannel/flannel:${v.flannel}`,
      root: merge(withBase({ files: { '/opt/bin/flanneld': flannel.binaries.flanneld! } }), ipt, busyboxRoot(['sh', 'cp', 'ls', 'cat', 'mkdir'])),
    },
    {
      component: 'flannel-cni-plugin',
      name: `docker.io/flannel/flannel-cni-plugin:${v.flannelCniPlugin}-tsplay`,
      root: merge(withBase({ files: { '/flannel': cni.binaries.flannel! } }), busyboxRoot(['sh', 'cp', 'ls'])),
    },
  ];
  const images: BundleImage[] = [];
  const tImages = Date.now();
  for (const s of specs) {
    const rel = `images/${s.component}.tar`;
    await writeImageArchive({ name: s.name, root: s.root, entrypoint: s.entrypoint }, join(o.dir, rel));
    images.push({ name: s.name, component: s.component, ...(await describeFile(o.dir, rel)) });
  }
  log(`bundle: ${images.length} images written in ${((Date.now() - tImages) / 1000).toFixed(0)}s\n`);

  const manifest: BundleManifest = {
    format: 'tsplay-bundle/1',
    kubernetes_version: v.kubernetes.replace(/^v/, ''),
    image_repository: o.imageRepository,
    built_from: 'source',
    arch: 'amd64',
    components: {
      kubernetes: v.kubernetes,
      etcd: etcdVersion,
      coredns: pins.coredns,
      pause: pins.pause,
      flannel: v.flannel,
      'flannel-cni-plugin': `${v.flannelCniPlugin}-tsplay`,
      'cni-plugins': v.cniPlugins,
      crictl: v.crictl,
      'cri-dockerd': v.criDockerd,
    },
    binaries,
    cni_plugins: cniPlugins,
    images,
    created: new Date().toISOString(),
  };
  writeFileSync(join(o.dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  const total = [...binaries, ...cniPlugins, ...images].reduce((a, f) => a + f.size, 0);
  log(
    `bundle: ${o.dir}: ${binaries.length} programs, ${cniPlugins.length} CNI plugins, ${images.length} images, ${mib(total)}, in ${((Date.now() - t0) / 1000).toFixed(0)}s\n`,
  );
  return manifest;
}
