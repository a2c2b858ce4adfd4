"""Outlook's markup where only Outlook reads it: a post-processing step of mjml's HTML.

mjml writes what Outlook for Windows (Word's HTML engine) needs into markup every client
reads: the Office XML namespaces on ``<html>`` (Outlook's DPI scaling fix needs them),
``mso-`` CSS, and layout attributes on ``<table>`` and ``<td>`` (``cellpadding``,
``cellspacing``, ``border``, ``align``, ``width``). HTML calls all of these errors, and the
W3C Nu checker says so. ``separate_outlook_markup`` keeps each of them, unchanged, inside a
conditional comment that Outlook reads (``<!--[if mso]>…<![endif]-->``) and every other
client and validator takes for a comment, and gives the other clients the same effect in
CSS, in a ``<!--[if !mso]><!-->…<!--<![endif]-->`` block that Outlook skips:

- ``<html xmlns:v xmlns:o>``: Outlook gets that tag, the others ``<html>`` without them;
- ``mso-`` declarations in a ``<style>``: moved to a ``<style>`` only Outlook reads;
- a table or cell with layout attributes or inline ``mso-`` CSS: Outlook gets the opening
  tag as mjml wrote it; the others get it with CSS instead: ``cellspacing="0"`` is
  ``border-collapse:collapse`` (as in mjml's own <style>), ``cellpadding="0"`` is
  ``padding:0`` on each cell that sets no padding of its own, ``align="center"`` on a table
  is ``margin:0 auto``, on a cell ``text-align``, ``width="600"`` is ``width:600px``, and
  ``border="0"`` is the default.

mjml's ``word-break:break-word`` (a deprecated value) becomes ``word-wrap:break-word`` (the
name the mail clients in caniemail's tables read) then ``overflow-wrap:anywhere`` (which
also lets a long word shrink its table cell, as ``break-word`` did, where supported).
Markup already inside a conditional comment is Outlook's own and is left as it is.
"""
from __future__ import annotations

import re

MSO_ONLY = "<!--[if mso]>{}<![endif]-->"
NOT_MSO = "<!--[if !mso]><!-->{}<!--<![endif]-->"

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:=\"[^\"]*\")?)*)\s*(/?)>")
_ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:=\"([^\"]*)\")?")
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S)
_MSO_DECLARATION = re.compile(r"\s*mso-[a-z-]+\s*:[^;}]*;?", re.I)
_BREAK_WORD = re.compile(r"word-break\s*:\s*break-word\s*(;|(?=[}\"]|$))", re.I)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_OBSOLETE = {"table": ("border", "cellpadding", "cellspacing", "align", "width"), "td": ("align",)}
_WRAP = "word-wrap:break-word;overflow-wrap:anywhere;"


def _attributes(text: str) -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in _ATTRIBUTE.finditer(text)]


def _tag(name: str, attributes: list[tuple[str, str | None]], close: str) -> str:
    parts = "".join(f' {key}="{value}"' if value is not None else f" {key}" for key, value in attributes)
    return f"<{name}{parts}{close}>"


def _declares(style: str, prop: str) -> bool:
    return re.search(rf"(^|;)\s*{prop}\s*:", style, re.I) is not None


def _css(style: str) -> str:
    """An inline style without mso- declarations and with the deprecated break-word replaced."""
    if not (_MSO_DECLARATION.search(style) or _BREAK_WORD.search(style)):
        return style
    style = _BREAK_WORD.sub(_WRAP, _MSO_DECLARATION.sub("", style)).strip()
    return style if not style or style.endswith(";") else style + ";"


