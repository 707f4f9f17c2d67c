import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadModules, moduleNames } from '../modules/registry.js';

/** Commands beside `run`: module docs now; the lab and cluster shortcuts join here. */
export function registerExtraCommands(program: Command, run?: (pb: string, args: string[]) => Promise<number>): void {
  // ezctl-style shortcuts on top of `run`.
  program
    .command('new')
    .description('Scaffold inventories/CLUSTER from the prod example (hosts.yml and group_vars/all.yml, commented)')
    .argument('<cluster>')
    .action(async (name: string) => {
      const { newCluster } = await import('./cluster.js');
      process.stdout.write(`created ${newCluster(name)}: edit hosts.yml and group_vars/all.yml, then: tsplay setup ${name}\n`);
    });
  program
    .command('setup')
    .description('Run one step (00..06, or prepare, runtime, lb, kube-master, kube-node, network) or all of the cluster setup')
    .argument('<cluster>')
    .argument('[step]', 'a step, or all', 'all')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (name: string, step: string, _o: unknown, cmd: Command) => {
      const { STEPS, clusterDir, projectDir } = await import('./cluster.js');
      const file = STEPS[step];
      if (!file) {
        process.stderr.write(`unknown step '${step}': expected one of ${Object.keys(STEPS).join(', ')}\n`);
        process.exitCode = 5;
        return;
      }
      const extra = cmd.args.slice(2);
      process.exitCode = await run!(`${projectDir()}/playbooks/${file}`, ['-i', clusterDir(name), ...extra]);
    });
  program
    .command('add-node')
    .description('Add HOST to kube_node of CLUSTER and join it (runs playbooks/add-node.yml limited to it)')
    .argument('<cluster>')
    .argument('<host>')
    .option('--ip <address>', 'its address (ansible_host), if not the name')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (name: string, host: string, o: { ip?: string }, cmd: Command) => {
      const { addNodeToInventory, clusterDir, projectDir } = await import('./cluster.js');
      addNodeToInventory(name, host, o.ip);
      const extra = cmd.args.slice(2);
      process.exitCode = await run!(`${projectDir()}/playbooks/add-node.yml`, ['-i', clusterDir(name), '--limit', `kube_master[0]:${host}`, ...extra]);
    });
  program
    .command('list')
    .description('List the clusters in inventories/')
    .action(async () => {
      const { listClusters } = await import('./cluster.js');
      process.stdout.write(listClusters());
    });

  const lab = program.command('lab').description('A lab of real local Linux hosts (root needed): boot mode runs systemd in each, light mode only sshd.');
  lab
    .command('up')
    .description('Start N fresh hosts (lab1..labN), wait until each answers over SSH, write inventories/lab/hosts.yml')
    .argument('[count]', 'number of hosts', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
      return n;
    }, 3)
    .addOption(new Option('--mode <mode>', 'boot: systemd as PID 1 (apt, systemctl, sysctl work); light: sshd only, for scale').choices(['boot', 'light']).default('boot'))
    .option('--masters <n>', 'how many of the first hosts go in kube_master', (v: string) => Number(v), 1)
    .option('--lb <n>', 'how many of the last hosts go in lb (HAProxy, keepalived) instead of kube_node', (v: string) => Number(v), 0)
    .action(async (count: number, o: { mode: 'boot' | 'light'; masters: number; lb: number }) => {
      const { labUp } = await import('../lab/lab.js');
      await labUp({ count, mode: o.mode, masters: o.masters, lbs: o.lb });
    });
  lab
    .command('down')
    .description('Stop every lab process, unmount everything and remove the lab network (harmless when nothing runs)')
    .action(async () => {
      const { labDown } = await import('../lab/lab.js');
      await labDown((s) => process.stderr.write(s));
    });
  lab
    .command('status')
    .description('Show the lab hosts and whether they run')
    .action(async () => {
      const { labStatus } = await import('../lab/lab.js');
      process.stdout.write(await labStatus());
    });

  const bundle = program.command('bundle').description('Offline bundles: Kubernetes binaries, images and CNI for hosts without internet (roles use one with offline_bundle: DIR)');
  const versionOptions = (c: Command): Command =>
    c
      .option('--kubernetes-version <v>', 'Kubernetes version', 'v1.34.4')
      .option('--image-repository <repo>', 'the registry name images are tagged with (image_repository in the settings)', 'registry.k8s.io')
      .option('--flannel-version <v>', 'Flannel version', 'v0.27.4')
      .option('--cni-plugins-version <v>', 'CNI plugins version', 'v1.10.0')
      .option('--crictl-version <v>', 'crictl version', 'v1.34.0')
      .option('--cri-dockerd-version <v>', 'cri-dockerd version (0.4 needs Docker 23 or later)', 'v0.3.14');
  type VersionOpts = { kubernetesVersion: string; imageRepository: string; flannelVersion: string; cniPluginsVersion: string; crictlVersion: string; criDockerdVersion: string };
  const versions = async (o: VersionOpts) => {
    const { DEFAULT_VERSIONS } = await import('../bundle/build.js');
    const v = (s: string) => (s.startsWith('v') ? s : `v${s}`);
    return { ...DEFAULT_VERSIONS, kubernetes: v(o.kubernetesVersion), flannel: v(o.flannelVersion), cniPlugins: v(o.cniPluginsVersion), crictl: v(o.crictlVersion), criDockerd: v(o.criDockerdVersion) };
  };
  versionOptions(
    bundle
      .command('build')
      .description('Build a bundle from the Go module proxy on this machine (Go needed; the build is cached for the next time)')
      .argument('<dir>')
      .requiredOption('--from-source', 'build from Go modules (the only build there is; fetch downloads official files)'),
  ).action(async (dir: string, o: VersionOpts) => {
    const { buildFromSource, defaultCacheDir } = await import('../bundle/build.js');
    await buildFromSource({ dir, versions: await versions(o), imageRepository: o.imageRepository, cacheDir: defaultCacheDir(), log: (s) => process.stderr.write(s) });
  });
  versionOptions(bundle.command('fetch').description('Download the official binaries (dl.k8s.io, GitHub releases) and pull the images (skopeo) into a bundle').argument('<dir>')).action(
    async (dir: string, o: VersionOpts) => {
      const { fetchOfficial } = await import('../bundle/fetch.js');
      await fetchOfficial(dir, await versions(o), o.imageRepository, (s) => process.stderr.write(s));
    },
  );
  bundle
    .command('verify')
    .description("Check every file against manifest.json's sizes and sha256")
    .argument('<dir>')
    .action(async (dir: string) => {
      const { verifyBundle } = await import('../bundle/manifest.js');
      const r = await verifyBundle(dir);
      for (const p of r.problems) process.stderr.write(`${dir}/${p.path}: ${p.problem}\n`);
      const n = r.manifest.binaries.length + r.manifest.cni_plugins.length + r.manifest.images.length;
      process.stdout.write(`${dir}: Kubernetes ${r.manifest.kubernetes_version} (${r.manifest.built_from}), ${n} files, ${(r.bytes / 1048576).toFixed(0)} MiB: ${r.problems.length ? `${r.problems.length} problem(s)` : 'ok'}\n`);
      process.exitCode = r.problems.length ? 1 : 0;
    });

  program
    .command('modules')
    .description('List the modules, or show one with its arguments.')
    .argument('[name]', 'a module name')
    .action(async (name?: string) => {
      const modules = await loadModules();
      if (!name) {
        for (const n of moduleNames(modules)) process.stdout.write(`${n.padEnd(18)} ${modules.get(n)!.description}\n`);
        return;
      }
      const m = modules.get(name);
      if (!m) {
        process.stderr.write(`unknown module '${name}'\n`);
        process.exitCode = 5;
        return;
      }
      process.stdout.write(`${m.name}: ${m.description}\n\n`);
      for (const [k, d] of Object.entries(m.args)) {
        const bits = [d.type, d.required ? 'required' : '', d.default !== undefined ? `default ${JSON.stringify(d.default)}` : '', d.choices ? `one of ${d.choices.join('|')}` : '', d.aliases?.length ? `aliases ${d.aliases.join(',')}` : ''].filter(Boolean);
        process.stdout.write(`  ${k.padEnd(20)} ${bits.join('; ')}${d.description ? ` - ${d.description}` : ''}\n`);
      }
    });
}
