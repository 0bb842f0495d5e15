"""Issue 7, names: a file's name never decides where anything is written; it is only shown, sanitised.

Originals are stored under their content's sha256 (``originals/ab/abcd...``) whatever they were
called. Traversal names (``../../x``, absolute paths, Windows paths), NUL bytes, control and
bidi characters and 300-character names arrive through every entrance: the upload path shared by
the upload page and the API (web/uploads.submit_uploads), the API's own multipart parsing, the
command line (``folio submit`` = worker.queue.submit without names) and the watch folder.
"""
from __future__ import annotations

import hashlib
import io
import os
from functools import partial
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ingest import files
from ingest.models import Document
from ingest.watch import Watcher
from worker.queue import submit

pytestmark = pytest.mark.django_db

# name as it arrives -> the name shown
NAMES = {
    "../../x.png": "x.png",
    "/etc/passwd": "passwd",
    "C:\\Windows\\System32\\x.png": "x.png",
    "..\\..\\evil.png": "evil.png",
    "a\x00b.png": "ab.png",
    "x" * 300 + ".png": "x" * 116 + ".png",
    "..": "unnamed",
    "": "unnamed",
    "re\nport\r.png": "re_port_.png",
    "scan\u202egnp.pdf": "scan_gnp.pdf",
    "<script>alert(1)</script>.png": "script_.png",  # '/' is a path separator: the last part is kept
    "<b onmouseover=alert(1)>scan.png": "b onmouseover_alert(1)_scan.png",
}
ON_DISK = [n for n in NAMES if n and "/" not in n and "\x00" not in n and n != ".." and len(n.encode()) < 255]


@pytest.fixture(autouse=True)
def _queue_in_process(settings):
    settings.FOLIO_QUEUE = "sync"  # pages would run when the test's transaction commits, which it never does


def png(seed: int) -> bytes:
    """A small PNG, different for each seed (so each name gets its own original)."""
    buf = io.BytesIO()
    Image.new("L", (40, 30), seed % 256).save(buf, "PNG")
    return buf.getvalue()


def content_addressed(doc: Document, data: bytes, media: Path) -> None:
    sha = hashlib.sha256(data).hexdigest()
    assert doc.original == f"originals/{sha[:2]}/{sha}", doc.original
    assert (media / doc.original).read_bytes() == data


def only_originals_written(media: Path) -> None:
    """Every file under the storage is an original under its own sha256; nothing else was written."""
    for path in media.rglob("*"):
        if path.is_file():
            rel = path.relative_to(media).parts
            assert rel[0] == "originals" and len(rel) == 3, path
            assert hashlib.sha256(path.read_bytes()).hexdigest() == rel[2] and rel[2].startswith(rel[1])


@pytest.mark.parametrize("name,shown", list(NAMES.items()), ids=[repr(n)[:30] for n in NAMES])
def test_safe_name(name, shown):
    out = files.safe_name(name)
    assert out == shown
    assert "/" not in out and "\\" not in out and "\x00" not in out and len(out) <= files.MAX_NAME
    assert out not in ("", ".", "..")


def test_upload_path_shows_names_sanitised_and_stores_by_content(tmp_path, settings):
    from web.uploads import submit_uploads

    passwd = os.stat("/etc/passwd")
    uploads, data = [], {}
    for i, name in enumerate(NAMES):
        upload = SimpleUploadedFile("placeholder.png", png(i))
        upload._name = name  # as it arrived: Django's own basename() is not what protects us
        uploads.append(upload)
        data[i] = png(i)
    batch, submitted = submit_uploads(uploads, batch_name="names")
    media = Path(settings.MEDIA_ROOT)
    for i, (sub, shown) in enumerate(zip(submitted, NAMES.values())):
        assert sub.document.name == (shown if list(NAMES)[i] else "upload-%d" % (i + 1))
        content_addressed(sub.document, data[i], media)
    only_originals_written(media)
    assert os.stat("/etc/passwd").st_mtime == passwd.st_mtime
    assert not list(tmp_path.parent.glob("x.png")) and not (Path.cwd() / "x.png").exists()


def _multipart(names: list[str], boundary: str = "folio-boundary") -> bytes:
    body = b""
    for i, name in enumerate(names):
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                 f"Content-Type: image/png\r\n\r\n").encode("utf-8", "surrogateescape") + png(100 + i) + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def test_api_multipart_filenames(settings):
    """The API's multipart parser hands over the filename as sent (Django strips the path); what Folio
    shows and where it stores the file are decided by Folio, not by the request."""
    from django.test import Client
    from webdata import make_user

    names = ["../../x.png", "C:\\Windows\\x.png", "..\\..\\evil.png", "a b/../../../c.png", "y" * 300 + ".png"]
    client = Client()
    client.force_login(make_user("names-archive", "archive"))
    response = client.post("/api/batches", data=_multipart(names),
                           content_type="multipart/form-data; boundary=folio-boundary")
    assert response.status_code == 201, response.content
    docs = response.json()["documents"]
    assert [d["file"] for d in docs] == ["x.png", "x.png", "evil.png", "c.png", "y" * 116 + ".png"]
    media = Path(settings.MEDIA_ROOT)
    for i, d in enumerate(docs):
        content_addressed(Document.objects.get(pk=d["id"]), png(100 + i), media)
    only_originals_written(media)


def test_command_line_and_watch_folder_names(tmp_path, settings):
    """Files on disk may be called anything but '/' and NUL: backslash paths, newlines, bidi overrides."""
    inbox, taken = tmp_path / "inbox", tmp_path / "taken"
    inbox.mkdir()
    on_disk = {}
    for i, name in enumerate(ON_DISK):
        (inbox / name).write_bytes(png(200 + i))
        on_disk[name] = png(200 + i)
    media = Path(settings.MEDIA_ROOT)

    # folio submit: worker.queue.submit with the paths only
    _, submitted = submit(sorted(inbox.iterdir()), batch_name="cli")
    for sub in submitted:
        raw = next(n for n in ON_DISK if files.safe_name(n) == sub.document.name)
        assert sub.document.name == NAMES[raw]
        content_addressed(sub.document, on_disk[raw], media)

    # the watch folder (a new copy of each file, so they are not already held)
    Document.objects.all().delete()
    watch = Watcher(inbox, partial(submit, priority="interactive"), move_done=taken)
    watch.poll()
    result = watch.poll()
    visible = [n for n in ON_DISK if not n.startswith(".")]  # the watcher leaves hidden files alone
    assert sorted(p.name for p, _ in result.submitted) == sorted(visible) and not result.rejected
    for path, doc in result.submitted:
        assert doc.name == NAMES[path.name]
        content_addressed(doc, on_disk[path.name], media)
    for _, moved in result.moved:
        assert moved.parent == taken, "moved beside each other in the taken folder, nowhere else"
    only_originals_written(media)
