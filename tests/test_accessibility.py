"""Accessibility of the rendered reports: axe-core's WCAG 2.2 A and AA rules in headless
Chromium (zero violations), plus the structure a screen-reader user relies on."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.render.preview import cached_preview

CHROMIUM = Path("/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: Every page of the public and internal trees, relative to the preview's reports/ folder.
PAGES = (
    "waltham-forest/2024-25/resident.html",
    "waltham-forest/2024-25/index.html",
    "internal/waltham-forest/2024-25/technical-internal.html",
    "internal/waltham-forest/2024-25/index-internal.html",
)


@pytest.fixture(scope="module")
def edition() -> Path:
    """The preview's reports/ folder (both trees)."""
    return cached_preview().edition.parents[1]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{CHROMIUM} is missing and CI=true requires the axe-core checks to run "
                "(apt-get install chromium)"
            )
        pytest.skip(f"headless Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


def axe_violations(browser, page_path: Path) -> list[dict]:
    """Run axe-core (bundled with axe-playwright-python) on a local file; return violations."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    try:
        # Offline: the page is self-contained, so block any request that leaves file://.
        page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
        page.goto(page_path.resolve().as_uri())
        results = Axe().run(
            page,
            options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
        )
        return results.response["violations"]
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_22_aa_violation(browser, edition, name):
    violations = axe_violations(browser, edition / name)
    summary = [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations
    ]
    assert not violations, "\n".join(summary)


def test_axe_would_catch_a_real_violation(browser, tmp_path):
    # The harness itself can fail: an image without alt text and low-contrast text.
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb">faint</p></main></body></html>',
        encoding="utf-8",
    )
    ids = {v["id"] for v in axe_violations(browser, page)}
    assert {"image-alt", "color-contrast"} <= ids


class Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.lang: str | None = None
        self.first_link: str | None = None
        self.landmarks: set[str] = set()
        self.ths_without_scope = 0
        self.imgs_without_alt = 0
        self.svgs: list[dict] = []
        self.ids: list[str] = []
        self.in_svg = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "a" and self.first_link is None:
            self.first_link = a.get("href")
        if tag in ("header", "main", "footer", "nav"):
            self.landmarks.add(tag)
        if re.fullmatch(r"h[1-6]", tag) and not self.in_svg:
            self.headings.append(int(tag[1]))
        if tag == "th" and a.get("scope") not in ("col", "row"):
            self.ths_without_scope += 1
        if tag == "img" and not a.get("alt"):
            self.imgs_without_alt += 1
        if tag == "svg":
            if not self.in_svg:
                self.svgs.append(a)
            self.in_svg += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg -= 1


@pytest.mark.parametrize("name", PAGES)
def test_page_structure(edition, name):
    page = Structure()
    page.feed((edition / name).read_text(encoding="utf-8"))
    assert page.lang == "en-GB"
    assert page.first_link == "#main-content"  # skip link first
    assert {"header", "main", "footer"} <= page.landmarks
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    jumps = [(a, b) for a, b in zip(page.headings, page.headings[1:], strict=False) if b > a + 1]
    assert not jumps, f"heading levels skip: {jumps}"
    assert page.ths_without_scope == 0 and page.imgs_without_alt == 0
    assert all(s.get("role") == "img" and s.get("aria-labelledby") for s in page.svgs)
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
