from django.urls import path

from funds.views import grants, ledgers, payments, receipts, recoveries

app_name = "funds"

# Each view module lists its own routes: accounts, receipts, allocation and budget requests
# (receipts), batches and bank results (payments), ledgers, exports, auditor and
# performance views (ledgers).
urlpatterns = [
    *receipts.urlpatterns,
    *payments.urlpatterns,
    *ledgers.urlpatterns,
]

# --- Grants (帮扶救助): proposed from the archive, decided, cancelled, the payment letter ---

urlpatterns += [
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
