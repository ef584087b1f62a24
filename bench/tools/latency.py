#!/usr/bin/env python3
"""Open-loop SMTP latency probe: sends N messages at a fixed rate (default 100/s) over a pool of
persistent connections and measures, per message, the time from sending MAIL FROM to reading the
250 after the DATA terminator (MAIL, RCPT, DATA, body, "." each waits for its reply: no pipelining).
Prints p50/p90/p99/max in milliseconds, as JSON on the last line.

A message whose slot comes while every connection is busy waits for one; that wait is counted too
(open loop: latency includes queueing behind a slow server)."""
import argparse, asyncio, json, statistics, time


async def read_reply(reader):
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("server closed the connection")
        if len(line) < 4 or line[3:4] != b"-":
            return int(line[:3])


async def expect(reader, code):
    got = await read_reply(reader)
    if got != code:
        raise RuntimeError(f"expected {code}, got {got}")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("-n", "--messages", type=int, default=2000)
    ap.add_argument("-r", "--rate", type=float, default=100.0, help="messages per second")
    ap.add_argument("-c", "--connections", type=int, default=16)
    ap.add_argument("-l", "--size", type=int, default=4096, help="body bytes")
    ap.add_argument("--sender", default="latency@bench.client")
    ap.add_argument("--rcpt", default="sink@bench.local")
    ap.add_argument("--timeout", type=float, default=30.0)
    a = ap.parse_args()

    line = b"X" * 76 + b"\r\n"
    body = b"Subject: latency probe\r\nFrom: <%s>\r\nTo: <%s>\r\n\r\n" % (a.sender.encode(), a.rcpt.encode())
    body += line * max(1, a.size // len(line)) + b".\r\n"

    pool = asyncio.Queue()
    for _ in range(a.connections):
        r, w = await asyncio.wait_for(asyncio.open_connection(a.host, a.port), a.timeout)
        await asyncio.wait_for(expect(r, 220), a.timeout)
        w.write(b"EHLO latency.bench\r\n")
        await asyncio.wait_for(expect(r, 250), a.timeout)
        pool.put_nowait((r, w))

    latencies, errors = [], 0

    async def send(scheduled):
        nonlocal errors
        r, w = await pool.get()
        try:
            start = time.monotonic()
            for cmd, code in ((b"MAIL FROM:<%s>\r\n" % a.sender.encode(), 250),
                              (b"RCPT TO:<%s>\r\n" % a.rcpt.encode(), 250),
                              (b"DATA\r\n", 354)):
                w.write(cmd)
                await asyncio.wait_for(expect(r, code), a.timeout)
            w.write(body)
            await asyncio.wait_for(expect(r, 250), a.timeout)
            latencies.append((time.monotonic() - start) * 1000.0)
            pool.put_nowait((r, w))
        except Exception:
            errors += 1
            w.close()
            try:
                r2, w2 = await asyncio.wait_for(asyncio.open_connection(a.host, a.port), a.timeout)
                await expect(r2, 220)
                w2.write(b"EHLO latency.bench\r\n")
                await expect(r2, 250)
                pool.put_nowait((r2, w2))
            except Exception:
                pass

    t0 = time.monotonic()
    tasks = []
    for i in range(a.messages):
        scheduled = t0 + i / a.rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(scheduled)))
    await asyncio.wait_for(asyncio.gather(*tasks), a.timeout * 4 + a.messages / a.rate)
    elapsed = time.monotonic() - t0
    while not pool.empty():
        r, w = pool.get_nowait()
        w.write(b"QUIT\r\n")
        w.close()

    latencies.sort()
    def pct(p):
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p / 100.0 * len(latencies)))], 2)
    out = {"sent": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
           "rate": round(len(latencies) / elapsed, 1) if elapsed else None,
           "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
           "max_ms": round(latencies[-1], 2) if latencies else None,
           "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None}
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