def _layout_css(name: str, values: dict, style: str, cell_padding: str | None) -> str:
    """The CSS that does what the tag's layout attributes do (nothing the style already sets)."""
    extra = ""
    if name == "table":
        spacing = values.get("cellspacing")
        if spacing == "0" and not _declares(style, "border-collapse"):
            extra += "border-collapse:collapse;"  # Outlook for Mac reads no border-spacing
        elif spacing is not None and not _declares(style, "border-spacing"):
            extra += f"border-spacing:{spacing}px;"
        if values.get("align") == "center" and not _declares(style, "margin"):
            extra += "margin-left:auto;margin-right:auto;"
        elif values.get("align") in ("left", "right") and not _declares(style, "float"):
            extra += f"float:{values['align']};"
        width = values.get("width")
        if width and not _declares(style, "width"):
            extra += f"width:{width}{'' if width.endswith(('%', 'px')) else 'px'};"
        if values.get("border") not in (None, "0") and not _declares(style, "border"):
            extra += f"border:{values['border']}px solid;"
    elif name == "td":
        if values.get("align") and not _declares(style, "text-align"):
            extra += f"text-align:{values['align']};"
        if cell_padding is not None and not _declares(style, "padding"):
            extra += "padding:0;" if cell_padding == "0" else f"padding:{cell_padding}px;"
    return extra


def _conforming(name: str, attributes: list[tuple[str, str | None]], cell_padding: str | None) -> list:
    """The tag's attributes as every client but Outlook gets them: layout attributes as CSS."""
    values = dict(attributes)
    style = _css(values.get("style") or "")
    extra = _layout_css(name, values, style, cell_padding)
    if extra and style and not style.endswith(";"):
        style += ";"
    style += extra
    dropped = _OBSOLETE.get(name, ())
    kept = [(key, style if key.lower() == "style" else value) for key, value in attributes
            if key.lower() not in dropped]
    if style and "style" not in values:
        kept.append(("style", style))
    return kept


def _outside_comments(html: str, change) -> str:
    """``html`` with ``change`` applied to each stretch of markup between comments."""
    out, at = [], 0
    for comment in _COMMENT.finditer(html):
        out.append(change(html[at:comment.start()]))
        out.append(comment.group(0))
        at = comment.end()
    out.append(change(html[at:]))
    return "".join(out)


def _style_blocks(markup: str) -> str:
    def one(match: re.Match) -> str:
        opening, css, closing = match.groups()
        mso_rules = []
        for rule in _RULE.finditer(css):
            found = [d.strip().rstrip(";") for d in _MSO_DECLARATION.findall(rule.group(2))]
            if found:
                mso_rules.append(f"{rule.group(1).strip()} {{ {'; '.join(found)}; }}")
        css = _BREAK_WORD.sub("word-wrap: break-word; overflow-wrap: anywhere;", _MSO_DECLARATION.sub("", css))
        block = f"{opening}{css}{closing}"
        if mso_rules:
            block += MSO_ONLY.format(f"{opening}{' '.join(mso_rules)}{closing}")
        return block
    return _STYLE_BLOCK.sub(one, markup)


def separate_outlook_markup(html: str) -> str:
    """mjml's HTML with Outlook-only markup kept for Outlook alone (see the module's docstring)."""
    html = _outside_comments(html, _style_blocks)
    cell_padding: list[str | None] = []  # the cellpadding of each open table, innermost last

    def tags(markup: str) -> str:
        def one(match: re.Match) -> str:
            closing, name, attribute_text, slash = match.groups()
            name_lower = name.lower()
            if closing:
                if name_lower == "table" and cell_padding:
                    cell_padding.pop()
                return match.group(0)
            attributes = _attributes(attribute_text)
            if name_lower == "table":
                cell_padding.append(dict(attributes).get("cellpadding"))
            if name_lower == "html":
                others = [(k, v) for k, v in attributes if not k.lower().startswith("xmlns:")]
            else:
                padding = cell_padding[-1] if name_lower == "td" and cell_padding else None
                others = _conforming(name_lower, attributes, padding)
            if others == attributes:
                return match.group(0)
            return MSO_ONLY.format(match.group(0)) + NOT_MSO.format(_tag(name, others, slash and "/"))
        return _TAG.sub(one, markup)

    return _outside_comments(html, tags)
