"""The demo's money: this year's special accounts, from the city's receipts to the workers' cards.

The city union receives its 2026 funds (union funds in January, central and provincial
money in March, local money in April, a supplementary central grant in October that is
still waiting to be passed down); two allocation plans, each decided at a leadership
meeting, pass them to the three counties within the 20 working days; the counties
propose and approve assistance for the archived households at the policy standards; the
county finance staff pay them by bank transfer in batches, record the bank's results
(one card closed: failed, not debited) and keep the bank's slip. Each step on its own day
(`demo.clock`), through the services, by the member of staff who would take it.
"""

import datetime
from collections import Counter
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from accounts.models import Organisation, User
from archives.models import Archive
from demo.cases import PDF
from demo.clock import demo_day
from funds.models import Entry, FundAccount, Grant, Item, PaymentLine, Source
from funds.services.accounts import fund_account_create
from funds.services.grants import grant_decide, grant_propose
from funds.services.payments import (
    batch_create,
    batch_record_results,
    batch_send,
    batch_upload_slip,
)
from funds.services.receipts import (
    allocation_plan_create,
    allocation_plan_execute,
    receipt_record,
)

COUNTIES = ("JH", "YJ", "JJ")
BANK = "中国工商银行芜湖分行"

# (day, source, amount, counterpart, document number, title)
RECEIPTS = (
    ("2026-01-12", Source.UNION, "300000", "芜湖市总工会", "芜工〔2026〕3号",
     "关于安排2026年度困难职工帮扶工会经费的通知"),
    ("2026-03-02", Source.CENTRAL, "600000", "安徽省总工会", "皖工财〔2026〕12号",
     "关于下达2026年中央财政困难职工帮扶资金的通知"),
    ("2026-03-16", Source.PROVINCIAL, "300000", "安徽省总工会", "皖工财〔2026〕19号",
     "关于下达2026年省级财政困难职工帮扶资金的通知"),
    ("2026-04-01", Source.LOCAL, "450000", "芜湖市财政局", "芜财社〔2026〕45号",
     "关于拨付2026年市级困难职工帮扶资金的通知"),
    ("2026-10-20", Source.CENTRAL, "200000", "安徽省总工会", "皖工财〔2026〕88号",
     "关于追加下达2026年中央财政困难职工帮扶资金的通知"),
)  # fmt: skip
# Two plans: (meeting day, minutes, execution day, reference, {source: per county})
PLANS = (
    ("2026-03-20", "芜工办纪〔2026〕5号", "2026-03-24", "芜工财拨〔2026〕1号",
     {Source.UNION: ("100000", "100000", "100000"),
      Source.CENTRAL: ("250000", "200000", "150000")}),
    ("2026-04-08", "芜工办纪〔2026〕8号", "2026-04-10", "芜工财拨〔2026〕2号",
     {Source.PROVINCIAL: ("100000", "100000", "100000"),
      Source.LOCAL: ("150000", "150000", "150000")}),
)  # fmt: skip
# Assistance by household (union and 2025 application date of its archive): item, source,
# the inputs the standard needs, and how far it got.
PROPOSED, APPROVED, PAID, FAILED = "proposed", "approved", "paid", "failed"
GRANTS = (
    ("JH-02", "02-17", Item.LIVING, Source.CENTRAL, {}, PAID),
    ("JH-03", "03-10", Item.LIVING, Source.CENTRAL, {}, PAID),
    ("JH-03", "03-10", Item.EDUCATION, Source.UNION, {"students": 1}, PAID),
    ("YJ-02", "04-08", Item.MEDICAL, Source.CENTRAL, {"medical_out_of_pocket": "16000"}, PAID),
    ("JJ-03", "06-16", Item.LIVING, Source.CENTRAL, {"accident_costs": "60000"}, FAILED),
    ("JH-04", "05-12", Item.LIVING, Source.PROVINCIAL, {}, APPROVED),
    ("JJ-04", "11-03", Item.LIVING, Source.LOCAL, {}, PROPOSED),
)
PROPOSED_ON = datetime.date(2026, 4, 13)
DECIDED_ON = datetime.date(2026, 4, 15)
SENT_ON = datetime.date(2026, 4, 20)
PAID_ON = datetime.date(2026, 4, 22)


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _accounts(city: Organisation, admin: User) -> dict[str, FundAccount]:
    accounts = {}
    for index, organisation in enumerate(
        [city, *Organisation.objects.filter(parent=city).order_by("code")], start=1
    ):
        with demo_day(datetime.date(2026, 1, 5)):
            accounts[organisation.code.split("-")[-1]] = fund_account_create(
                actor=admin,
                organisation=organisation,
                name=f"{organisation.name}困难职工帮扶资金专户",
                bank_name=BANK,
                bank_account=f"13070100090{index:08d}",
            )
    return accounts


