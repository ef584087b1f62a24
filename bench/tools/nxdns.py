#!/usr/bin/env python3
"""A DNS server on 127.0.0.1 (UDP) that answers every query NXDOMAIN at once: the DNSBL zones of a benchmark list
nobody, so screening's lookups are real round trips that find the client clean. Prints "port N" once bound;
exits when stdin closes or after --lifetime seconds (bounded)."""
import argparse, socket, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--lifetime", type=float, default=900.0)
a = ap.parse_args()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(f"port {s.getsockname()[1]}", flush=True)
deadline = time.monotonic() + a.lifetime
threading.Thread(target=lambda: (sys.stdin.read(), s.close()), daemon=True).start()
s.settimeout(1.0)
while time.monotonic() < deadline:
    try:
        q, addr = s.recvfrom(512)
    except socket.timeout:
        continue
    except OSError:
        break
    if len(q) < 12:
        continue
    # Header: same id, QR=1, opcode and RD copied, RA=1, RCODE=3 (NXDOMAIN); the question echoed, no records.
    flags = 0x8000 | (q[2] & 0x79) << 8 | 0x0080 | 3
    end = 12
    while end < len(q) and q[end] != 0:
        end += q[end] + 1
    question = q[12:end + 5]
    s.sendto(q[:2] + flags.to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question, addr)
