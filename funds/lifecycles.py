"""The status fields of the funds as tables, taken by the one engine (`core.lifecycle.take`).

Each lifecycle names its moves (from which state, by which action, to which state, by whom;
a decision is never taken by whoever entered the record: 职责分离) and answers the engine's
questions about its entity: who may act (`refusal`, from `funds.access`), what is still
unmet, and how a refusal reads. Services call `take`; pages ask `moves` / `move` what the
user may do now. docs/funds.md prints each table's diagram (`mermaid`).
"""

from typing import Any

from django.core.exceptions import ValidationError

from accounts.roles import Role
from accounts.selectors import is_system_user
from core.lifecycle import Lifecycle, Transition
from funds.access import can_allocate, can_county_review, can_finance
from funds.models import (
    AllocationPlan,
    AllocationRestriction,
    ExportJob,
    Grant,
    PaymentBatch,
    PaymentLine,
    Recovery,
)


class _Worded(Lifecycle):
    """A lifecycle whose refusal of a move its state does not hold says, per action, why
    (e.g. "不能再审批"); the same words answer when the record moved since it was seen and
    the move is no longer in the table."""

    not_from: dict[str, str] = {}  # action → "…{status}…"

    def find(self, action: str, source: str) -> Transition:
        try:
            return super().find(action, source)
        except ValidationError:
            if action not in self.not_from:
                raise
        raise ValidationError(self.not_from[action].format(status=self.label(source)))

    def stale(self, obj: Any, action: str, seen: str) -> str:
        source = getattr(obj, self.field)
        if action in self.not_from and not any(
            t.action == action and t.source == source for t in self.transitions
        ):
            return self.not_from[action].format(status=self.label(source))
        return super().stale(obj, action, seen)


# --- Grants (帮扶救助, WH-M §8–§9, WH-F §7 §9) -------------------------------------------------

G = Grant.Status
STAFF = (Role.CASEWORKER, Role.REVIEWER)


class GrantLifecycle(_Worded):
    """proposed → approved / rejected by a reviewer of the county or the city who did not
    propose it; proposed or approved → cancelled by the proposer's union while not at the
    bank; approved → paid when the bank's result is booked (funds.services.payments)."""

    model = Grant
    noun = "帮扶救助"
    reason_field = "reason"
    related = ("archive", "account", "county", "city", "proposed_by", "proposed_by__organisation")
    transitions = (
        Transition("approve", "批准帮扶救助", G.PROPOSED, G.APPROVED, (Role.REVIEWER,),
                   decision=True),
        Transition("reject", "不予批准帮扶救助", G.PROPOSED, G.REJECTED, (Role.REVIEWER,),
                   decision=True, needs_reason=True),
        Transition("cancel", "撤销帮扶救助", G.PROPOSED, G.CANCELLED, STAFF,
                   requires=("not_at_bank",), needs_reason=True),
        Transition("cancel", "撤销帮扶救助", G.APPROVED, G.CANCELLED, STAFF,
                   requires=("not_at_bank",), needs_reason=True),
        Transition("pay", "发放到账", G.APPROVED, G.PAID, (Role.FINANCE,)),
    )  # fmt: skip
    requirement_text = {"not_at_bank": "该帮扶救助已列入发放批次，等待银行处理，不能撤销。"}
    not_from = {
        "approve": "该帮扶救助{status}，不能再审批。",
        "reject": "该帮扶救助{status}，不能再审批。",
        "cancel": "该帮扶救助{status}，不能撤销。",
    }

    def refusal(self, grant: Grant, actor: Any, transition: Transition) -> str:
        if transition.action in ("approve", "reject"):
            if not actor.has_role(Role.REVIEWER):
                return "帮扶救助须由审核人审批。"
            if actor.organisation_id not in (grant.county_id, grant.city_id):
                return "帮扶救助由档案所在县级工会或市总工会的审核人审批。"
            if actor.pk == grant.proposed_by_id:
                return "职责分离：您提出了该帮扶救助，不能审批，请由其他审核人办理。"
            return ""
        if transition.action == "cancel":
            if not actor.has_role(*STAFF):
                return "撤销帮扶救助须由经办人或审核人办理。"
            if actor.organisation_id != grant.proposed_by.organisation_id:
                return "帮扶救助只能由提出该救助的工会撤销。"
            return ""
        return can_finance(actor, grant.account, transition.label)

    def unmet(self, grant: Grant, transition: Transition) -> list[str]:
        """A grant listed in a batch waiting for the bank is not withdrawn (the batch number
        says which)."""
        if "not_at_bank" not in transition.requires:
            return []
        line = (
            grant.payment_lines.filter(status=PaymentLine.Status.PENDING)
            .select_related("batch")
            .first()
        )
        if line is None:
            return []
        return [f"该帮扶救助已列入发放批次 {line.batch.number}，等待银行处理，不能撤销。"]

    def reason_missing(self, transition: Transition) -> dict[str, str]:
        if transition.action == "reject":
            return {"opinion": "不予批准须填写审批意见。"}
        return {"reason": "请填写撤销理由。"}


