"""Documents of an application: type- and size-checked, stored outside the web root."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import scope_queryset
from assistance.models import Case, CaseDocument, SurveySignature
from core.history import save_tracked
from core.lifecycle import locked
from core.service_forms import human_size

# What a file's first bytes must be for each accepted kind, and the names it may carry.
SIGNATURES = {
    "application/pdf": (b"%PDF-", {".pdf"}),
    "image/jpeg": (b"\xff\xd8\xff", {".jpg", ".jpeg"}),
    "image/png": (b"\x89PNG\r\n\x1a\n", {".png"}),
}


def sniff_content_type(upload: UploadedFile) -> str:
    """The real type of an upload, from its content and its name; a mismatch is refused."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    suffix = Path(upload.name or "").suffix.lower()
    for content_type, (signature, suffixes) in SIGNATURES.items():
        if head.startswith(signature):
            if suffix not in suffixes:
                raise ValidationError(
                    {"file": f"文件内容是 {content_type}，与扩展名“{suffix or '无'}”不符。"}
                )
            return content_type
    raise ValidationError({"file": "只接受 PDF、JPG、PNG 文件；该文件的内容不是这几种格式之一。"})


def check_size(size: int) -> None:
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError({"file": f"文件超过 {human_size(limit)}，请压缩或拆分后上传。"})
    if size == 0:
        raise ValidationError({"file": "文件是空的。"})


def _lock_case_for_documents(actor: User, case: Case) -> Case:
    if not actor.has_role(Role.CASEWORKER):
        raise PermissionDenied("只有经办人可以上传或撤下申请材料。")
    case = scope_queryset(Case.objects.select_for_update(), actor).filter(pk=case.pk).first()
    if case is None:
        raise PermissionDenied("该申请不在您的管理范围内。")
    if not case.is_editable:
        raise ValidationError("申请已提交，材料只能在退回补充时或通过审核流程补充。")
    return case


@transaction.atomic
def document_upload(
    *, actor: User, case: Case, doc_type: str, upload: UploadedFile
) -> CaseDocument:
    """A caseworker adds a document to a draft or to a case returned for more material."""
    case = _lock_case_for_documents(actor, case)
    return store_document(actor=actor, case=case, doc_type=doc_type, upload=upload)


def store_document(*, actor: User, case: Case, doc_type: str, upload: UploadedFile) -> CaseDocument:
    """Check and store one upload of a case the caller has locked and may write to."""
    check_size(upload.size)
    content_type = sniff_content_type(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = CaseDocument(
        case=case,
        doc_type=doc_type,
        file=upload,
        original_name=Path(upload.name).name[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    return save_tracked(
        document, actor=actor, reason=f"上传材料：{document.get_doc_type_display()}"
    )


@transaction.atomic
def document_remove(*, actor: User, document: CaseDocument) -> CaseDocument:
    """Take a document out of the application; the file and its history are kept."""
    _lock_case_for_documents(actor, document.case)
    document = locked(CaseDocument, document.pk)
    document.removed = True
    return save_tracked(
        document,
        actor=actor,
        reason=f"撤下材料：{document.get_doc_type_display()}",
        update_fields=["removed", "updated_at"],
    )


# Where the survey is named: intake visits (WH-M §10(二)), archive visits (WH-M §17).
INTAKE_SURVEY_CLAUSE = "芜湖实施办法第十条第二项"
ARCHIVE_SURVEY_CLAUSE = "芜湖实施办法第十七条"


def check_visit_survey(
    *, survey: UploadedFile | None, signature: str, note: str, clause: str
) -> tuple[str, str]:
    """A visit's record needs its filled 困难职工家庭走访调查表: the scan, or the survey entered
    in the system — the visit's staff, findings and figures as recorded, with the worker's
    signature on it; one who refuses or cannot sign has the visiting staff note why
    (as for the exit form, WH-M §14). Returns the signature and the note, cleaned."""
    signature, note = signature or "", note.strip()
    if signature and signature not in SurveySignature.values:
        raise ValidationError({"survey_signature": "调查表职工签字情况不正确。"})
    if survey is None and not signature:
        raise ValidationError(
            {
                "survey": "走访须有填写的《困难职工家庭走访调查表》：请上传调查表扫描件，"
                f"或在系统中填写调查表并登记职工签字情况（{clause}）。"
            }
        )
    if signature and signature != SurveySignature.SIGNED and not note:
        raise ValidationError(
            {
                "survey_note": "职工拒绝签字或无法签字的，须由走访人员注明情况"
                "（芜湖实施办法第十四条）。"
            }
        )
    return signature, note
