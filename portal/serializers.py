"""API serializer base: related choices limited to the user's scope, and the model's own
`full_clean()` run on every write, so the API gives the same Chinese messages as the forms."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from portal.models import Region
from portal.scoping import region_visible_to


class ScopedModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            target = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if queryset is None:
                continue
            if hasattr(queryset, "visible_to"):
                target.queryset = queryset.visible_to(user)
            elif queryset.model is Region:
                target.queryset = region_visible_to(user)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many = {f.name for f in model._meta.many_to_many}
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=list(many))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs
