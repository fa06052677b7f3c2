"""Every write of the assistance app, one function per action."""

from assistance.services.cases import (
    MemberInput,
    case_create,
    case_submit,
    case_update,
    case_withdraw,
    document_access_log,
    duplicate_clear,
    personal_data_reveal,
)
from assistance.services.documents import document_remove, document_upload
from assistance.services.policy import minimum_living_standard_create, policy_create
from assistance.services.review import (
    case_assign_reviewer,
    case_flag_doubtful,
    case_forward,
    case_reject,
    case_return,
    case_share_for_visit,
    comparison_record,
    notice_objection,
    visit_record,
)

__all__ = [
    "MemberInput",
    "case_assign_reviewer",
    "case_flag_doubtful",
    "case_forward",
    "case_reject",
    "case_return",
    "case_share_for_visit",
    "comparison_record",
    "notice_objection",
    "visit_record",
    "case_create",
    "case_submit",
    "case_update",
    "case_withdraw",
    "document_access_log",
    "document_remove",
    "document_upload",
    "duplicate_clear",
    "minimum_living_standard_create",
    "personal_data_reveal",
    "policy_create",
]
