from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("enterprises/", views.FigureEnterpriseListView.as_view(), name="enterprises"),
    path("gaps/<slug:gap>/", views.FigureEnterpriseListView.as_view(), name="gap"),
    path("statistics/", views.StatisticsTableView.as_view(), name="statistics"),
    path("snapshots/", views.SnapshotTrendView.as_view(), name="trend"),
    path("warnings/levels/", views.LevelMismatchView.as_view(), name="level-mismatch"),
    path("plans/joint/", views.JointPlanView.as_view(), name="plan-joint"),
    path("plans/dispatch/", views.DispatchPlanView.as_view(), name="plan-dispatch"),
    path("plans/place/", views.PlacePlanView.as_view(), name="plan-place"),
    path("plans/survey/", views.SurveyWorklistView.as_view(), name="plan-survey"),
    path("periods/", views.PeriodListView.as_view(), name="periods"),
    path("periods/new/", views.PeriodCreateView.as_view(), name="period-create"),
    path("periods/<int:pk>/submit/", views.PeriodSubmitView.as_view(), name="period-submit"),
    path("periods/<int:pk>/reopen/", views.PeriodReopenView.as_view(), name="period-reopen"),
    path("periods/<int:pk>/<slug:action>/", views.PeriodActionView.as_view(), name="period-action"),
]
