from enterprises.api.serializers import CarrierSerializer, EnterpriseSerializer
from enterprises.filtersets import CarrierFilterSet, EnterpriseFilterSet
from enterprises.models import Carrier, Enterprise
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
