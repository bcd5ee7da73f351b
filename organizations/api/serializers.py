from __future__ import annotations

from rest_framework import serializers

from organizations.models import PartyMember, PartyOrganization
from portal.fields import mask_id_number, mask_phone
from portal.serializers import ScopedModelSerializer


class PartyOrganizationSerializer(ScopedModelSerializer):
    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "name",
            "level",
            "formation",
            "region",
            "carrier",
            "parent",
            "covered_enterprises",
            "secretary",
            "is_online",
            "established_on",
            "dissolved_on",
        ]


class PartyMemberSerializer(ScopedModelSerializer):
    """ID number and phone are write-only in clear; reads return them masked."""

    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "education",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
            "status",
            "joined_on",
            "workplace",
            "organization",
            "participates_in",
            "is_hidden",
            "discovered_via",
            "is_mobile",
            "region",
        ]

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone)
