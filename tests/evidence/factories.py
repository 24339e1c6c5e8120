"""factory_boy factories for evidence, transcripts and mappings, and test files made in code."""

from __future__ import annotations

import hashlib
import io
import struct
import wave
import zlib
from datetime import date, timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from evidence.models import CriterionMapping, Evidence, TranscriptMessage
from evidence.records import (
    DiscussionData,
    ObservationData,
    QuestionData,
    QuestioningData,
    create_discussion,
    create_observation,
    create_questioning,
)
from tests.factories import CriterionFactory, CriterionGroupFactory, PortfolioFactory


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    portfolio = factory.SubFactory(PortfolioFactory)
    kind = Evidence.Kind.REFLECTION
    title = factory.Sequence(lambda n: f"Evidence item {n}")
    description = "What this shows."
    body = "I acknowledged the customer within the hour."


class LinkEvidenceFactory(EvidenceFactory):
    kind = Evidence.Kind.LINK
    body = ""
    url = "https://www.example.org/post/1"


class FileEvidenceFactory(EvidenceFactory):
    kind = Evidence.Kind.FILE
    body = ""
    original_name = "screenshot.png"
    content_type = "image/png"
    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="screenshot.png"))
    sha256 = factory.LazyFunction(lambda: hashlib.sha256(png_bytes()).hexdigest())
    file_size = factory.LazyFunction(lambda: len(png_bytes()))


class TranscriptFactory(EvidenceFactory):
    kind = Evidence.Kind.TRANSCRIPT
    body = ""
    platform = "x"
    visibility = Evidence.Visibility.PUBLIC
    scenario = Evidence.Scenario.COMPLAINT
    origin = Evidence.Origin.SIMULATED
    account_handle = "@FernleafHome"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TranscriptMessage

    evidence = factory.SubFactory(TranscriptFactory)
    position = factory.Sequence(lambda n: n + 1)
    author = TranscriptMessage.Author.CUSTOMER
    sent_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    text = "Where is my sofa?"


class MappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionMapping

    evidence = factory.SubFactory(EvidenceFactory)
    criterion = factory.SubFactory(CriterionFactory)
    note = "Shows the criterion in practice."


def png_bytes(size: tuple[int, int] = (8, 8), colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG carrying EXIF with a GPS position (Leeds), as phones write it."""
    image = Image.new("RGB", (16, 16), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (53.0, 47.0, 59.0), 3: "W", 4: (1.0, 32.0, 49.0)}
    exif[0x8825] = gps  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def bomb_png(width: int = 60_000, height: int = 60_000) -> bytes:
    """A tiny PNG whose header claims billions of pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, "PDF")
    return buffer.getvalue()


def ooxml_bytes(main_part: str = "word/document.xml", extra: dict[str, str] | None = None) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def observation_data(criteria, **changes):
    """An observation's fields, noting what was seen against each of ``criteria``."""
    values = {
        "title": "Observation: champion pitch",
        "occurred_on": date(2026, 11, 3),
        "place": "Fernleaf Home, team room",
        "duration_minutes": 25,
        "activity": "Amira pitched the social media plan to the team.",
        "questions": "Q: Why reply within the hour? A: Customers expect it.",
        "notes": {c.pk: f"Seen: {c.code} shown in the pitch." for c in criteria},
    }
    values.update(changes)
    return ObservationData(**values)


def make_observation(portfolio, criteria, **changes):
    """An observation recorded by the portfolio's assessor through the service."""
    return create_observation(
        portfolio=portfolio, data=observation_data(criteria, **changes), actor=portfolio.assessor
    )


def discussion_data(criteria, **changes):
    """A professional discussion's fields, noting what was said about each of ``criteria``."""
    values = {
        "title": "Professional discussion: running the weekend rota",
        "occurred_on": date(2026, 11, 10),
        "participants": "Jo Patel, team leader",
        "duration_minutes": 40,
        "topics": "How the weekend rota was planned; what changed after the pilot.",
        "summary": "Amira explained how she matched the rota to the busiest hours.",
        "notes": {c.pk: f"Said: {c.code} explained with the rota." for c in criteria},
    }
    values.update(changes)
    return DiscussionData(**values)


def make_discussion(portfolio, criteria, **changes):
    """A professional discussion recorded by the portfolio's assessor through the service."""
    return create_discussion(
        portfolio=portfolio, data=discussion_data(criteria, **changes), actor=portfolio.assessor
    )


def knowledge_criterion(portfolio, code="K1", **kwargs):
    """A criterion of a knowledge group of the portfolio's standard (questions are about these)."""
    standard = (
        portfolio.cohort.frameworks.filter(kind="standard").first() or portfolio.cohort.frameworks.first()
    )
    group = CriterionGroupFactory(framework=standard, kind="knowledge", title="Knowledge and understanding")
    return CriterionFactory(group=group, code=code, **kwargs)


def questioning_data(criteria, mode="online", **changes):
    """Questions, one about each of ``criteria``; in person, with the answers written down."""
    values = {
        "title": "Questions on measuring service",
        "occurred_on": date(2026, 11, 12),
        "mode": mode,
        "questions": [
            QuestionData(
                text=f"How would you show {c.code} in your work?",
                criterion_id=c.pk,
                answer="" if mode == "online" else f"By the weekly report ({c.code}).",
            )
            for c in criteria
        ],
    }
    values.update(changes)
    return QuestioningData(**values)


def make_questioning(portfolio, criteria, mode="online", **changes):
    """A questioning record written by the portfolio's assessor through the service."""
    return create_questioning(
        portfolio=portfolio, data=questioning_data(criteria, mode=mode, **changes), actor=portfolio.assessor
    )


def wav_bytes(frames: int = 800) -> bytes:
    """A short, silent WAV recording."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * frames)
    return buffer.getvalue()
