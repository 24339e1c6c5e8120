import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_import_received_status"),
        ("portfolio", "0004_export_replaced"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChunkedUpload",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("file_name", models.CharField(max_length=255)),
                ("size", models.PositiveBigIntegerField(verbose_name="size the browser announced")),
                ("received", models.PositiveBigIntegerField(default=0, verbose_name="bytes received so far")),
                (
                    "sha256",
                    models.CharField(blank=True, max_length=64, verbose_name="SHA-256 the browser announced"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "portfolio",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portfolio.portfolio",
                    ),
                ),
            ],
        ),
    ]
