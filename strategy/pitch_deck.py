"""The champion pitch as a slide deck (criterion 3.4: the learner presents as a champion).

The slides are fixed by what the pitch step asks for; the learner writes a speaker note per
slide, which the presenter's view and the handouts show and the audience's screen never does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    notes_prompt: str


SLIDES: tuple[Slide, ...] = (
    Slide("opening", "Opening", "How you open: who you are and why this matters to this audience."),
    Slide("benefits", "What it will change", "What the figures mean for customers and for the business."),
    Slide("evidence", "What our service data shows", "The story behind the before-and-after figures."),
    Slide("messages", "Getting our messages out", "Why social media helps, and where it does not."),
    Slide("engagement", "Engaging customers", "What engaging commits us to, and how the dialogue goes on."),
    Slide("risks", "Risks, and how we handle them", "The risks your audience will worry about most."),
    Slide("actions", "What I will do, and what I ask of you", "Your own part, and the decision you ask for."),
)
MAX_NOTE_LENGTH = 2000


def notes_field(key: str) -> str:
    return f"notes_{key}"
