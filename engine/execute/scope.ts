import type { Item, Role } from '../load/model.js';
import { matchHosts } from '../plan/patterns.js';
import { type InventoryLayers, inventoryLayers, inventoryMagic, playRoleDefaultLayers, precedenceLayers, roleDefaultLayers } from '../plan/vars.js';
import { OMIT } from '../template/filters.js';
import { type Layer, Scope, type Vars } from '../template/scope.js';
import { render } from '../template/templar.js';
import { type Ctx, type PlayRun, playCtx, type RunOptions } from './context.js';
import type { HostStates } from './state.js';

/**
 * Gathers the sources of one task's variables on one host; plan/vars.ts orders
 * them. Inventory layers are computed once per host, role defaults once per role.
 */
export class Scopes {
  private readonly inventory = new Map<string, InventoryLayers>();
  private readonly defaults = new WeakMap<object, Layer[]>();
  private readonly shared = new WeakMap<PlayRun, { groups: Record<string, string[]>; hostvars: Vars }>();

  constructor(
    private readonly o: RunOptions,
    private readonly states: HostStates,
  ) {}

  scope(host: string, ctx: Ctx, item?: Item): Scope {
    const st = this.states.get(host);
    const role = item?.role ?? ctx.role;
    const play = ctx.play;
    const layers = precedenceLayers({
      roleDefaults: this.roleDefaults(role, play),
      cliDefaults: this.o.hostDefaults,
      inventory: this.inventoryOf(host),
      facts: st.facts,
      playVars: play.play.vars,
      varsFiles: play.varsFiles,
      roleVars: role?.vars,
      blockVars: ctx.blockVars,
      taskVars: item?.vars ?? {},
      includeVars: st.includeVars,
      setFacts: st.setFacts,
      params: item?.params ? { ...ctx.params, ...item.params } : ctx.params,
      extraVars: this.o.extraVars,
      magic: this.magic(host, play, role),
    });
    return new Scope(layers, render, (pattern) => matchHosts(pattern, this.o.inventory));
  }

  private inventoryOf(host: string): InventoryLayers {
    let l = this.inventory.get(host);
    if (!l) {
      l = inventoryLayers(this.o.inventory, host);
      this.inventory.set(host, l);
    }
    return l;
  }

  private roleDefaults(role: Role | undefined, play: PlayRun): Layer[] {
    const key: object = role ?? play.play;
    let l = this.defaults.get(key);
    if (!l) {
      l = role ? roleDefaultLayers(role) : playRoleDefaultLayers(play.play.roles.flatMap((b) => (b.role ? [b.role] : [])));
      this.defaults.set(key, l);
    }
    return l;
  }

  /** hostvars: every inventory host's whole scope, built only when read. */
  private hostvars(play: PlayRun): Vars {
    const inv = this.o.inventory;
    const scopeOf = (h: string): Vars => this.scope(h, playCtx(play)).asContext();
    const known = (h: string): boolean => inv.get(h) !== undefined;
    return new Proxy({} as Vars, {
      get: (_t, p) => (typeof p === 'string' && known(p) ? scopeOf(p) : undefined),
      has: (_t, p) => typeof p === 'string' && known(p),
      ownKeys: () => [...inv.hosts.keys()],
      getOwnPropertyDescriptor: (_t, p) => (typeof p === 'string' && known(p) ? { value: scopeOf(p), enumerable: true, configurable: true } : undefined),
    });
  }

  private magic(host: string, play: PlayRun, role?: Role): Vars {
    let shared = this.shared.get(play);
    if (!shared) {
      shared = { groups: this.o.inventory.groupsMap(), hostvars: this.hostvars(play) };
      this.shared.set(play, shared);
    }
    const st = this.states.get(host);
    const active = this.states.active(play.batch);
    return {
      ...inventoryMagic(this.o.inventory, host),
      groups: shared.groups,
      hostvars: shared.hostvars,
      play_hosts: active,
      ansible_play_hosts: active,
      ansible_play_batch: active,
      ansible_play_hosts_all: play.hosts,
      ansible_check_mode: this.o.check,
      ansible_diff_mode: this.o.diff,
      ansible_verbosity: this.o.verbosity,
      ansible_play_name: play.play.name,
      playbook_dir: this.o.playbook.dir,
      ansible_facts: st.facts.ansible_facts ?? {},
      omit: OMIT,
      ...(role ? { role_path: role.path, role_name: role.name, ansible_role_name: role.name } : {}),
      ...(st.lastFailure ? { ansible_failed_task: st.lastFailure.task, ansible_failed_result: st.lastFailure.result } : {}),
    };
  }
}
