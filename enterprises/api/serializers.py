from __future__ import annotations

from rest_framework import serializers

from enterprises.models import Carrier, Enterprise, RegisterImport, RegisterImportProblem
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


class RegisterImportSerializer(serializers.ModelSerializer):
    """An import's state and outcome (read); upload with `file` + `source` (multipart)."""

    file = serializers.FileField(write_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    uploaded_by = serializers.StringRelatedField(read_only=True)
    confirmed_by = serializers.StringRelatedField(read_only=True)
    region_code = serializers.SlugRelatedField(source="region", slug_field="code", read_only=True)

    class Meta:
        model = RegisterImport
        fields = [
            "id",
            "source",
            "file",
            "original_name",
            "sha256",
            "size",
            "region_code",
            "status",
            "status_display",
            "progress",
            "total_rows",
            "new_count",
            "changed_count",
            "unchanged_count",
            "rejected_count",
            "warning_count",
            "summary",
            "failure_reason",
            "uploaded_by",
            "confirmed_by",
            "created_at",
            "validated_at",
            "applied_at",
        ]
        read_only_fields = [f for f in fields if f not in ("source", "file")]


class RegisterImportProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegisterImportProblem
        fields = ["row_number", "column", "severity", "code", "message", "value"]


class RegisterImportConfirmSerializer(serializers.Serializer):
    confirm_warnings = serializers.BooleanField(default=False)
