#!/usr/bin/env python3
"""Pool-return and think-time figures from one run's event log (tests/conformance/intermediate_caps.md).

    intermediate_caps.py EVENTS.ndjson [--trace THINK.ndjson] [--think-ms T]

EVENTS: goref --events (with --trace-think: ThinkStart/ThinkEnd events) or poolscope run --events.
THINK:  PoolScope's POOLSCOPE_TRACE_THINK=FILE (one line per think pause: start, due, woke).
Prints: how many connections were idle at each GetConn and at each PutIdleConn (a put that finds
MaxIdleConnsPerHost idle closes), bursts of GetConns less than 150 us apart, think-time wake
lateness (woke - start - think), co-wakers within 100 us, and (Go) PutIdleConn -> time.Sleep start.
Idle is tracked per connection (put idle, taken by GotConn, closed); a dial parked idle without a
PutIdleConn (its waiter was served first) is not seen, so the counts are slightly low.
"""
import argparse
import bisect
import json
import statistics


def pct(values, ps=(10, 50, 90, 99)):
    v = sorted(values)
    if not v:
        return '-'
    return ' '.join('p%d=%.0f' % (p, v[min(len(v) - 1, int(len(v) * p / 100))] / 1e3) for p in ps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('events')
    ap.add_argument('--trace')
    ap.add_argument('--think-ms', type=float, default=5)
    a = ap.parse_args()
    ev = sorted((json.loads(line) for line in open(a.events) if line.strip()), key=lambda e: e['t_ns'])
    idle, at_get, at_put, put_time, get_times = set(), {}, {}, {}, []
    closes = puts = 0
    for e in ev:
        t = e['type']
        if t == 'GetConn':
            at_get[len(idle)] = at_get.get(len(idle), 0) + 1
            get_times.append(e['t_ns'])
        elif t == 'GotConn':
            idle.discard(e['conn'])
        elif t == 'PutIdleConn':
            puts += 1
            at_put[len(idle)] = at_put.get(len(idle), 0) + 1
            put_time[e['req']] = e['t_ns']
            if e.get('reason'):
                closes += 1
            else:
                idle.add(e['conn'])
        elif t == 'ConnClosed':
            idle.discard(e['conn'])
    gets = max(1, sum(at_get.values()))
    print('idle at GetConn: ' + ' '.join('%d:%.3f' % (k, at_get[k] / gets) for k in sorted(at_get)))
    print('idle at PutIdleConn: ' + ' '.join('%d:%.3f' % (k, at_put[k] / max(1, puts)) for k in sorted(at_put))
          + '  (puts %d, closed by the put %d)' % (puts, closes))
    bursts, cur = [], get_times[:1]
    for t in get_times[1:]:
        if t - cur[-1] < 150e3:
            cur.append(t)
        else:
            bursts.append(cur)
            cur = [t]
    if cur:
        bursts.append(cur)
    big = [b for b in bursts if len(b) >= 8]
    if bursts:
        print('GetConn bursts (gaps < 150 us): %d, mean size %.2f; of 8+: %.3f of GetConns, span p50 %.0f us'
              % (len(bursts), statistics.mean(len(b) for b in bursts), sum(len(b) for b in big) / gets,
                 statistics.median((b[-1] - b[0]) / 1e3 for b in big) if big else 0))
    think = a.think_ms * 1e6
    late, put_to_sleep, wakes, started = [], [], [], {}
    for e in ev:
        if e['type'] == 'ThinkStart':
            started[e['w']] = e
            if e['req'] in put_time:
                put_to_sleep.append(e['t_ns'] - put_time[e['req']])
        elif e['type'] == 'ThinkEnd' and e['w'] in started:
            late.append(e['t_ns'] - started[e['w']]['t_ns'] - think)
            wakes.append(e['t_ns'])
    if a.trace:
        for line in open(a.trace):
            r = json.loads(line)
            late.append(r['woke_ns'] - r['start_ns'] - think)
            wakes.append(r['woke_ns'])
    wakes.sort()
    co = [bisect.bisect_right(wakes, w + 100e3) - bisect.bisect_left(wakes, w - 100e3) - 1 for w in wakes]
    if late:
        print('think wake lateness us: %s' % pct(late))
        print('co-wakers within 100 us: mean %.2f' % statistics.mean(co))
    if put_to_sleep:
        print('PutIdleConn -> time.Sleep start us: %s' % pct(put_to_sleep))


if __name__ == '__main__':
    main()
