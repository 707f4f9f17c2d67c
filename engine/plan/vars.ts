import type { Inventory } from '../load/inventory.js';
import type { Role } from '../load/model.js';
import type { Layer, Vars } from '../template/scope.js';

/** Everything one task on one host can read, gathered by the executor, ordered here. */
export interface VarSources {
  /** The task's role and its dependencies (or, for play tasks, every role of the play). */
  roleDefaults: Layer[];
  /** Command-line connection settings (-u, --private-key); any inventory value beats them. */
  cliDefaults: Vars;
  inventory: InventoryLayers;
  facts: Vars;
  playVars: Vars;
  varsFiles: Vars;
  roleVars?: Vars;
  /** Outer to inner. */
  blockVars: Vars[];
  taskVars: Vars;
  includeVars: Vars;
  setFacts: Vars;
  params: Vars;
  extraVars: Vars;
  magic: Vars;
}

export interface InventoryLayers {
  fileGroups: Layer[];
  dirGroups: Layer[];
  host: Layer[];
}

/**
 * Ansible's variable precedence, lowest first: ansible-core 2.14's documented list
 * without the levels tsplay has no source for (playbook-adjacent group_vars,
 * vars_prompt). The scope of every task is built from this table, and `--help`,
 * the README and the tests read the names from it, so they cannot drift apart.
 */
const ORDER: readonly (readonly [string, (s: VarSources) => Layer[]])[] = [
  ['role defaults (defaults/main.yml)', (s) => s.roleDefaults],
  ['command-line connection options (-u, --private-key, -T)', (s) => [{ vars: s.cliDefaults }]],
  ["inventory file group vars: 'all', then the host's groups by depth", (s) => s.inventory.fileGroups],
  ['inventory group_vars/all, then group_vars/<group> by depth', (s) => s.inventory.dirGroups],
  ['inventory file host vars, then host_vars/<host>', (s) => s.inventory.host],
  ['facts (gather_facts, setup)', (s) => [{ vars: s.facts, raw: true }]],
  ['play vars', (s) => [{ vars: s.playVars }]],
  ['play vars_files', (s) => [{ vars: s.varsFiles }]],
  ['role vars (vars/main.yml)', (s) => (s.roleVars ? [{ vars: s.roleVars }] : [])],
  ['block vars (outer to inner)', (s) => s.blockVars.map((vars) => ({ vars }))],
  ['task vars', (s) => [{ vars: s.taskVars }]],
  ['include_vars', (s) => [{ vars: s.includeVars }]],
  ['set_fact and registered vars', (s) => [{ vars: s.setFacts, raw: true }]],
  ['role params and include params', (s) => [{ vars: s.params }]],
  ['extra vars (-e), always win', (s) => [{ vars: s.extraVars }]],
  // Magic variables are Ansible's own; nothing a user sets may shadow them.
  ['magic variables (inventory_hostname, hostvars, groups, ...)', (s) => [{ vars: s.magic, raw: true }]],
];

export const PRECEDENCE: readonly string[] = ORDER.map(([name]) => name);

/** The layers of one task's scope, lowest first. */
export function precedenceLayers(s: VarSources): Layer[] {
  return ORDER.flatMap(([, layers]) => layers(s));
}

/**
 * The inventory's share for one host, as ansible-core 2.14's VARIABLE_PRECEDENCE:
 * inventory-file vars of 'all', then of the host's groups by depth (then name);
 * group_vars/all, then group_vars/<group> by depth; host vars from inventory files,
 * then host_vars/<host>.
 */
export function inventoryLayers(inv: Inventory, host: string): InventoryLayers {
  const groups = inv
    .groupsOf(host)
    .filter((g) => g.name !== 'all')
    .map((g) => ({ g, depth: inv.depth(g.name) }))
    .sort((a, b) => a.depth - b.depth || a.g.name.localeCompare(b.g.name))
    .map((x) => x.g);
  const all = inv.groups.get('all')!;
  const h = inv.get(host);
  return {
    fileGroups: [{ vars: all.fileVars }, ...groups.map((g) => ({ vars: g.fileVars }))],
    dirGroups: [{ vars: all.dirVars }, ...groups.map((g) => ({ vars: g.dirVars }))],
    host: [{ vars: h?.fileVars ?? {} }, { vars: h?.dirVars ?? {} }],
  };
}

/** Variables Ansible defines for every host from the inventory alone. */
export function inventoryMagic(inv: Inventory, host: string): Vars {
  const h = inv.get(host);
  return {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    group_names: inv.groupNames(host),
    inventory_dir: h?.source ?? null,
  };
}

/** A role sees its dependencies' defaults below its own, as in Ansible. */
export function roleDefaultLayers(role: Role, seen = new Set<Role>()): Layer[] {
  if (seen.has(role)) return [];
  seen.add(role);
  return [...role.deps.flatMap((d) => roleDefaultLayers(d.role, seen)), { vars: role.defaults }];
}

/** Play-level tasks see the defaults of all the play's roles, as Ansible's non-private role vars allow. */
export function playRoleDefaultLayers(roles: readonly Role[]): Layer[] {
  const seen = new Set<Role>();
  return roles.flatMap((r) => roleDefaultLayers(r, seen));
}
