"""Read-only ledger API: snapshot rows (scoped to the token's region) and the gap lists."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments.api.serializers import GapEnterpriseSerializer, LedgerRowSerializer
from assessments.choices import Dimension, SnapshotStatus
from assessments.forms import LedgerParamsInvalid, parse_ledger_params
from assessments.models import LedgerRow, LedgerSnapshot
from assessments.rules import FIGURE_BY_NAME, annotate_ledger, filter_figure
from assessments.selectors import (
    annotate_page,
    annotate_page_from_facts,
    group_filter,
    latest_snapshot,
    snapshot_figure_enterprises,
    snapshot_has_facts,
)
from enterprises.models import Enterprise
from portal.api import ScopedModelViewSet
from portal.permissions import Capability


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
    """/api/v1/ledger/gaps/<figure>/?region=&carrier=&industry=&as_of= — the enterprises behind a
    figure (any figure of assessments.rules.FIGURES; the five gap lists among them), live.
    With ?snapshot=<id>: the enterprises that snapshot counted (its per-enterprise facts; 404
    when they were pruned), the list behind the snapshot's number."""

    model = Enterprise
    serializer_class = GapEnterpriseSerializer
    read_capability = Capability.VIEW_LEDGER
    write_capability = None
    filterset_class = None
    filter_backends: list = []

    def as_of(self):
        as_of = self.params["as_of"]
        return dt.date.fromisoformat(as_of) if as_of else timezone.localdate()

    def snapshot(self) -> LedgerSnapshot | None:
        if not hasattr(self, "_snapshot"):
            snapshot_id = self.params["snapshot"]
            self._snapshot = None
            if snapshot_id:
                self._snapshot = get_object_or_404(LedgerSnapshot.objects.complete(), pk=int(snapshot_id))
                if not snapshot_has_facts(self._snapshot):
                    raise Http404("该快照的企业明细已清理")
        return self._snapshot

    def get_queryset(self):
        figure = self.kwargs.get("gap", "")
        if figure not in FIGURE_BY_NAME:
            raise Http404("没有这个指标")
        params, snapshot = self.params, self.snapshot()
        if snapshot is not None:
            enterprises = snapshot_figure_enterprises(self.request.user, snapshot, figure, params)
        else:
            enterprises = group_filter(super().get_queryset(), params, self.request.user)
            enterprises = filter_figure(enterprises, figure, self.as_of())
        enterprises = enterprises.select_related("region").order_by("region__path", "name", "pk")
        if self.action == "retrieve" and snapshot is None:
            return annotate_ledger(enterprises, self.as_of())
        return enterprises

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if self.snapshot() is not None:
            instance = annotate_page_from_facts([instance], self.snapshot())[0]
        return Response(self.get_serializer(instance).data)

    def list(self, request, *args, **kwargs):
        """Filter the whole set, then compute the per-enterprise figures for one page only."""
        page = self.paginate_queryset(self.get_queryset())
        if self.snapshot() is not None:
            rows = annotate_page_from_facts(page, self.snapshot())
        else:
            rows = annotate_page(page, self.as_of())
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
