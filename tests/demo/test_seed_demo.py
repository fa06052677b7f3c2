import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from archives.models import Archive, CategoryChange, ExitObjection
from assistance.eligibility import Category
from assistance.models import (
    Case,
    CaseDocument,
    CaseTransition,
    CaseUserObjectPermission,
    DuplicateClearance,
    HomeVisit,
    HomeVisitStaff,
    HouseholdMember,
    InformationComparison,
    MinimumLivingStandard,
    NoticeObjection,
)
from assistance.selectors import case_duplicates, submission_problems
from assistance.workflow import DECISION_ACTIONS, find_transition, organisation_at, workflow_of
from core.crypto import keyed_hash
from demo.cases import DEMO_CASES, demo_case_plan
from demo.review import DEMO_REVIEWS, REFUSE
from demo.seed import CITY_CODE
from funds.models import FundAccount, Grant, PaymentBatch, PaymentLine
from funds.services.ledger import balance


def test_seed_demo_builds_the_tree_and_prints_logins(db, media):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Organisation.objects.filter(level=Level.COUNTY).count() == 3
    assert Organisation.objects.filter(level=Level.GRASSROOTS).count() == 12
    assert MinimumLivingStandard.objects.count() == 6
    for role in Role.values:
        assert User.objects.filter(role_grants__role=role).exists(), role
    text = out.getvalue()
    assert "city_admin" in text and "Demo-2026!" in text
    admin = User.objects.get(username="city_admin")
    assert admin.history.earliest("history_date").history_user.username == "system"
    # The chain's staff: two caseworkers per union for its visits, two caseworkers and three
    # reviewers per county for its visits and its three decisions on a case.
    for county in ("jh", "yj", "jj"):
        for username in (f"{county}_caseworker2", f"{county}_reviewer2", f"{county}_reviewer3"):
            assert f"{username}（" in text
        for number in range(1, 5):
            assert f"{county}{number:02d}_caseworker2（经办人）" in text
    demo_users = User.objects.filter(organisation__city__code=CITY_CODE)
    assert demo_users.count() == 5 + 3 * 7 + 12 * 3
    for user in demo_users:
        assert f"{user.username}（" in text
    names = list(demo_users.values_list("full_name", flat=True))
    assert len(set(names)) == len(names)


def test_seed_demo_twice_changes_nothing(db, media):
    first = StringIO()
    call_command("seed_demo", stdout=first)
    count = User.objects.count()
    second = StringIO()
    call_command("seed_demo", stdout=second)
    assert User.objects.count() == count
    assert second.getvalue() == first.getvalue()


@pytest.fixture
def media(settings, seeded_once):
    """The demo's documents, where the module's seeding stored them."""
    settings.MEDIA_ROOT = seeded_once


