"""Intake: a caseworker enters, edits and submits a household's application."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from accounts.selectors import in_scope, scope_queryset
from assistance.assessment import (
    MEMBER_DETAIL_FIELDS,
    MemberInput,
    assess_case_values,
    store_assessment,
)
from assistance.models import (
    CASE_INPUT_FIELDS,
    Case,
    CaseDocument,
    DuplicateClearance,
    HouseholdMember,
    PersonalDataAccess,
)
from assistance.rules import bank_card_digits
from assistance.selectors.cases import case_duplicates, member_inputs, submission_problems
from assistance.selectors.policy import PolicyNotFound
from assistance.services.review import take_transition
from core.crypto import decrypt, encrypt, keyed_hash, mask, mask_card
from core.history import delete_tracked, save_tracked
from core.id_numbers import validate_id_number
from core.lifecycle import locked

__all__ = [
    "AssessmentOutcome",
    "MemberInput",
    "case_create",
    "case_submit",
    "case_update",
    "case_withdraw",
    "document_access_log",
    "duplicate_clear",
    "personal_data_reveal",
]


@dataclass(frozen=True)
class AssessmentOutcome:
    case: Case
    warning: str = ""


def _require_caseworker_over(actor: User, organisation: Organisation) -> None:
    if not actor.has_role(Role.CASEWORKER):
        raise PermissionDenied("只有经办人可以录入帮扶申请。")
    if organisation.level != Level.GRASSROOTS:
        raise ValidationError({"organisation": "请选择受理申请的基层工会。"})
    if not scope_queryset(Organisation.objects.all(), actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied("该基层工会不在您的管理范围内。")


def _lock_editable(actor: User, case: Case) -> Case:
    case = locked(Case, case.pk)
    _require_caseworker_over(actor, case.organisation)
    if not case.is_editable:
        raise ValidationError("申请已提交，申请人信息已锁定，只能通过审核流程修改。")
    return case


def _set_applicant(case: Case, fields: dict) -> None:
    """Copy the applicant's fields; a number left blank on an edit keeps the stored one."""
    for name in CASE_INPUT_FIELDS:
        setattr(case, name, fields[name])
    id_number = ric.compact(fields["id_number"]) if fields["id_number"] else ""
    if id_number and keyed_hash(id_number) != case.applicant_id_hash:
        case.applicant_id_cipher = encrypt(id_number)
        case.applicant_id_hash = keyed_hash(id_number)
        case.applicant_id_masked = mask(id_number)
        case.birth_date = ric.get_birth_date(id_number)
        case.sex = Case.Sex.MALE if int(id_number[16]) % 2 else Case.Sex.FEMALE
    bank_card = fields["bank_card"].replace(" ", "")
    if bank_card and (not case.bank_card_cipher or decrypt(case.bank_card_cipher) != bank_card):
        case.bank_card_cipher = encrypt(bank_card)
        case.bank_card_masked = mask_card(bank_card)
    if not case.bank_card_cipher:
        raise ValidationError({"bank_card": "请输入银行卡号。"})


def _sync_members(actor: User, case: Case, members: list[MemberInput]) -> None:
    existing = {member.pk: member for member in case.members.select_for_update()}
    kept = {member.pk for member in members if member.pk in existing}
    for pk in set(existing) - kept:
        delete_tracked(existing[pk], actor=actor, reason="删除家庭成员")
    for entry in members:
        member = existing.get(entry.pk) or HouseholdMember(case=case)
        id_number = ric.compact(entry.id_number) if entry.id_number else ""
        if id_number and keyed_hash(id_number) != member.id_hash:
            member.id_cipher = encrypt(id_number)
            member.id_hash = keyed_hash(id_number)
            member.id_masked = mask(id_number)
        for name in MEMBER_DETAIL_FIELDS:
            setattr(member, name, getattr(entry, name))
        save_tracked(member, actor=actor, reason="修改家庭成员" if member.pk else "新增家庭成员")


