#!/usr/bin/env python3
"""Reproducible large feeds for measuring the ingest path (nothing generated is committed).

  scripts/generate-feed.py --size 1GiB --out /tmp/feed.csv --register /tmp/register.csv [--seed 11] [--match-every 100]

Writes a register of 1,000 open requests (each with an IPv4 address and a domain) and an incident CSV of the given
size in which every Nth record matches one request (by exact address and by subdomain); the other records carry
random addresses, domains and MD5 hashes that match nothing.
"""
import argparse, random

def size(text):
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    for unit, factor in units.items():
        if text.endswith(unit):
            return int(float(text[:-len(unit)]) * factor)
    return int(text)

parser = argparse.ArgumentParser()
parser.add_argument("--size", default="1GiB")
parser.add_argument("--out", required=True)
parser.add_argument("--register", required=True)
parser.add_argument("--requests", type=int, default=1000)
parser.add_argument("--match-every", type=int, default=100)
parser.add_argument("--seed", type=int, default=11)
args = parser.parse_args()
rng = random.Random(args.seed)

with open(args.register, "w") as f:
    f.write("request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\n")
    for i in range(args.requests):
        f.write(f"P-{i:05d},US,CN,investigation,high,2026-11-16T09:00:00+08:00,req {i},10.{i // 250}.{i % 250}.1; host{i}.bad-domain.cn\n")

target, written, n = size(args.size), 0, 0
with open(args.out, "w") as f:
    f.write("record_id,reported_at,reporter,kind,request_refs,indicators,summary\n")
    while written < target:
        if n % args.match_every == 0:
            i = rng.randrange(args.requests)
            indicators = f"10.{i // 250}.{i % 250}.1; sub.host{i}.bad-domain.cn"
        else:
            indicators = (f"172.{rng.randrange(16, 32)}.{rng.randrange(256)}.{rng.randrange(256)}; "
                          f"x{rng.randrange(10**9)}.example-cdn.net; {rng.getrandbits(128):032x}")
        line = f"E-{n:09d},2026-11-17T{n % 24:02d}:{n % 60:02d}:00Z,cert-x,indicator,,{indicators},some summary text for record {n} lorem ipsum dolor sit amet\n"
        f.write(line)
        written += len(line)
        n += 1
print(f"{args.out}: {n} records, {written} bytes; {args.register}: {args.requests} requests")
