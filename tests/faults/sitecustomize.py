"""Fault injection for the queue tests: put this folder on a ``folio`` process's PYTHONPATH.

Python imports ``sitecustomize`` at start-up; this one wraps product functions
when their module is first imported, so the product carries no test-only code.

``FOLIO_FAULT_KILL_SHA256=sha,...``  a page of a document with one of these
    sha256 makes the process running it SIGKILL itself (in
    ``worker.pipeline.process_image``): a page that kills its worker every time.
``FOLIO_FAULT_TRANSIENT=sha:N,...`` with ``FOLIO_FAULT_STATE_DIR``  the first N runs of a page of
    that document raise ``TransientError`` (counted in a file, across processes);
    N = -1: every run.
``FOLIO_FAULT_KILL_AFTER_SUBMITS=N``  the process SIGKILLs itself right after
    its N-th ``worker.queue.submit`` returned (a backfill stopped mid-tree).
"""
import importlib.abc
import importlib.machinery
import os
import signal
import sys

KILL_SHA = {s for s in os.environ.get("FOLIO_FAULT_KILL_SHA256", "").split(",") if s}
KILL_AFTER = int(os.environ.get("FOLIO_FAULT_KILL_AFTER_SUBMITS", "0") or 0)
TRANSIENT = dict(item.split(":") for item in os.environ.get("FOLIO_FAULT_TRANSIENT", "").split(",") if item)
STATE_DIR = os.environ.get("FOLIO_FAULT_STATE_DIR", "")


def _transient_due(sha: str) -> bool:
    """Count this run of the page in a file shared by the worker's processes; True while faults remain."""
    path = os.path.join(STATE_DIR, sha + ".runs")
    with open(path, "a") as fh:
        fh.write("x")
    runs = os.path.getsize(path)
    limit = int(TRANSIENT[sha])
    return limit < 0 or runs <= limit


def _die(why: str) -> None:
    sys.stderr.write(f"fault injection: SIGKILL ({why})\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap_pipeline(module) -> None:
    real = module.process_image

    def process_image(image, catalog, *, source, dpi=None, drawn=False):
        if source.get("sha256") in KILL_SHA:
            _die(f"{source.get('file')} page {source.get('page')}")
        if source.get("sha256") in TRANSIENT and _transient_due(source["sha256"]):
            from folio.errors import TransientError

            raise TransientError("fault injection: a transient failure", code="injected_transient")
        return real(image, catalog, source=source, dpi=dpi, drawn=drawn)

    module.process_image = process_image


def _wrap_queue(module) -> None:
    real = module.submit
    calls = [0]

    def submit(*args, **kwargs):
        out = real(*args, **kwargs)
        calls[0] += 1
        if calls[0] >= KILL_AFTER:
            _die(f"after submit number {calls[0]}")
        return out

    module.submit = submit


TARGETS = {}
if KILL_SHA or TRANSIENT:
    TARGETS["worker.pipeline"] = _wrap_pipeline
if KILL_AFTER:
    TARGETS["worker.queue"] = _wrap_queue


class _Loader(importlib.abc.Loader):
    def __init__(self, inner, wrap):
        self.inner, self.wrap = inner, wrap

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        self.wrap(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in TARGETS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, TARGETS[name])
        return spec


if TARGETS:
    sys.meta_path.insert(0, _Finder())
