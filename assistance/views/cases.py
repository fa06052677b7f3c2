"""Intake screens: the case list, the application form with its live assessment, the case page."""

import re
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Level, Role
from accounts.selectors import organisation_choices_for_user
from assistance import services
from assistance.access import access_case, access_document
from assistance.assessment import MEMBER_DETAIL_FIELDS, PolicyNotFound, assess_case_values
from assistance.eligibility import Category, reason_text
from assistance.forms.cases import (
    CaseForm,
    DocumentUploadForm,
    DuplicateClearForm,
    MemberFormSet,
    WithdrawForm,
    check_applicant_not_member,
)
from assistance.models import CASE_ASSESSED_FIELDS, Case, CaseDocument
from assistance.selectors import (
    CASE_ORDERS,
    case_duplicates,
    case_list_for_user,
    duplicate_matches,
    personal_data_access_list_for_user,
    submission_problems,
)
from assistance.views.review import review_context
from core.client_ip import client_ip
from core.crypto import keyed_hash
from core.service_forms import NOT_DONE, int_or_none, paginate, run_service

ASSESSMENT_FIELDS = {"organisation", *CASE_ASSESSED_FIELDS}
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
HASH = re.compile(r"[0-9a-f]{64}")


@require_POST
@login_required
def case_search(request):
    """The list's search form posts here, so that an ID number typed into it never appears
    in a URL (and so in the web server's logs or the browser's history): it is replaced by
    its keyed hash, and the list is shown by a redirect."""
    params = {
        k: v for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken", "page"} and v
    }
    query = params.get("q", "").strip()
    if ID_NUMBER.fullmatch(query):
        params.pop("q")
        params["person"] = keyed_hash(query.upper())
    return redirect(f"{reverse('assistance:case_list')}?{urlencode(params)}")


@login_required
def case_list(request):
    params = request.GET
    person = params.get("person", "")
    filters = {
        "search": params.get("q", "").strip(),
        "person_hash": person if HASH.fullmatch(person) else "",
        "status": params.get("status", "") if params.get("status") in Case.Status.values else "",
        "category": params.get("category", "")
        if params.get("category") in {*Category, "none"}
        else "",
        "order": params.get("order") if params.get("order") in CASE_ORDERS else "-application_date",
    }
    org = params.get("organisation", "")
    filters["organisation_id"] = int_or_none(org)
    date_errors = []
    for key in ("date_from", "date_to"):
        value = params.get(key, "")
        try:
            filters[key] = _parse_date(value)
        except ValueError:
            filters[key] = None
            date_errors.append(f"日期“{value}”格式不正确，已忽略。")
    cases = case_list_for_user(request.user, **filters)
    return render(
        request,
        "assistance/case_list.html",
        {
            "page_obj": paginate(request, cases),
            "params": params,
            "statuses": Case.Status.choices,
            "categories": [*Category.choices(), ("none", "不符合建档条件")],
            "orders": CASE_ORDERS.items(),
            "unions": organisation_choices_for_user(request.user, levels=(Level.GRASSROOTS,)),
            "date_errors": date_errors,
        },
    )


def _parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _case_initial(case: Case) -> tuple[dict, list[dict]]:
    initial = {name: getattr(case, name) for name in CaseForm.Meta.fields}
    initial["organisation"] = case.organisation
    members = [
        {
            "pk": m.pk,
            "id_masked": m.id_masked,
            **{name: getattr(m, name) for name in MEMBER_DETAIL_FIELDS},
        }
        for m in case.members.all()
    ]
    return initial, members


def _case_form_page(request, case: Case | None):
    if case is None:
        initial, member_initial = {}, []
    else:
        initial, member_initial = _case_initial(case)
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, actor=request.user, initial=initial, editing=case)
    formset = MemberFormSet(data, initial=member_initial or None, prefix="members")
    if request.method == "POST":
        valid = form.is_valid() & formset.is_valid()
        if valid and check_applicant_not_member(form, formset):
            response = run_service(
                request,
                lambda data: _save(request.user, case, data, formset.members()),
                form=form,
                success=lambda outcome: f"已保存申请 {outcome.case.number}（草稿）。",
                done=lambda outcome: _saved(request, outcome),
            )
            if response is not None:
                return response
        else:
            messages.error(request, NOT_DONE)
    return render(
        request,
        "assistance/case_form.html",
        {
            "form": form,
            "formset": formset,
            "case": case,
            "preview": _preview(request, form, formset) if request.method == "POST" else None,
        },
    )


