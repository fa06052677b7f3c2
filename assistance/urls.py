from django.urls import path

from assistance import case_views, review_views, views

app_name = "assistance"

urlpatterns = [
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/search/", case_views.case_search, name="case_search"),
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
    path("policies/new/", views.policy_start, name="policy_start"),
    path("policies/<slug:code>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:code>/new-version/", views.policy_create, name="policy_create"),
    path("minimum-living-standards/new/", views.minimum_living_standard_create, name="mls_create"),
]

# The review chain (assistance.review_views).
urlpatterns += [
    path("cases/<int:pk>/review/forward/", review_views.review_forward, name="review_forward"),
    path("cases/<int:pk>/review/reject/", review_views.review_reject, name="review_reject"),
    path("cases/<int:pk>/review/return/", review_views.review_return, name="review_return"),
    path(
        "cases/<int:pk>/review/objection/", review_views.review_objection, name="review_objection"
    ),
    path("cases/<int:pk>/review/visit/", review_views.review_visit, name="review_visit"),
    path("cases/<int:pk>/review/doubtful/", review_views.review_doubtful, name="review_flag"),
    path(
        "cases/<int:pk>/review/comparison/",
        review_views.review_comparison,
        name="review_compare",
    ),
    path("cases/<int:pk>/review/assign/", review_views.review_assign, name="review_assign"),
    path("cases/<int:pk>/review/invite/", review_views.review_invite, name="review_invite"),
    path("cases/<int:pk>/refusal-notice/", review_views.refusal_notice, name="refusal_notice"),
    path("notice-board/", review_views.notice_board, name="notice_board"),
]
