#!/usr/bin/env python3
"""Think-time lateness and wake-up bursts from a PoolScope think trace (POOLSCOPE_TRACE_THINK=FILE,
a .think file) or a goref events file written with --trace-think (ThinkStart/ThinkEnd; the
think time is --think-ms, 5 by default). tests/conformance/intermediate_caps.md, the addendum."""
import json, sys, statistics
def pct(v, p): v=sorted(v); return v[min(len(v)-1, int(p*len(v)))]
path=sys.argv[1]
THINK_US=1000*float(sys.argv[2]) if len(sys.argv) > 2 else 5000.0
late=[]; wakes=[]
if path.endswith('.think'):
    for l in open(path):
        r=json.loads(l); late.append((r['woke_ns']-r['due_ns'])/1000); wakes.append(r['woke_ns'])
else:
    start={}
    for l in open(path):
        r=json.loads(l)
        if r.get('type')=='ThinkStart': start[r['w']]=r['t_ns']
        elif r.get('type')=='ThinkEnd' and r['w'] in start:
            late.append((r['t_ns']-start.pop(r['w']))/1000-THINK_US); wakes.append(r['t_ns'])
wakes.sort()
# co-wakers: wake-ups within 100 us of the previous one form a burst
bursts=[]; n=1
for a,b in zip(wakes, wakes[1:]):
    if b-a<100_000: n+=1
    else: bursts.append(n); n=1
bursts.append(n)
print(f"{path}: lateness p10 {pct(late,.1):.0f} p50 {pct(late,.5):.0f} p90 {pct(late,.9):.0f} us; wake bursts mean {statistics.mean(bursts):.2f}, share of wakes in bursts >=5: {sum(b for b in bursts if b>=5)/len(wakes):.2f}")
