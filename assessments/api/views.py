"""Read-only ledger API: snapshot rows (scoped to the token's region) and the gap lists."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments.api.serializers import GapEnterpriseSerializer, LedgerRowSerializer
from assessments.choices import Dimension, SnapshotStatus
from assessments.forms import LedgerParamsInvalid, parse_ledger_params
from assessments.models import LedgerRow
from assessments.rules import FIGURE_BY_NAME, annotate_ledger
from assessments.selectors import (
    FigureList,
    annotate_page_from_facts,
    figure_list,
    latest_snapshot,
    prefers_snapshot,
)
from enterprises.models import Enterprise
from portal.api import ScopedModelViewSet
from portal.permissions import Capability
from portal.scoping import region_visible_to


class LedgerParamsMixin:
    """The ledger parameters of the request, parsed by the pages' form; bad input answers 400."""

    @property
    def params(self) -> dict:
        if not hasattr(self, "_params"):
            try:
                self._params = parse_ledger_params(self.request.query_params)
            except LedgerParamsInvalid as exc:
                raise ValidationError({"detail": exc.messages}) from exc
        return self._params


class LedgerRowViewSet(LedgerParamsMixin, ScopedModelViewSet):
    """/api/v1/ledger/rows/?as_of=YYYY-MM-DD&dimension=region — the latest complete nightly
    snapshot on or before as_of (or ?snapshot=<id>), rows of the caller's region subtree."""

    model = LedgerRow
    serializer_class = LedgerRowSerializer
    read_capability = Capability.VIEW_LEDGER
    write_capability = None
    select_related = ("snapshot", "region")
    filterset_class = None
    filter_backends: list = []

    def get_queryset(self):
        rows = super().get_queryset().filter(snapshot__status=SnapshotStatus.COMPLETE)
        params = self.params
        if params["snapshot"]:
            rows = rows.filter(snapshot_id=int(params["snapshot"]))
        else:
            as_of = params["as_of"]
            snapshot = latest_snapshot(dt.date.fromisoformat(as_of) if as_of else None)
            rows = rows.filter(snapshot=snapshot) if snapshot else rows.none()
        dimension = params["dimension"] or Dimension.REGION
        return rows.filter(dimension=dimension).order_by("region__path", "id")


class GapViewSet(LedgerParamsMixin, ScopedModelViewSet):
    """/api/v1/ledger/gaps/<figure>/?region=&carrier=&industry=&as_of=&snapshot=&live= — the
    enterprises behind a figure (any figure of assessments.rules.FIGURES), chosen, filtered and
    ordered by `selectors.figure_list` like the page and the export: with ?snapshot=<id> the
    enterprises that snapshot counted (its facts; pruned: live as of its date, with the notice),
    otherwise live. The list answer carries `source`, `snapshot`, `as_of` and `notice`."""

    model = Enterprise
    serializer_class = GapEnterpriseSerializer
    read_capability = Capability.VIEW_LEDGER
    write_capability = None
    filterset_class = None
    filter_backends: list = []

    def figure(self) -> str:
        figure = self.kwargs.get("gap", "")
        if figure not in FIGURE_BY_NAME:
            raise Http404("没有这个指标")
        return figure

    def listing(self) -> FigureList:
        if not hasattr(self, "_listing"):
            # The gap lists' default source, as on the gap pages: city-wide users read the snapshot.
            user, figure = self.request.user, self.figure()
            if self.params["region"] and not region_visible_to(user).filter(code=self.params["region"]).exists():
                raise Http404("区域不存在或不在您的管辖范围内")
            prefer = FIGURE_BY_NAME[figure].gap and prefers_snapshot(user)
            self._listing = figure_list(user=user, figure=figure, filters=self.params, prefer_snapshot=prefer)
        return self._listing

    def get_queryset(self):
        listing = self.listing()
        if listing.snapshot is not None:
            enterprises = Enterprise.objects.visible_to(self.request.user).filter(
                pk__in=listing.queryset.values("enterprise_id")
            )
        else:
            enterprises = listing.queryset
        if self.action == "retrieve" and listing.snapshot is None:
            return annotate_ledger(enterprises, listing.as_of)
        return enterprises

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if self.listing().snapshot is not None:
            instance = annotate_page_from_facts([instance], self.listing().snapshot)[0]
        return Response(self.get_serializer(instance).data)

    def list(self, request, *args, **kwargs):
        """Page the list (the selector's order), then compute the figures of that page only."""
        listing = self.listing()
        page = self.paginate_queryset(listing.queryset)
        rows = listing.rows(page, request.user)
        response = self.get_paginated_response(self.get_serializer(rows, many=True).data)
        response.data["source"] = listing.source
        response.data["snapshot"] = listing.snapshot.pk if listing.snapshot else None
        response.data["as_of"] = listing.as_of.isoformat()
        response.data["notice"] = listing.notice
        return response
