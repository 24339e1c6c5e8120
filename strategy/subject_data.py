"""The strategy's record kinds in the registry of personal data (``core.subject_data``): every
row of the learner's strategy steps, each of which belongs to one portfolio."""

from __future__ import annotations

from django.apps import apps

from core.subject_data import register_personal_records

for model in apps.get_app_config("strategy").get_models():
    register_personal_records(model, about=("portfolio__learner",))
