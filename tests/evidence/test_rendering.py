from __future__ import annotations

from evidence.rendering import render_markdown


def test_markdown_is_rendered_with_headings_under_the_page():
    html = render_markdown("# What happened\n\n**Bold** and *italic*\n\n- one\n- two")

    assert "<h3" in html
    assert "What happened" in html
    assert "<strong>Bold</strong>" in html
    assert "<li>one</li>" in html


def test_script_handlers_and_dangerous_links_are_removed():
    html = render_markdown(
        '<script>alert(1)</script><img src=x onerror="alert(1)"> [x](javascript:alert(1)) '
        '<a href="data:text/html,hi">d</a> <iframe src="https://evil.example"></iframe> '
        '<p style="color:red">s</p>'
    )

    for bad in ("<script", "onerror", "javascript:", "data:", "<iframe", "<img", "style="):
        assert bad not in html


def test_links_are_kept_but_cannot_reach_back():
    html = render_markdown("[guide](https://www.example.org/guide)")

    assert 'href="https://www.example.org/guide"' in html
    assert "noopener" in html
    assert "noreferrer" in html


def test_a_page_can_start_the_headings_deeper():
    html = render_markdown("# Outcome\n\n## Detail", heading_level=5)

    assert "<h5" in html
    assert "<h6" in html
    assert "<h3" not in html
