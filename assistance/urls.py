from django.urls import path

from assistance import views

app_name = "assistance"

urlpatterns = [
    path("policies/", views.policy_list_view, name="policy_list"),
    path("policies/<slug:code>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:code>/new-version/", views.policy_create, name="policy_create"),
    path("minimum-living-standards/new/", views.minimum_living_standard_create, name="mls_create"),
]
