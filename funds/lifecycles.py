# --- Payments and exports ---
# A batch goes to the bank and is settled once every line has the bank's result; each line
# gets one result (paid or failed); a background export is built once. The services move
# them only through `core.lifecycle.take` on these tables; pages ask `moves`/`move`.

from django.core.exceptions import ValidationError

from accounts.roles import Role
from core.lifecycle import Lifecycle, Transition, move
from core.migration_utils import SYSTEM_USERNAME
from funds.models import ExportJob, PaymentBatch, PaymentLine
from funds.rules import finance_refusal

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
        return finance_refusal(actor, obj.account, transition.label)

    def why_not(self, obj: PaymentBatch, actor, action: str) -> str:
        """Why `actor` may not take `action` on the batch now ("" = may), for its pages."""
        found = move(self, obj, actor, action)
        if found is None:
            return self.not_from.get((action, obj.status)) or (
                f"{self.noun}当前状态为“{self.label(obj.status)}”，不能办理该操作。"
            )
        return found.why_not


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
        return finance_refusal(actor, obj.batch.account, "登记银行发放结果")


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
        if actor.username != SYSTEM_USERNAME:
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

PAYMENT_LIFECYCLES = {
    "payment_batch": PAYMENT_BATCHES,
    "payment_line": PAYMENT_LINES,
    "export_job": EXPORT_JOBS,
}