def _receipts_and_plans(accounts: dict[str, FundAccount], users: dict[str, User]) -> None:
    city, finance = accounts["WH"], users["city_finance"]
    receipts = {}  # the first receipt of each source: the plans allocate from it
    for day, source, amount, counterpart, number, title in RECEIPTS:
        with demo_day(_day(day)):
            receipt = receipt_record(
                actor=finance,
                account=city,
                received_on=_day(day),
                year=2026,
                source=source,
                amount=Decimal(amount),
                counterpart=counterpart,
                document_number=number,
                document_title=title,
            )
        receipts.setdefault(source, receipt)
    for meeting, minutes, executed, reference, shares in PLANS:
        with demo_day(_day(meeting)):
            plan = allocation_plan_create(
                actor=finance,
                account=city,
                year=2026,
                title=f"2026年困难职工帮扶资金分配使用方案（{minutes}）",
                meeting_reference=minutes,
                meeting_date=_day(meeting),
                lines=[
                    (receipts[source], accounts[county], "", Decimal(amount))
                    for source, amounts in shares.items()
                    for county, amount in zip(COUNTIES, amounts, strict=True)
                ],
            )
        with demo_day(_day(executed)):
            allocation_plan_execute(
                actor=finance, plan=plan, transfer_date=_day(executed), reference=reference
            )


def _grants(city: Organisation, users: dict[str, User]) -> dict[str, list[tuple[Grant, str]]]:
    """The grants to pay, by county, each with the bank's outcome to come."""
    by_county: dict[str, list[tuple[Grant, str]]] = {}
    for union, applied, item, source, inputs, outcome in GRANTS:
        county, number = union.lower().split("-")
        archive = Archive.objects.get(
            organisation__code=f"{city.code}-{union}",
            case__application_date=datetime.date.fromisoformat(f"2025-{applied}"),
        )
        with demo_day(PROPOSED_ON):
            grant = grant_propose(
                actor=users[f"{county}{number}_caseworker"],
                archive=archive,
                item=item,
                year=2026,
                source=source,
                inputs=inputs,
            )
        if outcome == PROPOSED:
            continue
        with demo_day(DECIDED_ON):
            grant = grant_decide(
                actor=users[f"{county}_reviewer"],
                grant=grant,
                approve=True,
                opinion="符合帮扶标准，同意。",
            )
        if outcome in (PAID, FAILED):
            by_county.setdefault(county, []).append((grant, outcome))
    return by_county


def _pay(accounts: dict[str, FundAccount], users: dict[str, User], grants) -> None:
    for county, county_grants in grants.items():
        finance = users[f"{county}_finance"]
        failed = {grant.pk for grant, outcome in county_grants if outcome == FAILED}
        with demo_day(SENT_ON):
            batch = batch_create(
                actor=finance,
                account=accounts[county.upper()],
                grants=[grant for grant, _ in county_grants],
            )
            batch = batch_send(actor=finance, batch=batch, sent_on=SENT_ON)
        with demo_day(PAID_ON):
            results = {}
            for line in PaymentLine.objects.filter(batch=batch):
                if line.grant_id in failed:
                    results[line.pk] = (PaymentLine.Status.FAILED, None, "", "收款账户已销户")
                else:
                    results[line.pk] = (
                        PaymentLine.Status.PAID,
                        PAID_ON,
                        f"ICBC{PAID_ON:%Y%m%d}{line.pk:06d}",
                        "",
                    )
            batch_record_results(actor=finance, batch=batch, results=results)
            batch_upload_slip(
                actor=finance,
                batch=batch,
                upload=SimpleUploadedFile(
                    f"{batch.number}-银行回单.pdf", PDF, content_type="application/pdf"
                ),
            )


def demo_funds_seed(*, city: Organisation) -> None:
    users = {user.username: user for user in User.objects.filter(organisation__city=city)}
    accounts = _accounts(city, users["city_admin"])
    _receipts_and_plans(accounts, users)
    _pay(accounts, users, _grants(city, users))


def demo_funds_summary(*, city_code: str) -> str:
    """One line for the command: the year's money so far."""
    entries = Entry.objects.filter(city__code=city_code)
    received = entries.filter(kind=Entry.Kind.RECEIPT).aggregate(total=Sum("amount"))["total"]
    paid = entries.filter(kind=Entry.Kind.PAYMENT)
    lines = Counter(
        PaymentLine.objects.filter(batch__account__city__code=city_code).values_list(
            "status", flat=True
        )
    )
    return (
        f"帮扶资金：到账 {entries.filter(kind=Entry.Kind.RECEIPT).count()} 笔共 "
        f"{received or 0:,.2f} 元，下拨 {entries.filter(kind=Entry.Kind.TRANSFER_OUT).count()} 笔，"
        f"发放到账 {paid.count()} 笔共 {-(paid.aggregate(total=Sum('amount'))['total'] or 0):,.2f} 元，"
        f"发放失败 {lines[PaymentLine.Status.FAILED]} 笔"
    )
