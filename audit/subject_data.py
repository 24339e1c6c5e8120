"""The audit's record kinds in the registry of personal data (``core.subject_data``): every row
of the learner's audit steps and service data, and the dataset a version keeps."""

from __future__ import annotations

from django.apps import apps

from audit.models import ServiceDataImport, VersionDataset
from core.subject_data import register_personal_records

# Every model of the app belongs to one portfolio, except the dataset a version keeps.
for model in apps.get_app_config("audit").get_models():
    if model is VersionDataset:
        register_personal_records(model, about=("version__portfolio__learner",), files=("name",))
    elif model is ServiceDataImport:
        register_personal_records(model, about=("portfolio__learner",), files=("file", "dataset"))
    else:
        register_personal_records(model, about=("portfolio__learner",))
