"""A toy content app with one guided step: what adding a step takes (docs/architecture.md).

Its files: ``steps.py`` (the step's definition and registration), ``urls.py`` (the app's URLs,
from the registry) and one template. Nothing else in the project changes.
"""
