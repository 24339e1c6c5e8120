# The interactions now live in the imports' Parquet files (0003 moved them), so the
# per-row table goes, and the database holds the all-or-nothing rule: an import has a
# dataset exactly when it is done.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_interactions_to_datasets"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="interaction", name="audit_inter_service_d4b00c_idx"),
        migrations.DeleteModel(name="Interaction"),
        migrations.AddConstraint(
            model_name="servicedataimport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("status", "done"),
                        models.Q(("dataset", ""), _negated=True),
                        models.Q(("dataset_sha256", ""), _negated=True),
                    ),
                    models.Q(models.Q(("status", "done"), _negated=True), ("dataset", ""), ("dataset_sha256", "")),
                    _connector="OR",
                ),
                name="dataset_exactly_when_done",
            ),
        ),
    ]
