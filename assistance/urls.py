from django.urls import path

from assistance.views import cases, policy, review

app_name = "assistance"

urlpatterns = [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/search/", cases.case_search, name="case_search"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/preview/", cases.case_preview, name="case_preview"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/reveal/", cases.case_reveal, name="case_reveal"),
    path("cases/<int:pk>/submit/", cases.case_submit, name="case_submit"),
    path("cases/<int:pk>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("cases/<int:pk>/documents/", cases.document_upload, name="document_upload"),
    path(
        "cases/<int:pk>/documents/<int:doc_pk>/",
        cases.document_download,
        name="document_download",
    ),
    path(
        "cases/<int:pk>/documents/<int:doc_pk>/remove/",
        cases.document_remove,
        name="document_remove",
    ),
    path("cases/<int:pk>/duplicates/", cases.duplicate_clear, name="duplicate_clear"),
    path("access-log/", cases.access_log, name="access_log"),
    path("policies/", policy.policy_list_view, name="policy_list"),
    path("policies/new/", policy.policy_start, name="policy_start"),
    path("policies/<slug:code>/", policy.policy_detail, name="policy_detail"),
    path("policies/<slug:code>/new-version/", policy.policy_create, name="policy_create"),
    path("minimum-living-standards/new/", policy.minimum_living_standard_create, name="mls_create"),
]

# The review chain (assistance.views.review).
urlpatterns += [
    path("cases/<int:pk>/review/forward/", review.review_forward, name="review_forward"),
    path("cases/<int:pk>/review/reject/", review.review_reject, name="review_reject"),
    path("cases/<int:pk>/review/return/", review.review_return, name="review_return"),
    path("cases/<int:pk>/review/objection/", review.review_objection, name="review_objection"),
    path("cases/<int:pk>/review/visit/", review.review_visit, name="review_visit"),
    path("cases/<int:pk>/review/doubtful/", review.review_doubtful, name="review_flag"),
    path(
        "cases/<int:pk>/review/comparison/",
        review.review_comparison,
        name="review_compare",
    ),
    path("cases/<int:pk>/review/assign/", review.review_assign, name="review_assign"),
    path("cases/<int:pk>/review/invite/", review.review_invite, name="review_invite"),
    path("cases/<int:pk>/refusal-notice/", review.refusal_notice, name="refusal_notice"),
    path("notice-board/", review.notice_board, name="notice_board"),
]
