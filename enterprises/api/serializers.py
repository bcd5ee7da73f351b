from __future__ import annotations

from rest_framework import serializers

from enterprises.models import Carrier, Enterprise
from portal.serializers import ScopedModelSerializer


class EnterpriseSerializer(ScopedModelSerializer):
    region_code = serializers.SlugRelatedField(source="region", slug_field="code", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "credit_code",
            "credit_code_check_confirmed",
            "name",
            "kind",
            "industry",
            "industry_division",
            "region",
            "region_code",
            "carrier",
            "address",
            "legal_representative",
            "legal_representative_is_member",
            "investor",
            "employee_count",
            "above_scale",
            "registration_status",
            "registered_on",
            "annual_report_year",
            "last_import",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_import", "created_at", "updated_at"]


class CarrierSerializer(ScopedModelSerializer):
    class Meta:
        model = Carrier
        fields = ["id", "name", "kind", "region", "address"]