def _save(actor, case: Case | None, data: dict, members):
    fields = dict(data)
    organisation = fields.pop("organisation")
    if case is None:
        return services.case_create(
            actor=actor, organisation=organisation, fields=fields, members=members
        )
    return services.case_update(actor=actor, case=case, fields=fields, members=members)


def _saved(request, outcome):
    if outcome.warning:
        messages.warning(request, outcome.warning)
    return redirect("assistance:case_detail", pk=outcome.case.pk)


@role_required(Role.CASEWORKER)
def case_create(request):
    return _case_form_page(request, None)


@login_required
def case_edit(request, pk: int):
    return _case_form_page(request, access_case(request.user, pk, perm="edit"))


def _preview(request, form: CaseForm, formset) -> dict:
    """The live assessment of what is on the form, valid or not yet."""
    form.is_valid()
    formset.is_valid()
    blocking = sorted(
        str(form.fields[name].label) for name in form.errors if name in ASSESSMENT_FIELDS
    )
    if blocking or not formset.is_valid():
        return {"problems": blocking or ["家庭成员"]}
    values = form.cleaned_data
    members = formset.members()
    try:
        result = assess_case_values(values, members, organisation=values["organisation"])
    except PolicyNotFound as exc:
        return {"problems": [], "error": str(exc)}
    people = {}
    if values.get("id_number"):
        people[keyed_hash(values["id_number"])] = values.get("applicant_name") or "申请人"
    people.update({keyed_hash(m.id_number): m.name for m in members if m.id_number})
    duplicates = duplicate_matches(people, exclude_case_id=form.editing_pk)
    return {
        "assessment": result.assessment,
        "reasons": [reason_text(code) for code in result.assessment.reasons],
        "category_label": Category(result.assessment.category).label
        if result.assessment.category
        else None,
        "policy": result.policy,
        "mls": result.minimum_living_standard,
        "household_size": 1 + len(members),
        "students": sum(1 for m in members if m.school),
        "duplicates": _with_visibility(request.user, duplicates),
    }


def _with_visibility(user, duplicates) -> list:
    """Each duplicate with whether this user may open the other record (else: its union)."""
    visible = set(
        case_list_for_user(user)
        .filter(pk__in=[d.other_case.pk for d in duplicates])
        .values_list("pk", flat=True)
    )
    return [(d, d.other_case.pk in visible) for d in duplicates]


@require_POST
@role_required(Role.CASEWORKER)
def case_preview(request):
    case_id = request.POST.get("case_id", "")
    pk = int_or_none(case_id)
    case = access_case(request.user, pk, perm="edit") if pk is not None else None
    form = CaseForm(
        request.POST,
        actor=request.user,
        editing=case,
        initial={"organisation": case.organisation} if case else None,
    )
    formset = MemberFormSet(request.POST, prefix="members")
    return render(
        request, "assistance/_assessment.html", {"preview": _preview(request, form, formset)}
    )


@login_required
def case_detail(request, pk: int, revealed=None):
    case = access_case(request.user, pk)
    documents = list(case.documents.filter(removed=False).select_related("uploaded_by"))
    # Documents in the checklist's order; the upload form offers the first missing type.
    order = {t: i for i, t in enumerate(CaseDocument.REQUIRED_FOR_SUBMISSION)}
    documents.sort(key=lambda d: (order.get(d.doc_type, len(order)), d.pk))
    present = {d.doc_type for d in documents}
    missing = [t for t in CaseDocument.REQUIRED_FOR_SUBMISSION if t not in present]
    return render(
        request,
        "assistance/case_detail.html",
        {
            "case": case,
            "members": list(case.members.all()),
            "documents": documents,
            "checklist": [(t, t in present) for t in CaseDocument.REQUIRED_FOR_SUBMISSION],
            "duplicates": _with_visibility(request.user, case_duplicates(case)),
            "reasons": [reason_text(code) for code in (case.assessment or {}).get("reasons", [])],
            "category_label": Category(case.category).label if case.category else None,
            "problems": submission_problems(case) if case.is_editable else [],
            "upload_form": DocumentUploadForm(
                initial={"doc_type": missing[0] if missing else None}
            ),
            "clear_form": DuplicateClearForm(),
            "revealed": revealed,
            "can_edit": case.is_editable and request.user.has_role(Role.CASEWORKER),
            "can_clear": request.user.has_role(Role.REVIEWER),
            "max_mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024),
            **review_context(request, case),
        },
    )


