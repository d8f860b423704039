"""Every command the READMEs show runs as documented: each `python -m …` line of a ```bash block and each `$ ` line is
parsed from README.md and rubrics/README.md (so new examples are covered) and run in a copy of the project, where
its output files land. It must exit 0, or 1 where the README shows a deliberate error; the output a `$ ` example
shows must be what the command prints."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", "rubrics/README.md")
NOT_RUN = {"make run", "make test",  # they start the dashboard or the whole suite; the CLI commands are what is checked
           ".venv/bin/python benchmarks/bench_browser.py --quick",  # benchmarks drive a browser for minutes and print figures
           ".venv/bin/python benchmarks/bench_browser.py --sizes sample,100k,1m --rounds 3"}
COPIED = ("scoring", "snapshots", "rubrics", "sample_data")
# The README's broken rubric, put in place only for the commands that name it (it would break the rubric folder for
# the others): its validate-rubric example must print exactly the errors shown there.
BROKEN = "rubrics/county_rural.yaml"
COUNTY_RURAL = """\
id: county_rural
name: 某县农村党组织考评细则
extends: core
fields: [县农村]
standards:
  - id: organization
    points: 18
    indicators:
      - id: one_shoulder
        name: 书记、主任“一肩挑”
        points: 2
        method: {kind: yes_or_no}
grading:
  vetoes:
    - id: petitions
      reason: 集体上访
      when: {column: collective_petitions, op: is_true}
      force: 较差
"""


@dataclass(frozen=True)
class Example:
    """One documented command: where it is, what it is, the exit code and output lines it promises."""

    where: str
    command: str
    comment: str
    shown: tuple[str, ...]

    @property
    def expected_exit(self) -> int:
        """1 where the README shows a deliberate error (its comment says so, or the shown output lists errors)."""
        deliberate = "exit 1" in self.comment or any(line.startswith(("评分细则有错误", "[错误]")) for line in self.shown)
        return 1 if deliberate else 0


def examples(doc: str) -> list[Example]:
    """The commands of a Markdown file: lines of ```bash blocks, and `$ ` lines with the output below them."""
    found: list[Example] = []
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
            continue
        where = f"{doc}:{number}"
        if line.startswith("$ "):
            shown = []
            for after in lines[number:]:
                if after.startswith(("```", "$ ")):
                    break
                shown.append(after.strip())
            found.append(Example(where, line[2:].strip(), "", tuple(shown)))
        elif fence == "bash" and line.strip() and not line.startswith("#"):
            command, _, comment = line.partition("  #")
            found.append(Example(where, command.strip(), comment.strip(), ()))
    return found


EXAMPLES = [e for doc in DOCS for e in examples(doc)]


def test_the_readmes_document_commands() -> None:
    commands = {e.command for e in EXAMPLES}
    assert {c for c in commands if not c.startswith("python ")} == NOT_RUN  # a new kind of command needs a decision here
    assert any("validate-rubric rubrics/county_rural.yaml" in c for c in commands)
    assert any(c.startswith("python -m scoring compare") for c in commands)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's code, rubrics and sample data, where a command's output files land."""
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def run(example: Example, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as a shell would run it (`python` is this interpreter; `> file` redirects into the copy)."""
    words = shlex.split(example.command)
    stdout = subprocess.PIPE
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], cwd / words[at + 1]
        stdout = target.open("w", encoding="utf-8")  # type: ignore[assignment]
    assert words[0] == "python", example
    try:
        return subprocess.run([sys.executable, *words[1:]], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, text=True,
                              encoding="utf-8", timeout=120, check=False)
    finally:
        if stdout is not subprocess.PIPE:
            stdout.close()  # type: ignore[union-attr]


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.command not in NOT_RUN], ids=lambda e: e.where)
def test_documented_command_runs_as_shown(example: Example, project: Path) -> None:
    if BROKEN in example.command:
        (project / BROKEN).write_text(COUNTY_RURAL, encoding="utf-8")
    done = run(example, project)
    assert done.returncode == example.expected_exit, f"{example.where}: {example.command}\n{done.stderr[-3000:]}"
    printed = (done.stdout or "") + done.stderr
    for line in example.shown:
        if line and "……" not in line:  # an elided line cannot match as written
            assert line in printed, f"{example.where}: the README shows a line the command does not print:\n{line}"
    if example.command.startswith("python -m scoring.describe"):  # the committed schema is the regenerated one
        assert (project / "rubrics" / "rubric.schema.json").read_bytes() == (ROOT / "rubrics" / "rubric.schema.json").read_bytes()
    for written in re.findall(r"(?:-o|>)\s+(\S+)", example.command):
        assert (project / written).stat().st_size > 0, f"{example.where}: {written} was not written"
