from django.urls import path

from assistance import case_views, views

app_name = "assistance"

urlpatterns = [
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.case_create, name="case_create"),
    path("cases/preview/", case_views.case_preview, name="case_preview"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", case_views.case_edit, name="case_edit"),
    path("cases/<int:pk>/reveal/", case_views.case_reveal, name="case_reveal"),
    path("cases/<int:pk>/submit/", case_views.case_submit, name="case_submit"),
    path("cases/<int:pk>/withdraw/", case_views.case_withdraw, name="case_withdraw"),
    path("cases/<int:pk>/documents/", case_views.document_upload, name="document_upload"),
    path(
        "cases/<int:pk>/documents/<int:doc_pk>/",
        case_views.document_download,
        name="document_download",
    ),
    path(
        "cases/<int:pk>/documents/<int:doc_pk>/remove/",
        case_views.document_remove,
        name="document_remove",
    ),
    path("cases/<int:pk>/duplicates/", case_views.duplicate_clear, name="duplicate_clear"),
    path("access-log/", case_views.access_log, name="access_log"),
    path("policies/", views.policy_list_view, name="policy_list"),
    path("policies/<slug:code>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:code>/new-version/", views.policy_create, name="policy_create"),
    path("minimum-living-standards/new/", views.minimum_living_standard_create, name="mls_create"),
]
