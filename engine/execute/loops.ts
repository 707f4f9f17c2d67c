import type { Task } from '../load/model.js';
import { TemplateError } from '../template/filters.js';
import { runLookup } from '../template/lookups.js';
import type { Scope } from '../template/scope.js';
import { render } from '../template/templar.js';

/**
 * Turns loop / with_<lookup> into the list of items. with_X is the lookup X
 * over the rendered terms (Ansible's listify: a string is one term), so
 * with_first_found, with_subelements and the rest behave as their lookups do.
 */
export function loopItems(kind: Task['loopKind'], raw: unknown, scope: Scope): unknown[] {
  const v = render(raw, scope);
  if (kind === 'loop' || kind === undefined) {
    if (!Array.isArray(v))
      throw new TemplateError(
        `Invalid data passed to 'loop', it requires a list, got this instead: ${JSON.stringify(v)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`,
      );
    return v;
  }
  const terms = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
  return runLookup(kind.slice('with_'.length), terms, {}, scope);
}
