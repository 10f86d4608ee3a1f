"""Citations as numbered references, and markdown made safe for Streamlit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from modules.course.models import Source
from modules.course.rules import CITATION

_DOLLAR = re.compile(r"(?<!\\)\$")


@dataclass
class Bibliography:
    """Numbers sources in the order a page first cites them: [1], [2], ..."""

    sources: Sequence[Source]
    cited: list[Source] = field(default_factory=list)

    def number(self, source_id: str) -> int | None:
        source = next((s for s in self.sources if s.id == source_id), None)
        if source is None:
            return None
        if source not in self.cited:
            self.cited.append(source)
        return self.cited.index(source) + 1

    def prepare(self, markdown: str) -> str:
        """Markdown ready for st.markdown: `$` escaped, `[@id]` turned into `[n]`."""

        def numbered(match: re.Match[str]) -> str:
            number = self.number(match.group(1))
            return f"\\[{number}\\]" if number else "\\[source missing\\]"

        return CITATION.sub(numbered, escape_dollars(markdown))


def escape_dollars(markdown: str) -> str:
    """`$` shown as a dollar sign: Streamlit reads `$...$` as LaTeX."""
    return _DOLLAR.sub(r"\\$", markdown)
