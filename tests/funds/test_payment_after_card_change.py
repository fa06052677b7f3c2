"""A payment the bank refused because the worker's card was closed (收款账户已销户) is paid
to the new card once the archive's contact update has recorded it: the next batch reads
the card from the case, the failed line keeps the old one as history."""

from archives.services.contact import archive_contact_update
from core.crypto import decrypt
from funds.models import Grant, PaymentLine
from funds.services.payments import batch_create, batch_record_results, batch_send
from tests.factories.core import fresh
from tests.factories.funds import failed, paid, sent_batch

OLD_MASKED = "6222***********0123"
NEW_CARD = "6217 0012 3456 7890 128"
NEW_MASKED = "6217***********0128"


def test_a_failed_payment_goes_to_the_new_card(
    world, archive, accounts, world_finance, ready, gateway
):
    fin = world_finance.county_a
    first = sent_batch(world, fin, accounts.county_a, [ready])
    closed = first.lines.get()
    assert closed.card_masked == OLD_MASKED
    batch_record_results(actor=fin, batch=first, results=failed(closed, "收款账户已销户"))
    assert fresh(ready).status == Grant.Status.APPROVED

    archive_contact_update(
        actor=world.wuhu.caseworker,
        archive=archive,
        phone=archive.phone,
        bank_name="中国建设银行",
        bank_card=NEW_CARD,
        reason="原银行卡已销户，职工本人提供新卡",
    )

    again = batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    line = again.lines.get()
    assert (line.grant, line.bank_name, line.card_masked) == (ready, "中国建设银行", NEW_MASKED)
    assert decrypt(line.card_cipher) == NEW_CARD.replace(" ", "")
    # The failed line is history: it keeps the card it was sent to.
    closed = fresh(closed)
    assert (closed.status, closed.failure_reason) == ("failed", "收款账户已销户")
    assert (closed.card_masked, decrypt(closed.card_cipher)) == (OLD_MASKED, "6222021234567890123")

    again = batch_send(actor=fin, batch=again)
    batch_record_results(actor=fin, batch=again, results=paid(line))
    assert fresh(ready).status == Grant.Status.PAID
    assert list(
        PaymentLine.objects.filter(grant=ready).order_by("id").values_list("status", "card_masked")
    ) == [("failed", OLD_MASKED), ("paid", NEW_MASKED)]
    # The worker's SMS names the new card's last four digits.
    assert "尾号0128的银行卡" in gateway.sent[-1][1]
