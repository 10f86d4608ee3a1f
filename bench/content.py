"""Benchmark: load and validate a synthetic course of 200 modules, and the shipped course.

    python bench/content.py

Ends with the line `validate 200 modules: <seconds> s` (goal: under 2 s on 2 cores; the
shipped course under 0.3 s). Each figure is the best of several runs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from modules.course.validation import validate_directory  # noqa: E402

MODULES = 200
RUNS = 5
SHIPPED = Path(__file__).resolve().parent.parent / "content"


def synthetic_module(index: int) -> str:
    """A module with a lesson, a 10-node scenario (7 decisions, 3 endings) and a quiz."""
    lines = [
        f"id: module-{index}",
        f"title: Synthetic module {index}",
        "summary: A generated module for the benchmark [@bench-source].",
        "minutes: 20",
        "objectives:",
        "  - Ask a colleague for specific feedback",
        "  - Nominate a colleague for a visible role",
        "steps:",
        "  - id: lesson",
        "    type: lesson",
        "    body: |",
        *(["      Leaders who ask for feedback hear about problems sooner [@bench-source]."] * 6),
        "  - id: story",
        "    type: scenario",
        "    intro: You chair the committee. A colleague raises a concern.",
        "    start: n0",
        "    nodes:",
    ]
    for node in range(7):
        following = f"n{node + 1}" if node < 6 else "best-end"
        lines += [
            f"      - id: n{node}",
            f"        text: Decision {node}. The room waits to hear what you will do next.",
            "        choices:",
        ]
        for choice, (quality, target) in enumerate(
            [("best", following), ("okay", following), ("poor", "poor-end")]
        ):
            lines += [
                f"          - id: c{choice}",
                f"            text: Option {choice} at decision {node}, said plainly.",
                f"            quality: {quality}",
                "            feedback: The people in the room react to what you said.",
                f"            next: {target}",
            ]
    for ending, grade in (("best-end", "best"), ("okay-end", "okay"), ("poor-end", "poor")):
        lines += [
            f"      - id: {ending}",
            f"        ending: {grade}",
            "        text: The meeting ends and people go back to work.",
            "        coaching: Notice what changed because of your choices.",
        ]
    lines[lines.index("            next: poor-end")] = "            next: okay-end"
    lines += ["  - id: check", "    type: quiz", "    questions:"]
    for question in range(5):
        lines += [
            f"      - id: q{question}",
            f"        text: Question {question}, which response keeps feedback coming?",
            "        options:",
            "          - {id: a, text: Thank the person, correct: true, feedback: It does.}",
            "          - {id: b, text: Explain your reasons, correct: false, feedback: No.}",
            "          - {id: c, text: Change the subject, correct: false, feedback: No.}",
        ]
    return "\n".join(lines) + "\n"


def write_course(root: Path) -> int:
    modules = root / "modules"
    modules.mkdir(parents=True)
    ids = [f"module-{i}" for i in range(MODULES)]
    (root / "course.yaml").write_text(
        "id: bench\ntitle: Bench\nsummary: Synthetic.\nmodules:\n"
        + "".join(f"  - {m}\n" for m in ids)
        + "sources:\n  - id: bench-source\n    citation: A source.\n",
        encoding="utf-8",
    )
    size = 0
    for index in range(MODULES):
        text = synthetic_module(index)
        size += len(text)
        (modules / f"module-{index}.yaml").write_text(text, encoding="utf-8")
    return size


def best_of(root: Path) -> tuple[float, int, int]:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = validate_directory(root)
        timings.append(time.perf_counter() - started)
    modules = len(result.content.modules) if result.content else 0
    return min(timings), modules, len(result.errors)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        size = write_course(root)
        seconds, modules, errors = best_of(root)
    if modules != MODULES:
        sys.exit(f"the synthetic course did not validate: {errors} errors")
    shipped, shipped_modules, shipped_errors = best_of(SHIPPED)
    print(
        f"synthetic course: {MODULES} modules, {size / 1024:.0f} KiB of YAML, "
        f"{modules} valid, {errors} errors"
    )
    print(
        f"shipped course: {shipped_modules} modules, {shipped_errors} errors: "
        f"{shipped:.3f} s (goal < 0.3 s)"
    )
    print(f"validate {MODULES} modules: {seconds:.2f} s")


if __name__ == "__main__":
    main()
