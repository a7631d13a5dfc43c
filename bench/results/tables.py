# Turns JMH JSON results into the tables of BENCHMARKS.md: python3 bench/results/tables.py [DIR]
import json, statistics, os
import sys
D=sys.argv[1] if len(sys.argv) > 1 else 'bench/results/2026-11-22'
def load(name):
    p=f'{D}/{name}.json'
    return json.load(open(p)) if os.path.exists(p) and os.path.getsize(p) > 0 else []
def med(r, metric=None):
    pm = r['primaryMetric'] if metric is None else r['secondaryMetrics'][metric]
    raw=[v for f in pm['rawData'] for v in f]
    return statistics.median(raw), pm['score'], pm['scoreError']
def gc(r):
    s=r.get('secondaryMetrics',{}).get('gc.alloc.rate.norm')
    return s['score'] if s else None
def f(x, d=1):
    if x is None: return '–'
    if isinstance(x, str): return x  # JMH writes "NaN" for the error of a single iteration
    if abs(x) >= 10000: return f'{x:,.0f}'
    if abs(x) >= 100: return f'{x:,.0f}'
    return f'{x:.{d}f}'
out=[]
# Codec
rs=load('CodecBench')
if rs:
    out.append('### CodecBench — read one record (µs/op, lower is better)\n')
    out.append('| shape | mode | median | mean ± 99.9% error | heap B/op | vs bulkRead (median) |')
    out.append('| --- | --- | ---: | ---: | ---: | ---: |')
    by={(r['params']['shape'],r['params']['mode']):r for r in rs}
    for shape in ['10000x50','262144x4096']:
        floor=med(by[(shape,'bulkRead')])[0] if (shape,'bulkRead') in by else None
        for mode in ['sliver','sliverMap','copying','bulkRead']:
            r=by.get((shape,mode))
            if not r: continue
            m,s,e=med(r)
            ratio=m/floor; out.append(f'| {shape} | {mode} | {f(m)} | {f(s)} ± {f(e)} | {f(gc(r),0)} | ' + (f'{ratio:.2f}x' if ratio >= 0.01 else f'{ratio:.4f}x') + ' |')
    out.append('')
# Allocator
rs=load('AllocatorBench')
if rs:
    impls=['sliver','malloc','nettyAdaptive','nettyPooled','jdkArena']
    for bench,title in [('allocateFree','one allocate + free, 1 thread'),('twoThreads','one allocate + free, 2 threads (per-op time of each thread)'),('batch64','64 allocations then 64 frees (per allocation)')]:
        out.append(f'### AllocatorBench.{bench} — {title} (ns/op, median; ± is the 99.9% error of the mean)\n')
        out.append('| size | '+' | '.join(impls)+' | sliver vs malloc | sliver vs nettyAdaptive |')
        out.append('| ---: | '+' | '.join(['---:']*len(impls))+' | ---: | ---: |')
        by={(r['params']['impl'],r['params']['size']):r for r in rs if r['benchmark'].endswith('.'+bench)}
        for size in ['64','512','4096','32768']:
            cells=[]; meds={}
            for i in impls:
                r=by.get((i,size))
                if r:
                    m,s,e=med(r); meds[i]=m; cells.append(f'{f(m)} ± {f(e)}')
                else: cells.append('–')
            sm=meds.get('sliver')
            out.append(f'| {size} | '+' | '.join(cells)+f" | {meds['malloc']/sm:.2f}x | {meds['nettyAdaptive']/sm:.2f}x |")
        out.append('')
    out.append('Heap allocated per operation (B/op, `-prof gc`): ' + ', '.join(
        f"{i} {f(gc(next(r for r in rs if r['benchmark'].endswith('.allocateFree') and r['params']['impl']==i and r['params']['size']=='64')),0)}" for i in impls) + ' (at 64 B).\n')
# Cross
rs=load('CrossThreadBench')
if rs:
    out.append('### CrossThreadBench — producer allocates, consumer frees on another thread (blocks moved per µs, higher is better)\n')
    out.append('| size | impl | blocks/µs (median) | mean ± error | sliver vs this |')
    out.append('| ---: | --- | ---: | ---: | ---: |')
    prods={}
    for r in rs:
        sm=r['secondaryMetrics'].get('produce')
        raw=[v for fk in sm['rawData'] for v in fk]
        prods[(r['params']['size'],r['params']['impl'])]=(statistics.median(raw), sm['score'], sm['scoreError'])
    for size in ['64','4096']:
        s0=prods[(size,'sliver')][0]
        for i in ['sliver','malloc','nettyPooled','nettyAdaptive']:
            m,s,e=prods[(size,i)]
            out.append(f'| {size} | {i} | {f(m,2)} | {f(s,2)} ± {f(e,2)} | {s0/m:.2f}x |')
    out.append('')
