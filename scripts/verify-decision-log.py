#!/usr/bin/env python3
"""Verify Mamoru's decision log (X1) with Python 3's standard library alone.

判定ログのハッシュチェーンを、Mamoru を使わずに検証します。
Checks a decision log export without Mamoru: every row's hash, every link,
and optionally that the log still holds a signed checkpoint's head.

Each decision's hash is the SHA-256 (hex) of the RFC 8785 (JCS) canonical
JSON of these eleven fields, UTF-8 encoded:

    {"action", "channel", "created_at", "event", "event_id", "id", "org_id",
     "prev_hash", "score", "seq", "verdict"}

where created_at is ISO 8601 UTC with milliseconds (2026-03-02T09:00:00.000Z),
seq and score are numbers, verdict and event are the JSON values stored, and
prev_hash is the hash of decision seq - 1 (64 zeros for seq 1). JCS: object
keys sorted by UTF-16 code units, no spaces, numbers as ECMAScript writes
them, strings escaped as JSON.stringify escapes them.

Input (files, or standard input), any mix of:
  * database rows, one JSON object per line, as PostgreSQL exports them:
      psql "$DATABASE_URL" -Atc \\
        "SELECT row_to_json(d) FROM decisions d ORDER BY seq" > decisions.jsonl
    (seq, id, org_id, channel, event_id, action, score, verdict, event,
    created_at, prev_hash, hash): the whole log, every organisation;
  * decisions as the API and CLI give them ({seq, verdict, event, hash,
    prevHash}): pages of GET /v1/decisions or `mamoru decisions list --json`,
    one decision from `mamoru decisions show <id>`. Each is checked on its
    own with its prevHash (one organisation's pages skip the seqs of the
    others: such gaps are expected, not deletions); where the decision
    before it (seq - 1) is in the input too, the link is checked as well.
    Decisions given without prevHash (servers before issue 8) are checked
    when the decision before them is in the input, or seq is 1.

Usage:
  python3 scripts/verify-decision-log.py [--checkpoint FILE] [FILE ...]

  --checkpoint FILE  a checkpoint (`mamoru audit checkpoint`): the input must
                     hold its seq with its hash. Its Ed25519 signature is
                     checked with OpenSSL (see docs/audit.md and
                     --signed-text).
  --signed-text OUT  write the text the checkpoint's signature covers to OUT
                     and the signature's bytes to OUT.sig, for
                     `openssl pkeyutl -verify -rawin`.
  --jcs              write the RFC 8785 text of each JSON line read, nothing else.

Exit status: 0 when everything checked holds, 1 when something does not
(each finding on standard output), 2 when the input cannot be read.
"""

import argparse
import base64
import hashlib
import json
import math
import re
import sys
from datetime import datetime, timedelta

