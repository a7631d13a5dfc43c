# Compares two JMH JSON results of the same benchmarks (two builds run back to back):
#
#   python3 bench/results/compare.py BEFORE.json AFTER.json
#
# prints a Markdown table: per benchmark and parameters, the median of all measured iterations
# with JMH's 99.9% error, before and after, and after/before (for a time, < 1 is faster; for a
# throughput, > 1 is faster). With -prof gc, the heap bytes per operation too.
import json
import statistics
import sys


def rows(path):
    out = {}
    for r in json.load(open(path)):
        pm = r['primaryMetric']
        raw = [v for fork in pm['rawData'] for v in fork]
        gc = r.get('secondaryMetrics', {}).get('gc.alloc.rate.norm')
        key = (r['benchmark'].rsplit('.', 2)[-2] + '.' + r['benchmark'].rsplit('.', 1)[-1],
               ' '.join(f'{k}={v}' for k, v in sorted(r.get('params', {}).items())))
        out[key] = (statistics.median(raw), pm['scoreError'], pm['scoreUnit'], gc['score'] if gc else None)
    return out


def fmt(x):
    return f'{x:,.0f}' if abs(x) >= 100 else f'{x:.1f}'


before, after = rows(sys.argv[1]), rows(sys.argv[2])
print('| benchmark | params | unit | before | after | after/before | heap B/op before / after |')
print('| --- | --- | --- | ---: | ---: | ---: | --- |')
for key in sorted(before.keys() & after.keys()):
    b, a = before[key], after[key]
    heap = f'{b[3]:.0f} / {a[3]:.0f}' if b[3] is not None and a[3] is not None else '–'
    print(f'| {key[0]} | {key[1]} | {b[2]} | {fmt(b[0])} ± {fmt(b[1])} | {fmt(a[0])} ± {fmt(a[1])} | {a[0] / b[0]:.2f}x | {heap} |')
