"""What each ``folio`` sub-command does. Thin: every one calls ingest/, worker/, records/."""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from folio.errors import FolioError, NotAReport


def _out(path: Path | None):
    return open(path, "w", encoding="utf-8") if path else sys.stdout


def cmd_run(args) -> int:
    from ingest.models import Page
    from ingest.service import submit_paths
    from reconcile.catalog_db import import_csv
    from worker.catalog import load_catalog
    from worker.pages import process_page

    import_csv(args.catalog)
    catalog = load_catalog()
    batch, submitted = submit_paths(args.paths, batch_name=args.batch or args.paths[0].name)
    pages = [p for s in submitted for p in s.pages if p.state == Page.State.QUEUED]
    for page in tqdm(pages, desc=f"batch {batch.id}", unit="page", file=sys.stderr):
        process_page(page.id, catalog)
    print(summary(batch.id))
    if args.export:
        n = export_records(args.export, "jsonl", batch_id=batch.id)
        print(f"exported {n} records to {args.export}")
    return 0


def summary(batch_id: int) -> str:
    from ingest.models import Page
    from records.models import Field, Report

    pages = Page.objects.filter(document__batch_id=batch_id).select_related("document")
    states = Counter(p.state for p in pages)
    reports = Report.objects.filter(page__document__batch_id=batch_id)
    statuses = Counter(Field.objects.filter(report__in=reports).values_list("status", flat=True))
    cpu = [p.cpu_seconds for p in pages if p.cpu_seconds]
    lines = [
        f"batch {batch_id}: {len(pages)} pages, {reports.count()} records",
        f"  pages done {states['done']}, failed {states['failed']}, set aside {states['skipped']}, "
        f"queued {states['queued']}",
        f"  fields auto-accepted {statuses['auto']}, sent to review {statuses['needs_review']}, "
        f"corrected {statuses['corrected']}",
    ]
    if cpu:
        lines.append(f"  CPU seconds per page {sum(cpu) / len(cpu):.1f}")
    for p in pages:
        if p.state == Page.State.FAILED:
            lines.append(f"  FAILED {p.document.name} page {p.number}: {p.error}")
        elif p.state == Page.State.SKIPPED:
            lines.append(f"  SET ASIDE {p.document.name} page {p.number}: {p.error}")
    return "\n".join(lines)


def export_records(out: Path | None, fmt: str, *, batch_id: int | None = None) -> int:
    from records.export import write_export
    from records.models import Report

    reports = Report.objects.select_related("page__document").order_by("page__document_id", "page__number")
    if batch_id:
        reports = reports.filter(page__document__batch_id=batch_id)
    if fmt == "xlsx":
        if out is None:
            raise FolioError("an XLSX workbook cannot go to the terminal; give --out FILE.xlsx", code="usage")
        with open(out, "wb") as fh:
            return write_export(reports, fmt, fh)
    fh = _out(out)
    try:
        return write_export(reports, fmt, fh)
    finally:
        if out:
            fh.close()


def cmd_export(args) -> int:
    n = export_records(args.out, args.format, batch_id=args.batch)
    if args.out:
        print(f"exported {n} records to {args.out}")
    return 0


