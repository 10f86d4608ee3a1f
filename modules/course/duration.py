"""How long the course takes: one rule, for every place that states it.

The listed modules' minutes, and the self-assessment's once: a learner answers it twice,
before and after, but the second time is the same few statements and is not counted again.
The welcome page, Home and the README's course map all show this figure
(tests/unit/test_course_minutes.py and tests/ui/test_home.py fail when one states another).
"""

from __future__ import annotations

from modules.course.models import CourseContent


def course_minutes(content: CourseContent) -> int:
    """The course's estimated time in minutes."""
    survey = content.self_assessment
    return sum(m.minutes for m in content.listed_modules) + (survey.minutes if survey else 0)
