"""`make run` serves on PORT and prints that port in the URL it shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time

import pytest

from tests.e2e.conftest import ROOT, _free_port

pytestmark = pytest.mark.e2e


def test_make_run_prints_the_port_it_was_given():
    port = _free_port()
    plan = subprocess.run(["make", "-n", "run", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(s for s in plan.stdout.splitlines() if "streamlit run" in s)  # the recipe only, not the install steps
    command = shlex.split(line, comments=True)
    command[0] = str(ROOT / command[0])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([*command, "--server.fileWatcherType", "none"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        printed = ""
        while time.monotonic() < deadline and "Local URL" not in printed and process.poll() is None:
            printed += process.stdout.readline()
        urls = re.findall(r"URL: \S+", printed)
        assert urls, printed
        assert all(url.endswith(f":{port}") for url in urls), urls
    finally:
        process.terminate()
        process.wait(timeout=15)
