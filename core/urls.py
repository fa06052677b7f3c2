from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.holiday_list, name="holiday_list"),
    path("new/", views.holiday_create, name="holiday_create"),
    path("<int:year>/notice/", views.holiday_year, name="holiday_year"),
    path("<int:pk>/edit/", views.holiday_edit, name="holiday_edit"),
    path("<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
]
