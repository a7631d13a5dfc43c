# Draws the charts of BENCHMARKS.md, one SVG per table, from the committed JMH JSON:
#
#   pip install matplotlib          (3.x; nothing else is needed)
#   python3 bench/results/charts.py bench/results/2026-12-01-suite
#
# writes DIR/*.svg next to the JSON. Bars are medians of all measured iterations (what the tables
# give); whiskers are JMH's 99.9% error of the mean, centred on the median (a lower whisker that
# would cross zero is cut at the axis). Files are deterministic: same JSON, same SVG.
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use('svg')
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

plt.rcParams['svg.hashsalt'] = 'sliver'
plt.rcParams['svg.fonttype'] = 'none'
plt.rcParams['font.size'] = 9

D = sys.argv[1] if len(sys.argv) > 1 else 'bench/results/2026-12-01-suite'
COLORS = {'sliver': '#1f6f3f', 'sliverMap': '#58a86e', 'malloc': '#7f7f7f', 'nettyAdaptive': '#1f4e9c',
          'nettyPooled': '#6d9ad6', 'jdkArena': '#c77c2d', 'copying': '#b04a4a', 'bulkRead': '#7f7f7f',
          'lengthField': '#1f4e9c'}


def load(name):
    path = f'{D}/{name}.json'
    return json.load(open(path)) if os.path.exists(path) and os.path.getsize(path) > 0 else []


def stat(metric):
    raw = [v for fork in metric['rawData'] for v in fork]
    return statistics.median(raw), metric['scoreError']


def primary(r):
    return stat(r['primaryMetric'])


def grouped(ax, groups, series, value, unit, log=False, scale=1.0):
    """Bars: one cluster per group, one bar per series; value(group, series) -> (median, error) or None."""
    width = 0.8 / len(series)
    for k, s in enumerate(series):
        xs, ys, lo, hi = [], [], [], []
        for g, group in enumerate(groups):
            v = value(group, s)
            if v is None:
                continue
            m, e = v[0] * scale, v[1] * scale
            xs.append(g + (k - (len(series) - 1) / 2) * width)
            ys.append(m)
            lo.append(min(e, m * 0.95))
            hi.append(e)
        ax.bar(xs, ys, width * 0.95, yerr=[lo, hi], capsize=2, label=s, color=COLORS.get(s),
               error_kw={'elinewidth': 0.8, 'ecolor': '#222'})
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_ylabel(unit)
    if log:
        ax.set_yscale('log')
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f'{v:,.0f}' if v >= 1 else f'{v:g}'))
    ax.grid(axis='y', linewidth=0.3)
    ax.set_axisbelow(True)


def legend(ax):
    ax.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.0, 1.0), frameon=False)


def save(fig, name):
    fig.tight_layout()
    path = f'{D}/{name}.svg'
    fig.savefig(path, format='svg', metadata={'Date': None})
    plt.close(fig)
    print(path)


def allocator():
    rs = load('AllocatorBench')
    impls = ['sliver', 'malloc', 'nettyAdaptive', 'nettyPooled', 'jdkArena']
    for bench, title in [('allocateFree', 'one allocate + free, 1 thread'),
                         ('twoThreads', 'one allocate + free, each of 2 threads'),
                         ('batch64', '64 allocations then 64 frees, per allocation')]:
        by = {(r['params']['impl'], r['params']['size']): r for r in rs if r['benchmark'].endswith('.' + bench)}
        if not by:
            continue
        fig, ax = plt.subplots(figsize=(8, 3.4))
        grouped(ax, ['64', '512', '4096', '32768'], impls,
                lambda g, s: primary(by[(s, g)]) if (s, g) in by else None, 'ns per operation (lower is better)', log=True)
        ax.set_xlabel('block size (bytes)')
        ax.set_title(f'AllocatorBench.{bench}: {title}')
        legend(ax)
        save(fig, f'AllocatorBench-{bench}')


def cross_thread():
    rs = load('CrossThreadBench')
    if not rs:
        return
    by = {(r['params']['impl'], r['params']['size']): stat(r['secondaryMetrics']['produce']) for r in rs}
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    grouped(ax, ['64', '4096'], ['sliver', 'malloc', 'nettyAdaptive', 'nettyPooled'],
            lambda g, s: by.get((s, g)), 'blocks moved per µs (higher is better)')
    ax.set_xlabel('block size (bytes)')
    ax.set_title('CrossThreadBench: one thread allocates, another frees')
    legend(ax)
    save(fig, 'CrossThreadBench')


def design_note():
    rs = load('DesignNoteBench')
    if not rs:
        return
    by = {r['params']['impl']: primary(r) for r in rs}
    fig, ax = plt.subplots(figsize=(6, 3))
    grouped(ax, ['8 threads, 64..1024 B, frees in batches of 100'], ['sliver', 'malloc', 'nettyAdaptive', 'nettyPooled'],
            lambda g, s: by.get(s), 'million ops/s (higher is better)', scale=1e-6)
    ax.set_title("DesignNoteBench: the design note's workload")
    legend(ax)
    save(fig, 'DesignNoteBench')


def bytebuf():
    rs = load('ByteBufAllocatorBench')
    if not rs:
        return
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.2), sharey=True)
    for ax, (bench, label) in zip(axes, [('oneThread', '1 thread'), ('twoThreads', '2 threads')]):
        by = {(r['params']['impl'], r['params']['size']): primary(r) for r in rs
              if r['benchmark'].endswith('.ByteBufAllocatorBench.' + bench)}
        sizes = sorted({size for _, size in by}, key=int)
        grouped(ax, sizes, ['sliver', 'nettyAdaptive', 'nettyPooled'],
                lambda g, s: by.get((s, g)), 'ns per buffer (lower is better)')
        ax.set_xlabel('buffer size (bytes)')
        ax.set_title(f'directBuffer + write + release, {label}')
        legend(ax)
    save(fig, 'ByteBufAllocatorBench')


