"""Reading level of course text: sentences, words, syllables and the Flesch-Kincaid grade."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CITATION = re.compile(r"\s*\[@[^\]]*\]")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`>#|]+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’&.,-]*[A-Za-z0-9]|[A-Za-z0-9]")
_ABBREVIATION = re.compile(r"\b(Dr|Mr|Mrs|Ms|St|vs|etc|e\.g|i\.e|Jr|Sr|No)\.", re.IGNORECASE)
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_SILENT_END = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$")


@dataclass(frozen=True)
class Measure:
    sentences: int
    words: int
    syllables: int
    longest_sentence: int

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade level; 0 for text without words."""
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def plain_text(markdown: str) -> str:
    text = _CITATION.sub("", markdown)
    text = _LINK.sub(r"\1", text)
    return _MARKUP.sub(" ", text)


def sentences(markdown: str) -> list[str]:
    """Sentences of a markdown text; each list item and heading counts as its own unit."""
    units: list[str] = []
    paragraph: list[str] = []
    for line in markdown.splitlines():
        heading = line.lstrip().startswith("#")
        if not line.strip() or heading or _LIST_ITEM.match(line):
            if paragraph:
                units.append(" ".join(paragraph))
            paragraph = []
        if heading:
            units.append(line)
        elif line.strip():
            paragraph.append(_LIST_ITEM.sub("", line).strip())
    if paragraph:
        units.append(" ".join(paragraph))
    found: list[str] = []
    for unit in units:
        unit = _ABBREVIATION.sub(lambda m: m.group(1), plain_text(unit))
        found.extend(s.strip() for s in _SENTENCE_END.split(unit) if words(s))
    return found


def words(text: str) -> list[str]:
    return [w.rstrip(".,") for w in _WORD.findall(text)]


def syllables(word: str) -> int:
    """An estimate good enough for grade levels: vowel groups less silent endings."""
    total = 0
    for part in re.split(r"[-'’]", word.lower().replace(",", "")):
        if not part:
            continue
        if part.isdigit():
            total += len(part) if len(part) <= 2 else 3
            continue
        if len(part) <= 3:
            total += 1
            continue
        part = _SILENT_END.sub("", part)
        part = part[1:] if part.startswith("y") else part
        total += max(1, len(_VOWEL_GROUP.findall(part)))
    return max(1, total)


def measure(markdown: str) -> Measure:
    found = sentences(markdown)
    counts = [words(s) for s in found]
    return Measure(
        sentences=max(1, len(found)),
        words=sum(len(c) for c in counts),
        syllables=sum(syllables(w) for c in counts for w in c),
        longest_sentence=max((len(c) for c in counts), default=0),
    )


def long_sentences(markdown: str, limit: int) -> list[str]:
    """Sentences of `limit` words or more."""
    return [s for s in sentences(markdown) if len(words(s)) >= limit]
