"""The timeline is append-only: one entry per change, never editable, never deletable (ORM, admin, and on
PostgreSQL the database itself)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from cases.choices import ActivityVerb
from cases.models import Activity
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_activity_save_of_an_existing_entry_is_refused():
    entry = ActivityFactory(data={"x": 1})
    entry.data = {"x": 2}

    with pytest.raises(TypeError, match="append-only"):
        entry.save()

    assert Activity.objects.get(pk=entry.pk).data == {"x": 1}


def test_activity_delete_is_refused_on_instance_and_queryset():
    entry = ActivityFactory()

    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        Activity.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        Activity.objects.filter(pk=entry.pk).update(verb=ActivityVerb.UPDATED)

    assert Activity.objects.filter(pk=entry.pk, verb=entry.verb).exists()


def test_activity_raw_sql_update_and_delete_are_refused_by_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    entry = ActivityFactory()

    for sql in ("UPDATE cases_activity SET verb = 'x' WHERE id = %s", "DELETE FROM cases_activity WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    assert Activity.objects.filter(pk=entry.pk).exists()


def test_activity_admin_offers_no_add_change_or_delete(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    entry = ActivityFactory()
    client.force_login(admin)

    change_page = client.get(reverse("admin:cases_activity_change", args=[entry.pk]))
    add_page = client.get(reverse("admin:cases_activity_add"))
    delete_page = client.post(reverse("admin:cases_activity_delete", args=[entry.pk]), {"post": "yes"})
    changed = client.post(reverse("admin:cases_activity_change", args=[entry.pk]), {"verb": "updated"})

    assert change_page.status_code == 200  # viewable...
    assert b'name="_save"' not in change_page.content  # ...but not saveable
    assert add_page.status_code == 403
    assert delete_page.status_code == 403
    assert changed.status_code == 403
    assert Activity.objects.get(pk=entry.pk).verb == entry.verb
