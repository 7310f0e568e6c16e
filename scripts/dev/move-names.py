#!/usr/bin/env python3
"""Rewrites `import { a, type B } from '<old module>'` so the named exports now living in another module are
imported from it. Usage: move-names.py old/module.ts new/module.ts name1 name2 ...  (run from the repo root)."""
import os, re, subprocess, sys
old, new, names = os.path.normpath(sys.argv[1]), os.path.normpath(sys.argv[2]), set(sys.argv[3:])
files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '*.ts'], capture_output=True, text=True).stdout.split()
imp = re.compile(r"import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(\.[^']*)';")
def resolves(f, spec, target):
    p = os.path.normpath(os.path.join(os.path.dirname(f), spec))
    return target in (p + '.ts', p + '/index.ts')
def rel(f, target):
    r = os.path.relpath(target[:-3], os.path.dirname(f) or '.')
    return r if r.startswith('.') else './' + r
changed = 0
for f in files:
    if not os.path.exists(f) or os.path.normpath(f) == new: continue
    src = open(f).read()
    def sub(m):
        all_type, body, spec = m.group(1), m.group(2), m.group(3)
        if not resolves(f, spec, old): return m.group(0)
        items = [s.strip() for s in body.split(',') if s.strip()]
        base = lambda s: re.sub(r'^type\s+', '', s).split(' as ')[0].strip()
        moving = [s for s in items if base(s) in names]
        if not moving: return m.group(0)
        staying = [s for s in items if base(s) not in names]
        kw = 'import type' if all_type else 'import'
        out = []
        if staying: out.append(f"{kw} {{ {', '.join(staying)} }} from '{spec}';")
        out.append(f"{kw} {{ {', '.join(moving)} }} from '{rel(f, new)}';")
        return '\n'.join(out)
    res = imp.sub(sub, src)
    if res != src:
        open(f, 'w').write(res); changed += 1
print(f'{changed} files re-imported')
