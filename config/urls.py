from django.urls import include, path

from core.views import health
from office.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("assistance/", include("assistance.urls")),
    path("archives/", include("archives.urls")),
    path("funds/", include("funds.urls")),
    path("calendar/", include("office.urls")),
]
