# Sums JFR samples by top frame (with line) and by method anywhere on the stack.
# usage: python3 jfragg.py FILE.jfr [N] [EVENT]   (EVENT: jdk.ExecutionSample, the default, or jdk.NativeMethodSample)
# usage: python3 jfragg.py FILE.jfr [N]  -> top self methods and top inclusive methods (percent of samples)
import json, subprocess, sys, collections
J='/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
f=sys.argv[1]; N=int(sys.argv[2]) if len(sys.argv)>2 else 20
out=subprocess.run([J,'print','--json','--events',(sys.argv[3] if len(sys.argv)>3 else 'jdk.ExecutionSample'),f],capture_output=True,text=True).stdout
ev=json.loads(out)['recording']['events']
self_=collections.Counter(); incl=collections.Counter(); total=0
for e in ev:
    fr=e['values']['stackTrace']['frames'] if e['values'].get('stackTrace') else []
    if not fr: continue
    total+=1
    name=lambda x: x['method']['type']['name'].split('.')[-1]+'.'+x['method']['name']
    self_[name(fr[0])+':'+str(fr[0].get('lineNumber'))]+=1
    for m in set(name(x) for x in fr): incl[m]+=1
print(f'{total} samples')
print('-- self (top frame, line)')
for k,v in self_.most_common(N): print(f'{100*v/total:5.1f}% {k}')
print('-- inclusive')
for k,v in incl.most_common(N+10): print(f'{100*v/total:5.1f}% {k}')