@pytest.fixture(scope="module", autouse=True)
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo takes a minute to seed: it is seeded once for this module, inside a
    transaction rolled back at the module's end. Each test runs in a savepoint of it (the
    `db` fixture), and its own `seed_demo` call finds the demo there and only prints it."""
    media = tmp_path_factory.mktemp("demo-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield media
        transaction.set_rollback(True)


def _demo_cases():
    return Case.objects.filter(city__code=CITY_CODE)


def test_seed_demo_enters_applications_of_every_kind(db, media):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    cases = _demo_cases()
    assert cases.count() >= 36
    assert cases.values("organisation").distinct().count() == 12
    assessed = cases.exclude(assessment=None)
    assert assessed.count() == cases.count()
    assert set(assessed.values_list("category", flat=True)) == {*(c.value for c in Category), None}
    assert cases.filter(status=Case.Status.DRAFT).exists()
    assert cases.filter(status=Case.Status.SUBMITTED).exists()
    sizes = set(cases.values_list("household_size", flat=True))
    assert {1, 2, 3, 4, 5} <= sizes
    schools = set(HouseholdMember.objects.exclude(school="").values_list("school", flat=True))
    assert len(schools) >= 5
    assert "演示申请：共" in out.getvalue()


def test_seed_demo_cases_come_out_as_planned(db, media):
    call_command("seed_demo", stdout=StringIO())
    plan = demo_case_plan()
    names = [planned.fields["applicant_name"] for planned in plan]
    assert len(set(names)) == len(names)
    reasons = set()
    intake = {*CaseDocument.REQUIRED_FOR_SUBMISSION, CaseDocument.Type.SUPPLEMENT}
    for planned in plan:
        case = Case.objects.get(applicant_id_hash=keyed_hash(planned.fields["id_number"]))
        first_visit = case.visits.first()  # a visit may correct the figures, and the category
        entered = first_visit.assessment_before["category"] if first_visit else case.category
        assert entered == planned.spec.expect, case.applicant_name
        assert (case.status != Case.Status.DRAFT) == (planned.spec.stage == "submitted")
        assert case.organisation.code == f"{CITY_CODE}-{planned.spec.union}"
        caseworker = f"{planned.spec.union.replace('-', '')}_caseworker".lower()
        assert case.history.earliest("history_date").history_user.username == caseworker
        documents = case.documents.filter(doc_type__in=intake)
        assert {d.uploaded_by.username for d in documents} <= {caseworker}
        if case.category is None:
            reasons.update(case.assessment["reasons"])
    # Each kind of "not eligible": too much income, too little rigid expenses, retired, three
    # homes, a migrant worker without a year's labour relation, an exclusion, schooling.
    assert {
        "income_above_relative_line",
        "expenditure_below_minimum",
        "expenditure_too_low_for_relative",
        "retired",
        "assets_no_file",
        "migrant_not_eligible",
        "excluded_controlling_shareholder",
        "cause_education_no_relative",
    } <= reasons
    assert plan == demo_case_plan()


def test_seed_demo_submitted_cases_have_every_document(db, media):
    call_command("seed_demo", stdout=StringIO())
    required = set(CaseDocument.REQUIRED_FOR_SUBMISSION)
    for case in _demo_cases().exclude(status=Case.Status.DRAFT):
        present = set(case.documents.filter(removed=False).values_list("doc_type", flat=True))
        assert present >= required, case.applicant_name
    for case in _demo_cases().filter(status=Case.Status.SUBMITTED, visits=None):
        present = set(case.documents.filter(removed=False).values_list("doc_type", flat=True))
        assert present == required, case.applicant_name
    drafts = _demo_cases().filter(status=Case.Status.DRAFT)
    assert any(submission_problems(case) for case in drafts)
    for document in CaseDocument.objects.all()[:12]:
        with document.file.open("rb") as file:
            assert file.read(5) in (b"%PDF-", b"\x89PNG\r")


def test_seed_demo_flags_and_clears_duplicates(db, media):
    call_command("seed_demo", stdout=StringIO())
    duplicates = {case: case_duplicates(case) for case in _demo_cases()}
    uncleared = [case for case, found in duplicates.items() if any(not d.cleared for d in found)]
    cleared = [case for case, found in duplicates.items() if any(d.cleared for d in found)]
    assert uncleared and cleared
    flagged_draft = next(c for c in uncleared if c.status == Case.Status.DRAFT)
    assert any("须由审核人登记说明" in p for p in submission_problems(flagged_draft))
    other = next(d.other_case for d in duplicates[flagged_draft])
    assert other.county == flagged_draft.county and other.organisation != flagged_draft.organisation
    clearance = DuplicateClearance.objects.select_related("cleared_by", "case").first()
    assert clearance.cleared_by.username == "jh_reviewer" and clearance.reason
    assert clearance.case.status not in (Case.Status.DRAFT, *Case.CLOSED_STATUSES)


SEEDED_MODELS = (
    Case,
    HouseholdMember,
    CaseDocument,
    DuplicateClearance,
    Case.history.model,
    CaseTransition,
    HomeVisit,
    HomeVisitStaff,
    InformationComparison,
    NoticeObjection,
    CaseUserObjectPermission,
)


def test_seed_demo_twice_keeps_the_applications(db, media):
    call_command("seed_demo", stdout=StringIO())
    counts = [model.objects.count() for model in SEEDED_MODELS]
    states = dict(_demo_cases().values_list("number", "status"))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts == [model.objects.count() for model in SEEDED_MODELS]
    assert states == dict(_demo_cases().values_list("number", "status"))
    assert f"共 {counts[0]} 份" in out.getvalue()


# --- The review chain -------------------------------------------------------------------


def _transition(case: Case, action: str) -> CaseTransition:
    return case.transitions.get(action=action)


def test_seed_demo_moves_the_submitted_cases_along_the_chain(db, media):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    S = Case.Status
    # This year's applications; last year's households are all approved (their archives).
    this_year = _demo_cases().filter(application_date__year=2026)
    status = Counter(this_year.values_list("status", flat=True))
    for state in (S.SUBMITTED, S.COUNTY_REVIEW, S.COMPARISON, S.NOTICE, S.REJECTED):
        assert status[state] >= 2, state
        assert f"{state.label} {status[state]}" in out.getvalue()
    assert "审核进度：" in out.getvalue()
    # Approval needs the notice to have ended; notices passed while seeding start today.
    assert not status[S.APPROVED] and not status[S.RETURNED]
    last_year = _demo_cases().filter(application_date__year=2025)
    assert set(last_year.values_list("status", flat=True)) == {S.APPROVED}
    assert sum(status.values()) - status[S.DRAFT] == 26
    for case in this_year.filter(status=S.NOTICE):
        assert case.notice_start == timezone.localdate() and case.notice_end > case.notice_start
        assert case.category is not None

    # A grassroots queue, some of it visited already and waiting for the reviewer's decision.
    waiting = this_year.filter(status=S.SUBMITTED)
    assert waiting.filter(visits=None).exists() and waiting.exclude(visits=None).exists()
    assert waiting.filter(category=None).exists()

    # Every case past the grassroots review was visited by two or more of its union's staff,
    # with a survey on file.
    for case in _demo_cases().filter(status__in=[S.COUNTY_REVIEW, S.COMPARISON, S.NOTICE]):
        assert case.visits.filter(level=Level.GRASSROOTS).exists(), case.applicant_name
    for visit in HomeVisit.objects.select_related("case", "survey", "organisation"):
        staff = [s.user for s in visit.staff.select_related("user")]
        assert len(staff) >= 2
        assert {user.organisation_id for user in staff} == {visit.organisation_id}
        assert visit.organisation == organisation_at(visit.case, visit.level)
        assert visit.survey.doc_type == CaseDocument.Type.VISIT_SURVEY
        assert visit.survey.uploaded_by == visit.recorded_by
        with visit.survey.file.open("rb") as file:
            assert file.read(5) == b"%PDF-"
    # One visit corrected the figures, and with them the category.
    corrected = HomeVisit.objects.exclude(verified={}).get()
    assert corrected.assessment_after["category"] != corrected.assessment_before["category"]
    assert corrected.case.category == corrected.assessment_after["category"]

    # The county doubted one case, visited it itself, then forwarded it.
    doubtful = _demo_cases().get(doubtful=True)
    assert doubtful.doubtful_reason
    county_visit = doubtful.visits.get(level=Level.COUNTY)
    assert county_visit.organisation == doubtful.county
    assert doubtful.status == S.COMPARISON
    assert _transition(doubtful, "county_forward")

    # Comparisons with their reports: consistent ones passed to the notice, one inconsistent
    # refused for that reason.
    for comparison in InformationComparison.objects.select_related("report", "case"):
        assert comparison.report.doc_type == CaseDocument.Type.COMPARISON_REPORT
        assert comparison.recorded_by.organisation == comparison.case.county
    inconsistent = InformationComparison.objects.get(result="inconsistent").case
    assert inconsistent.status == S.REJECTED
    assert inconsistent.rejection_reasons == ["comparison_inconsistent"]
    assert _transition(inconsistent, "reject").actor.organisation == inconsistent.county

    # Refused at the grassroots: cases the assessment found ineligible, for its reasons.
    refused = _demo_cases().filter(status=S.REJECTED).exclude(pk=inconsistent.pk)
    assert refused.count() >= 2
    for case in refused:
        assert case.category is None
        assert case.rejection_reasons == sorted(case.assessment["reasons"])
        assert _transition(case, "reject").level == Level.GRASSROOTS

    # An objection during the notice sent one case back to the county.
    objection = NoticeObjection.objects.select_related("case", "recorded_by").get()
    assert objection.case.status == S.COUNTY_REVIEW
    assert objection.recorded_by.organisation == objection.case.organisation
    assert objection.case.notice_start == timezone.localdate()

    # Returned by the county for more material, supplemented and resubmitted to the county.
    resubmit = CaseTransition.objects.select_related("case").get(action="resubmit")
    returned = resubmit.case
    assert (resubmit.from_status, resubmit.to_status) == (S.RETURNED, S.COUNTY_REVIEW)
    assert returned.status == S.COUNTY_REVIEW and not returned.returned_to
    returned_by = _transition(returned, "return")
    assert returned_by.level == Level.COUNTY and returned_by.opinion
    supplement = returned.documents.get(doc_type=CaseDocument.Type.SUPPLEMENT)
    assert supplement.uploaded_by == resubmit.actor == returned.entered_by
    assert supplement.created_at < resubmit.created_at

    # One case assigned by name to a county reviewer.
    grant = CaseUserObjectPermission.objects.select_related("user", "content_object").get(
        permission__codename="review_case"
    )
    assert grant.content_object.status == S.COUNTY_REVIEW
    assert grant.user.username == "jh_reviewer2"
    assigned_by = grant.content_object.history.filter(history_change_reason__startswith="指派")
    assert assigned_by.get().history_user.username == "jh_reviewer"


def test_seed_demo_chain_is_taken_by_the_right_people(db, media):
    call_command("seed_demo", stdout=StringIO())
    transitions = CaseTransition.objects.select_related(
        "case__organisation", "case__county", "case__city", "case__policy", "actor"
    )
    assert transitions.exclude(action="submit").count() >= 40
    decisions: dict[int, list[int]] = {}
    for record in transitions:
        case = record.case
        step = find_transition(workflow_of(case), record.action, record.from_status)
        holder = organisation_at(case, step.level)
        assert record.actor.organisation_id == holder.pk, (case.applicant_name, record.action)
        assert record.actor.has_role(*step.roles)
        assert record.organisation_id == holder.pk
        assert record.history.get().history_user == record.actor
        if record.action in DECISION_ACTIONS:
            decisions.setdefault(case.pk, []).append(record.actor_id)
            assert record.actor_id != case.entered_by_id
    # Segregation of duties: nobody took two decisions on one case.
    for actors in decisions.values():
        assert len(actors) == len(set(actors))
    # Every record of the chain names who wrote it.
    for model in (HomeVisit, InformationComparison, NoticeObjection):
        for row in model.objects.all():
            assert row.history.get().history_user == row.recorded_by


def test_seed_demo_review_plan_fits_the_cases(db):
    submitted = {(spec.union, spec.date): spec for spec in DEMO_CASES if spec.stage == "submitted"}
    assert len(submitted) == sum(spec.stage == "submitted" for spec in DEMO_CASES)
    planned = [(review.union, review.date) for review in DEMO_REVIEWS]
    assert len(set(planned)) == len(planned)
    for review in DEMO_REVIEWS:
        spec = submitted[(review.union, review.date)]
        assert (REFUSE in review.steps) == (spec.expect is None and review.status == "rejected")


# --- The archives ------------------------------------------------------------------------


def test_seed_demo_archives_last_years_households_in_every_state(db, media):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    archives = Archive.objects.filter(city__code=CITY_CODE)
    status = Counter(archives.values_list("status", flat=True))
    A = Archive.Status
    assert status == {A.OPEN: 5, A.PHASE_OUT: 1, A.EXITING: 1, A.CLOSED: 1}
    assert "困难职工档案：在档 5，脱困渐退期 1，退档告知期 1，已退档 1" in out.getvalue()
    today = timezone.localdate()
    # Each approved on the day after its notice ended, by the county's third reviewer.
    for archive in archives.select_related("case"):
        assert archive.opened_on == archive.case.notice_end + datetime.timedelta(days=1)
        assert archive.events.get(kind="opened").actor.username.endswith("_reviewer3")
    on_cycle = archives.filter(status=A.OPEN)
    assert on_cycle.filter(verification_due__lt=today).count() >= 2  # overdue
    assert on_cycle.filter(verification_due__gte=today).exists()
    change = CategoryChange.objects.get(archive__city__code=CITY_CODE)
    assert (change.status, change.from_category, change.to_category) == (
        "pending",
        "relative",
        "deep",
    )
    phase_out = archives.get(status=A.PHASE_OUT)
    assert phase_out.phase_out_until == datetime.date(2027, 2, 20)
    objection = ExitObjection.objects.get(archive__city__code=CITY_CODE)
    assert objection.decided_on is None and objection.decide_by > objection.received_on
    assert archives.filter(events__kind="assisted").count() == 4
    closed = archives.get(status=A.CLOSED)
    assert closed.close_reason == Archive.CloseReason.REQUEST
    assert closed.retain_until == datetime.date(2056, 9, 1)


def test_seed_demo_moves_this_years_money_down_to_the_workers(db, media):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (
        "帮扶资金：到账 5 笔共 1,850,000.00 元，下拨 12 笔，发放到账 4 笔共 32,840.00 元，"
        "发放失败 1 笔" in out.getvalue()
    )
    accounts = FundAccount.objects.filter(city__code=CITY_CODE)
    assert accounts.count() == 4
    # Every account's balance is the sum of its entries; the city kept October's money.
    city = accounts.get(county=None)
    assert balance(city) == Decimal("200000.00")
    assert sum((balance(a) for a in accounts), Decimal(0)) == Decimal("1850000.00") - Decimal(
        "32840.00"
    )
    grants = Counter(Grant.objects.filter(city__code=CITY_CODE).values_list("status", flat=True))
    assert grants == {"paid": 4, "approved": 2, "proposed": 1}
    assert set(PaymentBatch.objects.values_list("status", flat=True)) == {"settled"}
    assert all(batch.bank_slip for batch in PaymentBatch.objects.all())
    failed = PaymentLine.objects.get(status="failed")
    assert failed.failure_reason == "收款账户已销户" and not failed.entries.exists()
