import type { Command } from 'commander';

/** `tsplay bundle build|fetch|verify`: the offline Kubernetes bundle. */
export function registerBundleCommands(program: Command): void {
  const bundle = program
    .command('bundle')
    .description('Offline bundles: Kubernetes binaries, images and CNI for hosts without internet (roles use one with offline_bundle: DIR)');
  const versionOptions = (c: Command): Command =>
    c
      .option('--kubernetes-version <v>', 'Kubernetes version', 'v1.34.4')
      .option('--image-repository <repo>', 'the registry name images are tagged with (image_repository in the settings)', 'registry.k8s.io')
      .option('--flannel-version <v>', 'Flannel version', 'v0.27.4')
      .option('--cni-plugins-version <v>', 'CNI plugins version', 'v1.10.0')
      .option('--crictl-version <v>', 'crictl version', 'v1.34.0')
      .option('--cri-dockerd-version <v>', 'cri-dockerd version (0.4 needs Docker 23 or later)', 'v0.3.14');
  type VersionOpts = {
    kubernetesVersion: string;
    imageRepository: string;
    flannelVersion: string;
    cniPluginsVersion: string;
    crictlVersion: string;
    criDockerdVersion: string;
  };
  const versions = async (o: VersionOpts) => {
    const { DEFAULT_VERSIONS } = await import('./build.js');
    const v = (s: string) => (s.startsWith('v') ? s : `v${s}`);
    return {
      ...DEFAULT_VERSIONS,
      kubernetes: v(o.kubernetesVersion),
      flannel: v(o.flannelVersion),
      cniPlugins: v(o.cniPluginsVersion),
      crictl: v(o.crictlVersion),
      criDockerd: v(o.criDockerdVersion),
    };
  };
  versionOptions(
    bundle
      .command('build')
      .description('Build a bundle from the Go module proxy on this machine (Go needed; the build is cached for the next time)')
      .argument('<dir>')
      .requiredOption('--from-source', 'build from Go modules (the only build there is; fetch downloads official files)'),
  ).action(async (dir: string, o: VersionOpts) => {
    const { buildFromSource, defaultCacheDir } = await import('./build.js');
    await buildFromSource({
      dir,
      versions: await versions(o),
      imageRepository: o.imageRepository,
      cacheDir: defaultCacheDir(),
      log: (s) => process.stderr.write(s),
    });
  });
  versionOptions(
    bundle
      .command('fetch')
      .description('Download the official binaries (dl.k8s.io, GitHub releases) and pull the images (skopeo) into a bundle')
      .argument('<dir>'),
  ).action(async (dir: string, o: VersionOpts) => {
    const { fetchOfficial } = await import('./fetch.js');
    await fetchOfficial(dir, await versions(o), o.imageRepository, (s) => process.stderr.write(s));
  });
  bundle
    .command('verify')
    .description("Check every file against manifest.json's sizes and sha256")
    .argument('<dir>')
    .action(async (dir: string) => {
      const { verifyBundle } = await import('./manifest.js');
      const r = await verifyBundle(dir);
      for (const p of r.problems) process.stderr.write(`${dir}/${p.path}: ${p.problem}\n`);
      const n = r.manifest.binaries.length + r.manifest.cni_plugins.length + r.manifest.images.length;
      process.stdout.write(
        `${dir}: Kubernetes ${r.manifest.kubernetes_version} (${r.manifest.built_from}), ${n} files, ${(r.bytes / 1048576).toFixed(0)} MiB: ${r.problems.length ? `${r.problems.length} problem(s)` : 'ok'}\n`,
      );
      process.exitCode = r.problems.length ? 1 : 0;
    });
}
