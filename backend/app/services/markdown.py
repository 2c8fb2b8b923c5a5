"""Markdown rendered safely: no raw HTML, no images, only http(s) and mailto links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


def _validate_link(url: str) -> bool:
    scheme = urlsplit(url.strip()).scheme.lower()
    return scheme in ALLOWED_SCHEMES


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")  # no tracking pixels or remote content in listings
    md.validateLink = _validate_link  # type: ignore[method-assign]

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer ugc")
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


_MD = _build()


def render(text: str) -> str:
    """HTML safe to embed: raw HTML in the source is escaped, unsafe links stay plain text."""
    return _MD.render(text)


_TEXT_LEAVES = frozenset({"text", "code_inline", "html_inline"})
_BREAKS = frozenset({"softbreak", "hardbreak"})
_TEXT_BLOCKS = frozenset({"fence", "code_block", "html_block"})


def plain_text(text: str) -> str:
    """The words a reader sees, without the Markdown syntax: link texts without their addresses, code as
    written, one line per block (what search indexes and cuts its snippets from)."""
    blocks: list[str] = []
    for token in _MD.parse(text):
        if token.type == "inline":
            children = token.children or []
            words = [c.content if c.type in _TEXT_LEAVES else " " for c in children if c.type in _TEXT_LEAVES | _BREAKS]
            blocks.append("".join(words))
        elif token.type in _TEXT_BLOCKS:
            blocks.append(token.content.rstrip("\n"))
    return "\n".join(block for block in blocks if block.strip())
