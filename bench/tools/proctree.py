#!/usr/bin/env python3
"""Resource figures of a process tree, read from /proc.

  proctree.py cpu ROOTPID...   -> total CPU seconds (utime+stime+cutime+cstime of every live process
                                  in the trees; cutime/cstime cover descendants already reaped, so
                                  short-lived Postfix children are counted once they exit)
  proctree.py mem ROOTPID...   -> "pss_kib rss_kib nprocs" summed over every live process in the trees
                                  (PSS from smaps_rollup splits shared pages fairly; RSS double-counts them)
"""
import os, sys

HZ = os.sysconf("SC_CLK_TCK")


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            ppid = int(s[s.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError):
            pass
    return kids


def tree(roots):
    kids = children_map()
    seen, stack = [], list(roots)
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.append(p)
        stack.extend(kids.get(p, []))
    return seen


def cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        # fields[0] is state (stat field 3); utime is field 14 -> index 11
        return sum(int(x) for x in fields[11:15]) / HZ
    except (OSError, ValueError):
        return 0.0


def mem(pid):
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = pss = int(line.split()[1])
        except OSError:
            pass
    return pss, rss


def main():
    what, roots = sys.argv[1], [int(p) for p in sys.argv[2:]]
    pids = tree(roots)
    if what == "cpu":
        print(f"{sum(cpu(p) for p in pids):.2f}")
    elif what == "mem":
        pss = rss = 0
        for p in pids:
            a, b = mem(p)
            pss += a
            rss += b
        print(pss, rss, len(pids))
    else:
        sys.exit("usage: proctree.py cpu|mem ROOTPID...")


if __name__ == "__main__":
    main()
