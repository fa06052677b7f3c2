from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import auth, organisations, users

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", organisations.organisation_edit, name="organisation_edit"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", users.user_reset_password, name="user_reset_password"),
]
