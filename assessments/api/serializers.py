from __future__ import annotations

from rest_framework import serializers

from assessments.models import LedgerRow
from assessments.rules import FIGURES, SUMS


class LedgerRowSerializer(serializers.ModelSerializer):
    as_of = serializers.DateField(source="snapshot.as_of", read_only=True)
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = LedgerRow
        fields = [
            "id",
            "snapshot",
            "as_of",
            "dimension",
            "region",
            "region_code",
            "region_name",
            "carrier",
            "industry",
            "kind",
            "above_scale",
            "size_band",
            "legal_member",
            *(figure.name for figure in FIGURES),
            *(name for name, _source, _label in SUMS),
        ]
        read_only_fields = fields


class GapEnterpriseSerializer(serializers.Serializer):
    """An enterprise of a gap list with its per-enterprise figures (assessments.rules)."""

    id = serializers.IntegerField()
    credit_code = serializers.CharField()
    name = serializers.CharField()
    region_code = serializers.CharField(source="region.code")
    carrier = serializers.IntegerField(source="carrier_id", allow_null=True)
    industry = serializers.CharField()
    kind = serializers.CharField()
    employee_count = serializers.IntegerField(allow_null=True)
    full_members = serializers.IntegerField()
    probationary_members = serializers.IntegerField()
    active_instructors = serializers.IntegerField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.update({figure.name: bool(getattr(instance, figure.name)) for figure in FIGURES})
        return data
