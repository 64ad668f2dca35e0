from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0003_discovery"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="region_selector",
            field=models.CharField(
                blank=True,
                help_text="CSS selector of the element holding the article text, "
                "found at the last full extraction (see stories/fingerprint.py).",
                max_length=500,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="region_fingerprint",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