@never_cache
@require_POST
@login_required
def case_reveal(request, pk: int):
    case = access_case(request.user, pk)
    revealed = services.personal_data_reveal(
        actor=request.user, case=case, ip_address=client_ip(request)
    )
    return case_detail(request, pk, revealed=revealed)


@login_required
def case_submit(request, pk: int):
    case = access_case(request.user, pk, perm="edit")
    if request.method == "POST":
        back = redirect("assistance:case_detail", pk=case.pk)
        run_service(
            request,
            lambda data: services.case_submit(actor=request.user, case=case),
            success=f"申请 {case.number} 已提交，申请人信息已锁定。",
            done=lambda submitted: back,
        )
        return back
    return render(
        request,
        "assistance/case_submit.html",
        {"case": case, "problems": submission_problems(case)},
    )


@require_POST
@login_required
def document_upload(request, pk: int):
    case = access_case(request.user, pk, perm="edit")
    form = DocumentUploadForm(request.POST, request.FILES)
    back = redirect("assistance:case_detail", pk=case.pk)
    if not form.is_valid():
        # The page shown next is the case page: what was wrong goes into the messages.
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"未上传：{message}")
        return back
    run_service(
        request,
        lambda data: services.document_upload(
            actor=request.user,
            case=case,
            doc_type=form.cleaned_data["doc_type"],
            upload=form.cleaned_data["file"],
        ),
        success=lambda document: f"已上传：{document}",
        done=lambda document: back,
        not_done="未上传",
    )
    return back


@login_required
def document_download(request, pk: int, doc_pk: int):
    document = access_document(request.user, pk, doc_pk)
    services.document_access_log(
        actor=request.user, document=document, ip_address=client_ip(request)
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_POST
@login_required
def document_remove(request, pk: int, doc_pk: int):
    access_case(request.user, pk, perm="edit")
    document = access_document(request.user, pk, doc_pk)
    back = redirect("assistance:case_detail", pk=pk)
    run_service(
        request,
        lambda data: services.document_remove(actor=request.user, document=document),
        success=f"已撤下：{document}",
        done=lambda removed: back,
        not_done="未撤下",
    )
    return back


@require_POST
@role_required(Role.REVIEWER)
def duplicate_clear(request, pk: int):
    case = access_case(request.user, pk)
    form = DuplicateClearForm(request.POST)
    back = redirect("assistance:case_detail", pk=pk)
    if not form.is_valid():
        messages.error(request, "请填写说明。")
        return back
    run_service(
        request,
        lambda data: services.duplicate_clear(
            actor=request.user,
            case=case,
            id_hash=form.cleaned_data["id_hash"],
            other_case_id=form.cleaned_data["other_case"],
            reason=form.cleaned_data["reason"],
        ),
        success="已登记说明。",
        done=lambda clearance: back,
    )
    return back


@role_required(Role.AUDITOR, Role.ADMIN)
def access_log(request):
    return render(
        request,
        "assistance/access_log.html",
        {
            "page_obj": paginate(
                request, personal_data_access_list_for_user(request.user), per_page=50
            )
        },
    )


@login_required
def case_withdraw(request, pk: int):
    case = access_case(request.user, pk, perm="edit")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST":
        response = run_service(
            request,
            lambda data: services.case_withdraw(
                actor=request.user, case=case, reason=data["reason"]
            ),
            form=form,
            success=f"申请 {case.number} 已撤回，记录保留备查。",
            done=lambda withdrawn: redirect("assistance:case_detail", pk=case.pk),
        )
        if response is not None:
            return response
    return render(request, "assistance/case_withdraw.html", {"case": case, "form": form})