GRANTS = GrantLifecycle()


# --- Allocation plans (分配使用方案, WH-F §7, §11–§12; TA-F §8) --------------------------------

P = AllocationPlan.Status


class AllocationPlanLifecycle(_Worded):
    """draft → executed, once, by the city's finance: every line passed down as a transfer
    (funds.services.receipts.allocation_plan_execute)."""

    model = AllocationPlan
    noun = "分配使用方案"
    related = ("account__organisation",)
    transitions = (
        Transition("execute", "分配使用方案已下达", P.DRAFT, P.EXECUTED, (Role.FINANCE,)),
    )
    not_from = {"execute": "该分配使用方案已下达，不能重复下达。"}

    def refusal(self, plan: AllocationPlan, actor: Any, transition: Transition) -> str:
        return can_allocate(actor, plan.account, "下达帮扶资金")


PLANS = AllocationPlanLifecycle()


# --- Recoveries (追回, WH-M §19, TA-F §14) -----------------------------------------------------

R = Recovery.Status


class RecoveryLifecycle(Lifecycle):
    """recorded → confirmed by another reviewer of the archive's county (the archive closes
    for cause) or → cancelled; confirmed → repaid when the county's finance has booked
    everything owed (it stays confirmed while money is still owed), or → closed (终结) by a
    reviewer who did not record it. Whoever recorded the finding never confirms or closes
    it (职责分离)."""

    model = Recovery
    noun = "追回"
    reason_field = "note"
    missing_reason_text = "请填写说明。"
    related = ("archive", "account", "county", "recorded_by")
    transitions = (
        Transition("confirm", "确认追回", R.RECORDED, R.CONFIRMED, (Role.REVIEWER,),
                   decision=True),
        Transition("cancel", "撤销追回登记", R.RECORDED, R.CANCELLED, (Role.REVIEWER,),
                   needs_reason=True),
        # "" = decided by what is still owed: repaid when nothing is, else unchanged.
        Transition("repay", "登记收回追回款", R.CONFIRMED, "", (Role.FINANCE,)),
        Transition("close", "终结追回", R.CONFIRMED, R.CLOSED, (Role.REVIEWER,),
                   decision=True, needs_reason=True),
    )  # fmt: skip

    def refusal(self, recovery: Recovery, actor: Any, transition: Transition) -> str:
        if Role.FINANCE in transition.roles:
            refused = can_finance(actor, recovery.account, transition.label)
        else:
            refused = can_county_review(actor, recovery.county_id, f"“{transition.label}”")
        if refused:
            return refused
        if transition.decision and actor.pk == recovery.recorded_by_id:
            return (
                "职责分离：登记追回（查实虚假信息）的人员不能确认或终结该追回，"
                "请由本县其他审核人办理。"
            )
        return ""


RECOVERIES = RecoveryLifecycle()

AR = AllocationRestriction.Status


class RestrictionLifecycle(_Worded):
    """A city's reduce / stop decision (减拨、停拨, WH-F §13) is in force until its finance
    lifts it, with the reason; the decision itself stays in the history."""

    model = AllocationRestriction
    noun = "减拨、停拨决定"
    related = ("account",)
    transitions = (
        Transition(
            "lift", "解除减拨、停拨决定", AR.IN_FORCE, AR.LIFTED, (Role.FINANCE,), needs_reason=True
        ),
    )
    not_from = {"lift": "该决定已解除。"}
    missing_reason_text = "请填写解除理由。"

    def refusal(self, restriction: AllocationRestriction, actor: Any, transition: Transition):
        return can_finance(actor, restriction.account, transition.label)

    def history_reason(self, restriction, transition: Transition, reason: str) -> str:
        return f"解除{restriction.get_kind_display()}：{reason}"


RESTRICTIONS = RestrictionLifecycle()


# --- Payments and exports ---
# A batch goes to the bank and is settled once every line has the bank's result; each line
# gets one result (paid or failed); a background export is built once. The services move
# them only through `core.lifecycle.take` on these tables; pages ask `moves`/`move`.

BATCH = PaymentBatch.Status
LINE = PaymentLine.Status
JOB = ExportJob.Status