def _validate_input(fields: dict, members: list[MemberInput], case: Case | None = None) -> None:
    """What the form checks, checked again here for every caller.

    The application date is not in the future; the bank card is digits; every person has
    an ID number (on an edit, a blank one keeps the stored number); one person stands once
    per household and the applicant is not listed again as a member.
    """
    if fields["application_date"] > timezone.localdate():
        raise ValidationError({"application_date": "申请日期不能晚于今天。"})
    try:
        bank_card_digits(fields["bank_card"])
    except ValidationError as exc:
        raise ValidationError({"bank_card": exc}) from exc
    stored = {m.pk: m.id_hash for m in case.members.all()} if case else {}
    if fields["id_number"]:
        applicant = keyed_hash(validate_id_number(fields["id_number"]))
    elif case is not None:
        applicant = case.applicant_id_hash
    else:
        raise ValidationError({"id_number": "请输入身份证号。"})
    seen = {applicant}
    for index, member in enumerate(members, start=1):
        if member.id_number:
            digest = keyed_hash(validate_id_number(member.id_number))
        elif member.pk in stored:
            digest = stored[member.pk]
        else:
            raise ValidationError(
                {"members": f"第 {index} 位家庭成员（{member.name}）缺少身份证号。"}
            )
        if digest in seen:
            raise ValidationError(
                {
                    "members": f"第 {index} 位家庭成员（{member.name}）与申请人或其他成员身份证号重复。"
                }
            )
        seen.add(digest)


# What an edit of the applicant's data may change on the case row.
EDITED_FIELDS = (
    *CASE_INPUT_FIELDS,
    "applicant_id_cipher",
    "applicant_id_hash",
    "applicant_id_masked",
    "birth_date",
    "sex",
    "bank_card_cipher",
    "bank_card_masked",
    "household_size",
    "students",
    "updated_at",
)


def _reassess(actor: User, case: Case, members: list[MemberInput], reason: str) -> str:
    """Save the case with its assessment under the policy and 低保 in force on the
    application date; without them, unassessed, with a warning for the caseworker."""
    case.household_size = 1 + len(members)
    case.students = sum(1 for member in members if member.school)
    values = {name: getattr(case, name) for name in CASE_INPUT_FIELDS}
    try:
        result = assess_case_values(values, members, organisation=case.organisation)
    except PolicyNotFound as exc:
        result, warning = None, f"未能评估：{exc} 请联系系统管理员。"
    else:
        warning = ""
    fields = store_assessment(case, result)
    save_tracked(case, actor=actor, reason=reason, update_fields=[*EDITED_FIELDS, *fields])
    return warning


@transaction.atomic
def case_create(
    *,
    actor: User,
    organisation: Organisation,
    fields: dict,
    members: list[MemberInput],
) -> AssessmentOutcome:
    """A new draft application, assessed and stored with the policy it was assessed under."""
    _require_caseworker_over(actor, organisation)
    _validate_input(fields, members)
    case = Case(
        organisation=organisation,
        county=organisation.county,
        city=organisation.city,
        entered_by=actor,
    )
    _set_applicant(case, fields)
    case.household_size = 1 + len(members)
    case.students = sum(1 for member in members if member.school)
    save_tracked(case, actor=actor, reason="新建申请（草稿）")
    case.number = f"{case.application_date:%Y}{case.pk:06d}"
    save_tracked(case, actor=actor, reason="分配申请编号", update_fields=["number"])
    _sync_members(actor, case, members)
    warning = _reassess(actor, case, members, "评估")
    return AssessmentOutcome(case=case, warning=warning)


@transaction.atomic
def case_update(
    *, actor: User, case: Case, fields: dict, members: list[MemberInput]
) -> AssessmentOutcome:
    case = _lock_editable(actor, case)
    _validate_input(fields, members, case)
    _set_applicant(case, fields)
    _sync_members(actor, case, members)
    warning = _reassess(actor, case, members, "修改申请（草稿）")
    return AssessmentOutcome(case=case, warning=warning)


