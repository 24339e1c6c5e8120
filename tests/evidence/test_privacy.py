"""The personal-data review of saved items: "not personal" marks, the image check in the
worker, and redaction (prepared, then confirmed or discarded)."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from assessment import services as assessment
from core.models import VersionFile
from evidence import image_scan, privacy, services
from evidence.image_scan import ImageScanError, check_regions, redact_image, scan_image
from evidence.models import ImageScan, NotPersonalMark, PendingRedaction
from evidence.pdf_images import portfolio_scope, read_rendition
from evidence.tasks import make_evidence_rendition
from tests.evidence.factories import FileEvidenceFactory, MessageFactory, TranscriptFactory

pytestmark = pytest.mark.django_db

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def screenshot(lines: list[str], size: tuple[int, int] = (900, 200)) -> bytes:
    """A plain screenshot of customer text, drawn with Debian's DejaVu Sans."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 22)
    for number, line in enumerate(lines):
        draw.text((20, 20 + 40 * number), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


REPLY = screenshot(["Hi Sarah Jenkins, sorry for the wait.", "Call us back on 07700 900123 today."])


@pytest.fixture
def image_item(portfolio):
    return FileEvidenceFactory(
        portfolio=portfolio,
        file=ContentFile(REPLY, name="reply.png"),
        sha256=hashlib.sha256(REPLY).hexdigest(),
        file_size=len(REPLY),
    )


def scanned(item, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        privacy.start_image_scan(evidence=item, actor=learner)
    return ImageScan.objects.get(evidence=item)


# --- pure image functions ---------------------------------------------------------------------


def test_it_reads_a_name_and_a_phone_number_in_a_screenshot_and_boxes_them():
    result = scan_image(REPLY)

    kinds = {f.kind: f for f in result.findings}
    assert kinds["name"].text == "Sarah Jenkins"
    assert kinds["phone"].text == "07700 900123"
    x, y, w, _h = kinds["phone"].boxes[0]
    assert 20 < y < 100
    assert x > 100
    assert w > 100


def test_it_says_when_an_image_has_no_text():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, "PNG")

    result = scan_image(buffer.getvalue())

    assert result.findings == []
    assert result.words == 0
    assert "No text was found" in result.note


def test_it_checks_only_the_first_frame_of_an_animated_image_and_says_so():
    frames = [Image.new("RGB", (120, 80), colour) for colour in ("white", "black")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])

    assert "animated" in scan_image(buffer.getvalue()).note


def test_it_refuses_a_file_that_is_not_an_image():
    with pytest.raises(ImageScanError, match="not an image"):
        scan_image(b"%PDF-1.7 not an image")


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ((850, 150, 100, 100), "outside the image"),
        ((-5, 0, 50, 50), "outside the image"),
        ((10, 10, 1, 40), "too small"),
        (("x", 0, 10, 10), "four whole numbers"),
    ],
)
def test_it_refuses_a_region_outside_the_image_or_not_a_box(region, message):
    with pytest.raises(ImageScanError, match=message):
        check_regions([region], width=900, height=200)


def test_a_black_box_leaves_no_trace_of_the_text():
    redacted = redact_image(REPLY, [(20, 60, 500, 30)], style="box", image_format="PNG")

    kinds = {f.kind for f in scan_image(redacted).findings}
    assert "phone" not in kinds
    assert "name" in kinds


# --- "not personal" marks -------------------------------------------------------------------


def test_a_mark_is_remembered_for_the_item_and_survives_a_change(learner, portfolio):
    item = TranscriptFactory(portfolio=portfolio)
    MessageFactory(evidence=item, position=1, text="Our office number is 0113 496 0000.")
    finding = privacy.privacy_of(item).unresolved[0]

    privacy.mark_not_personal(evidence=item, finding_id=finding.id, actor=learner)
    item.messages.update(text="Our office is on 0113  496 0000, open till six.")  # moved, re-spaced

    review = privacy.privacy_of(item)
    assert review.unresolved == []
    assert review.not_personal_count == 1
    # Only a digest is stored, never the number itself.
    assert "0113" not in NotPersonalMark.objects.get().digest


def test_a_mark_on_one_item_does_not_clear_another(learner, portfolio):
    first, second = TranscriptFactory(portfolio=portfolio), TranscriptFactory(portfolio=portfolio)
    for item in (first, second):
        MessageFactory(evidence=item, position=1, text="Ring 07700 900456")
    privacy.mark_not_personal(
        evidence=first, finding_id=privacy.privacy_of(first).unresolved[0].id, actor=learner
    )

    assert len(privacy.privacy_of(second).unresolved) == 1