class PaymentBatchLifecycle(Lifecycle):
    """发放批次 (WH-F §9, TA-F §5): the roster goes to the bank (报送银行), the bank's results
    are recorded line by line, and once no line is left at the bank the batch is settled
    (已回单) by the same recording."""

    model = PaymentBatch
    noun = "发放批次"
    related = ("account__organisation",)
    transitions = (
        Transition("send", "花名册报送银行", BATCH.DRAFT, BATCH.SENT, (Role.FINANCE,)),
        Transition("record", "登记银行发放结果", BATCH.SENT, BATCH.SENT, (Role.FINANCE,)),
        Transition(
            "settle",
            "银行结果全部登记",
            BATCH.SENT,
            BATCH.SETTLED,
            (Role.FINANCE,),
            requires=("no_line_at_bank",),
        ),
    )
    requirement_text = {"no_line_at_bank": "尚有发放明细待银行处理。"}
    # Why a move is not there from a state, in the words the finance staff are told.
    not_from = {
        ("send", BATCH.SENT): "该发放批次已报送银行，不能再报送。",
        ("send", BATCH.SETTLED): "该发放批次已回单，不能再报送。",
        ("record", BATCH.DRAFT): "花名册尚未报送银行，不能登记发放结果。",
        ("record", BATCH.SETTLED): "该发放批次已全部登记结果。",
        ("settle", BATCH.DRAFT): "花名册尚未报送银行，不能登记发放结果。",
        ("settle", BATCH.SETTLED): "该发放批次已全部登记结果。",
    }

    def requirements(self, obj: PaymentBatch) -> dict:
        return {
            "no_line_at_bank": lambda: not obj.lines.filter(status=LINE.PENDING).exists(),
        }

    def find(self, action: str, source: str) -> Transition:
        try:
            return super().find(action, source)
        except ValidationError:
            if (action, source) in self.not_from:
                raise ValidationError(self.not_from[(action, source)]) from None
            raise

    def refusal(self, obj: PaymentBatch, actor, transition: Transition) -> str:
        """Finance staff of the batch's own account."""
        return can_finance(actor, obj.account, transition.label)

    def unavailable(self, obj: PaymentBatch, action: str) -> str:
        return self.not_from.get((action, obj.status)) or super().unavailable(obj, action)


class PaymentLineLifecycle(Lifecycle):
    """发放明细: the bank's result, once — paid (到账: the payment entry, the grant paid) or
    failed (with the bank's reason; no entry, the grant stays approved for another batch)."""

    model = PaymentLine
    noun = "发放明细"
    reason_field = "failure_reason"
    related = ("batch__account__organisation", "grant__archive")
    transitions = (
        Transition("pay", "银行已到账", LINE.PENDING, LINE.PAID, (Role.FINANCE,)),
        Transition("fail", "银行发放失败", LINE.PENDING, LINE.FAILED, (Role.FINANCE,)),
    )

    def find(self, action: str, source: str) -> Transition:
        try:
            return super().find(action, source)
        except ValidationError:
            raise ValidationError(
                f"已登记结果“{self.label(source)}”，一条明细只能登记一次。"
            ) from None

    def refusal(self, obj: PaymentLine, actor, transition: Transition) -> str:
        return can_finance(actor, obj.batch.account, "登记银行发放结果")


class ExportJobLifecycle(Lifecycle):
    """导出任务: queued, built once by the background worker (in the demo, a thread), then
    done or failed; a job left running by a worker that stopped is failed when it restarts."""

    model = ExportJob
    noun = "导出任务"
    WORKER = "后台任务"
    transitions = (
        Transition("start", "后台导出：开始生成", JOB.QUEUED, JOB.RUNNING, ()),
        Transition("finish", "后台导出：已完成", JOB.RUNNING, JOB.DONE, ()),
        Transition("fail", "后台导出：失败", JOB.RUNNING, JOB.FAILED, ()),
        Transition("interrupt", "后台导出：中断", JOB.RUNNING, JOB.FAILED, ()),
    )

    def refusal(self, obj: ExportJob, actor, transition: Transition) -> str:
        """Only the background worker (the system account) builds an export."""
        if not is_system_user(actor):
            return f"“{transition.label}”由{self.WORKER}办理。"
        return ""

    def role_names(self, transition: Transition) -> str:
        return self.WORKER

    def open_states(self) -> tuple[str, ...]:
        """The states a job still moves from: waiting, or being built."""
        return tuple(state for state in self.states() if self.from_state(state))


PAYMENT_BATCHES = PaymentBatchLifecycle()
PAYMENT_LINES = PaymentLineLifecycle()
EXPORT_JOBS = ExportJobLifecycle()


LIFECYCLES: dict[str, Lifecycle] = {
    "grants": GRANTS,
    "allocation_plans": PLANS,
    "recoveries": RECOVERIES,
    "restrictions": RESTRICTIONS,
    "payment_batches": PAYMENT_BATCHES,
    "payment_lines": PAYMENT_LINES,
    "export_jobs": EXPORT_JOBS,
}
