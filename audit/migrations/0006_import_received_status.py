from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_dataset_file_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="servicedataimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Uploaded, being read"),
                    ("uploaded", "Uploaded, columns to map"),
                    ("mapped", "Mapped, ready to check"),
                    ("queued", "Waiting to import"),
                    ("running", "Importing"),
                    ("done", "Imported"),
                    ("failed", "Refused"),
                ],
                default="uploaded",
                max_length=16,
            ),
        ),
    ]
