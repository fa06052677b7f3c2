from django.urls import path

from office.views import calendar

app_name = "office"

urlpatterns = [
    path("", calendar.holiday_list, name="holiday_list"),
    path("new/", calendar.holiday_create, name="holiday_create"),
    path("<int:year>/notice/", calendar.holiday_year, name="holiday_year"),
    path("<int:pk>/edit/", calendar.holiday_edit, name="holiday_edit"),
    path("<int:pk>/delete/", calendar.holiday_delete, name="holiday_delete"),
]
