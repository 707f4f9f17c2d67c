/** Where a value came from, so every error can point at file:line:column. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

export function fmtLoc(loc: Loc | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '<unknown>';
}

export interface Problem {
  loc?: Loc;
  key?: string;
  message: string;
}

/** Raised by the load stage; carries every problem found, not just the first. */
export class LoadError extends Error {
  constructor(public readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'LoadError';
  }
}

export function formatProblem(p: Problem): string {
  const where = p.loc ? `${fmtLoc(p.loc)}: ` : '';
  const key = p.key ? `'${p.key}': ` : '';
  return `ERROR! ${where}${key}${p.message}`;
}

/** Collects problems while loading, so a user sees them all in one run. */
export class Problems {
  readonly list: Problem[] = [];
  add(loc: Loc | undefined, key: string | undefined, message: string): void {
    this.list.push({ loc, key, message });
  }
  throwIfAny(): void {
    // A file imported twice reports its problems once.
    const seen = new Set<string>();
    const unique = this.list.filter((p) => {
      const k = formatProblem(p);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (unique.length) throw new LoadError(unique);
  }
}
