"""`make student-edition` writes the course a teacher hands out: everything a student needs, nothing else.

The edition is written once per module into a temporary folder, committed
into a git repository of its own and cloned, as a teacher who pushes it
would; the clone's ``make lab`` and ``make check`` are run for real. They run
with the course's ``.venv`` linked into the clone (``make -o .venv/.installed``
skips the install step that a fresh clone would run; the pins it would
install are the course's, checked below) and ``PYTHONPATH`` on the clone, so
the kernels import the clone's ``course_utils``.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest

from browser.browser_servers import isolated_environment, make_lab, make_lab_command
from course_grading.handout.release import (
    REPO_ROOT,
    SECRET_BLOCK,
    assignment_notebook,
    assignments,
    secret_lines,
)
from course_grading.handout.student_edition import write_student_edition
from course_grading.intake.submissions import answer_cells, cell_sources, make_submission

EXPECTED_TOP_LEVEL = {
    ".gitignore",
    "Makefile",
    "README.md",
    "course_utils",
    "environment.yml",
    "exercises",
    "jupyter_config",
    "nbgrader_config.py",
    "notebooks",
    "pyproject.toml",
    "requirements-lock.txt",
}
EXERCISE = "01_cross_validation"


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The student edition, written now from the repository."""
    return write_student_edition(tmp_path_factory.mktemp("edition") / "student-edition").with_suffix("")


