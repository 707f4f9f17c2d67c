import type { Inventory, Vars } from '../load/inventory.js';
import type { Layer } from '../template/scope.js';

/**
 * The inventory's share of Ansible's precedence for one host, lowest first, as
 * ansible-core 2.14's VARIABLE_PRECEDENCE: inventory-file vars of 'all', then of
 * the host's groups by depth (then name); group_vars/all, then group_vars/<group>
 * by depth; host vars from inventory files, then host_vars/<host>.
 */
export function inventoryLayers(inv: Inventory, host: string): Layer[] {
  const groups = inv
    .groupsOf(host)
    .filter((g) => g.name !== 'all')
    .map((g) => ({ g, depth: inv.depth(g.name) }))
    .sort((a, b) => a.depth - b.depth || a.g.name.localeCompare(b.g.name))
    .map((x) => x.g);
  const all = inv.groups.get('all')!;
  const h = inv.get(host);
  return [
    { vars: all.fileVars },
    ...groups.map((g) => ({ vars: g.fileVars })),
    { vars: all.dirVars },
    ...groups.map((g) => ({ vars: g.dirVars })),
    { vars: h?.fileVars ?? {} },
    { vars: h?.dirVars ?? {} },
  ];
}

/** Variables Ansible defines for every host; they sit above everything but extra vars. */
export function magicVars(inv: Inventory, host: string, extra: Vars): Vars {
  const h = inv.get(host);
  return {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    group_names: inv.groupNames(host),
    inventory_dir: h?.source ?? null,
    ...extra,
  };
}

/** The documented order, printed by `tsplay run --help` and checked by tests. */
export const PRECEDENCE = [
  'role defaults (defaults/main.yml)',
  "inventory file group vars: 'all', then the host's groups by depth",
  'inventory group_vars/all, then group_vars/<group> by depth',
  'inventory file host vars, then host_vars/<host>',
  'facts (gather_facts, setup)',
  'play vars',
  'play vars_files',
  'role vars (vars/main.yml)',
  'block vars (outer to inner)',
  'task vars',
  'include_vars',
  'set_fact and registered vars',
  'role params and include params',
  'extra vars (-e), always win',
] as const;
