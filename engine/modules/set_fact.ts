import { parseKvText } from '../load/kv.js';
import { defineAction } from './types.js';

export const module = defineAction<Record<string, unknown>>({
  kind: 'action',
  name: 'set_fact',
  description: 'Sets host variables (set_fact precedence) from the rendered arguments. Runs on the controller.',
  args: { cacheable: { type: 'bool' } },
  // Any other key is a variable name.
  extraArgs: true,
  freeForm: true,
  check: 'run',
  preflight: (a) =>
    Object.keys(a).filter((k) => k !== 'cacheable' && k !== '_raw_params').length || a._raw_params ? [] : ['set_fact needs at least one variable'],
  async run(args) {
    const facts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) if (k !== 'cacheable' && k !== '_raw_params') facts[k] = v;
    if (typeof args._raw_params === 'string') Object.assign(facts, parseKvText(args._raw_params));
    return { ansible_facts: facts, changed: false };
  },
});
