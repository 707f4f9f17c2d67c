import type { Lookup } from './expr.js';
import { TemplateError, Undefined } from './filters.js';

export type Vars = Record<string, unknown>;

/** One precedence level. `raw` levels (facts, registered results) are data, never re-templated. */
export interface Layer {
  vars: Vars;
  raw?: boolean;
}

export type Renderer = (value: unknown, scope: Scope) => unknown;

/**
 * Variables as a stack of precedence layers, rendered lazily on first read:
 * `a: "{{ b }}"` is only templated when a task uses `a`, and then once per scope.
 */
export class Scope implements Lookup {
  private readonly cache = new Map<string, unknown>();
  private readonly resolving = new Set<string>();

  constructor(
    readonly layers: readonly Layer[],
    private readonly renderer: Renderer,
    /** The inventory's hosts matching a pattern (query('inventory_hostnames', ...)). */
    readonly hosts?: (pattern: string) => string[],
  ) {}

  /** A scope with one more layer on top (task vars, loop item, ...). */
  with(vars: Vars, raw = false): Scope {
    return new Scope([...this.layers, { vars, raw }], this.renderer, this.hosts);
  }

  has(name: string): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) if (Object.hasOwn(this.layers[i]!.vars, name)) return true;
    return false;
  }

  private rawLayer(name: string): Layer | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const l = this.layers[i]!;
      if (Object.hasOwn(l.vars, name)) return l;
    }
    return undefined;
  }

  lookup(name: string): unknown {
    if (this.cache.has(name)) return this.cache.get(name);
    const layer = this.rawLayer(name);
    if (!layer) return new Undefined(name);
    const raw = layer.vars[name];
    if (layer.raw) return raw;
    if (this.resolving.has(name)) throw new TemplateError(`recursive loop detected in template for variable '${name}'`, name);
    this.resolving.add(name);
    try {
      const v = this.renderer(raw, this);
      this.cache.set(name, v);
      return v;
    } finally {
      this.resolving.delete(name);
    }
  }

  /** Every variable name visible here. */
  names(): string[] {
    const s = new Set<string>();
    for (const l of this.layers) for (const k of Object.keys(l.vars)) s.add(k);
    return [...s];
  }

  /**
   * A plain-object view for Handlebars: one lazy getter per name, so only the
   * variables a template reads are rendered.
   */
  asContext(): Vars {
    const ctx: Vars = {};
    for (const name of this.names()) {
      Object.defineProperty(ctx, name, { get: () => this.lookup(name), enumerable: true, configurable: true });
    }
    return ctx;
  }

  /** Every variable rendered, for debug `var: vars` and the JSON report. */
  snapshot(): Vars {
    const out: Vars = {};
    for (const n of this.names()) out[n] = this.lookup(n);
    return out;
  }
}
