"""No template carries script the browser would run inline: no <script> body (only
<script src> files, and json_script's type="application/json" data), no on* handler
attribute, no javascript: URL — so a strict Content-Security-Policy (script-src 'self')
breaks nothing. Behaviour lives in static/js/ (print_button.js, confirm_submit.js, …).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

# Django's own syntax is not HTML: a tag or variable becomes a neutral word, so that
# {% if only %} inside a tag is not read as an "only" attribute, and a comment vanishes.
DJANGO_SYNTAX = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
DJANGO_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
HANDLER = re.compile(r"^on[a-z]+$")
# Browsers drop ASCII whitespace and control characters before reading a URL's scheme.
JAVASCRIPT_URL = re.compile(r"^[\x00-\x20]*j\W*a\W*v\W*a\W*s\W*c\W*r\W*i\W*p\W*t\W*:", re.I)
DATA_TYPES = {"application/json"}


class InlineScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._inline_script: tuple[int, bool] | None = None  # (line, is data)
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if HANDLER.match(name):
                self.problems.append(f"line {line}: <{tag} {name}=…> handler attribute")
            if value and JAVASCRIPT_URL.match(value):
                self.problems.append(f'line {line}: <{tag} {name}="{value}"> javascript: URL')
        if tag == "script":
            values = dict(attrs)
            kind = (values.get("type") or "").strip().lower()
            if "src" not in values and kind not in DATA_TYPES:
                self.problems.append(f"line {line}: <script> without src (inline script)")
            self._inline_script = (line, kind in DATA_TYPES)
            self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._inline_script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inline_script is not None:
            line, is_data = self._inline_script
            if not is_data and "".join(self._script_text).strip():
                self.problems.append(f"line {line}: <script src> with an inline body")
            self._inline_script = None


def inline_script_problems(source: str) -> list[str]:
    text = DJANGO_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    text = DJANGO_SYNTAX.sub(lambda m: "x" + "\n" * m.group(0).count("\n"), text)
    finder = InlineScriptFinder()
    finder.feed(text)
    finder.close()
    return finder.problems


def template_files() -> list[Path]:
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if folder.resolve().is_relative_to(base) and folder.is_dir():
            roots.append(folder)
    return sorted({p for root in roots for p in root.rglob("*.html")})


def test_the_scan_reads_the_project_templates():
    names = {p.as_posix() for p in template_files()}
    assert any(n.endswith("templates/base.html") for n in names)
    assert any(n.endswith("templates/assistance/case_detail.html") for n in names)
    assert len(names) > 50


def test_no_template_has_inline_script_handlers_or_javascript_urls():
    found = {
        str(path.relative_to(settings.BASE_DIR)): problems
        for path in template_files()
        if (problems := inline_script_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">go()</script>',
        '<script type="module">go()</script>',
        "<script></script>",
        "<script src=\"{% static 'a.js' %}\">go()</script>",
        '<button type="button" onclick="window.print()">打印</button>',
        "<form ONSUBMIT=\"return confirm('x')\"></form>",
        '<body onload="x()">',
        '<select {% if a %}disabled{% endif %} onchange="this.form.submit()">',
        '<a class="btn" href="javascript:window.print()">打印</a>',
        '<a href=" JavaScript:void(0)">x</a>',
        '<form action="java\tscript:go()"></form>',
        '<iframe src="javascript:x"></iframe>',
    ],
)
def test_the_scan_refuses_inline_behaviour(snippet):
    assert inline_script_problems(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/print_button.js' %}\" defer></script>",
        '<script id="data" type="application/json">{"a": 1}</script>',
        '{{ value|json_script:"data" }}',
        '<button type="button" class="btn" data-print>打印</button>',
        '<form method="post" data-confirm="确定撤下该材料？"></form>',
        '<input {% if only %}checked{% endif %} name="online">',
        "<a href=\"{% url 'home' %}\">首页</a>",
        "<p>onclick= is only text here; so is javascript:go()</p>",
        "{# <script>old()</script> #}",
        '<div data-testid="decision-form" aria-label="on">x</div>',
    ],
)
def test_the_scan_lets_static_behaviour_pass(snippet):
    assert inline_script_problems(snippet) == []
