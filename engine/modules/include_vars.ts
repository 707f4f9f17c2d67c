import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isMapping, loadYamlFile } from '../load/yaml.js';
import { defineAction } from './types.js';

export const module = defineAction<{ _raw_params?: string; file?: string; dir?: string; name?: string }>({
  kind: 'action',
  name: 'include_vars',
  description: 'Loads variables from a YAML file or a folder of them on the controller (include_vars precedence).',
  args: { file: { type: 'path' }, dir: { type: 'path' }, name: { type: 'str', description: 'Put the variables under this one name.' } },
  freeForm: true,
  check: 'run',
  async run(args, ctx) {
    const target = args.file ?? args.dir ?? args._raw_params;
    if (!target) return { failed: true, msg: 'include_vars needs a file or dir' };
    const bases = [...ctx.searchPaths.files.map((p) => p.replace(/\/files$/, '/vars')), ...ctx.searchPaths.files];
    const path = isAbsolute(target) ? target : bases.map((b) => join(b, target)).find((p) => existsSync(p));
    if (!path || !existsSync(path)) return { failed: true, msg: `Could not find or access '${target}'` };
    const files = args.dir
      ? readdirSync(path)
          .filter((f) => /\.(ya?ml|json)$/.test(f))
          .sort()
          .map((f) => join(path, f))
      : [path];
    const vars: Record<string, unknown> = {};
    for (const f of files) {
      const d = loadYamlFile(f);
      if (d !== null && !isMapping(d)) return { failed: true, msg: `${f} must hold a mapping of variables` };
      Object.assign(vars, d ?? {});
    }
    const facts = args.name ? { [args.name]: vars } : vars;
    return { ansible_facts: facts, ansible_included_var_files: files, changed: false };
  },
});
