#!/usr/bin/env python3
"""Open K SMTP connections to host:port, read each greeting, send EHLO, read the reply, then hold
them idle. Prints "ready N failed F" on stdout once all attempts finished, then waits until stdin
closes or --hold seconds pass (bounded), and exits (closing every connection).

Used by bench/compare.sh to measure memory per idle connection."""
import argparse, asyncio, sys, time


async def one(host, port, timeout, conns, pregreet=False):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    if pregreet:
        # Screening's greet delay: the first greeting line "220-" arrives at once, the rest only after the delay;
        # the connection is held there, saying nothing (speaking now would be PREGREET).
        line = await asyncio.wait_for(reader.readline(), timeout)
        if not line.startswith(b"220-"):
            raise ConnectionError("no 220- first line: is Screening on?")
        conns.append(writer)
        return
    await asyncio.wait_for(read_reply(reader), timeout)
    writer.write(b"EHLO idle.bench\r\n")
    await writer.drain()
    await asyncio.wait_for(read_reply(reader), timeout)
    conns.append(writer)


async def read_reply(reader):
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed")
        if len(line) < 4 or line[3:4] != b"-":
            return line


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("-k", "--count", type=int, default=1000)
    ap.add_argument("--parallel", type=int, default=200, help="connection attempts in flight")
    ap.add_argument("--timeout", type=float, default=60.0, help="per step")
    ap.add_argument("--hold", type=float, default=300.0, help="max seconds to hold the connections")
    ap.add_argument("--pregreet", action="store_true", help="hold each connection after the first greeting line, silent")
    a = ap.parse_args()
    conns, failed = [], 0
    sem = asyncio.Semaphore(a.parallel)

    async def guarded():
        nonlocal failed
        async with sem:
            try:
                await one(a.host, a.port, a.timeout, conns, a.pregreet)
            except Exception:
                failed += 1

    t0 = time.monotonic()
    await asyncio.gather(*(guarded() for _ in range(a.count)))
    print(f"ready {len(conns)} failed {failed} seconds {time.monotonic() - t0:.1f}", flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    try:
        await asyncio.wait_for(stdin_closed, a.hold)
    except asyncio.TimeoutError:
        pass
    for w in conns:
        try:
            if not a.pregreet:
                w.write(b"QUIT\r\n")
            w.close()
        except Exception:
            pass
    # do not wait for the executor thread blocked on stdin
    sys.stdout.flush()
    import os
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