@pytest.fixture(scope="module")
def clone(edition: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh git clone of the edition, committed as a repository of its own, with the course's .venv linked."""
    git = ["git", "-c", "user.name=teacher", "-c", "user.email=teacher@example.org"]
    subprocess.run([*git, "init", "-q", str(edition)], check=True)
    subprocess.run([*git, "-C", str(edition), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(edition), "commit", "-q", "-m", "student edition"], check=True)
    target = tmp_path_factory.mktemp("clone") / "course"
    subprocess.run(["git", "clone", "-q", str(edition), str(target)], check=True)
    (target / ".venv").symlink_to(REPO_ROOT / ".venv")
    return target


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def test_student_edition_holds_the_lectures_the_release_and_the_helpers_only(edition: Path):
    assert {path.name for path in edition.iterdir()} == EXPECTED_TOP_LEVEL
    for folder in ("notebooks", "exercises", "course_utils"):
        committed = {
            name: data for name, data in files_of(REPO_ROOT / folder).items() if "__pycache__" not in name
        }
        assert files_of(edition / folder) == committed, f"{folder}/ of the edition differs from the course's"
    assert [path.name for path in (edition / "jupyter_config").iterdir()] == ["student"]
    pyproject = (edition / "pyproject.toml").read_text(encoding="utf-8")
    assert 'packages = ["course_utils"]' in pyproject and "course_grading" not in pyproject


def test_student_edition_pins_the_same_versions_as_the_course(edition: Path):
    course = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    student = tomllib.loads((edition / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert student["dependencies"] == course["dependencies"]
    assert student["requires-python"] == course["requires-python"]
    for name in ("environment.yml", "requirements-lock.txt"):
        assert (edition / name).read_bytes() == (REPO_ROOT / name).read_bytes(), name


def test_the_zip_holds_exactly_the_files_of_the_folder(edition: Path):
    with zipfile.ZipFile(edition.with_suffix(".zip")) as bundle:
        zipped = {name.removeprefix(f"{edition.name}/"): bundle.read(name) for name in bundle.namelist()}
    assert zipped == files_of(edition)


def public_lines() -> set[str]:
    """Return the stripped lines of the course's public material: lectures, course_utils and the release."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "course_utils").rglob("*.py"))]
    for folder in ("notebooks", "exercises"):
        for path in sorted((REPO_ROOT / folder).rglob("*.ipynb")):
            texts += [cell.source for cell in nbformat.read(path, as_version=4).cells]
    return {line.strip() for text in texts for line in text.splitlines()}


def secret_blocks() -> list[list[str]]:
    """Return each solution and hidden-test block of solutions/ as its non-blank stripped lines."""
    blocks = []
    for assignment in assignments(REPO_ROOT):
        notebook = REPO_ROOT / "solutions" / assignment / f"{assignment_notebook(assignment)}.ipynb"
        text = "\n".join(cell.source for cell in nbformat.read(notebook, as_version=4).cells)
        for match in SECRET_BLOCK.finditer(text):
            lines = [line.strip() for line in match["body"].splitlines() if line.strip()]
            if len(lines) >= 2:
                blocks.append(lines)
    return blocks


def strings_in(value: object) -> list[str]:
    """Return every string inside a JSON value (a notebook's sources, outputs and metadata)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return []


def edition_lines(edition: Path) -> dict[str, list[str]]:
    """Return the non-blank stripped lines of every file of the edition, by relative path.

    A notebook's lines are those of every string in its JSON (cell sources,
    outputs, metadata), so that nothing hides behind JSON escaping.
    """
    lines = {}
    for name, data in files_of(edition).items():
        text = data.decode("utf-8", errors="replace")
        texts = strings_in(json.loads(text)) if name.endswith(".ipynb") else [text]
        lines[name] = [line.strip() for part in texts for line in part.splitlines() if line.strip()]
    return lines


def test_no_file_of_the_student_edition_holds_a_line_of_a_solution_or_hidden_test(edition: Path):
    secrets: set[str] = set()
    for assignment in assignments(REPO_ROOT):
        secrets |= secret_lines(
            REPO_ROOT / "solutions" / assignment / f"{assignment_notebook(assignment)}.ipynb"
        )
    # A line the course shows students anyway (`return accuracy` in a lecture) gives nothing away.
    public = secrets & public_lines()
    secrets -= public
    print(
        f"{len(secrets)} solution and hidden-test lines searched for; {len(public)} are public course lines"
    )
    assert len(secrets) > 50, f"only {len(secrets)} secret lines found: the scan would prove little"
    leaks = {name: sorted(secrets.intersection(lines)) for name, lines in edition_lines(edition).items()}
    leaks = {name: lines for name, lines in leaks.items() if lines}
    assert not leaks, f"solution or hidden-test lines in the student edition: {dict(list(leaks.items())[:3])}"


def test_no_file_of_the_student_edition_holds_a_whole_solution_or_hidden_test_block(edition: Path):
    blocks = secret_blocks()
    assert len(blocks) >= 20, f"only {len(blocks)} blocks of two or more lines found in solutions/"
    copied = []
    for name, lines in edition_lines(edition).items():
        joined = "\n".join(lines)
        copied += [(name, block[0]) for block in blocks if "\n".join(block) in joined]
    assert not copied, f"whole solution or hidden-test blocks in the student edition: {copied[:5]}"


def make_in_clone(clone: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``make -o .venv/.installed ARGS`` in the clone, with its own folder on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": str(clone)}
    env.pop("JUPYTER_CONFIG_PATH", None)
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_make_check_in_a_clone_fails_the_untouched_exercise_and_passes_the_solution(clone: Path):
    notebook = clone / "exercises" / EXERCISE / f"{assignment_notebook(EXERCISE)}.ipynb"
    relative = notebook.relative_to(clone).as_posix()
    untouched = make_in_clone(clone, "check", f"NOTEBOOK={relative}")
    assert untouched.returncode == 0, untouched.stderr[-2000:]
    assert "VALIDATION FAILED" in untouched.stdout, untouched.stdout[-2000:]

    solution = nbformat.read(
        REPO_ROOT / "solutions" / EXERCISE / f"{assignment_notebook(EXERCISE)}.ipynb", as_version=4
    )
    release = nbformat.read(notebook, as_version=4)
    answers = cell_sources(solution, answer_cells(release))
    nbformat.write(make_submission(release, answers), notebook)
    solved = make_in_clone(clone, "check", f"NOTEBOOK={relative}")
    assert solved.returncode == 0, solved.stderr[-2000:]
    assert "Success! Your notebook passes all the tests." in solved.stdout, solved.stdout[-2000:]


def test_make_lab_in_a_clone_serves_the_lectures_and_the_exercises_without_instructor_tools(
    clone: Path, tmp_path: Path
):
    variables, _ = make_lab_command(8123, course=clone, make_options=("-o", ".venv/.installed"))
    assert Path(variables.get("JUPYTER_CONFIG_PATH", "")) == clone / "jupyter_config" / "student", variables
    env = {**isolated_environment(tmp_path / "home"), "PYTHONPATH": str(clone)}
    with make_lab(env, tmp_path / "lab.log", course=clone, make_options=("-o", ".venv/.installed")) as server:
        for folder in ("notebooks", "exercises"):
            status, _ = server.get(f"/api/contents/{folder}?content=1")
            assert status == 200, f"the clone's JupyterLab answered {status} for {folder}/"
        status, _ = server.get("/formgrader")
        assert status == 404, f"the student edition's JupyterLab answers /formgrader with {status}"
