"""Text and structure from binary or markup documents: DOCX, PDF, HTML."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from html.parser import HTMLParser
from typing import Any, ClassVar

from a11y_judge.errors import IngestError
from a11y_judge.ingest.blocks import Block, text_blocks
from a11y_judge.ingest.guards import Unpacking, brief, check_text, raise_hint, zip_entries
from a11y_judge.ingest.limits import current_limits

_DOCX_HEADING = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)$", re.IGNORECASE)


def _check_unpacked(data: bytes, filename: str) -> None:
    """Decompress every part once, counting, so a DOCX that lies about its sizes is stopped."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = zip_entries(archive, filename, what="Word document", total_limit="unpacked_mb")
        unpacking = Unpacking(archive, filename, total_limit="unpacked_mb")
        for entry in entries:
            unpacking.read(entry, keep=False)


def docx_blocks(data: bytes, filename: str) -> list[Block]:
    """Paragraphs and tables of a DOCX, in body order; heading styles become headings."""
    import docx  # python-docx

    try:
        _check_unpacked(data, filename)
        document = docx.Document(io.BytesIO(data))
        return _docx_body(document)
    except IngestError:
        raise
    except Exception as exc:  # corrupt files raise zip, XML and lookup errors of many kinds
        raise IngestError(
            filename,
            f"not a readable Word document ({brief(exc)})",
            hint="Re-save it as .docx and retry",
        ) from exc


def _docx_body(document: Any) -> list[Block]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "tbl":
            table = Table(child, document)
            rows = []
            for row in table.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = cell.text.strip()
                    if not cells or cells[-1] != text:  # merged cells repeat their text
                        cells.append(text)
                rows.append(cells)
            blocks.append(Block("table", "", rows=rows))
            continue
        if tag != "p":
            continue
        para = Paragraph(child, document)
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        lowered = style.lower()
        if lowered.startswith("toc"):
            continue  # table of contents repeats the headings
        m = _DOCX_HEADING.match(style)
        if m:
            blocks.append(Block("heading", text, level=int(m.group(1))))
        elif lowered == "title":
            blocks.append(Block("heading", text, level=1))
        elif "list" in lowered or "bullet" in lowered:
            blocks.append(Block("item", text))
        elif lowered in ("code", "html code", "macro text") or lowered.startswith("code"):
            if blocks and blocks[-1].kind == "code":
                blocks[-1].text += "\n" + text
            else:
                blocks.append(Block("code", text))
        else:
            blocks.extend(Block("para", part.strip()) for part in text.split("\n") if part.strip())
    return blocks


def pdf_text(data: bytes, filename: str) -> str:
    """All text of a PDF, page by page (at most `pdf_pages` pages and `text_chars` characters)."""
    from pypdf import PdfReader

    limits = current_limits()
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not for our users
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(
                filename, "the PDF is password-protected", hint="Export an unprotected copy"
            )
        count = len(reader.pages)
        if count > limits.pdf_pages:
            raise IngestError(
                filename,
                f"the PDF has {count:,} pages (at most {limits.pdf_pages:,})",
                hint=f"Split it {raise_hint('pdf_pages')}",
            )
        pages: list[str] = []
        length = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            length += len(pages[-1]) + 2
            if length > limits.text_chars:
                check_text(filename, "\n\n".join(pages), limits)
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on damaged files
        raise IngestError(
            filename, f"not a readable PDF ({brief(exc)})", hint="Export the report to PDF again"
        ) from exc
    text = "\n\n".join(pages).strip()
    if not text:
        raise IngestError(
            filename,
            "the PDF has no extractable text (scanned images?)",
            hint="Provide a text-based PDF, DOCX or Markdown version of the report",
        )
    return text


def pdf_blocks(data: bytes, filename: str) -> list[Block]:
    """Blocks of a PDF via its text, with heading guesses."""
    return text_blocks(pdf_text(data, filename))


class _HtmlToBlocks(HTMLParser):
    """Collects headings, paragraphs, list items, table rows and code from HTML."""

    _SKIP: ClassVar[set[str]] = {"script", "style", "noscript", "template", "svg", "head"}
    _BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "section",
        "article",
        "dd",
        "dt",
        "blockquote",
        "figcaption",
        "br",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buf: list[str] = []
        self._kind: str = "para"
        self._level = 0
        self._skip = 0
        self._list_depth = 0
        self._rows: list[list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._pre = 0

    def _flush(self) -> None:
        text = (
            re.sub(r"\s+", " ", "".join(self._buf)).strip()
            if not self._pre
            else "".join(self._buf).strip("\n")
        )
        self._buf = []
        if text:
            self.blocks.append(Block(self._kind, text, level=self._level))  # type: ignore[arg-type]
        self._kind, self._level = "para", 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "table":
            self._flush()
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._kind, self._level = "heading", int(tag[1])
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth += 1
        elif tag == "li":
            self._flush()
            self._kind, self._level = "item", max(0, self._list_depth - 1)
        elif tag == "pre":
            self._flush()
            self._pre += 1
            self._kind = "code"
        elif tag in self._BLOCK and self._cell is None:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._rows is not None:
            if any(self._row):
                self._rows.append(self._row)
            self._row = None
        elif tag == "table" and self._rows is not None:
            if self._rows:
                self.blocks.append(Block("table", "", rows=self._rows))
            self._rows = None
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth = max(0, self._list_depth - 1)
        elif tag == "pre":
            self._flush()
            self._pre = max(0, self._pre - 1)
        elif (re.fullmatch(r"h[1-6]", tag) or tag == "li" or tag in self._BLOCK) and (
            self._cell is None
        ):
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._rows is None:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_blocks(text: str) -> list[Block]:
    """Blocks of an HTML document."""
    parser = _HtmlToBlocks()
    parser.feed(text)
    parser.close()
    return parser.blocks