rs=load('DesignNoteBench')
if rs:
    out.append("### DesignNoteBench — the design note's workload: 8 threads, sizes (i % 16 + 1) x 64, freed in batches of 100 (ops/s, higher is better)\n")
    out.append('| impl | ops/s (median) | mean ± error |')
    out.append('| --- | ---: | ---: |')
    for r in rs:
        m,s,e=med(r)
        out.append(f"| {r['params']['impl']} | {m/1e6:.1f} M | {s/1e6:.1f} M ± {e/1e6:.1f} M |")
    out.append('')
rs=load('ByteBufAllocatorBench')
if rs:
    # Both classes land in one JSON: ByteBufAllocatorBench (plain threads) and ByteBufAllocatorFtlBench
    # (FastThreadLocalThreads). Old runs have only oneThread/twoThreads, on plain threads, at 64/4096/32768.
    impls=['sliver','nettyAdaptive','nettyPooled']
    for cls,kind in [('ByteBufAllocatorBench','plain threads'),('ByteBufAllocatorFtlBench','FastThreadLocalThreads')]:
        for shape,title in [('','directBuffer(size), write 8 bytes, release'),('replace','8,192 live buffers, a random one released and replaced'),('randomSizes','directBuffer(random Netty size class 64 B..64 KiB), write 8 bytes, release')]:
            rows=[]
            for th,suffix in [(1,'OneThread' if shape else 'oneThread'),(2,'TwoThreads' if shape else 'twoThreads')]:
                name=f'.{cls}.{shape}{suffix}'
                by={(r['params']['impl'],r['params'].get('size','random')):r for r in rs if r['benchmark'].endswith(name)}
                for size in sorted({k[1] for k in by}, key=lambda x: int(x) if x.isdigit() else 0):
                    if not all((i,size) in by for i in impls): continue
                    ms={i:med(by[(i,size)]) for i in impls}
                    g=' / '.join(f(gc(by[(i,size)]),0) for i in impls)
                    best=min(ms['nettyAdaptive'][0],ms['nettyPooled'][0])
                    rows.append(f"| {th} | {size} | {f(ms['sliver'][0])} ± {f(ms['sliver'][2])} | {f(ms['nettyAdaptive'][0])} ± {f(ms['nettyAdaptive'][2])} | {f(ms['nettyPooled'][0])} ± {f(ms['nettyPooled'][2])} | {best/ms['sliver'][0]:.2f}x | {g} |")
            if rows:
                out.append(f'### ByteBufAllocatorBench, {kind} — {title} (ns/op, median ± error; heap B/op)\n')
                out.append('| threads | size | sliver | nettyAdaptive | nettyPooled | faster Netty / sliver | heap B/op sliver / adaptive / pooled |')
                out.append('| ---: | ---: | ---: | ---: | ---: | ---: | --- |')
                out.extend(rows)
                out.append('')
rs=load('NettyDecodeBench')
if rs:
    out.append('### NettyDecodeBench — receive a burst of 64 records over loopback TCP (µs per burst; heap B per burst)\n')
    out.append('| blobs per record (100 B each) | decoder | median µs | mean ± error | heap B/burst | heap B/record | lengthField / sliver |')
    out.append('| ---: | --- | ---: | ---: | ---: | ---: | ---: |')
    by={(r['params']['blobs'],r['params']['decoder']):r for r in rs}
    for b in ['100','1000']:
        sm=med(by[(b,'sliver')])[0]
        for d in ['sliver','lengthField']:
            m,s,e=med(by[(b,d)])
            out.append(f'| {b} | {d} | {f(m)} | {f(s)} ± {f(e)} | {f(gc(by[(b,d)]),0)} | {f(gc(by[(b,d)])/64,0)} | {m/sm:.2f}x |')
    out.append('')