def test_marking_everything_not_personal_is_allowed_and_counted(learner, portfolio):
    item = TranscriptFactory(portfolio=portfolio)
    MessageFactory(evidence=item, position=1, text="Hi Sarah Jenkins, DOB 12/03/1985, NI QQ 12 34 56 C")

    assert privacy.mark_all_not_personal(evidence=item, actor=learner) == 3
    assert privacy.privacy_of(item).not_personal_count == 3


def test_undoing_a_mark_makes_the_finding_unresolved_again(learner, portfolio):
    item = TranscriptFactory(portfolio=portfolio)
    MessageFactory(evidence=item, position=1, text="Ring 07700 900456")
    finding = privacy.privacy_of(item).unresolved[0]
    privacy.mark_not_personal(evidence=item, finding_id=finding.id, actor=learner)

    privacy.unmark_not_personal(evidence=item, finding_id=finding.id, actor=learner)

    assert [f.kind for f in privacy.privacy_of(item).unresolved] == ["phone"]


def test_marking_a_finding_that_is_gone_says_so(learner, portfolio):
    item = TranscriptFactory(portfolio=portfolio)

    with pytest.raises(privacy.PrivacyError, match="no longer there"):
        privacy.mark_not_personal(evidence=item, finding_id="t-m1-0", actor=learner)


# --- the image check in the worker ------------------------------------------------------------


def test_the_worker_stores_each_finding_with_its_boxes(
    learner, image_item, django_capture_on_commit_callbacks
):
    scan = scanned(image_item, learner, django_capture_on_commit_callbacks)

    assert scan.status == "done"
    assert scan.progress == 100
    assert (scan.width, scan.height) == (900, 200)
    assert {f["kind"] for f in scan.findings} >= {"name", "phone"}
    assert [f.kind for f in privacy.privacy_of(image_item).unresolved if f.in_image] == ["name", "phone"]


def test_a_damaged_image_fails_the_check_with_a_message(
    learner, portfolio, django_capture_on_commit_callbacks
):
    item = FileEvidenceFactory(portfolio=portfolio, file=ContentFile(b"not a png", name="x.png"))

    scan = scanned(item, learner, django_capture_on_commit_callbacks)

    assert scan.status == "failed"
    assert "not an image" in scan.message


def test_only_images_are_checked(learner, portfolio):
    item = TranscriptFactory(portfolio=portfolio)

    with pytest.raises(privacy.PrivacyError, match="Only images"):
        privacy.start_image_scan(evidence=item, actor=learner)


# --- redaction --------------------------------------------------------------------------------


def _ids(item, *kinds):
    return [f.id for f in privacy.privacy_of(item).unresolved if f.kind in kinds]


def test_a_redaction_keeps_the_original_until_the_learner_confirms(
    learner, image_item, django_capture_on_commit_callbacks
):
    scanned(image_item, learner, django_capture_on_commit_callbacks)
    original = image_item.file.name

    pending = privacy.prepare_redaction(
        evidence=image_item, finding_ids=_ids(image_item, "name", "phone"), style="box", actor=learner
    )

    image_item.refresh_from_db()
    assert image_item.file.name == original
    assert default_storage.exists(original)
    assert default_storage.exists(pending.file.name)
    assert pending.kinds == ["name", "phone"]


def test_confirming_replaces_the_image_deletes_the_original_and_records_provenance(
    learner, image_item, django_capture_on_commit_callbacks
):
    scanned(image_item, learner, django_capture_on_commit_callbacks)
    original = image_item.file.name
    pending = privacy.prepare_redaction(
        evidence=image_item, finding_ids=_ids(image_item, "name", "phone"), style="blur", actor=learner
    )

    with django_capture_on_commit_callbacks(execute=True):
        privacy.confirm_redaction(evidence=image_item, actor=learner)

    image_item.refresh_from_db()
    assert not default_storage.exists(original)
    assert image_item.file.name == pending.file.name
    with default_storage.open(pending.file.name) as handle:
        assert image_item.sha256 == hashlib.sha256(handle.read()).hexdigest()
    assert image_item.redacted_kinds == ["name", "phone"]
    assert image_item.redacted_at is not None
    review = privacy.privacy_of(image_item)
    assert [f.kind for f in review.unresolved] == []
    assert all(f.text == "" for f in review.findings if f.redacted)  # the values are gone here too
    assert not PendingRedaction.objects.exists()


