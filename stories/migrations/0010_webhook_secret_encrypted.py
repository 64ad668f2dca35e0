from django.db import migrations

import stories.models.alerts
import stories.models.fields


def _rewrite(schema_editor, convert) -> None:
    # Raw SQL: the model field would try to decrypt the clear values on the way in.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, webhook_secret FROM stories_subscription")
        for pk, value in cursor.fetchall():
            if value:
                cursor.execute(
                    "UPDATE stories_subscription SET webhook_secret = %s WHERE id = %s",
                    [convert(value), pk],
                )


def encrypt_secrets(apps, schema_editor) -> None:
    _rewrite(schema_editor, stories.models.fields.encrypt)


def decrypt_secrets(apps, schema_editor) -> None:
    _rewrite(schema_editor, stories.models.fields.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0009_search_index_per_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscription",
            name="webhook_secret",
            field=stories.models.fields.EncryptedTextField(
                default=stories.models.alerts.new_webhook_secret,
                help_text="Key of the X-Newsroom-Signature HMAC-SHA256 header.",
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
