import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout or installed package: roles/, playbooks/, inventories/ (this file runs from dist/). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
