"""Browser tests: a live Chainlight server and Debian's Chromium driven by Playwright.

The server is the real app (CSRF on, like production) on a migrated SQLite file seeded
with the demo network, served by werkzeug on 127.0.0.1 in a thread for the whole run.
Chromium is Debian's package (`chromium`, or the path in CHAINLIGHT_CHROMIUM): Playwright's
own browser download needs the network. Without Chromium these tests skip with the
reason, unless CHAINLIGHT_REQUIRE_BROWSER=1 (.ci/run), which makes that a failure.
They run once, on SQLite: what they test is the pages, not the database.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.services import Actor
from app.services.demo import build_demo
from app.services.demo_data import DEMO_PASSWORD
from tests.conftest import _migrate, base_config

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
_LIVE: dict[str, object] = {}  # the app behind live_server, for tests that add their own data


def _require_browser() -> bool:
    return os.environ.get("CHAINLIGHT_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str):
    if _require_browser():
        pytest.fail(f"{reason}; CHAINLIGHT_REQUIRE_BROWSER is set", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """CHAINLIGHT_CHROMIUM if set (and executable), else `chromium` on the PATH."""
    configured = os.environ.get("CHAINLIGHT_CHROMIUM", "").strip()
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so `page` can save a screenshot on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The base URL of a seeded Chainlight served in a background thread."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    config = base_config(f"sqlite:///{path}")
    config.update(TESTING=False, WTF_CSRF_ENABLED=True, SERVER_NAME=None)
    app = create_app(config)
    _migrate(app)
    with app.app_context():
        build_demo(db.session, Actor.system("e2e"))
        db.session.commit()

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            return None

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    _LIVE["app"] = app
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_app(live_server):
    """The app served by live_server: `with live_app.app_context():` to add data a test needs."""
    return _LIVE["app"]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium for the whole run (skip or fail when it is missing)."""
    path = chromium_path()
    if not path:
        _unavailable(
            "Chromium not found: install Debian's `chromium` package or set CHAINLIGHT_CHROMIUM"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(
                executable_path=path, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as exc:  # noqa: BLE001 - any launch failure means "no browser here"
            _unavailable(f"Chromium at {path} did not start ({type(exc).__name__}: {exc})")
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def new_page(browser, live_server, request) -> Iterator[Callable]:
    """new_page(**context_options): a page in a fresh context (own cookies) on the server.

    A failing test leaves a screenshot of each of its pages in test-artifacts/.
    """
    contexts = []

    def _open(**options):
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _open
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for n, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for m, page in enumerate(context.pages):
                name = f"failed-{request.node.name}-{n}-{m}.png".replace("/", "_")
                page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page with its own cookies."""
    return new_page(viewport={"width": 1280, "height": 900})


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the real login form and submit it."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


@pytest.fixture
def login():
    return log_in
