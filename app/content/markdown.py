"""Markdown to HTML for lessons and exercise instructions: CommonMark, tables, heading
anchors, and code highlighted by Pygments.

Fence info strings: `python` (compiled by `threadline check`), `python run` (a complete
example program the learner can run), `pycon`, `text`, `console` and any other Pygments lexer.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass(frozen=True)
class CodeBlock:
    language: str
    runnable: bool
    source: str
    line: int  # 1-based line of the opening fence within the rendered text


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]
    code_blocks: tuple[CodeBlock, ...]


def parse_info(info: str) -> tuple[str, bool]:
    words = info.split()
    language = words[0].lower() if words else ""
    return language, "run" in words[1:]


def highlight_code(source: str, language: str) -> str:
    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return highlight(source, lexer, _FORMATTER)


def _render_fence(
    md: MarkdownIt, tokens: list[Token], idx: int, options: object, env: object
) -> str:
    token = tokens[idx]
    language, runnable = parse_info(token.info)
    code = highlight_code(token.content, language)
    label = "Example program" if runnable else ""
    attrs = f' data-language="{html.escape(language)}"'
    if runnable:
        attrs += " data-runnable"
    caption = f'<figcaption class="code-label">{label}</figcaption>' if label else ""
    return (
        f'<figure class="code-block{" runnable" if runnable else ""}"{attrs}>{caption}'
        f'<pre class="highlight"><code>{code}</code></pre></figure>\n'
    )


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True}).enable(
        ["table", "replacements", "smartquotes"]
    )
    md.use(anchors_plugin, min_level=2, max_level=3, permalink=True, permalinkSymbol="#")
    md.add_render_rule("fence", _render_fence)
    # Links to other sites open as usual; the content is ours, so raw HTML in it is trusted.
    return md


_MD = _parser()


CALLOUTS = {"**Pitfall:**": "callout callout-pitfall", "**Note:**": "callout callout-note"}


def render(text: str) -> Rendered:
    tokens = _MD.parse(text)
    headings: list[Heading] = []
    blocks: list[CodeBlock] = []
    for i, token in enumerate(tokens):
        if token.type == "blockquote_open" and i + 2 < len(tokens):
            # "> **Pitfall:** ..." and "> **Note:** ..." are styled as call-outs.
            opening = tokens[i + 2].content
            for marker, css_class in CALLOUTS.items():
                if opening.startswith(marker):
                    token.attrSet("class", css_class)
        elif token.type == "heading_open":
            inline = tokens[i + 1]
            headings.append(
                Heading(int(token.tag[1]), inline.content, str(token.attrs.get("id", "")))
            )
        elif token.type == "fence":
            language, runnable = parse_info(token.info)
            line = token.map[0] + 1 if token.map else 0
            blocks.append(CodeBlock(language, runnable, token.content, line))
    return Rendered(_MD.renderer.render(tokens, _MD.options, {}), tuple(headings), tuple(blocks))


def pygments_css() -> str:
    """Highlighting colours for the light theme, and for the dark one by the system setting."""
    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