def test_confirming_replaces_the_print_rendition_of_the_original(
    learner, image_item, django_capture_on_commit_callbacks
):
    # The original's print-size copy shows what was redacted: it must not outlive the original.
    scope = portfolio_scope(image_item.portfolio_id)
    make_evidence_rendition(image_item.pk)
    original_sha256 = image_item.sha256
    assert read_rendition(sha256=original_sha256, scope=scope) is not None
    scanned(image_item, learner, django_capture_on_commit_callbacks)
    privacy.prepare_redaction(
        evidence=image_item, finding_ids=_ids(image_item, "name", "phone"), style="blur", actor=learner
    )

    with django_capture_on_commit_callbacks(execute=True):
        privacy.confirm_redaction(evidence=image_item, actor=learner)

    image_item.refresh_from_db()
    assert read_rendition(sha256=original_sha256, scope=scope) is None
    assert read_rendition(sha256=image_item.sha256, scope=scope) is not None


def test_a_submitted_version_keeps_the_original_it_refers_to(
    learner, image_item, django_capture_on_commit_callbacks
):
    scanned(image_item, learner, django_capture_on_commit_callbacks)
    original = image_item.file.name
    privacy.prepare_redaction(
        evidence=image_item, finding_ids=_ids(image_item, "phone"), style="box", actor=learner
    )
    assessment.submit_portfolio(portfolio=image_item.portfolio, declaration_signed=True, actor=learner)
    assert VersionFile.objects.filter(name=original).exists()

    with django_capture_on_commit_callbacks(execute=True):
        privacy.confirm_redaction(evidence=image_item, actor=learner)

    assert default_storage.exists(original)


def test_discarding_deletes_the_copy_and_keeps_the_image(
    learner, image_item, django_capture_on_commit_callbacks
):
    scanned(image_item, learner, django_capture_on_commit_callbacks)
    pending = privacy.prepare_redaction(
        evidence=image_item, finding_ids=_ids(image_item, "phone"), style="box", actor=learner
    )

    with django_capture_on_commit_callbacks(execute=True):
        privacy.discard_redaction(evidence=image_item, actor=learner)

    image_item.refresh_from_db()
    assert not default_storage.exists(pending.file.name)
    assert default_storage.exists(image_item.file.name)
    assert image_item.redacted_kinds == []


def test_a_region_outside_the_image_is_refused_and_nothing_is_saved(
    learner, image_item, django_capture_on_commit_callbacks
):
    scan = scanned(image_item, learner, django_capture_on_commit_callbacks)
    scan.findings[0]["boxes"] = [[880, 190, 60, 60]]  # e.g. a stale scan of a larger image
    scan.save()
    files_before = set(default_storage.listdir(f"evidence/{image_item.portfolio_id}")[1])

    with pytest.raises(privacy.PrivacyError, match="outside the image"):
        privacy.prepare_redaction(
            evidence=image_item, finding_ids=[scan.findings[0]["id"]], style="box", actor=learner
        )

    assert not PendingRedaction.objects.exists()
    assert set(default_storage.listdir(f"evidence/{image_item.portfolio_id}")[1]) == files_before


def test_redaction_waits_for_the_check(learner, image_item):
    with pytest.raises(privacy.PrivacyError, match="Wait for the image check"):
        privacy.prepare_redaction(evidence=image_item, finding_ids=["i1"], style="box", actor=learner)


def test_redacting_nothing_is_refused(learner, image_item, django_capture_on_commit_callbacks):
    scanned(image_item, learner, django_capture_on_commit_callbacks)

    with pytest.raises(privacy.PrivacyError, match="at least one"):
        privacy.prepare_redaction(evidence=image_item, finding_ids=["nope"], style="box", actor=learner)


# --- faces, large images, deleting -------------------------------------------------------------


def test_the_bundled_face_cascade_loads_and_finds_no_face_in_text():
    image = Image.open(io.BytesIO(REPLY)).convert("RGB")

    assert image_scan.detect_faces(image) == []


