from django.urls import path

from funds.views import grants, ledgers, payments, receipts, recoveries

app_name = "funds"

# --- Grants (帮扶救助): proposed from the archive, decided, cancelled, the payment letter ---

urlpatterns = [
    path("archives/<int:archive_pk>/grants/new/", grants.grant_create, name="grant_create"),
    path("grants/", grants.grant_list, name="grant_list"),
    path("grants/<int:pk>/", grants.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/decide/", grants.grant_decide, name="grant_decide"),
    path("grants/<int:pk>/cancel/", grants.grant_cancel, name="grant_cancel"),
    path("grants/<int:pk>/letter/", grants.payment_letter, name="payment_letter"),
]

# --- Recoveries (追回) and the city's reduce / stop decisions (减拨、停拨) -----------------------

urlpatterns += [
    path(
        "archives/<int:archive_pk>/recoveries/new/",
        recoveries.recovery_create,
        name="recovery_create",
    ),
    path("recoveries/<int:pk>/", recoveries.recovery_detail, name="recovery_detail"),
    path("recoveries/<int:pk>/confirm/", recoveries.recovery_confirm, name="recovery_confirm"),
    path("recoveries/<int:pk>/cancel/", recoveries.recovery_cancel, name="recovery_cancel"),
    path("recoveries/<int:pk>/close/", recoveries.recovery_close, name="recovery_close"),
    path("recoveries/<int:pk>/repay/", recoveries.recovery_repay, name="recovery_repay"),
    path("accounts/<int:account_pk>/restrictions/", recoveries.restrictions, name="restrictions"),
    path("restrictions/<int:pk>/lift/", recoveries.restriction_lift, name="restriction_lift"),
]

# --- Accounts, receipts, allocation, budget requests, returns; payments; ledgers ---
urlpatterns += [
    # Accounts and their entries, receipts, allocation plans, budget requests, returns.
    path("accounts/", receipts.account_list, name="accounts"),
    path("accounts/new/", receipts.account_create, name="account_create"),
    path("accounts/<int:pk>/", receipts.account_detail, name="account"),
    path("accounts/<int:pk>/receipts/", receipts.receipt_list, name="receipts"),
    path("accounts/<int:pk>/receipts/new/", receipts.receipt_create, name="receipt_create"),
    path("receipts/<int:pk>/carry-over/", receipts.receipt_carry_over, name="receipt_carry_over"),
    path("accounts/<int:pk>/plans/", receipts.plan_list, name="plans"),
    path("accounts/<int:pk>/plans/new/", receipts.plan_create, name="plan_create"),
    path(
        "accounts/<int:pk>/budget-requests/new/",
        receipts.budget_request_create,
        name="budget_request_create",
    ),
    path("accounts/<int:pk>/returns/new/", receipts.return_create, name="return_create"),
    path("plans/<int:pk>/", receipts.plan_detail, name="plan"),
    path("plans/<int:pk>/execute/", receipts.plan_execute, name="plan_execute"),
    path("budget-requests/", receipts.budget_request_list, name="budget_requests"),
    path("entries/<int:pk>/reverse/", receipts.entry_reverse, name="entry_reverse"),
    path("unspent/", receipts.unspent, name="unspent"),
    # Payment batches, their roster, the bank's results and slip.
    path("batches/", payments.batch_list, name="batch_list"),
    path("batches/new/", payments.batch_create, name="batch_create"),
    path("batches/<int:pk>/", payments.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/roster/", payments.batch_roster, name="batch_roster"),
    path("batches/<int:pk>/send/", payments.batch_send, name="batch_send"),
    path("batches/<int:pk>/results/", payments.batch_results, name="batch_results"),
    path("batches/<int:pk>/return/", payments.batch_return_upload, name="batch_return_upload"),
    path(
        "batches/<int:pk>/return/<str:sha256>/",
        payments.batch_return_preview,
        name="batch_return_preview",
    ),
    path("batches/<int:pk>/slip/", payments.batch_slip_upload, name="batch_slip_upload"),
    path("batches/<int:pk>/slip/download/", payments.batch_slip, name="batch_slip"),
    # The books, background exports, audit and performance.
    path("ledger/", ledgers.ledger, name="ledger"),
    path("ledger/export/", ledgers.ledger_export, name="ledger_export"),
    path("exports/request/", ledgers.export_request_view, name="export_request"),
    path("exports/<int:pk>/", ledgers.export_job, name="export_job"),
    path("exports/<int:pk>/download/", ledgers.export_download, name="export_download"),
    path("audit/", ledgers.audit_home, name="audit"),
    path("audit/accounts/<int:pk>/", ledgers.audit_account, name="audit_account"),
    path("audit/entries/<int:pk>/", ledgers.audit_entry, name="audit_entry"),
    path("audit/grants/", ledgers.audit_grants, name="audit_grants"),
    path("audit/grants/<int:pk>/", ledgers.audit_grant, name="audit_grant"),
    path("audit/batches/", ledgers.audit_batches, name="audit_batches"),
    path("audit/batches/<int:pk>/", ledgers.audit_batch, name="audit_batch"),
    path("performance/", ledgers.performance, name="performance"),
    path("performance/export/", ledgers.performance_export, name="performance_export"),
]
