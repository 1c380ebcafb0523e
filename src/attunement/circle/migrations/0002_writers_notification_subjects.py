"""Writers, what each notification is about, and sign-in names unique in any case.

- ``User.can_write``: only writers make circles, connect journals and publish. Accounts
  that already own a circle were made writers by whoever ran the server (or made a
  circle before this rule existed); they keep writing.
- ``Notification.post/checkin/alert/circle/actor``: a notification goes when what it
  quotes goes. Notifications made before this migration name none of them and stay
  until read and cleared as before.
- A sign-in name is unique whatever its capitals. If the database already holds two
  names that differ only in capitals, the migration stops and says which, instead of
  failing on the constraint with a database error.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def owners_write(apps, schema_editor):  # type: ignore[no-untyped-def]
    user_model = apps.get_model("circle", "User")
    user_model.objects.filter(owned_circles__isnull=False).update(can_write=True)


def refuse_names_differing_in_case(apps, schema_editor):  # type: ignore[no-untyped-def]
    user_model = apps.get_model("circle", "User")
    clashes = list(
        user_model.objects.annotate(folded=Lower("username")).values("folded")
        .annotate(n=Count("id")).filter(n__gt=1).values_list("folded", flat=True)[:20]
    )
    if clashes:
        names = ", ".join(repr(name) for name in clashes)
        raise RuntimeError(
            "Some accounts have sign-in names that differ only in capitals "
            f"({names}). Rename all but one of each (UPDATE circle_user SET username = ... "
            "WHERE id = ...) and run the migration again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('circle', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='notification',
            name='alert',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circle.alert'),
        ),
        migrations.AddField(
            model_name='notification',
            name='checkin',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circle.sharedcheckin'),
        ),
        migrations.AddField(
            model_name='notification',
            name='circle',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circle.circle'),
        ),
        migrations.AddField(
            model_name='notification',
            name='post',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circle.post'),
        ),
        migrations.AddField(
            model_name='user',
            name='can_write',
            field=models.BooleanField(default=False, help_text='A writer: makes circles, connects journals and publishes.'),
        ),
        migrations.RunPython(owners_write, migrations.RunPython.noop),
        migrations.RunPython(refuse_names_differing_in_case, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('username'), name='username_unique_any_case'),
        ),
    ]