def cmd_read(args) -> int:
    from ingest import files
    from worker.pipeline import read_image

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "folio.settings")
    lim = files.Limits.from_settings()  # docs/input-limits.md, as set (no database needed)
    failed = 0
    for path in files.expand(args.paths):
        try:
            files.check_size(path, lim, name=path.name)
            kind = files.sniff(path)
            n = files.count_pages(path, kind, lim)
            sha = files.sha256_of(path)
        except FolioError as exc:
            print(f"folio: {exc}", file=sys.stderr)
            failed += 1
            continue
        for number in range(1, n + 1):
            source = {"file": path.name, "page": number, "sha256": sha}
            try:
                image, dpi = files.load_page(path, kind, number, lim)
                work = read_image(image, source=source, dpi=dpi, drawn=files.drawn_page(path, kind, number, lim))
            except NotAReport as exc:  # read, and not a report page: set aside, not a failure
                exc.file, exc.page = path.name, number
                print(f"folio: set aside: {exc}", file=sys.stderr)
                continue
            except FolioError as exc:
                exc.file, exc.page = path.name, number
                print(f"folio: {exc}", file=sys.stderr)
                failed += 1
                continue
            obj = work.raw.to_json()
            obj["source"] = source
            print(json.dumps(obj, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def cmd_reconcile(args) -> int:
    from reconcile.catalog import CatalogIndex, load_csv
    from reconcile.record import reconcile_json

    catalog = CatalogIndex(load_csv(args.catalog))
    fh = sys.stdin if str(args.raw) == "-" else open(args.raw, encoding="utf-8")
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FolioError(f"line {n} is not JSON ({exc})", code="bad_jsonl", file=str(args.raw))
            print(json.dumps(reconcile_json(obj, catalog), ensure_ascii=False), flush=True)
    return 0


def cmd_catalog(args) -> int:
    from reconcile.catalog_db import export_csv, import_csv

    if args.action == "import":
        print(f"imported {import_csv(args.csv)} catalog entries from {args.csv}")
    else:
        print(f"exported {export_csv(args.csv)} catalog entries to {args.csv}")
    return 0


def cmd_samples(args) -> int:
    if args.action == "hostile":
        return _hostile(args)
    from samples.generate import render_batch

    truth = render_batch(args.out, args.profile, args.seed)
    print(f"rendered the sample batch ({args.profile}, seed {args.seed}) into {args.out}; ground truth {truth}")
    return 0


def _hostile(args) -> int:
    """The hostile-file matrix through the real pipeline: exit 1 if a file was lost or a good page not read."""
    from folio.cli import _django
    from samples.hostile import run_matrix, table

    _django()
    rows = run_matrix(args.out)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    lost = [r for r in rows if r["state"] not in ("done", "failed", "skipped") or not r["original_kept"]
            or (r["state"] in ("failed", "skipped") and not r["message"])]
    good = [r for r in rows if r["row"] == "good_page"]
    print(f"\n{len(rows)} page rows from {len({r['file'] for r in rows})} files in batch {rows[0]['batch']}; "
          f"originals kept {sum(r['original_kept'] for r in rows)}; good page {good[0]['state'] if good else '?'}")
    return 1 if lost or not good or good[0]["state"] != "done" else 0


def cmd_doctor(args) -> int:
    from django.db import connection

    from ingest._exec import poppler
    from ocr._exec import tesseract

    problems = 0
    for name, check in (("tesseract", tesseract.probe), ("poppler", poppler.probe)):
        try:
            print(f"ok   {name}: {check()}")
        except FolioError as exc:
            problems += 1
            print(f"FAIL {name}: {exc}")
    connection.ensure_connection()
    print(f"ok   database: {connection.vendor} {connection.settings_dict['NAME']}")
    return 1 if problems else 0


def cmd_users(args) -> int:
    """``folio users add NAME --role R`` (password from $FOLIO_PASSWORD or asked) and ``folio users list``."""
    import getpass

    from django.contrib.auth import get_user_model, password_validation
    from django.core.exceptions import ValidationError

    from web.roles import assign, roles_of

    User = get_user_model()
    if args.action == "list":
        for user in User.objects.order_by("username"):
            print(f"{user.username}\t{','.join(sorted(roles_of(user))) or '-'}\t{'active' if user.is_active else 'inactive'}")
        return 0
    if not args.username:
        print("folio users add: give a username", file=sys.stderr)
        return 2
    password = os.environ.get(args.password_env) or getpass.getpass(f"password for {args.username}: ")
    user = User.objects.filter(username=args.username).first() or User(username=args.username)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        print(f"folio users add: {' '.join(exc.messages)}", file=sys.stderr)
        return 2
    user.set_password(password)
    user.save()
    assign(user, args.role)
    print(f"{args.username}: role {args.role}")
    return 0
