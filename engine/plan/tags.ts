/**
 * Ansible's tag selection (Taggable.evaluate_tags): 'always' runs unless skipped
 * by name, 'never' runs only when asked for by one of its tags, 'tagged' and
 * 'untagged' select by presence, 'all' is the default selection.
 */
export function shouldRun(taskTags: readonly string[], only: readonly string[], skip: readonly string[]): boolean {
  const tags = new Set(taskTags);
  const onlyTags = only.length ? only : ['all'];
  let run = false;
  if (onlyTags.includes('all')) {
    run = true;
    if (tags.has('never')) run = onlyTags.some((t) => t !== 'all' && tags.has(t));
  } else if (onlyTags.includes('tagged') && tags.size && !tags.has('never')) run = true;
  else if (onlyTags.includes('untagged') && tags.size === 0) run = true;
  else if (tags.has('always') && !skip.includes('always')) run = true;
  else if (onlyTags.some((t) => tags.has(t))) run = true;
  if (tags.has('always') && onlyTags.includes('all') === false && !skip.includes('always')) run = true;
  if (run && skip.length) {
    if (skip.includes('all')) {
      if (!tags.has('always') || skip.includes('always')) run = false;
    } else if (skip.some((t) => tags.has(t))) run = false;
    else if (skip.includes('tagged') && tags.size) run = false;
    else if (skip.includes('untagged') && tags.size === 0) run = false;
  }
  return run;
}
