from django.urls import path

from . import decision_views, views

app_name = "scoring"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("new/", views.evaluation_create, name="create"),
    path("import/", views.evaluation_import, name="import"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/edit/", views.evaluation_edit, name="edit"),
    path("<int:pk>/status/", views.evaluation_transition, name="transition"),
    path("<int:pk>/criteria/", views.criteria_edit, name="criteria"),
    path("<int:pk>/evaluators/", views.evaluators_edit, name="evaluators"),
    path("<int:pk>/bids/new/", views.bid_form, name="bid_create"),
    path("<int:pk>/bids/<int:bid_pk>/", views.bid_detail, name="bid"),
    path("<int:pk>/bids/<int:bid_pk>/edit/", views.bid_form, name="bid_edit"),
    path("<int:pk>/bids/<int:bid_pk>/flags/new/", views.flag_create, name="flag_create"),
    path("<int:pk>/bids/<int:bid_pk>/flags/<int:flag_pk>/withdraw/", views.flag_withdraw, name="flag_withdraw"),
    path("<int:pk>/bids/<int:bid_pk>/waivers/new/", views.waiver_create, name="waiver_create"),
    path("<int:pk>/bids/<int:bid_pk>/waivers/<int:waiver_pk>/revoke/", views.waiver_revoke, name="waiver_revoke"),
    path("<int:pk>/bids/<int:bid_pk>/documents/new/", views.document_upload, name="document_upload"),
    path("<int:pk>/bids/<int:bid_pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path(
        "<int:pk>/bids/<int:bid_pk>/documents/<int:document_pk>/withdraw/",
        views.document_withdraw,
        name="document_withdraw",
    ),
    path("<int:pk>/bids/<int:bid_pk>/reference-checks/new/", views.reference_check_create, name="reference_check"),
    path("<int:pk>/scorecard/", views.scorecard, name="scorecard"),
    path("<int:pk>/conflicts/new/", views.conflict_declare, name="conflict_declare"),
    path("<int:pk>/scorecards/<int:assignment_pk>/reopen/", views.scorecard_reopen, name="scorecard_reopen"),
    path("<int:pk>/ranking.json", views.ranking_json, name="ranking_json"),
    path("<int:pk>/ranking.csv", views.ranking_csv, name="ranking_csv"),
    path("<int:pk>/ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("<int:pk>/package.json", views.package_json, name="package_json"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/compare.xlsx", decision_views.compare_xlsx, name="compare_xlsx"),
    path("<int:pk>/sensitivity/", decision_views.sensitivity, name="sensitivity"),
    path("<int:pk>/board-pack/", decision_views.board_pack, name="board_pack"),
    path("<int:pk>/consensus/", views.consensus_view, name="consensus"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/history.csv", views.history_csv, name="history_csv"),
]
