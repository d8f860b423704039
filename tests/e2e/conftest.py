"""Real-browser fixtures: `streamlit run` on a free port and Debian's Chromium driven by Playwright (no downloads)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 1000}
README_SHOT = {"width": 1400, "height": 1000}  # the README screenshots (UPDATE_SCREENSHOTS=1 on the journeys)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy at {url}")


def serve(store_url: str, log: Path, port: int | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """Start `streamlit run` on the dashboard with this store (on `port`, or a free one) and wait until it is healthy."""
    port = port or _free_port()
    # Snapshots go to the given store, never to ./data; links are derived from the browser's address.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SNAPSHOT_STORE_URL": store_url}
    env.pop("SNAPSHOT_BASE_URL", None)
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
    except BaseException:
        stop(process)
        raise
    return url, process


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started by `serve`."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served by `streamlit run` on a free local port, for this test session, over a throwaway store."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("server")
    url, process = serve(f"sqlite:///{folder / 'snapshots.sqlite3'}", folder / "streamlit.log")
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_tab(browser, server):
    """Opens fresh browser contexts (no shared cookies, storage or Streamlit session), each with one tab; fails the
    test on any JavaScript dialog or page error in any of them."""
    contexts = []
    problems: list[str] = []

    def open_tab():
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        contexts.append(context)
        tab = context.new_page()
        tab.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        tab.base = server
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    assert problems == []


@pytest.fixture
def page(new_tab):
    """A fresh browser tab (its own Streamlit session)."""
    return new_tab()


def idle(tab, timeout: float = 60_000) -> None:
    """Wait until the app has finished its current run."""
    tab.wait_for_timeout(300)
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    tab.wait_for_timeout(300)


def open_page(tab, path: str = "") -> None:
    """Go to a page of the app and wait for it to settle."""
    tab.goto(f"{tab.base}/{path}")
    tab.wait_for_selector("h1", timeout=90_000)
    idle(tab)
