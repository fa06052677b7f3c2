"""The demo's review chain: the submitted applications moved along the Wuhu chain.

Each submitted demo application goes as far as its plan below says, every step through
the review services and by the member of staff who would take it: the union's two
caseworkers visit the household, the union's reviewer forwards or refuses, a county
reviewer marks a doubt, returns, assigns or forwards, the county's caseworkers visit and
record the information comparison, a second county reviewer passes the comparison, and
the union's caseworker records an objection during the notice or adds the material a
return asked for. So every queue of the chain has something in it and every history
reads as it would in real use.

No case is approved (已认定): the county confirms only after the notice has ended, and a
notice passed while seeding starts today. Confirming is left to whoever explores the demo
once the notice is over, by the county's third reviewer (the first two have decided on the
case already).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organisation, User
from assistance.eligibility import Category
from assistance.models import Case, CaseDocument, InformationComparison
from assistance.services import case_submit, document_upload
from assistance.services.review import (
    case_assign_reviewer,
    case_flag_doubtful,
    case_forward,
    case_reject,
    case_return,
    comparison_record,
    notice_objection,
    visit_record,
)
from demo.cases import PDF

# The steps, in the order they are taken when a plan names them.
VISIT = "visit"  # the union's two caseworkers visit the household (入户走访)
FORWARD = "forward"  # the union's reviewer: 初审通过，报县级审核
REFUSE = "refuse"  # the union's reviewer: 不予帮扶, with the assessment's own reasons
DOUBT = "doubt"  # a county reviewer marks the case 建档存疑
COUNTY_VISIT = "county_visit"  # the county's two caseworkers visit the household
RETURN = "return"  # a county reviewer returns the case for more material
RESUBMIT = "resubmit"  # the union's caseworker adds the material and resubmits
ASSIGN = "assign"  # the county's first reviewer assigns the case to the second
COUNTY_FORWARD = "county_forward"  # the county's first reviewer: 审核通过，转信息比对
CONSISTENT = "consistent"  # the county's caseworker records a consistent comparison
INCONSISTENT = "inconsistent"  # … an inconsistent one
PASS = "pass"  # the county's second reviewer: 比对符合，开始公示 (starts today)
COMPARISON_REFUSE = "comparison_refuse"  # the county's second reviewer refuses
OBJECTION = "objection"  # the union's caseworker records an objection to the notice

TO_COUNTY = (VISIT, FORWARD)
TO_COMPARISON = (*TO_COUNTY, COUNTY_FORWARD)
TO_NOTICE = (*TO_COMPARISON, CONSISTENT, PASS)


@dataclass(frozen=True)
class DemoReview:
    """How far one submitted demo application (union and application date) has got."""

    union: str
    date: str
    steps: tuple[str, ...]
    status: str  # where the steps leave it
    verified: dict = field(default_factory=dict)  # figures the grassroots visit corrected
    findings: str = ""  # what the grassroots visit found, where there is more to say
    text: str = ""  # the doubt, the return, the objection or the comparison's note
    county_findings: str = ""  # what the county's visit found
    raised_by: str = ""  # who objected to the notice


S = Case.Status

# fmt: off
DEMO_REVIEWS: tuple[DemoReview, ...] = (
    # 镜湖区
    DemoReview("JH-01", "01-05", TO_NOTICE, S.NOTICE),
    DemoReview("JH-04", "01-21", (REFUSE,), S.REJECTED),
    DemoReview("JH-02", "02-10", (*TO_NOTICE, OBJECTION), S.COUNTY_REVIEW,
               text="来信反映：申请人在菜市场门口经营早点摊，每月收入两千元左右，申请时未如实"
                    "申报。", raised_by="赭山街道居民（署名来信）"),
    DemoReview("JH-03", "03-02", TO_COMPARISON, S.COMPARISON),
    DemoReview("JH-01", "03-18", TO_NOTICE, S.NOTICE),
    DemoReview("JH-01", "04-09", (*TO_COUNTY, ASSIGN), S.COUNTY_REVIEW),
    DemoReview("JH-04", "05-20", (*TO_COUNTY, DOUBT, COUNTY_VISIT, COUNTY_FORWARD), S.COMPARISON,
               text="儿子周子轩同时列入周建华（芜湖纺织集团工会）的申请，两份申请都计入了他的"
                    "学费，须由县级入户核实其实际居住和学费负担情况。",
               county_findings="县级工会两名工作人员入户核实：周子轩寒暑假在父母两处轮流居住，"
                               "学费由父母各负担一半，与重复申请说明一致，申报的教育支出属实。"),
    DemoReview("JH-01", "06-22", (*TO_COUNTY, RETURN, RESUBMIT), S.COUNTY_REVIEW,
               text="申报住房租金每年14,400元，但未附租赁合同和租金支付凭证，请补充后重新提交。"),
    DemoReview("JH-04", "08-19", (VISIT,), S.SUBMITTED),
    # 弋江区
    DemoReview("YJ-01", "01-12", TO_NOTICE, S.NOTICE,
               verified={"income_wages": Decimal("96000")},
               findings="入户走访核实：申请人妻子在附近超市做理货员，每月收入约2,000元，申请时"
                        "未计入；家庭工资性收入核实为每年96,000元，医疗和教育支出属实。"),
    DemoReview("YJ-04", "01-28", (*TO_COMPARISON, INCONSISTENT, COMPARISON_REFUSE), S.REJECTED,
               text="民政家庭经济状况核对平台反馈：配偶另有企业年金每月1,600元，申请人名下登记"
                    "小型轿车一辆，均未申报。"),
    DemoReview("YJ-02", "02-24", TO_NOTICE, S.NOTICE),
    DemoReview("YJ-03", "03-09", TO_COMPARISON, S.COMPARISON),
    DemoReview("YJ-01", "04-27", TO_COUNTY, S.COUNTY_REVIEW),
    DemoReview("YJ-03", "06-15", (REFUSE,), S.REJECTED),
    # 鸠江区
    DemoReview("JJ-02", "01-15", TO_NOTICE, S.NOTICE),
    DemoReview("JJ-01", "02-03", TO_NOTICE, S.NOTICE),
    DemoReview("JJ-04", "02-17", TO_COMPARISON, S.COMPARISON),
    DemoReview("JJ-03", "03-24", TO_COUNTY, S.COUNTY_REVIEW),
    DemoReview("JJ-02", "04-16", (REFUSE,), S.REJECTED),
    DemoReview("JJ-04", "05-06", TO_COUNTY, S.COUNTY_REVIEW),
    DemoReview("JJ-01", "05-26", (VISIT,), S.SUBMITTED),
)
# fmt: on
# The other submitted applications (镜湖区赭山街道 09-15, which does not qualify; 弋江区中南社区
# 07-21; 鸠江区 08-04 and 09-02) wait for their union's first review.


def _pdf(case: Case, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        f"{case.applicant_name}-{title}.pdf", PDF, content_type="application/pdf"
    )


def _visit_date(case: Case, days: int) -> datetime.date:
    return min(case.application_date + datetime.timedelta(days=days), timezone.localdate())


class _Staff:
    """The demo users who act on one case: its union's and its county's."""

    def __init__(self, users: dict[str, User], union: str) -> None:
        county, number = union.lower().split("-")
        self.caseworkers = [users[f"{county}{number}_caseworker"]]
        self.caseworkers.append(users[f"{county}{number}_caseworker2"])
        self.reviewer = users[f"{county}{number}_reviewer"]
        self.county_caseworkers = [users[f"{county}_caseworker"], users[f"{county}_caseworker2"]]
        self.county_reviewers = [
            users[f"{county}_reviewer{n}"] for n in ("", "2", "3")
        ]  # the first forwards, the second passes the comparison, the third confirms


def _take(step: str, case: Case, plan: DemoReview, staff: _Staff) -> Case:
    caseworker, county_reviewer = staff.caseworkers[0], staff.county_reviewers[0]
    if step == VISIT:
        visit_record(
            actor=caseworker,
            case=case,
            visit_date=_visit_date(case, 7),
            staff=staff.caseworkers,
            findings=plan.findings
            or f"入户走访：{case.applicant_name}家共{case.household_size}人，"
            "家庭收入、支出和致困原因与申报一致。",
            survey=_pdf(case, "困难职工家庭走访调查表"),
            verified=plan.verified,
        )
    elif step == FORWARD:
        case_forward(
            actor=staff.reviewer,
            case=case,
            opinion="经两名工作人员入户走访核实，家庭情况与申报一致，同意报县级工会审核。",
        )
    elif step == REFUSE:
        case_reject(
            actor=staff.reviewer,
            case=case,
            opinion="经初审，家庭经济状况不符合建档条件，不予帮扶，已告知申请人。",
            reasons=case.assessment["reasons"],
        )
    elif step == DOUBT:
        case_flag_doubtful(actor=county_reviewer, case=case, reason=plan.text)
    elif step == COUNTY_VISIT:
        visit_record(
            actor=staff.county_caseworkers[0],
            case=case,
            visit_date=_visit_date(case, 21),
            staff=staff.county_caseworkers,
            findings=plan.county_findings,
            survey=_pdf(case, "县级入户核查记录"),
        )
    elif step == RETURN:
        case_return(actor=staff.county_reviewers[2], case=case, opinion=plan.text)
    elif step == RESUBMIT:
        document_upload(
            actor=caseworker,
            case=case,
            doc_type=CaseDocument.Type.SUPPLEMENT,
            upload=_pdf(case, "房屋租赁合同及租金收据"),
        )
        case_submit(actor=caseworker, case=case)
    elif step == ASSIGN:
        case_assign_reviewer(actor=county_reviewer, case=case, reviewer=staff.county_reviewers[1])
    elif step == COUNTY_FORWARD:
        case_forward(
            actor=county_reviewer,
            case=case,
            opinion="材料齐全，走访记录完整，同意转信息比对。",
        )
    elif step in (CONSISTENT, INCONSISTENT):
        comparison_record(
            actor=staff.county_caseworkers[0],
            case=case,
            result=InformationComparison.Result(step),
            report=_pdf(case, "家庭经济状况核对报告"),
            note=plan.text if step == INCONSISTENT else "民政家庭经济状况核对平台反馈与申报一致。",
        )
    elif step == PASS:
        case_forward(
            actor=staff.county_reviewers[1],
            case=case,
            opinion=f"信息比对一致，符合{Category(case.category).label}建档条件，"
            "同意在基层工会公示。",
        )
    elif step == COMPARISON_REFUSE:
        case_reject(
            actor=staff.county_reviewers[1],
            case=case,
            opinion="信息比对结果与申报不符，不符合建档条件，不予帮扶。",
            reasons=["comparison_inconsistent"],
        )
    elif step == OBJECTION:
        notice_objection(actor=caseworker, case=case, raised_by=plan.raised_by, content=plan.text)
    else:  # pragma: no cover - a typo in the plan
        raise ValueError(step)
    return Case.objects.get(pk=case.pk)


def demo_review_seed(*, city: Organisation) -> dict[str, int]:
    """Move the submitted demo applications along the chain; how many end in each state."""
    users = {user.username: user for user in User.objects.filter(organisation__city=city)}
    reached: Counter = Counter()
    for plan in DEMO_REVIEWS:
        case = Case.objects.get(
            organisation__code=f"{city.code}-{plan.union}",
            application_date=datetime.date.fromisoformat(f"2026-{plan.date}"),
        )
        staff = _Staff(users, plan.union)
        for step in plan.steps:
            case = _take(step, case, plan, staff)
        if case.status != plan.status:  # the services moved it elsewhere than planned
            raise RuntimeError(f"{case.applicant_name}：{case.status}，计划为 {plan.status}")
        reached[case.status] += 1
    return dict(reached)


def demo_review_summary(*, city_code: str) -> str:
    """One line for the command: how many demo applications stand in each state."""
    status = Counter(Case.objects.filter(city__code=city_code).values_list("status", flat=True))
    states = "，".join(f"{s.label} {status[s.value]}" for s in Case.Status if status[s.value])
    return f"审核进度：{states}"
