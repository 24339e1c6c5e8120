# The imported interactions move from one database row each to one Parquet file per
# import (audit.datasets); versions keep the dataset they were computed from. Schema
# first (0002), then the data (0003), then the old table goes (0004).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("portfolio", "0002_assessment"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicedataimport",
            name="dataset",
            field=models.FileField(
                blank=True, max_length=300, upload_to="", verbose_name="imported interactions (Parquet)"
            ),
        ),
        migrations.AddField(
            model_name="servicedataimport",
            name="dataset_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256 of the dataset"),
        ),
        migrations.CreateModel(
            name="VersionDataset",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("import_id", models.PositiveBigIntegerField()),
                ("name", models.CharField(db_index=True, max_length=300, verbose_name="storage name")),
                ("original_name", models.CharField(max_length=255)),
                ("sha256", models.CharField(max_length=64)),
                ("row_count", models.PositiveIntegerField()),
                (
                    "version",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="service_dataset",
                        to="portfolio.portfolioversion",
                    ),
                ),
            ],
            options={"ordering": ["version"]},
        ),
    ]
