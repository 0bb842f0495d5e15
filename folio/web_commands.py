"""Sub-commands of the web entrances: ``folio token``, ``folio completeness``, ``folio watch``.

Kept apart from folio/commands.py so the queue's and the pages' commands grow
without stepping on each other; folio/cli.py adds these parsers and routes
to ``cmd_<name>`` here.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from functools import partial
from pathlib import Path

COMMANDS = ("token", "completeness", "watch")
MARKS = {"held": "ok", "rescanned": "2x", "missing": "--"}


def add_parsers(sub) -> None:
    tok = sub.add_parser("token", help="print a user's API token (created on first use)")
    tok.add_argument("username")
    tok.add_argument("--rotate", action="store_true", help="replace the token; the old one stops working")

    cpl = sub.add_parser("completeness", help="which unidades and quarters of a year are held or missing")
    cpl.add_argument("year", type=int)
    cpl.add_argument("--json", action="store_true", help="the API's JSON instead of a table")

    wat = sub.add_parser("watch", help="submit the scans that appear in a folder, once each")
    wat.add_argument("folder", type=Path)
    wat.add_argument("--interval", type=float, default=5.0, help="seconds between polls (default 5)")
    wat.add_argument("--once", action="store_true", help="poll twice, one interval apart, submit and stop")
    wat.add_argument("--batch", help="batch name (default: 'watch FOLDER date time' per poll)")
    wat.add_argument("--move-done", type=Path, metavar="DIR",
                     help="move each submitted original here (default: leave it in place)")
    wat.add_argument("--priority", choices=("interactive", "backfill"), default="interactive")


def cmd_token(args) -> int:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"folio token: no user {args.username!r}; add one with: folio users add NAME --role R", file=sys.stderr)
        return 2
    if args.rotate:
        Token.objects.filter(user=user).delete()
    token, _ = Token.objects.get_or_create(user=user)
    print(token.key)
    return 0


def cmd_completeness(args) -> int:
    from records.completeness import as_json, completeness

    result = completeness(args.year)
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False, indent=2))
        return 0
    if not result.units:
        print(f"{args.year}: the catalog lists no unidad ejecutora valid that year and no record is held; "
              f"import the catalog with: folio catalog import CATALOG.csv")
        return 1
    print(f"{'unidad':<10} {'Q1':>3} {'Q2':>3} {'Q3':>3} {'Q4':>3}  name")
    for unit in result.units:
        marks = " ".join(f"{MARKS[c.state]:>3}" for c in unit.quarters)
        name = unit.name if unit.in_catalog else "(not in the catalog for this year)"
        print(f"{unit.code:<10} {marks}  {name[:70]}")
    t = result.totals
    print(f"{args.year}: {result.expected} quarters expected, held {t['held']}, re-scanned {t['rescanned']}, "
          f"missing {t['missing']} (ok = held, 2x = held more than once, -- = missing)")
    return 0


def cmd_watch(args) -> int:
    from django.conf import settings

    from ingest.watch import FolderBusy, folder_lock

    if not args.folder.is_dir():
        print(f"folio watch: {args.folder} is not a folder", file=sys.stderr)
        return 2
    try:
        with folder_lock(args.folder, settings.FOLIO_HOME / "watch-locks"):
            return _watch(args)
    except FolderBusy as exc:
        print(f"folio watch: {exc}", file=sys.stderr)
        return 2


def _watch(args) -> int:
    from ingest.watch import Watcher
    from worker.queue import submit

    logging.getLogger("folio.watch").setLevel(logging.INFO)
    watcher = Watcher(args.folder, partial(submit, priority=args.priority), batch_name=args.batch,
                      move_done=args.move_done)
    print(f"watching {watcher.folder} every {args.interval:g} s{' (once)' if args.once else ''}", file=sys.stderr)
    watcher.poll()  # the first poll only notes sizes: a file is taken once it is unchanged at the next
    while True:
        time.sleep(args.interval)
        try:
            result = watcher.poll()
        except Exception:  # a lost database connection must not end an unattended watcher
            if args.once:
                raise
            logging.getLogger("folio.watch").exception("poll failed; the files stay and are tried again")
            continue
        if args.once:
            for path in result.waiting:
                print(f"still changing, not taken: {path}; run again once the copy has finished", file=sys.stderr)
            return 1 if result.rejected or result.waiting else 0


def route(args: argparse.Namespace):
    return globals()[f"cmd_{args.command}"]