def drawn_face(size: int = 160) -> Image.Image:
    """A face drawn with shapes (no real person): an oval, eyes and brows, a nose and a mouth,
    softened, as a profile picture beside a message would show one."""
    face = Image.new("L", (size * 2, size * 2), 90)
    draw = ImageDraw.Draw(face)
    width, height = size * 0.8, size
    draw.ellipse([size - width / 2, size - height / 2, size + width / 2, size + height / 2], fill=200)
    eye_y = size - height / 2 + height * 0.4
    for side in (-1, 1):
        eye_x = size + side * width * 0.22
        draw.ellipse(
            [eye_x - width * 0.09, eye_y - height * 0.04, eye_x + width * 0.09, eye_y + height * 0.04],
            fill=40,
        )
        draw.rectangle(
            [eye_x - width * 0.11, eye_y - height * 0.11, eye_x + width * 0.11, eye_y - height * 0.08],
            fill=60,
        )
    draw.polygon(
        [
            (size, size - height * 0.05),
            (size - width * 0.07, size + height * 0.12),
            (size + width * 0.07, size + height * 0.12),
        ],
        fill=150,
    )
    mouth_y = size - height / 2 + height * 0.72
    draw.ellipse(
        [size - width * 0.18, mouth_y - height * 0.03, size + width * 0.18, mouth_y + height * 0.03], fill=70
    )
    return face.filter(ImageFilter.GaussianBlur(3)).convert("RGB")


def test_the_bundled_cascade_finds_a_face_beside_a_message_and_it_is_redacted():
    page = Image.open(
        io.BytesIO(screenshot(["Thanks for the photo, see you soon."], size=(900, 360)))
    ).convert("RGB")
    page.paste(drawn_face(), (560, 20))
    content = io.BytesIO()
    page.save(content, format="PNG")

    faces = [f for f in scan_image(content.getvalue()).findings if f.kind == "face"]

    assert len(faces) == 1
    x, y, w, h = faces[0].boxes[0]
    # Inside the picture pasted at (560, 20), 320 px square.
    assert 560 <= x <= x + w <= 880
    assert 20 <= y <= y + h <= 340
    redacted = Image.open(
        io.BytesIO(redact_image(content.getvalue(), [faces[0].boxes[0]], style="box", image_format="PNG"))
    )
    assert image_scan.detect_faces(redacted.convert("RGB")) == []


def test_a_face_is_a_finding_with_its_box(monkeypatch):
    monkeypatch.setattr(image_scan, "detect_faces", lambda image, text_boxes: [(600, 100, 80, 80)])

    faces = [f for f in scan_image(REPLY).findings if f.kind == "face"]

    assert [f.boxes for f in faces] == [[(600, 100, 80, 80)]]


def test_a_face_mostly_covered_by_words_is_dropped(monkeypatch):
    class Cascade:
        def __init__(self, path):
            pass

        def detectMultiScale(self, grey, **options):
            return [(20, 20, 60, 30), (700, 120, 60, 60)]

    monkeypatch.setattr(image_scan.cv2, "CascadeClassifier", Cascade)
    image = Image.open(io.BytesIO(REPLY)).convert("RGB")

    assert image_scan.detect_faces(image, text_boxes=[(20, 20, 60, 30)]) == [(700, 120, 60, 60)]


@pytest.mark.parametrize(
    ("size", "expected"),
    [((6000, 4000), pytest.approx((12_000_000 / 24_000_000) ** 0.5)), ((2000, 1000), 1.0), ((700, 300), 2.0)],
)
def test_large_images_are_read_smaller_and_small_ones_larger(size, expected):
    assert image_scan._ocr_scale(*size) == expected


def test_deleting_an_item_deletes_an_unconfirmed_copy(
    learner, image_item, django_capture_on_commit_callbacks
):
    scanned(image_item, learner, django_capture_on_commit_callbacks)
    pending = privacy.prepare_redaction(
        evidence=image_item, finding_ids=_ids(image_item, "phone"), style="box", actor=learner
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_evidence(evidence=image_item, actor=learner)

    assert not default_storage.exists(pending.file.name)


def test_an_unknown_redaction_style_is_refused(learner, image_item, django_capture_on_commit_callbacks):
    scanned(image_item, learner, django_capture_on_commit_callbacks)

    with pytest.raises(privacy.PrivacyError, match="black box or a blur"):
        privacy.prepare_redaction(
            evidence=image_item, finding_ids=_ids(image_item, "phone"), style="invert", actor=learner
        )


def test_a_check_of_an_older_image_is_not_stored_over_the_new_one(learner, image_item):
    scan = ImageScan.objects.create(evidence=image_item, sha256="0" * 64)

    assert privacy.run_image_scan(scan_id=scan.pk) is None
    scan.refresh_from_db()
    assert scan.status == "queued"
    assert scan.findings == []
