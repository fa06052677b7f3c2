"""The tests' data, built in one place and the way the product builds it: through the services.

One module per app — `accounts` (organisations, staff, the `tree`), `assistance` (intake
input, the review chain's `World` and each state of a case), `archives` (archives and their
visits and exits), `funds` (accounts, receipts, grants, payments, recoveries, the books) —
and `core` (the frozen clock, refusals, uploads, the SMS gateway) and `browser` (the browser
tests' log-in, screenshots and cast).

The ladder from an application to money paid, each step building on the one before:

    case = assistance.wuhu_approved(world, person=1)      # a case up the Wuhu chain, approved
    archive = archives.open_archive(world, person=2)      # wuhu_approved, then its archive
    grant = funds.approved_grant(world, archive)          # a grant of it, proposed and approved
    batch = funds.sent_batch(world, fin, account, [grant])  # the grant's batch, at the bank
    (grant,) = funds.pay(world, fin, account, [grant])    # sent_batch, then its line paid

Fixtures live in the conftest.py files and call these builders; test modules import from
here and never from one another (tests/test_test_layout.py).
"""
