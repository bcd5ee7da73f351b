"""Ledger pages, one module per page group: the ledger itself (dashboard, lists, statistics
table, trend), the period workflow, and the home page."""

from assessments.views.home import HomeView
from assessments.views.ledger import (
    DashboardView,
    FigureEnterpriseListView,
    LedgerMixin,
    LevelMismatchView,
    SnapshotTrendView,
    StatisticsTableView,
    bad_request,
    unplaced_label,
)
from assessments.views.periods import (
    PeriodActionView,
    PeriodConfirmView,
    PeriodCreateView,
    PeriodListView,
    PeriodReopenView,
    PeriodSubmitView,
)
from assessments.views.planners import DispatchPlanView, JointPlanView, PlacePlanView, SurveyWorklistView

__all__ = [
    "DashboardView",
    "DispatchPlanView",
    "FigureEnterpriseListView",
    "HomeView",
    "JointPlanView",
    "LedgerMixin",
    "LevelMismatchView",
    "PeriodActionView",
    "PeriodConfirmView",
    "PeriodCreateView",
    "PeriodListView",
    "PeriodReopenView",
    "PeriodSubmitView",
    "PlacePlanView",
    "SnapshotTrendView",
    "StatisticsTableView",
    "SurveyWorklistView",
    "bad_request",
    "unplaced_label",
]