# Files of records: whole-file reads against the bulk-read floor (FileBench, StreamBench), the MAP
# open from a sidecar (SidecarOpenBench), appends against a raw FileChannel.write (AppendBench)
rs=load('FileBench')
if rs:
    out.append('### FileBench.open — open a 1 GiB file of records and visit every blob (ms/op, median ± error; ratio to the bulk-read floor)\n')
    modes=['read','map','perRecord','reader','bulkRead']
    out.append('| shape | '+' | '.join(modes)+' |')
    out.append('| --- | '+' | '.join(['---:']*len(modes))+' |')
    by={(r['params']['shape'],r['params']['mode']):r for r in rs if r['benchmark'].endswith('.open')}
    for shape in ['1000000x1','10000x100']:
        if (shape,'bulkRead') not in by: continue
        fl=med(by[(shape,'bulkRead')])[0]
        cells=[]
        for m in modes:
            r=by.get((shape,m))
            if not r: cells.append('–'); continue
            md,s,e=med(r); cells.append(f'{f(md)} ± {f(e)} ({md/fl:.2f}x)')
        out.append(f'| {shape} | '+' | '.join(cells)+' |')
    out.append('')
rs=load('StreamBench')
if rs:
    out.append('### StreamBench — records read from a pipe (ms/op, median ± error; ratio to a bulk read of the stream)\n')
    out.append('| mode | median ± error | vs bulkRead |')
    out.append('| --- | ---: | ---: |')
    by={r['params']['mode']:r for r in rs}
    fl=med(by['bulkRead'])[0]
    for m in ['reader','perRecord','bulkRead']:
        if m in by:
            md,s,e=med(by[m]); out.append(f'| {m} | {f(md)} ± {f(e)} | {md/fl:.2f}x |')
    out.append('')
rs=load('SidecarOpenBench')
if rs:
    out.append('### SidecarOpenBench — MAP open of a million-record file from its sidecar, and close (ms/op)\n')
    out.append('| benchmark | median ± error |')
    out.append('| --- | ---: |')
    for r in rs:
        md,s,e=med(r); out.append(f"| {r['benchmark'].split('.')[-1]} | {md:.1f} ± {e:.1f} |")
    out.append('')
rs=load('AppendBench')
if rs:
    out.append('### AppendBench — appends against a raw FileChannel.write of the same bytes (ops/s, median ± error)\n')
    out.append('| benchmark | record | appender | raw | appender / raw |')
    out.append('| --- | ---: | ---: | ---: | ---: |')
    by={(r['benchmark'].split('.')[-1],r['params']['recordBytes'],r['params']['how']):r for r in rs}
    for b in ['append','appendGrouped','appendForced']:
        for size in ['1024','65536']:
            if (b,size,'raw') not in by: continue
            a=med(by[(b,size,'appender')]); w=med(by[(b,size,'raw')])
            out.append(f'| {b} | {size} | {f(a[0])} ± {f(a[2])} | {f(w[0])} ± {f(w[2])} | {a[0]/w[0]:.2f}x |')
    out.append('')
for name,gcname in [('AllocatorParallelGC','-XX:+UseParallelGC'),('AllocatorZGC','-XX:+UseZGC')]:
    rs=load(name)
    if not rs: continue
    impls=['sliver','malloc','nettyPooled']
    for bench in ['allocateFree','batch64']:
        by={(r['params']['impl'],r['params']['size']):r for r in rs if r['benchmark'].endswith('.'+bench)}
        if not by: continue
        out.append(f'### AllocatorBench.{bench} under {gcname} (ns/op, median ± error)\n')
        out.append('| size | '+' | '.join(impls)+' | malloc / sliver |')
        out.append('| ---: | '+' | '.join(['---:']*len(impls))+' | ---: |')
        for size in ['64','512','4096','32768']:
            ms={i:med(by[(i,size)]) for i in impls if (i,size) in by}
            if 'sliver' not in ms: continue
            out.append(f'| {size} | '+' | '.join(f'{f(ms[i][0])} ± {f(ms[i][2])}' if i in ms else '–' for i in impls)+f" | {ms['malloc'][0]/ms['sliver'][0]:.2f}x |")
        out.append('')
rs=load('EchoBench')
if rs:
    out.append('### EchoBench — loopback echo round trip (µs/op, median ± error)\n')
    keys=sorted({k for r in rs for k in r['params'] if k!='allocator'})
    out.append('| '+' | '.join(keys)+' | allocator | median ± error |')
    out.append('| '+' | '.join(['---']*len(keys))+' | --- | ---: |')
    for r in sorted(rs, key=lambda r: tuple(r['params'].get(k,'') for k in keys)+(r['params'].get('allocator',''),)):
        md,s,e=med(r); out.append('| '+' | '.join(r['params'].get(k,'') for k in keys)+f" | {r['params'].get('allocator','')} | {f(md)} ± {f(e)} |")
    out.append('')
print('\n'.join(out))