@transaction.atomic
def case_submit(*, actor: User, case: Case) -> Case:
    """Submit a draft to the grassroots review, or a returned case back to where it was."""
    case = _lock_editable(actor, case)
    if case.assessment is None:
        # Only a case saved before its policy or 低保 was on file is assessed here: a stored
        # assessment stands as saved, whatever policy or 低保 was entered since.
        _reassess(actor, case, member_inputs(case), "提交前评估")
    problems = submission_problems(case)
    if problems:
        raise ValidationError(problems)
    action = "submit" if case.status == Case.Status.DRAFT else "resubmit"
    return take_transition(actor=actor, case=case, action=action)


@transaction.atomic
def case_withdraw(*, actor: User, case: Case, reason: str) -> Case:
    """A draft the household no longer pursues (or entered by mistake) is withdrawn.

    It stays on file, read-only, and no longer counts as an open application.
    """
    case = _lock_editable(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤回原因。"})
    return take_transition(actor=actor, case=case, action="withdraw", opinion=reason)


@transaction.atomic
def duplicate_clear(
    *, actor: User, case: Case, id_hash: str, other_case_id: int, reason: str
) -> DuplicateClearance:
    """A reviewer records why a person may stand both here and in another open application.

    The other application may belong to a union the reviewer cannot see; only a real,
    current duplicate of this case can be cleared.
    """
    if not actor.has_role(Role.REVIEWER):
        raise PermissionDenied("只有审核人可以登记重复申请说明。")
    case = scope_queryset(Case.objects.select_for_update(), actor).filter(pk=case.pk).first()
    if case is None:
        raise PermissionDenied("该申请不在您的管理范围内。")
    if not reason.strip():
        raise ValidationError({"reason": "请说明两份申请为何可以同时存在。"})
    match = next(
        (
            d
            for d in case_duplicates(case)
            if (d.id_hash, d.other_case_id) == (id_hash, other_case_id)
        ),
        None,
    )
    if match is None:
        raise ValidationError("该人员当前没有重复的在办申请。")
    clearance = DuplicateClearance(
        case=case,
        id_hash=id_hash,
        person_name=match.person_name,
        other_case=match.other_case,
        reason=reason.strip(),
        cleared_by=actor,
    )
    return save_tracked(clearance, actor=actor, reason="登记重复申请说明")


@dataclass(frozen=True)
class RevealedNumbers:
    applicant_id: str
    bank_card: str
    members: dict[int, str]


@transaction.atomic
def personal_data_reveal(*, actor: User, case: Case, ip_address: str | None) -> RevealedNumbers:
    """The full ID and bank card numbers of a case, for a user who may see it; logged."""
    if not in_scope(actor, case):
        raise PermissionDenied("该申请不在您的管理范围内。")
    members = list(case.members.all())
    access = PersonalDataAccess(
        user=actor,
        case=case,
        fields=["申请人身份证号", "银行卡号", *[f"{m.name}身份证号" for m in members]],
        ip_address=ip_address,
    )
    save_tracked(access, actor=actor, reason="查看完整个人信息")
    return RevealedNumbers(
        applicant_id=decrypt(case.applicant_id_cipher),
        bank_card=decrypt(case.bank_card_cipher),
        members={m.pk: decrypt(m.id_cipher) for m in members},
    )


@transaction.atomic
def document_access_log(
    *, actor: User, document: CaseDocument, ip_address: str | None
) -> PersonalDataAccess:
    """A downloaded document (an ID card, a household register …) is personal data: logged."""
    access = PersonalDataAccess(
        user=actor,
        case=document.case,
        fields=[f"材料：{document.get_doc_type_display()}（{document.original_name}）"],
        ip_address=ip_address,
    )
    return save_tracked(access, actor=actor, reason="下载申请材料")
