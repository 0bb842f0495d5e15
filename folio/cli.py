"""The ``folio`` command line: one entrance among several to the same pipeline."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "folio.settings")
    import django
    from django.conf import settings

    settings.FOLIO_HOME.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="folio", description="Scanned municipal reports into checked records.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the whole pipeline in-process on files and folders")
    run.add_argument("paths", nargs="+", type=Path)
    run.add_argument("--catalog", type=Path, required=True, help="catalog CSV (shared/contract/catalog.md)")
    run.add_argument("--export", type=Path, help="write the batch's records as JSONL here")
    run.add_argument("--batch", help="batch name (default: the first path's name)")

    read = sub.add_parser("read", help="OCR alone: raw records as JSONL on stdout")
    read.add_argument("paths", nargs="+", type=Path)

    rec = sub.add_parser("reconcile", help="reconciliation alone: raw records in, report records out")
    rec.add_argument("raw", type=Path, help="raw records, JSONL ('-' for stdin)")
    rec.add_argument("--catalog", type=Path, required=True)

    exp = sub.add_parser("export", help="export stored records")
    exp.add_argument("--format", choices=("jsonl", "csv", "xlsx"), default="jsonl")
    exp.add_argument("--out", type=Path, help="file to write (default stdout)")
    exp.add_argument("--batch", type=int, help="only this batch id")

    cat = sub.add_parser("catalog", help="import or export the catalog CSV")
    cat.add_argument("action", choices=("import", "export"))
    cat.add_argument("csv", type=Path)

    smp = sub.add_parser("samples", help="render the bundled sample batch as scans; or the hostile-file matrix")
    smp.add_argument("action", choices=("render", "hostile"),
                     help="render: the sample batch; hostile: write the hostile and broken files (issue 7), run "
                          "them through the pipeline in one batch with a good page, print what each returned")
    smp.add_argument("--profile", default="clean300")
    smp.add_argument("--out", type=Path, required=True)
    smp.add_argument("--seed", type=int, default=0)
    smp.add_argument("--json", type=Path, help="hostile: also write the rows as JSON here")

    usr = sub.add_parser("users", help="add a user with a role, or list users")
    usr.add_argument("action", choices=("add", "list"))
    usr.add_argument("username", nargs="?")
    usr.add_argument("--role", choices=("archive", "reviewer", "admin"), default="reviewer")
    usr.add_argument("--password-env", default="FOLIO_PASSWORD",
                     help="environment variable holding the password (default FOLIO_PASSWORD; asked if unset)")

    sub.add_parser("doctor", help="check tesseract, its Spanish data, poppler and the database")

    from folio import service_commands, web_commands

    service_commands.add_parsers(sub)  # submit, backfill, status, sweep, worker, beat, serve: the queue service
    web_commands.add_parsers(sub)  # token, completeness, watch: the web entrances' commands
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from folio import commands, service_commands, web_commands
    from folio.errors import FolioError

    try:
        if args.command in ("run", "export", "catalog", "doctor", "users",
                            *service_commands.COMMANDS, *web_commands.COMMANDS):
            _django()
        if args.command in service_commands.COMMANDS:
            return service_commands.route(args)(args)
        if args.command in web_commands.COMMANDS:
            return web_commands.route(args)(args)
        return getattr(commands, f"cmd_{args.command}")(args)
    except FolioError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("folio: interrupted; pages not yet done stay queued", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
