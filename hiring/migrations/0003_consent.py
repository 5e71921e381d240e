# The candidate's consent to being represented (docs/hiring.md, "Candidate consent").
# Submissions made before consent existed carry the agency's right-to-represent tick only:
# they are kept as confirmed (with no answer date) so the client keeps seeing what it saw.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hiring", "0002_brief_safety_proof"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="consent_state",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting the candidate"),
                    ("confirmed", "Confirmed by the candidate"),
                    ("declined", "Declined by the candidate"),
                ],
                default="confirmed",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="submission",
            name="consent_state",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting the candidate"),
                    ("confirmed", "Confirmed by the candidate"),
                    ("declined", "Declined by the candidate"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="consent_requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="submission",
            name="consent_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="submission",
            name="consent_answered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="submission",
            name="consent_reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
