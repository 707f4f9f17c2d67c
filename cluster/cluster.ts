import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMap, parseDocument, YAMLMap } from 'yaml';
import { defaultBundleDir } from '../bundle/paths.js';
import { loadInventory } from '../engine/load/inventory.js';
import { PROJECT_ROOT } from '../project.js';

/** Where clusters live: the current directory when it is a tsplay project, else the installed one. */
export function projectDir(): string {
  const cwd = process.cwd();
  return existsSync(join(cwd, 'playbooks', 'setup.yml')) && existsSync(join(cwd, 'inventories')) ? cwd : PROJECT_ROOT;
}

export const STEPS: Record<string, string> = {
  '00': '00.validate.yml',
  validate: '00.validate.yml',
  '01': '01.prepare.yml',
  prepare: '01.prepare.yml',
  '02': '02.runtime.yml',
  runtime: '02.runtime.yml',
  '03': '03.lb.yml',
  lb: '03.lb.yml',
  '04': '04.kube-master.yml',
  'kube-master': '04.kube-master.yml',
  '05': '05.kube-node.yml',
  'kube-node': '05.kube-node.yml',
  '06': '06.network.yml',
  network: '06.network.yml',
  all: 'setup.yml',
};

export function clusterDir(name: string): string {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`cluster name '${name}': letters, digits, '.', '_' and '-' only`);
  return join(projectDir(), 'inventories', name);
}

/** `tsplay new CLUSTER`: a copy of the prod example, comments and all. */
export function newCluster(name: string): string {
  const dir = clusterDir(name);
  if (existsSync(dir)) throw new Error(`inventories/${name} already exists`);
  cpSync(join(projectDir(), 'inventories', 'prod'), dir, { recursive: true });
  const hosts = join(dir, 'hosts.yml');
  writeFileSync(
    hosts,
    `# Cluster '${name}', made by 'tsplay new ${name}' from the prod example: edit the hosts,\n# then the settings in group_vars/all.yml, then run 'tsplay setup ${name}'.\n${readFileSync(hosts, 'utf8')}`,
  );
  // A bundle built on this machine is where the new cluster installs from, as ezdown's downloads are for ezctl.
  const bundle = defaultBundleDir();
  const settings = join(dir, 'group_vars', 'all.yml');
  if (existsSync(join(bundle, 'manifest.json')) && existsSync(settings)) {
    writeFileSync(settings, readFileSync(settings, 'utf8').replace(/^offline_bundle: ""$/m, `offline_bundle: ${bundle}`));
  }
  return dir;
}

/** `tsplay add-node CLUSTER HOST`: the host joins kube_node in hosts.yml, comments kept. */
export function addNodeToInventory(name: string, host: string, ip?: string): void {
  const file = join(clusterDir(name), 'hosts.yml');
  if (!existsSync(file)) throw new Error(`no cluster '${name}' (inventories/${name}/hosts.yml)`);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const nodes = doc.getIn(['all', 'children', 'kube_node', 'hosts'], true);
  if (!isMap(nodes)) {
    doc.setIn(['all', 'children', 'kube_node', 'hosts'], new YAMLMap());
  }
  const map = doc.getIn(['all', 'children', 'kube_node', 'hosts'], true) as YAMLMap;
  if (map.has(host)) return;
  const vars = doc.createNode({ ansible_host: ip ?? host, k8s_nodename: host.toLowerCase() }, { flow: true });
  map.set(host, vars);
  writeFileSync(file, doc.toString());
}

export function listClusters(): string {
  const base = join(projectDir(), 'inventories');
  const rows: string[] = [];
  for (const d of readdirSync(base).sort()) {
    const dir = resolve(base, d);
    if (!existsSync(join(dir, 'hosts.yml'))) continue;
    try {
      const inv = loadInventory([dir]);
      rows.push(`${d.padEnd(16)} masters ${inv.hostsOf('kube_master').length}  nodes ${inv.hostsOf('kube_node').length}  lb ${inv.hostsOf('lb').length}`);
    } catch (e) {
      rows.push(`${d.padEnd(16)} (inventory error: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  return rows.length ? `${rows.join('\n')}\n` : 'no clusters yet: tsplay new NAME\n';
}
