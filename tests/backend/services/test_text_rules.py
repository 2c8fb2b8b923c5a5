"""Pure rules: skill tags and Markdown rendering (no database)."""

from __future__ import annotations

import pytest

from backend.app.services import markdown
from backend.app.services.errors import Invalid
from backend.app.services.files import safe_filename, sniff
from backend.app.services.skills import normalise_tag, normalise_tags


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("  Smart_Contracts ", "smart-contracts"),
        ("UI / UX", "ui-ux"),
        ("C++", "c++"),
        ("C#", "c#"),
        ("Node.js", "node.js"),
        ("平面设计", "平面设计"),
        ("Ｐｙｔｈｏｎ", "python"),
    ],
)
def test_normalise_tag__one_spelling_per_skill(raw, tag):
    assert normalise_tag(raw) == tag


def test_normalise_tags__deduplicated_and_sorted():
    assert normalise_tags(["Vyper", "vyper ", "Python"]) == ["python", "vyper"]


@pytest.mark.parametrize("raw", ["", "   ", "!!!", "x" * 40])
def test_normalise_tag__unusable__invalid(raw):
    with pytest.raises(Invalid):
        normalise_tag(raw)


def test_markdown__raw_html_escaped():
    html = markdown.render('<img src=x onerror="alert(1)"> **bold**')
    assert "<img" not in html
    assert "<strong>bold</strong>" in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd"])
def test_markdown__unsafe_link_schemes__not_links(url):
    assert "<a " not in markdown.render(f"[click]({url})")


def test_markdown__http_link__nofollow_noopener():
    html = markdown.render("[site](https://example.com)")
    assert 'href="https://example.com"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html


def test_markdown__images__not_rendered():
    assert "<img" not in markdown.render("![pixel](https://tracker.example/p.gif)")


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7", "application/pdf"),
        ("héllo 你好".encode()[:-1], "text/plain; charset=utf-8"),  # cut inside the last character
        (b"<svg onload=alert(1)>", "text/plain; charset=utf-8"),
        (b"MZ\x90\x00", None),
        (b"\xff\xfe\xfa\xfb garbage", None),
    ],
)
def test_sniff__type_from_the_content(head, media_type):
    assert sniff(head) == media_type


@pytest.mark.parametrize(
    ("raw", "name"), [("../../etc/passwd", "passwd"), ("C:\\x\\a b.pdf", "a b.pdf"), ("", "file"), ("..", "file")]
)
def test_safe_filename__no_paths_or_odd_characters(raw, name):
    assert safe_filename(raw) == name
