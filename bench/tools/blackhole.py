#!/usr/bin/env python3
"""A black-hole SMTP server for bench/compare.sh: accepts TCP connections and never says a word.

    blackhole.py HOST PORT [--seconds N]

Reads and discards whatever the client sends until it hangs up; prints "ready" once listening and, every
second, "open=N total=N" on stdout. Exits after --seconds (default 3600), so it can never outlive a run.
"""
import argparse, asyncio, sys

async def main():
    p = argparse.ArgumentParser()
    p.add_argument("host"); p.add_argument("port", type=int); p.add_argument("--seconds", type=float, default=3600)
    a = p.parse_args()
    state = {"open": 0, "total": 0}

    async def session(reader, writer):
        state["open"] += 1; state["total"] += 1
        try:
            while await reader.read(65536):
                pass
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            state["open"] -= 1
            writer.close()

    server = await asyncio.start_server(session, a.host, a.port, backlog=1024, reuse_address=True)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + a.seconds
    while loop.time() < deadline:
        await asyncio.sleep(1)
        print(f"open={state['open']} total={state['total']}", flush=True)
    server.close()

if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
