import os

import pytest

pytest_plugins = [
    "tests.browser",  # real Chromium fixtures: chromium, web_page, site, make_user
    "tests.services",  # real redis-server, PostgreSQL and folio worker processes: make_service, postgres
    "tests.review_data",  # review fixtures: rendered_page (session), review_page
]

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@pytest.fixture(autouse=True)
def _media_in_tmp(request, tmp_path):
    """Every test that touches Django storage writes into its own folder."""
    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        s = request.getfixturevalue("settings")
        s.MEDIA_ROOT = str(tmp_path / "media")
    yield
