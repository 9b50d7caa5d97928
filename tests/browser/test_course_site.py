"""The course website (`make site`): every page loads offline, every figure renders, no link is broken.

The site is built once for this module from the stored outputs (nothing is
executed), served from its folder by Python's http.server on 127.0.0.1, and
read in headless Chromium as a visitor would: from the index, following every
link. Figures are counted against the notebooks' stored outputs: one image per
PNG output, one drawn Plotly figure (an SVG with traces) per Plotly output, and
one MathML formula per formula of the markdown cells.
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import nbformat
import pytest

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from browser_harness import BrowserPage
from browser_material import PLOTLY_MIME, count_outputs
from browser_servers import ROOT, Server, free_port, running_server
from course_site.build import build_site

LECTURES = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*/*.ipynb"))
MATH_TOKENS = {"math_inline", "math_block", "math_block_label"}


def count_formulas(notebook: nbformat.NotebookNode) -> int:
    """Return the number of ``$...$`` and ``$$...$$`` formulas in the markdown cells, as MyST parses them.

    ``dollarmath_plugin`` with its defaults is the parser MyST's ``dollarmath`` extension uses, so a
    ``$`` inside code (``$RANDOM`` in a shell line) is not counted.
    """
    parser = MarkdownIt("commonmark").use(dollarmath_plugin)
    count = 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for token in parser.parse(cell.source):
                count += token.type in MATH_TOKENS
                count += sum(child.type in MATH_TOKENS for child in token.children or [])
    return count


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The website, built now and served on 127.0.0.1 until the module's tests are done."""
    index = build_site(tmp_path_factory.mktemp("site"))
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "http.server",
        "--bind",
        "127.0.0.1",
        str(port),
        "--directory",
        str(index.parent),
    ]
    with running_server(
        command,
        cwd=index.parent,
        env={"PATH": "/usr/bin:/bin"},
        url=f"http://127.0.0.1:{port}",
        token="",
        ready_path="/index.html",
        log=tmp_path_factory.mktemp("site-log") / "http.log",
        what="the website's http.server",
    ) as server:
        yield server


def internal_links(page) -> list[str]:
    """Return the absolute URLs (without fragment) of every link on ``page``."""
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    return sorted({urldefrag(href).url for href in hrefs})


def test_the_index_lists_every_lecture_in_order_with_goals_and_time(site: Server, browser_page: BrowserPage):
    page = browser_page.page
    page.goto(f"{site.url}/index.html")
    navigation = page.locator(".sidebar-tree a.reference").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    expected = [f"lectures/{nb.stem}.html" for nb in LECTURES] + [
        f"exercises/{nb.stem}.html" for nb in EXERCISES
    ]
    assert navigation == expected, f"the navigation lists {navigation}, expected {expected}"
    text = page.locator("article").inner_text()
    assert text.count("Learning goals") == len(LECTURES), (
        "the index does not give every lecture's learning goals"
    )
    for notebook in LECTURES:
        title = nbformat.read(notebook, as_version=4).cells[0].source.splitlines()[0].lstrip("# ").strip()
        assert title in text, f"the index does not name the lecture {title!r}"


def test_every_page_loads_offline_with_every_figure_and_no_broken_link(
    site: Server, browser_page: BrowserPage
):
    page = browser_page.page
    to_visit, visited, checked = [f"{site.url}/index.html"], set(), {}
    while to_visit:
        url = to_visit.pop()
        if url in visited:
            continue
        visited.add(url)
        response = page.goto(url)
        assert response is not None and response.status == 200, (
            f"{url} answered {response and response.status}"
        )
        for link in internal_links(page):
            if urlsplit(link).netloc != urlsplit(site.url).netloc:
                continue
            if link.endswith(".html"):
                to_visit.append(link)
            elif link not in checked:
                with urllib.request.urlopen(link, timeout=10) as answer:
                    checked[link] = answer.status
    broken = {link: status for link, status in checked.items() if status != 200}
    assert not broken, f"broken links: {broken}"
    pages = {urlsplit(url).path.lstrip("/") for url in visited}
    for notebook in LECTURES:
        assert f"lectures/{notebook.stem}.html" in pages, f"no link leads to the page of {notebook.name}"
    downloads = [link for link in checked if link.endswith(".ipynb")]
    assert len(downloads) == len(LECTURES) + len(EXERCISES), f"notebook downloads linked: {downloads}"
    print(f"{len(visited)} pages and {len(checked)} other files followed from the index")
    remote = browser_page.remote_requests()
    assert not remote, f"the site requested URLs outside 127.0.0.1: {remote[:10]}"


@pytest.mark.parametrize("notebook", LECTURES + EXERCISES, ids=lambda path: path.stem)
def test_each_page_shows_every_figure_and_formula_of_its_notebook(
    site: Server, browser_page: BrowserPage, notebook: Path
):
    nb = nbformat.read(notebook, as_version=4)
    folder = "lectures" if notebook.parent.name == "notebooks" else "exercises"
    page = browser_page.page
    page.goto(f"{site.url}/{folder}/{notebook.stem}.html")
    article = page.locator("article")
    images = article.locator("img").count()
    assert images == count_outputs(nb, "image/png"), f"{notebook.name}: {images} images on its page"
    expected_plotly = count_outputs(nb, PLOTLY_MIME)
    if expected_plotly:
        article.locator(".js-plotly-plot").nth(expected_plotly - 1).locator(".main-svg").first.wait_for()
    drawn = article.locator(".js-plotly-plot").count()
    assert drawn == expected_plotly, (
        f"{notebook.name}: {drawn} Plotly figures drawn, {expected_plotly} stored"
    )
    without_traces = article.locator(".js-plotly-plot").evaluate_all(
        "figures => figures.filter(f => !f.querySelector('.trace, .trace-like, .cartesianlayer path')).length"
    )
    assert without_traces == 0, f"{notebook.name}: {without_traces} Plotly figures have no trace"
    formulas = article.locator("math").count()
    assert formulas == count_formulas(nb), (
        f"{notebook.name}: {formulas} MathML formulas, {count_formulas(nb)} in its cells"
    )
    if expected_plotly:
        browser_page.screenshot(f"site_{notebook.stem}")
    remote = browser_page.remote_requests()
    assert not remote, f"{notebook.name}'s page requested URLs outside 127.0.0.1: {remote[:10]}"
