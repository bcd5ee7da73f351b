"""Database constraints hold even when model validation is bypassed, and say why in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from enterprises.models import Enterprise
from instructors.models import Assignment
from organizations.models import PartyMember
from tests.factories import (
    EnterpriseFactory,
    InstructorFactory,
    PartyMemberFactory,
    PartyOrganizationFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db


def test_credit_code_is_unique_in_the_database():
    code = make_credit_code()
    EnterpriseFactory(credit_code=code)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFactory(credit_code=code)


def test_malformed_credit_code_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFactory(credit_code="91370902000000001O")


def test_full_clean_gives_the_unique_message_in_chinese():
    code = make_credit_code()
    EnterpriseFactory(credit_code=code)
    duplicate = EnterpriseFactory.build(credit_code=code, region=Enterprise.objects.get().region)
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "统一社会信用代码" in str(exc.value)


def test_wrong_check_character_needs_confirmation_before_it_validates(taishan):
    good = make_credit_code()
    bad_char = "0" if good[-1] != "0" else "1"
    enterprise = EnterpriseFactory.build(credit_code=good[:17] + bad_char, region=taishan)
    with pytest.raises(ValidationError) as exc:
        enterprise.full_clean()
    assert "校验位不符" in exc.value.message_dict["credit_code"][0]
    enterprise.credit_code_check_confirmed = True
    enterprise.full_clean()


def test_an_organization_cannot_be_dissolved_before_it_was_established():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyOrganizationFactory(established_on=dt.date(2022, 1, 1), dissolved_on=dt.date(2021, 1, 1))


def test_an_assignment_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            instructor=InstructorFactory(),
            enterprise=EnterpriseFactory(),
            start_on=dt.date(2024, 5, 1),
            end_on=dt.date(2024, 4, 1),
        )


def test_hidden_member_must_say_how_they_were_found():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMemberFactory(is_hidden=True, discovered_via="")


def test_id_numbers_are_encrypted_at_rest_and_unique_through_their_digest():
    member = PartyMemberFactory(id_number="11010519491231002X", phone="13812345678")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_digest FROM organizations_partymember WHERE id = %s", [member.pk]
        )
        stored_id, stored_phone, stored_digest = cursor.fetchone()
    assert "11010519491231002X" not in stored_id
    assert "13812345678" not in stored_phone
    assert len(stored_digest) == 64
    assert PartyMember.objects.get(pk=member.pk).id_number == "11010519491231002X"
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMemberFactory(id_number="11010519491231002X")


def test_member_clean_rejects_a_bad_id_number_in_chinese(taishan):
    member = PartyMemberFactory.build(id_number="110105194912310021", region=taishan)
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert "校验码不符" in exc.value.message_dict["id_number"][0]
