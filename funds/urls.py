from funds.views import grants, ledgers, payments, receipts, recoveries

app_name = "funds"

# Each view module lists its own routes: accounts, receipts, allocation and budget requests
# (receipts), assistance items (grants), batches and bank results (payments), ledgers,
# exports, auditor and performance views (ledgers).
urlpatterns = [
    *receipts.urlpatterns,
    *grants.urlpatterns,
    *payments.urlpatterns,
    *ledgers.urlpatterns,
    *recoveries.urlpatterns,
]
