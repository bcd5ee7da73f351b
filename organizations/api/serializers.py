from __future__ import annotations

from rest_framework import serializers

from organizations.models import PartyMember, PartyOrganization
from portal.fields import mask_id_number, mask_phone
from portal.serializers import ScopedModelSerializer
from portal.services import can_reveal


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
    """ID number and phone are write-only in clear; reads return them masked (last 4 only).
    `birth_date` is read in full only by roles that may reveal personal data (null otherwise);
    everyone reads `birth_year`."""

    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "birth_year",
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

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_reveal(getattr(request, "user", None)):
            data["birth_date"] = None
        return data

    def get_birth_year(self, obj) -> int | None:
        return obj.birth_date.year if obj.birth_date else None

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone)


class PartyMemberLookupSerializer(serializers.Serializer):
    """The body of POST /api/v1/members/lookup/: exactly one of the two."""

    id_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)

    def validate(self, attrs):
        given = [name for name in ("id_number", "phone") if attrs.get(name, "").strip()]
        if len(given) != 1:
            raise serializers.ValidationError("请填写身份证号码或手机号/电话其中一项")
        return attrs

    def lookup(self) -> tuple[str, str]:
        field = "id_number" if self.validated_data.get("id_number", "").strip() else "phone"
        return field, self.validated_data[field].strip()
