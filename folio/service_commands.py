"""Sub-commands of the queue service: submit, backfill, status, sweep, worker, beat, serve.

Thin like the others: every one calls worker.queue, ingest.progress or the
Celery app. folio/cli.py adds these parsers and routes to ``cmd_<name>`` here.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

COMMANDS = ("submit", "backfill", "status", "retry", "sweep", "worker", "beat", "serve")
PRIORITY_CHOICES = ("interactive", "backfill")
DEFAULT_QUEUES = "sweep,interactive,backfill"


def add_parsers(sub) -> None:
    smt = sub.add_parser("submit", help="submit files and folders to the queue as one batch")
    smt.add_argument("paths", nargs="+", type=Path)
    smt.add_argument("--batch", help="batch name (default: the first path's name)")
    smt.add_argument("--priority", choices=PRIORITY_CHOICES, default="interactive")
    smt.add_argument("--wait", action="store_true", help="follow the batch until no page is queued or running")

    bkf = sub.add_parser("backfill", help="submit an archive folder tree (years, ramos): what is not yet held")
    bkf.add_argument("folder", type=Path)
    bkf.add_argument("--catalog", type=Path, help="import this catalog CSV first")

    sts = sub.add_parser("status", help="a batch's pages queued / running / done / failed, with reasons")
    sts.add_argument("batch", type=int)
    sts.add_argument("--watch", action="store_true", help="follow until no page is queued or running")
    sts.add_argument("--json", action="store_true", help="the progress as JSON (as the API gives it)")
    sts.add_argument("--interval", type=float, default=2.0, help="seconds between looks with --watch")

    rty = sub.add_parser("retry", help="queue a batch's failed and poison pages again (after fixing what failed)")
    rty.add_argument("batch", type=int)
    rty.add_argument("--priority", choices=PRIORITY_CHOICES, default="interactive")

    sub.add_parser("sweep", help="send again the pages the broker lost or whose worker died (beat does it)")

    wrk = sub.add_parser("worker", help="run a Celery worker (Redis at REDIS_URL)")
    wrk.add_argument("--concurrency", type=int, default=1, help="child processes (pages at once)")
    wrk.add_argument("--queues", default=DEFAULT_QUEUES, help=f"polled in this order (default {DEFAULT_QUEUES})")
    wrk.add_argument("--loglevel", default="INFO")
    bt = sub.add_parser("beat", help="run Celery beat: the sweeper every FOLIO_SWEEP_SECONDS")
    bt.add_argument("--loglevel", default="INFO")
    srv = sub.add_parser("serve", help="serve the web pages, the API and the admin")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)


def route(args):
    return globals()[f"cmd_{args.command}"]


def _wait_inline() -> None:
    """FOLIO_QUEUE=inline: this process runs the pages in its thread; stay until it has."""
    from django.conf import settings

    if settings.FOLIO_QUEUE == "inline":
        from worker import inline

        inline.runner().join()


def cmd_submit(args) -> int:
    from ingest import files
    from worker.queue import submit

    paths = list(files.expand(args.paths))
    if not paths:
        print(f"folio submit: no PDF, TIFF, JPEG or PNG file in {' '.join(map(str, args.paths))}", file=sys.stderr)
        return 2
    batch, submitted = submit(paths, batch_name=args.batch or args.paths[0].name, priority=args.priority)
    pages = sum(len(s.pages) for s in submitted)
    print(f"batch {batch.id}: {len(submitted)} files, {pages} pages submitted ({args.priority})")
    for s in submitted:
        if s.document.duplicate_of_id:
            print(f"  {s.document.name}: already held (document {s.document.duplicate_of_id}); not read again")
    from django.conf import settings

    if args.wait or (settings.FOLIO_QUEUE == "inline" and pages):
        code = _follow(batch.id, interval=1.0)  # inline: this process's thread runs them; stay until it has
        _wait_inline()
        return code
    return 0


def format_status(p: dict) -> str:
    finished = p["done"] + p["failed"] + p["poison"] + p["skipped"]
    bar = tqdm.format_meter(finished, p["total"] or 1, elapsed=0, ncols=72, prefix="finished",
                            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} pages", ascii=True)
    lines = [
        f"batch {p['batch_id']} {p['name']!r}: {p['documents']} files, {p['total']} pages",
        f"  queued {p['queued']}, running {p['running']}, done {p['done']}, failed {p['failed']}, "
        f"poison {p['poison']}, set aside {p['skipped']}{'  (finished)' if p['finished'] else ''}",
        "  " + bar,
    ]
    for f in p["failures"]:
        lines.append(f"  {f['state'].upper()} {f['file']} page {f['page']} [{f['code']}]: {f['error']}")
    for s in p["set_aside"]:
        lines.append(f"  SET ASIDE {s['file']} page {s['page']} [{s['code']}]: {s['reason']}")
    for d in p["duplicates"]:
        same = d["same_as"]
        lines.append(f"  DUPLICATE {d['file']}: same file as {same['file']} (batch {same['batch_id']})")
    for r in p["rescans"]:
        was = r["rescan_of"]
        lines.append(f"  RE-SCAN {r['file']} page {r['page']}: a report already held from {was['file']} "
                     f"page {was['page']} (batch {was['batch_id']})")
    return "\n".join(lines)


def _follow(batch_id: int, *, interval: float) -> int:
    """A live bar until no page is queued or running; then the full status."""
    from ingest.progress import batch_progress

    p = batch_progress(batch_id)
    with tqdm(total=p["total"], desc=f"batch {batch_id}", unit="page", file=sys.stderr) as bar:
        while True:
            finished = p["done"] + p["failed"] + p["poison"] + p["skipped"]
            bar.update(finished - bar.n)
            bar.set_postfix(queued=p["queued"], running=p["running"], failed=p["failed"] + p["poison"])
            if p["finished"]:
                break
            time.sleep(interval)
            p = batch_progress(batch_id)
    print(format_status(p))
    return 0 if not p["failed"] and not p["poison"] else 1


def cmd_status(args) -> int:
    from ingest.models import Batch
    from ingest.progress import batch_progress

    try:
        p = batch_progress(args.batch)
    except Batch.DoesNotExist:
        print(f"folio status: no batch {args.batch}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(p, ensure_ascii=False, indent=2))
        return 0
    if args.watch:
        return _follow(args.batch, interval=args.interval)
    print(format_status(p))
    return 0


def cmd_retry(args) -> int:
    """Failed and poison pages of a batch back to queued, counters cleared, and sent again.

    A file refused at submission (its Document has an error: not a scan, encrypted, too large) is not
    retried: its bytes will not change; submit a fixed file instead.
    """
    from ingest.models import Page
    from worker.queue import retry

    ids, refused = retry(args.batch, priority=args.priority)
    print(f"batch {args.batch}: {len(ids)} pages queued again ({args.priority})")
    for page in Page.objects.filter(pk__in=refused).select_related("document"):
        print(f"  {page.document.name}: refused at submission, not retried: {page.error}")
    _wait_inline()
    return 0


def cmd_backfill(args) -> int:
    from worker.backfill import backfill

    if not args.folder.is_dir():
        print(f"folio backfill: {args.folder} is not a folder", file=sys.stderr)
        return 2
    if args.catalog:
        from reconcile.catalog_db import import_csv

        print(f"imported {import_csv(args.catalog)} catalog entries from {args.catalog}")
    result = backfill(args.folder)
    print(f"backfill {args.folder}: {result.files} files seen, {result.submitted} submitted "
          f"({result.pages} pages), {result.held} already held, {result.rejected} rejected; "
          f"batches {', '.join(map(str, result.batches)) or '-'}")
    _wait_inline()
    return 0


def cmd_sweep(args) -> int:
    from worker.sweeper import sweep

    print(json.dumps(sweep(), default=str))
    return 0


def cmd_worker(args) -> int:
    import os

    from django.db import connections

    from worker.celery import app

    connections.close_all()  # the children must not share the parent's database connection
    app.worker_main(["worker", f"--loglevel={args.loglevel}", f"--concurrency={args.concurrency}", "--pool=prefork",
                     f"--queues={args.queues}", f"--hostname=folio-{os.getpid()}@%h", "--without-mingle",
                     "--without-gossip"])
    return 0


def cmd_beat(args) -> int:
    from django.db import connections

    from worker.celery import app

    connections.close_all()
    app.start(["beat", f"--loglevel={args.loglevel}"])
    return 0


def cmd_serve(args) -> int:
    """Django's threaded server; with FOLIO_QUEUE=inline its background thread runs the pages."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.FOLIO_QUEUE == "inline":
        from worker import inline

        n = inline.resume()
        if n:
            print(f"inline queue: {n} pages left from an earlier run are queued again", file=sys.stderr)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, insecure_serving=True)
    return 0
