from __future__ import annotations

from rest_framework import serializers

from instructors.models import Assignment, Instructor
from portal.fields import mask_phone
from portal.serializers import ScopedModelSerializer


class InstructorSerializer(ScopedModelSerializer):
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Instructor
        fields = [
            "id",
            "name",
            "source",
            "employer",
            "dual_duty",
            "phone",
            "phone_masked",
            "region",
            "is_member",
        ]

    def get_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone)


class AssignmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "instructor", "enterprise", "start_on", "end_on"]
