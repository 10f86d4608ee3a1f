"""My progress's scenario scores: both bars carry their number, and the table fits the page
(wider, the Latest bar's number was cut off at the right edge)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from modules.services.actors import Actor
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import runtime
from modules.ui.state import current_content
from progress.learning_repo import SqlLearningRepository

MAIN_COLUMN_PX = 704  # Streamlit's centred layout


def play(actor: Actor, choices: list[str]) -> None:
    content = current_content().content
    assert content is not None
    practice = Practice(LearningService(runtime().uow, content))
    view = practice.scenario_view(actor, "sample", "rounds")
    if view.state.path:
        view = practice.replay(actor, "sample", "rounds")
    for position, choice in enumerate(choices):
        view = practice.choose(actor, "sample", "rounds", view.attempt_id, position, choice)
    assert view.state.ended


def test_best_and_latest_show_their_numbers_and_fit(
    app_as: Callable[..., AppTest], learner: Actor
) -> None:
    play(learner, ["explain", "reopen", "plan", "follow"])
    play(learner, ["explain", "ignore"])
    at = app_as(learner)
    at.switch_page("pages/progress.py")
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0]
    rows = table.value.to_dict("records")
    assert rows[0]["Attempts"] == 2 and rows[0]["Best"] > rows[0]["Latest"]
    columns = json.loads(table.proto.columns)
    for name in ("Best", "Latest"):
        assert columns[name]["type_config"]["format"] == "%d%%"
    widths = [
        columns[name]["width"] for name in ("Module", "Scenario", "Attempts", "Best", "Latest")
    ]
    assert sum(widths) <= MAIN_COLUMN_PX


def test_my_progress_reads_the_record_once_in_one_unit_of_work(
    app_as: Callable[..., AppTest], learner: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overview is made from the record the page reads: one read, not two of the same."""
    play(learner, ["explain", "ignore"])
    at = app_as(learner)
    at.switch_page("pages/progress.py")
    reads: list[int] = []
    learner_record = SqlLearningRepository.learner_record

    def counted(self: SqlLearningRepository, user_id: int, *args: Any) -> Any:
        reads.append(user_id)
        return learner_record(self, user_id, *args)

    monkeypatch.setattr(SqlLearningRepository, "learner_record", counted)
    at.run()
    assert not at.exception, at.exception
    assert reads == [learner.user_id]
    assert at.metric[0].value == "0 of 1"  # the overview still counts the modules
    assert at.dataframe[0].value.to_dict("records")[0]["Attempts"] == 1
