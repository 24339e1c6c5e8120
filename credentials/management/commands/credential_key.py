"""Make the centre's credential signing key if there is none, or show its public part.

    manage.py credential_key            # write CREDENTIAL_SIGNING_KEY_FILE unless a key is set
    manage.py credential_key --public   # print the public JWK (for CREDENTIAL_RETIRED_KEYS later)

``make run`` runs the first, so a development set-up signs credentials from the start. In
production generate the key once, keep it with the other secrets, and never commit it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from credentials import keys


class Command(BaseCommand):
    help = "Write a credential signing key (ES256) if none is configured; --public prints its public JWK."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--public", action="store_true", help="Print the current public key as a JWK.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.CREDENTIAL_SIGNING_KEY_FILE)
        if not settings.CREDENTIAL_SIGNING_KEY and not path.is_file():
            keys.write_key_file(path, keys.generate_key())
            self.stdout.write(f"Credential signing key written to {path} (keep it secret; never commit it).")
        elif not options["public"]:
            self.stdout.write("A credential signing key is already configured.")
        if options["public"]:
            key = keys.signing_key()
            public = {**key.as_dict(private=False), "kid": keys.key_id(key)}
            self.stdout.write(json.dumps(public))
