"""The lessons in teaching order; a lesson whose module has not landed yet is "coming"."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import NamedTuple


class Lesson(NamedTuple):
    number: int
    slug: str  # names the module (lNN_slug.py) and the text files (NN_slug.toml)

    @property
    def module_name(self) -> str:
        return f"pages._lessons.l{self.number:02d}_{self.slug}"

    @property
    def text_name(self) -> str:
        return f"{self.number:02d}_{self.slug}"


LESSONS: tuple[Lesson, ...] = (
    Lesson(1, "momentum"),
    Lesson(2, "learning_rate"),
    Lesson(3, "adaptive"),
    Lesson(4, "feature_scaling"),
    Lesson(5, "relu"),
    Lesson(6, "vanishing"),
    Lesson(7, "zero_init"),
    Lesson(8, "mse_vs_ce"),
    Lesson(9, "dead_relu"),
    Lesson(10, "through_time"),
)


def get(number: int) -> Lesson:
    """The lesson numbered ``number`` (ValueError for an unknown one)."""
    for lesson in LESSONS:
        if lesson.number == number:
            return lesson
    raise ValueError(f"No lesson {number}")


def ready(lesson: Lesson) -> bool:
    """Whether the lesson's module exists (otherwise it is listed as "coming")."""
    return importlib.util.find_spec(lesson.module_name) is not None


def module(lesson: Lesson) -> ModuleType | None:
    """The lesson's module, or None while it is "coming"."""
    return importlib.import_module(lesson.module_name) if ready(lesson) else None
