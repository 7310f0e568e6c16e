#!/usr/bin/env python3
"""Moves TypeScript modules (git mv) and rewrites every relative import and every repo-relative path mention.
Usage: move_modules.py map.txt   (lines: old/path.ts new/path.ts ; directories end with /)"""
import os, re, subprocess, sys
root = os.getcwd()
pairs = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
tracked = subprocess.run(['git', 'ls-files'], capture_output=True, text=True).stdout.split()
untracked = subprocess.run(['git', 'ls-files', '--others', '--exclude-standard'], capture_output=True, text=True).stdout.split()
files = [f for f in tracked + untracked if os.path.exists(f) and not f.startswith('node_modules')]
moves = {}
for old, new in pairs:
    if old.endswith('/'):
        for f in files:
            if f.startswith(old): moves[f] = new + f[len(old):]
    else:
        moves[old] = new
code_ext = ('.ts', '.mjs', '.js', '.tsx')
spec_re = re.compile(r"""((?:from|import|require|require\.resolve|jest\.mock|import\()\s*\(?\s*)(['"])(\.{1,2}/[^'"]*|\.{1,2})\2""")
fileset = set(files)
def resolve(base, spec):
    p = os.path.normpath(os.path.join(base, spec))
    for c in (p + '.ts', p + '.tsx', p, p + '/index.ts', p + '.js'):
        if c in fileset: return c, c[len(p):]
    return None, None
def rel(from_file, target):
    r = os.path.relpath(target, os.path.dirname(from_file) or '.')
    return r if r.startswith('.') else './' + r
out = {}
for f in files:
    if not f.endswith(code_ext): continue
    src = open(f).read()
    newf = moves.get(f, f)
    def sub(m):
        target, suffix = resolve(os.path.dirname(f), m.group(3))
        if target is None: return m.group(0)
        nt = moves.get(target, target)
        if suffix in ('.ts', '.tsx'): nt_spec = rel(newf, nt[: -len(suffix)])
        elif suffix == '/index.ts': nt_spec = rel(newf, nt[: -len('/index.ts')])
        else: nt_spec = rel(newf, nt)
        return m.group(1) + m.group(2) + nt_spec + m.group(2)
    res = spec_re.sub(sub, src)
    if res != src: out[f] = res
for f, text in out.items(): open(f, 'w').write(text)
for old, new in moves.items():
    os.makedirs(os.path.dirname(new) or '.', exist_ok=True)
    subprocess.run(['git', 'mv', old, new] if old in tracked else ['mv', old, new], check=True)
# mentions of moved paths in comments and docs
mention = sorted(((o, n) for o, n in moves.items() if o.endswith(('.ts', '.js'))), key=lambda p: -len(p[0]))
allf = [moves.get(f, f) for f in files]
for f in allf:
    if not f.endswith(code_ext + ('.md', '.json', '.yml', '.yaml')) or f.endswith('package-lock.json'): continue
    src = open(f).read(); res = src
    for o, n in mention:
        res = re.sub(r'(?<![\w./-])' + re.escape(o) + r'(?![\w])', n, res)
    if res != src: open(f, 'w').write(res)
print(f'{len(moves)} files moved, {len(out)} files re-imported')