def codec():
    rs = load('CodecBench')
    if not rs:
        return
    shapes = sorted({r['params']['shape'] for r in rs}, key=len)
    fig, axes = plt.subplots(1, len(shapes), figsize=(9.5, 3.2))
    for ax, shape in zip(axes, shapes):
        by = {r['params']['mode']: primary(r) for r in rs if r['params']['shape'] == shape}
        grouped(ax, [shape], ['sliver', 'sliverMap', 'copying', 'bulkRead'], lambda g, s: by.get(s),
                'µs per record read (lower is better)', log=True)
        ax.set_title(f'CodecBench: blobs x bytes = {shape}')
        legend(ax)
    save(fig, 'CodecBench')


def netty_decode():
    rs = load('NettyDecodeBench')
    if not rs:
        return
    by = {(r['params']['decoder'], r['params']['blobs']): primary(r) for r in rs}
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    grouped(ax, ['100', '1000'], ['sliver', 'lengthField'], lambda g, s: by.get((s, g)),
            'µs per burst of 64 records (lower is better)', log=True)
    ax.set_xlabel('blobs of 100 B per record')
    ax.set_title('NettyDecodeBench: loopback TCP, 64 records')
    legend(ax)
    save(fig, 'NettyDecodeBench')


def bytebuf_ftl():
    rs = load('ByteBufAllocatorBench')  # the suite writes both classes into one JSON
    shapes = [('oneThread', 'alloc + write + release'), ('replaceOneThread', '8,192 live, random replace'),
              ('randomSizesOneThread', 'random Netty sizes')]
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.2), sharey=True)
    drawn = False
    for ax, (cls, label) in zip(axes, [('ByteBufAllocatorBench', 'plain threads'),
                                       ('ByteBufAllocatorFtlBench', 'FastThreadLocalThreads')]):
        by = {(r['benchmark'].split('.')[-1], r['params']['impl']): primary(r) for r in rs
              if f'.{cls}.' in r['benchmark'] and r['params'].get('size', '64') == '64'}
        if not by:
            continue
        drawn = True
        grouped(ax, [label for _, label in shapes], ['sliver', 'nettyAdaptive', 'nettyPooled'],
                lambda g, s: by.get((dict((l, b) for b, l in shapes)[g], s)), 'ns per buffer (lower is better)')
        ax.set_title(f'1 thread, 64 B (random sizes: 64 B-64 KiB), {label}')
        ax.tick_params(axis='x', labelsize=7)
        legend(ax)
    if drawn:
        save(fig, 'ByteBufAllocatorBench-shapes')
    else:
        plt.close(fig)


def files():
    rs = load('FileBench')
    if not rs:
        return
    by = {(r['params']['shape'], r['params']['mode']): primary(r) for r in rs if r['benchmark'].endswith('.open')}
    fig, ax = plt.subplots(figsize=(8, 3.2))
    modes = ['read', 'map', 'perRecord', 'reader', 'bulkRead']
    colors = {'read': '#1f6f3f', 'map': '#58a86e', 'perRecord': '#b04a4a', 'reader': '#1f4e9c', 'bulkRead': '#7f7f7f'}
    for mode in modes:
        COLORS.setdefault(mode, colors[mode])
    grouped(ax, ['1000000x1', '10000x100'], modes, lambda g, s: by.get((g, s)),
            'ms per 1 GiB file (lower is better)', log=True)
    ax.set_xlabel('records x blobs (1 GiB in all)')
    ax.set_title('FileBench.open: open a file of records and visit every blob')
    legend(ax)
    save(fig, 'FileBench')


def appends():
    rs = load('AppendBench')
    if not rs:
        return
    by = {(r['benchmark'].split('.')[-1] + ' ' + r['params']['recordBytes'], r['params']['how']): primary(r) for r in rs}
    groups = [g for g in ['append 1024', 'append 65536', 'appendGrouped 1024', 'appendGrouped 65536',
                          'appendForced 1024', 'appendForced 65536'] if (g, 'raw') in by]
    COLORS.setdefault('appender', '#1f6f3f')
    COLORS.setdefault('raw', '#7f7f7f')
    fig, ax = plt.subplots(figsize=(9, 3.2))
    grouped(ax, groups, ['appender', 'raw'], lambda g, s: by.get((g, s)), 'records per s (higher is better)', log=True)
    ax.tick_params(axis='x', labelsize=7)
    ax.set_title('AppendBench: RecordAppender against a raw FileChannel.write of the same bytes')
    legend(ax)
    save(fig, 'AppendBench')


def allocator_gcs():
    for name, gc in [('AllocatorParallelGC', 'ParallelGC'), ('AllocatorZGC', 'ZGC')]:
        rs = load(name)
        by = {(r['params']['impl'], r['params']['size']): primary(r) for r in rs if r['benchmark'].endswith('.allocateFree')}
        if not by:
            continue
        fig, ax = plt.subplots(figsize=(7, 3.2))
        grouped(ax, ['64', '512', '4096', '32768'], ['sliver', 'malloc', 'nettyPooled'],
                lambda g, s: by.get((s, g)), 'ns per operation (lower is better)', log=True)
        ax.set_xlabel('block size (bytes)')
        ax.set_title(f'AllocatorBench.allocateFree under {gc}, 1 thread')
        legend(ax)
        save(fig, name)


for chart in (codec, allocator, cross_thread, design_note, bytebuf, netty_decode, bytebuf_ftl, files, appends, allocator_gcs):
    chart()
