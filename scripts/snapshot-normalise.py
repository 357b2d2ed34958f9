#!/usr/bin/env python3
"""Normalises the raw outputs of scripts/snapshot-outputs.sh so that two runs of the same code give identical files.

snapshot-normalise.py RAW OUT --clock SINCE UNTIL [--replace OLD=NEW ...]

Only what the clock or the machine decides is replaced: an instant inside the run's wall-clock window [SINCE, UNTIL]
(epoch seconds, with a margin) becomes <now>, and so does a value under a key that holds a duration, an ETag or a
"seconds left from now"; the temp folder, the repository and 127.0.0.1 ports become placeholders. Request data,
levels, due instants, timelines, matches and scores are data instants (2026-11), outside the window, and stay.
JSON is pretty-printed with sorted keys; a PDF is kept as its text (pdftotext -layout).
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

MARGIN = timedelta(minutes=5)
# 2026-12-03T12:58:24Z, 2026-12-03T12:58:24.1234567+00:00, 2026-12-03 12:58:22 (UTC in the audit table), 2026-12-03 20:58 +08
INSTANT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"(?P<zone>Z|\s?[+-]\d{2}(?::?\d{2})?)?")
# A value under one of these keys (any case) is the clock's or the storage's, whatever it looks like.
VOLATILE_KEYS = {"durationseconds", "etag", "odata.etag", "timestamp", "secondsleft"}
LOG_TIME = re.compile(r"^\d{2}:\d{2}:\d{2} (?=(trce|dbug|info|warn|fail|crit):)", re.MULTILINE)
LOOPBACK_PORT = re.compile(r"127\.0\.0\.1:\d+")
# The digest's cost figure: issue #20 changes it on purpose, and it is not what the digest says.
ENTITIES_READ = re.compile(r"\(\d+ entities read\)")
# Lists that the product orders by a clock instant (GET /api/feeds: newest blob first, by its last-modified time, which
# has one-second precision, so pushes in one second or in two order differently): sorted by their normalised content.
ORDERED_BY_CLOCK = {"api/feeds.json": ["runs"]}


def parse_instant(match: re.Match) -> datetime | None:
    time = match["time"]
    text = f"{match['date']}T{time}"
    fraction = ""
    if "." in time:
        text, fraction = text.split(".")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    zone = (match["zone"] or "Z").strip()
    offset = timedelta(0)
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return (value - offset).replace(tzinfo=timezone.utc)


class Normaliser:
    def __init__(self, since: datetime, until: datetime, replacements: list[tuple[str, str]]):
        self.since = since - MARGIN
        self.until = until + MARGIN
        # Longest first: the temp folder may lie inside the repository.
        self.replacements = sorted(replacements, key=lambda r: -len(r[0]))

    def instant(self, match: re.Match) -> str:
        value = parse_instant(match)
        return "<now>" if value is not None and self.since <= value <= self.until else match[0]

    def text(self, text: str) -> str:
        for old, new in self.replacements:
            text = text.replace(old, new)
        text = LOOPBACK_PORT.sub("127.0.0.1:<port>", text)
        text = INSTANT.sub(self.instant, text)
        text = LOG_TIME.sub("", text)
        return ENTITIES_READ.sub("(<n> entities read)", text)

    def json(self, value):
        if isinstance(value, dict):
            return {k: ("<volatile>" if k.lower() in VOLATILE_KEYS and v is not None else self.json(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("raw", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--clock", nargs=2, type=int, required=True, metavar=("SINCE", "UNTIL"))
    parser.add_argument("--replace", action="append", default=[], metavar="OLD=NEW")
    args = parser.parse_args()
    replacements = [tuple(r.split("=", 1)) for r in args.replace]
    since, until = (datetime.fromtimestamp(t, timezone.utc) for t in args.clock)
    normaliser = Normaliser(since, until, replacements)

    for path in sorted(p for p in args.raw.rglob("*") if p.is_file()):
        target = args.out / path.relative_to(args.raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
            target.with_name(target.name + ".txt").write_text(normaliser.text(text), encoding="utf-8")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            shutil.copyfile(path, target)   # an image: compared byte for byte
            continue
        if path.suffix == ".json":
            try:
                document = json.loads(text)
            except json.JSONDecodeError as error:
                print(f"{path}: not JSON ({error}); kept as text", file=sys.stderr)
            else:
                document = normaliser.json(document)
                for key in ORDERED_BY_CLOCK.get(path.relative_to(args.raw).as_posix(), []):
                    document[key].sort(key=lambda item: json.dumps(item, sort_keys=True))
                text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
                target.write_text(text, encoding="utf-8")
                continue
        target.write_text(normaliser.text(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
