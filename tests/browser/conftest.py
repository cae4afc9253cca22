"""Browser fixtures: Debian's chromium driven by Playwright, an axe-core accessibility check, and a
watch for Content-Security-Policy violations (every context records them from before the page's
first script; ``assert_accessible`` fails on any, so every page a test checks is also checked to
need nothing the platform's strict policy blocks: no inline script or style, ADR 0028)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
# (loading the demo city) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


#: Run in every page before its own scripts (through the DevTools protocol, which the page's policy
#: does not govern): records each violation of the page's Content-Security-Policy.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile || "?"}:${event.lineNumber}`
  );
});
"""


def watch_policy(context: BrowserContext) -> BrowserContext:
    """Record Content-Security-Policy violations in every page of the context."""
    context.add_init_script(CSP_WATCH)
    return context


def policy_violations(page: Page) -> list[str]:
    """The violations of the page's Content-Security-Policy reported so far."""
    found: list[str] = page.evaluate("() => window.__cspViolations || []")
    return found


def policy_console(page: Page) -> list[str]:
    """Collect what the browser says in the console about the page's security policies (a blocked
    inline style, an unknown Permissions-Policy feature); read the list after the page loaded."""
    said: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if any(
            word in message.text for word in ("Content Security Policy", "Permissions-Policy", "Permissions Policy")
        ):
            said.append(f"{message.type}: {message.text}")

    page.on("console", heard)
    return said


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing browser is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium when run as root")
    if not AXE.exists():
        _unavailable("axe-core is not installed; `make test` runs npm ci")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _close_every_context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close, when a browser test ends, every context it opened (``new_page``'s included) before its
    database goes: a call display left open keeps polling the live server after its test."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")  # set up before this fixture, torn down after it
    yield
    if "browser" in request.fixturenames:
        browser: Browser = request.getfixturevalue("browser")
        for context in list(browser.contexts):
            context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = watch_policy(browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}))
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = watch_policy(
        browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# axe only asks for a review of an id used twice when ARIA refers to it (``duplicate-id-aria`` is
# "incomplete", not a violation), and does not look for an id named twice in one attribute.
ID_PROBLEMS = """() => {
  const problems = [];
  const counts = new Map();
  for (const element of document.querySelectorAll("[id]")) counts.set(element.id, (counts.get(element.id) || 0) + 1);
  for (const [id, count] of counts) if (count > 1) problems.push(`id "${id}" is used ${count} times`);
  for (const attribute of ["aria-describedby", "aria-labelledby"]) {
    for (const element of document.querySelectorAll(`[${attribute}]`)) {
      const ids = element.getAttribute(attribute).split(/\\s+/).filter(Boolean);
      if (new Set(ids).size !== ids.length) problems.push(`${attribute}="${ids.join(" ")}" names an id twice`);
      for (const id of ids) if (!document.getElementById(id)) problems.push(`${attribute} names "${id}", not in the page`);
    }
  }
  return problems;
}"""


def assert_accessible(page: Page) -> None:
    """No violation of the page's Content-Security-Policy so far, no serious or critical axe-core
    violations of WCAG 2.0/2.1 A and AA on the current page, no id used twice, and every id that
    ``aria-describedby``/``aria-labelledby`` names present, once.

    axe is run through the DevTools protocol (``evaluate``), not added as a ``<script>`` element,
    which the page's policy would rightly block."""
    blocked = policy_violations(page)
    assert not blocked, f"{page.url}: the Content-Security-Policy blocked:\n" + "\n".join(blocked)
    problems: list[str] = page.evaluate(ID_PROBLEMS)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    page.evaluate(AXE.read_text() + "\n;0")
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    bad = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}:\n" + "\n".join(bad)