GENESIS_HASH = "0" * 64
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
ISO_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def es_number(x):
    """A number as ECMAScript's Number::toString writes it (RFC 8785 §3.2.2.3)."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return "null"  # not I-JSON; Mamoru writes what it cannot hash as JSON.stringify does
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr gives the shortest digits that read back as the same double, as ECMAScript does.
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    all_digits = whole + frac
    significant = all_digits.lstrip("0")
    n = len(whole) - (len(all_digits) - len(significant)) + (int(exp) if exp else 0)
    digits = significant.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exponent = ("+" if e > 0 else "-") + str(abs(e))
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + exponent


def es_string(s):
    """A string as JSON.stringify writes it: short escapes, other controls and lone surrogates as \\u00xx."""
    text = json.dumps(s, ensure_ascii=False)
    return LONE_SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def utf16_key(key):
    return key.encode("utf-16-be", "surrogatepass")


def jcs(value):
    """RFC 8785 canonical JSON of a value as json.loads gives it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return es_string(value)
    if isinstance(value, (int, float)):
        try:
            return es_number(value)
        except OverflowError:  # an integer beyond any double reads as Infinity in JavaScript
            return "null"
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=utf16_key)
        return "{" + ",".join(es_string(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise TypeError("not a JSON value: %r" % (value,))


def iso_millis(text):
    """A time as JavaScript's Date#toISOString writes it: UTC, milliseconds, Z (no zone: UTC)."""
    m = ISO_TIME.match(text)
    if not m:
        raise ValueError("not an ISO 8601 time: %r" % (text,))
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(minutes=int(digits[:2]) * 60 + int(digits[2:4] or 0))
        moment = moment - offset if zone[0] == "+" else moment + offset
    millis = int((fraction or "0")[:3].ljust(3, "0"))
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        millis,
    )


def hashed_fields(row):
    """The eleven hashed fields of a row, prev_hash left out; the prev_hash it carries (None if none); whether it is a database row."""
    if "verdict" not in row or "seq" not in row or "hash" not in row:
        raise ValueError("not a decision: needs seq, verdict and hash")
    if not isinstance(row["verdict"], dict):
        raise ValueError("not a decision: its verdict is not an object")
    if not isinstance(row["seq"], int) or isinstance(row["seq"], bool):
        raise ValueError("not a decision: its seq is not an integer")
    if "org_id" in row:  # a database row
        fields = {k: row[k] for k in ("id", "org_id", "channel", "event_id", "action", "score")}
        created = row["created_at"]
    else:  # a decision as the API gives it: the columns are the verdict's own fields
        v = row["verdict"]
        fields = {
            "id": v["id"],
            "org_id": v["orgId"],
            "channel": v["channel"],
            "event_id": v["eventId"],
            "action": v["action"],
            "score": v["score"],
        }
        created = v["createdAt"]
    fields.update(
        seq=row["seq"],
        verdict=row["verdict"],
        event=row.get("event"),
        created_at=iso_millis(created),
    )
    if "org_id" in row:
        return fields, row.get("prev_hash"), True
    return fields, row.get("prevHash"), False


def row_hash(fields, prev_hash):
    return hashlib.sha256(jcs(dict(fields, prev_hash=prev_hash)).encode("utf-8")).hexdigest()


def json_values(text):
    """Every JSON value in a text: JSON lines, one document, or documents one after another."""
    decoder = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return
        value, i = decoder.raw_decode(text, i)
        yield value


def decisions_in(value):
    if isinstance(value, list):
        for v in value:
            yield from decisions_in(v)
    elif isinstance(value, dict) and "items" in value and "verdict" not in value:
        yield from decisions_in(value["items"])
    elif isinstance(value, dict):
        yield value
    else:
        raise ValueError("not a decision, a list or a page of decisions")


def verify(rows, checkpoint=None):
    """Findings (strings) about `rows`; and a summary."""
    findings = []
    by_seq = {}
    for row in rows:
        fields, prev, database = hashed_fields(row)
        seq = int(fields["seq"])
        if seq in by_seq:
            if by_seq[seq][2] != row["hash"]:
                findings.append("duplicate: seq %d appears twice with different hashes" % seq)
            continue
        by_seq[seq] = (fields, prev, row["hash"], database)
    checked = unchecked = 0
    known = {}  # seq -> hash vouched for by its content
    previous_seq = None
    for seq in sorted(by_seq):
        fields, prev, stored, database = by_seq[seq]
        if prev is None:  # from the API: the link is the previous decision's hash
            if seq == 1:
                prev = GENESIS_HASH
            elif seq - 1 in by_seq:
                prev = by_seq[seq - 1][2]
        else:
            if seq == 1 and prev != GENESIS_HASH:
                findings.append("broken_link: seq 1 does not start the chain (prev_hash %s)" % prev)
            elif seq - 1 in by_seq and by_seq[seq - 1][2] != prev:
                findings.append("broken_link: seq %d: prev_hash is not the hash of seq %d" % (seq, seq - 1))
            # Only the whole log (database rows) has no gaps; an organisation's API pages skip the others' seqs.
            if database and previous_seq is not None and seq != previous_seq + 1:
                gap = (previous_seq + 1, seq - 1)
                findings.append(
                    "deleted: seq %d is missing" % gap[0]
                    if gap[0] == gap[1]
                    else "deleted: seq %d to %d are missing" % gap
                )
        previous_seq = seq
        if prev is None:
            unchecked += 1
            continue
        checked += 1
        if row_hash(fields, prev) != stored:
            findings.append("edited: seq %d: its hash does not match its content" % seq)
        else:
            known[seq] = stored
    if checkpoint is not None:
        seq, digest = checkpoint["seq"], checkpoint["hash"]
        if seq > 0 and known.get(seq) != digest:
            have = by_seq.get(seq)
            if have is None:
                findings.append("checkpoint: the input does not hold seq %d, the checkpoint's head" % seq)
            elif have[2] != digest:
                findings.append("checkpoint: seq %d has another hash than the checkpoint's" % seq)
            else:
                findings.append("checkpoint: seq %d could not be checked (its previous decision is not in the input)" % seq)
    seqs = sorted(by_seq)
    summary = {
        "decisions": len(by_seq),
        "checked": checked,
        "unchecked": unchecked,
        "first": seqs[0] if seqs else None,
        "last": seqs[-1] if seqs else None,
        "head": by_seq[seqs[-1]][2] if seqs else None,
    }
    return findings, summary


def signed_text(checkpoint):
    """The text a checkpoint's Ed25519 signature covers: JCS of every field but the signature."""
    return jcs({k: v for k, v in checkpoint.items() if k != "signature"})


def main(argv):
    parser = argparse.ArgumentParser(description="Verify a Mamoru decision log export (X1).")
    parser.add_argument("files", nargs="*", help="exported decisions (default: standard input)")
    parser.add_argument("--checkpoint", help="a signed checkpoint whose head the log must hold")
    parser.add_argument("--signed-text", help="write the checkpoint's signed text here (and OUT.sig)")
    parser.add_argument("--jcs", action="store_true", help="only write the JCS text of each JSON line read")
    args = parser.parse_args(argv)
    if args.jcs:
        for line in (sys.stdin if not args.files else open(args.files[0], encoding="utf-8")):
            if line.strip():
                sys.stdout.write(jcs(json.loads(line)) + "\n")
        return 0
    try:
        texts = [open(f, encoding="utf-8").read() for f in args.files] or [sys.stdin.read()]
        rows = [d for text in texts for value in json_values(text) for d in decisions_in(value)]
        checkpoint = None
        if args.checkpoint:
            with open(args.checkpoint, encoding="utf-8") as f:
                checkpoint = json.load(f)
        if not rows:
            raise ValueError("it holds no decision: nothing was verified")
        findings, summary = verify(rows, checkpoint)
    except KeyError as error:  # found by H8: a bare 'id' said nothing
        print("読み込めません / cannot read the input: a decision lacks the field %s" % error, file=sys.stderr)
        return 2
    except RecursionError:
        print("読み込めません / cannot read the input: JSON nested too deeply", file=sys.stderr)
        return 2
    except (OSError, ValueError, TypeError) as error:
        print("読み込めません / cannot read the input: %s" % error, file=sys.stderr)
        return 2
    if checkpoint is not None and args.signed_text:
        with open(args.signed_text, "w", encoding="utf-8") as f:
            f.write(signed_text(checkpoint))
        signature = checkpoint["signature"]
        with open(args.signed_text + ".sig", "wb") as f:
            f.write(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    for finding in findings:
        print(finding)
    print(json.dumps(dict(summary, ok=not findings), ensure_ascii=False))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
