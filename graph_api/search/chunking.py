"""Splitting a document into overlapping chunks for embedding, never mid-word.

A document is cut first at its headings (Markdown `#` lines, or a short line
underlined with `===`/`---`): a chunk never spans two sections, and each remembers
its section's heading, which is embedded with it (a paragraph under "Funding" is
about funding even when it never says so). Inside a section the text is split into
sentences (after `.`, `!` or `?` and at blank lines), and sentences are packed into
chunks of at most TARGET_CHARS characters; each chunk after the first of a section
starts with the last sentence of the one before (at most OVERLAP_CHARS), so a fact
told across a sentence boundary is whole in at least one chunk. A sentence longer
than TARGET_CHARS is cut between words.

Why these sizes: all-MiniLM-L6-v2 reads 256 word pieces (~1,000 characters of
English) and truncates the rest, and was trained on sentence-length texts, so
chunks of a few sentences (≤ 800 characters, ~150–200 word pieces) are embedded
whole and stay specific enough to find one fact; an overlap of one sentence
(≤ 200 characters) costs ~25% more chunks at most.

Offsets are character positions in the document's (stripped) content, so a hit can
say where in the document it sits: `content[start:end]` is the chunk's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TARGET_CHARS = 800
OVERLAP_CHARS = 200

_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
# a sentence ends at . ! ? (and closing quotes or brackets) followed by white space,
# or at a blank line
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n\s*\n")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    position: int  # 0-based, in document order
    heading: str | None
    content: str
    start: int  # offsets into the document's content: content[start:end]
    end: int

    @property
    def embedded_text(self) -> str:
        """What the chunk's embedding is made of: its heading, then its text."""
        return f"{self.heading}\n{self.content}" if self.heading else self.content


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _sections(text: str) -> list[tuple[str | None, int, int]]:
    """(heading, start, end) of each section's body, in order."""
    sections: list[tuple[str | None, int, int]] = []
    heading: str | None = None
    body_start = 0
    lines = text.splitlines(keepends=True)
    offset = 0
    starts = []
    for line in lines:
        starts.append(offset)
        offset += len(line)
    index = 0
    while index < len(lines):
        line = lines[index]
        atx = _ATX_HEADING.match(line.rstrip("\r\n"))
        setext = (
            index + 1 < len(lines)
            and line.strip()
            and len(line.strip()) <= 120
            and _SETEXT_UNDERLINE.match(lines[index + 1].rstrip("\r\n"))
            and (index == 0 or not lines[index - 1].strip())
        )
        if atx or setext:
            sections.append((heading, body_start, starts[index]))
            heading = atx.group(2).strip() if atx else line.strip()
            skip = 1 if atx else 2
            body_start = starts[index + skip] if index + skip < len(lines) else len(text)
            index += skip
            continue
        index += 1
    sections.append((heading, body_start, len(text)))
    return [(h, s, e) for h, s, e in sections if text[s:e].strip() or h]


def _sentences(text: str, start: int, end: int) -> list[_Span]:
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append(_Span(position, match.start()))
        position = match.end()
    spans.append(_Span(position, end))
    trimmed = []
    for span in spans:
        piece = text[span.start : span.end]
        if not piece.strip():
            continue
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        trimmed.extend(_words_within(text, _Span(span.start + lead, span.end - trail)))
    return trimmed


def _words_within(text: str, span: _Span) -> list[_Span]:
    """A sentence no longer than TARGET_CHARS as is; a longer one cut between words."""
    if span.end - span.start <= TARGET_CHARS:
        return [span]
    pieces: list[_Span] = []
    piece_start: int | None = None
    piece_end = span.start
    for word in _WORD.finditer(text, span.start, span.end):
        if piece_start is not None and word.end() - piece_start > TARGET_CHARS:
            pieces.append(_Span(piece_start, piece_end))
            piece_start = None
        if piece_start is None:
            piece_start = word.start()
        # a single word longer than a chunk is kept whole (it is never cut)
        piece_end = word.end()
    if piece_start is not None:
        pieces.append(_Span(piece_start, piece_end))
    return pieces


def chunk_text(text: str) -> list[Chunk]:
    """The chunks of a document's content, in order; [] for blank text."""
    chunks: list[Chunk] = []
    for heading, start, end in _sections(text):
        sentences = _sentences(text, start, end)
        if not sentences:
            continue
        first = 0
        while first < len(sentences):
            last = first
            while (
                last + 1 < len(sentences)
                and sentences[last + 1].end - sentences[first].start <= TARGET_CHARS
            ):
                last += 1
            begin, finish = sentences[first].start, sentences[last].end
            chunks.append(Chunk(len(chunks), heading, text[begin:finish], begin, finish))
            if last + 1 >= len(sentences):
                break
            # the next chunk starts with this one's last sentence when that is short
            # enough (and the chunk held more than it), else right after it
            overlap = sentences[last]
            first = (
                last if last > first and overlap.end - overlap.start <= OVERLAP_CHARS else last + 1
            )
    return chunks
