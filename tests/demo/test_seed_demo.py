"""seed_demo: a realistic, deterministic city, written only into an empty database."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from enterprises.models import Enterprise
from instructors.models import Instructor
from organizations.models import PartyMember, PartyOrganization
from portal.fields import digest
from portal.models import AuditEvent, Region, User
from portal.validators import credit_code_check_ok, id_number_error

pytestmark = pytest.mark.django_db

SEEDED_TABLES = [
    "portal_region",
    "enterprises_carrier",
    "enterprises_enterprise",
    "enterprises_surveycampaign",
    "enterprises_surveyvisit",
    "organizations_partymember",
    "organizations_partyorganization",
    "organizations_partyorganization_covered_enterprises",
    "organizations_orgliferecord",
    "instructors_instructor",
    "instructors_assignment",
    "assessments_dualstrongsixgood",
    "assessments_demonstrationsite",
]


def fingerprint() -> dict[str, str]:
    """A digest of every seeded table's content, leaving out what is random by design: ciphertext
    (Fernet uses a random IV) and creation timestamps."""
    result = {}
    with connection.cursor() as cursor:
        for table in SEEDED_TABLES:
            cursor.execute(
                "SELECT count(*), md5(string_agg("
                "(to_jsonb(t) - 'id_number' - 'phone' - 'created_at' - 'updated_at')::text, '|' ORDER BY t.id))"
                f" FROM {table} t"
            )
            count, digest = cursor.fetchone()
            result[table] = f"{count}:{digest}"
    return result


def wipe() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE portal_region, portal_user, enterprises_carrier, enterprises_enterprise, authtoken_token,"
            " portal_auditevent RESTART IDENTITY CASCADE"
        )


def test_seed_builds_a_realistic_city_with_gaps(capsys):
    call_command("seed_demo", enterprises=1500)
    out = capsys.readouterr().out
    assert "演示账号" in out and "taishan_staff" in out

    assert Region.objects.filter(level="DISTRICT").count() == 6
    assert set(Region.objects.filter(level="DISTRICT").values_list("code", flat=True)) == {
        "370902",
        "370911",
        "370921",
        "370923",
        "370982",
        "370983",
    }
    assert Enterprise.objects.count() == 1500
    share_individual = Enterprise.objects.filter(kind="INDIVIDUAL").count() / 1500
    assert 0.5 < share_individual < 0.7
    with_members = Enterprise.objects.filter(members__isnull=False).distinct().count()
    assert 0.05 < with_members / 1500 < 0.2
    assert all(credit_code_check_ok(code) for code in Enterprise.objects.values_list("credit_code", flat=True))
    member = PartyMember.objects.exclude(id_number="").first()
    assert id_number_error(member.id_number) is None
    assert PartyOrganization.objects.filter(formation="JOINT").exists()
    assert PartyOrganization.objects.filter(dissolved_on__isnull=False).exists() or Enterprise.objects.count() < 5000
    # Realistic gaps: some enterprises with members have no organization.
    uncovered = (
        Enterprise.objects.in_scope().filter(members__isnull=False, covering_organizations__isnull=True).distinct()
    )
    assert uncovered.exists()
    assert set(User.objects.values_list("role", flat=True)) == {
        "CITY_ADMIN",
        "DISTRICT_STAFF",
        "COMMERCE_STAFF",
        "LEADER",
        "API_CLIENT",
    }
    # The seed is not anybody's change: it leaves no audit trail of its own.
    assert not AuditEvent.objects.filter(table_name="enterprises_enterprise").exists()


def test_the_same_seed_gives_the_same_city():
    call_command("seed_demo", enterprises=800)
    first = fingerprint()
    wipe()
    call_command("seed_demo", enterprises=800)
    assert fingerprint() == first
    wipe()
    call_command("seed_demo", enterprises=800, seed=7)
    assert fingerprint()["enterprises_enterprise"] != first["enterprises_enterprise"]


def test_seed_refuses_a_database_that_is_not_empty(taishan):
    before = Region.objects.count()
    with pytest.raises(CommandError, match="已有数据"):
        call_command("seed_demo", enterprises=200)
    assert Region.objects.count() == before
    assert not Enterprise.objects.exists()


def test_if_empty_skips_quietly_when_data_exists(taishan, capsys):
    call_command("seed_demo", enterprises=200, if_empty=True)
    assert "跳过" in capsys.readouterr().out
    assert not Enterprise.objects.exists()


def test_seeded_phones_can_be_found_by_exact_lookup():
    call_command("seed_demo", enterprises=600)
    member = PartyMember.objects.exclude(phone="").first()
    assert PartyMember.objects.filter(phone_digest=digest(member.phone)).get() == member
    instructor = Instructor.objects.first()
    assert Instructor.objects.filter(phone_digest=digest(instructor.phone)).get() == instructor
