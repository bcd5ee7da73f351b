from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from enterprises import selectors, services
from enterprises.api.serializers import (
    CarrierSerializer,
    EnterpriseSerializer,
    RegisterImportConfirmSerializer,
    RegisterImportProblemSerializer,
    RegisterImportSerializer,
)
from enterprises.filtersets import CarrierFilterSet, EnterpriseFilterSet, RegisterImportFilterSet
from enterprises.models import Carrier, Enterprise, RegisterImport
from portal.api import ScopedModelViewSet
from portal.permissions import Capability


class EnterpriseViewSet(ScopedModelViewSet):
    write_capability = Capability.EDIT_ENTERPRISE
    model = Enterprise
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    select_related = ("region",)


class CarrierViewSet(ScopedModelViewSet):
    write_capability = Capability.ADMINISTER
    model = Carrier
    serializer_class = CarrierSerializer
    filterset_class = CarrierFilterSet


class RegisterImportViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """POST a register file (multipart: file, source) → 201 and validation in the background; GET its
    progress and preview; GET problems/; POST confirm/ to apply. Same scoping and capabilities as
    the pages (reads VIEW_DATA, upload and confirm IMPORT_REGISTER)."""

    model = RegisterImport
    serializer_class = RegisterImportSerializer
    filterset_class = RegisterImportFilterSet
    read_capability = Capability.VIEW_DATA
    write_capability = Capability.IMPORT_REGISTER
    permission_classes = ScopedModelViewSet.permission_classes

    def get_queryset(self):
        return RegisterImport.objects.visible_to(self.request.user).select_related(
            "region", "uploaded_by", "confirmed_by"
        )

    def perform_create(self, serializer):
        try:
            serializer.instance = services.register_import_create(
                uploaded_file=serializer.validated_data["file"],
                source=serializer.validated_data["source"],
                acting_user=self.request.user,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc

    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        page = self.paginate_queryset(selectors.problems(self.get_object()))
        return self.get_paginated_response(RegisterImportProblemSerializer(page, many=True).data)

    @action(detail=True, methods=["post"], serializer_class=RegisterImportConfirmSerializer)
    def confirm(self, request, pk=None):
        register_import = self.get_object()
        serializer = RegisterImportConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            register_import = services.register_import_confirm(
                register_import=register_import,
                acting_user=request.user,
                confirm_warnings=serializer.validated_data["confirm_warnings"],
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return Response(RegisterImportSerializer(register_import).data, status=status.HTTP_202_ACCEPTED)
