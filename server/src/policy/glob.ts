// Minimal glob matching for the `s3EncryptionGuard.kinds` setting and the CLI's path arguments:
// `**` crosses folders, `*` and `?` do not, `{a,b}` alternates, `[abc]` is a class.
// A pattern without a slash matches the file's base name (as VS Code's files.associations does).

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let re = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches everything below.
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') { inGroup++; re += '(?:'; }
    else if (c === '}' && inGroup > 0) { inGroup--; re += ')'; }
    else if (c === ',' && inGroup > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]]/g, m => '\\' + m);
  }
  const out = new RegExp(`^${re}$`);
  cache.set(glob, out);
  return out;
}

export const hasGlobMagic = (s: string): boolean => /[*?{[]/.test(s);

/** Does `filePath` (any separators) match `glob`? Tried against the whole path, its tail, and the base name. */
export function matchesGlob(filePath: string, glob: string): boolean {
  const p = filePath.replace(/\\/g, '/');
  const g = glob.replace(/\\/g, '/');
  const re = globToRegExp(g);
  if (!g.includes('/')) return re.test(p.slice(p.lastIndexOf('/') + 1));
  if (re.test(p)) return true;
  // Relative patterns (`policies/*.json`) match the end of an absolute path.
  if (!g.startsWith('/') && !g.startsWith('**')) return globToRegExp(`**/${g}`).test(p);
  return false;
}
