from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from accounts import services
from accounts.access import access_organisation, access_user, role_required
from accounts.forms import (
    OrganisationCreateForm,
    OrganisationEditForm,
    PasswordResetByAdminForm,
    UserCreateForm,
    UserEditForm,
)
from accounts.roles import Level, Role
from accounts.selectors import organisation_list_for_user, user_history, user_list_for_user
from core.service_forms import int_or_none, paginate, run_service


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@role_required(Role.ADMIN)
def organisation_list(request):
    search = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    organisations = organisation_list_for_user(
        request.user, search=search, level=int_or_none(level)
    )
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "page_obj": paginate(request, organisations, per_page=50),
            "search": search,
            "level": level,
            "levels": Level.choices,
        },
    )


@role_required(Role.ADMIN)
def organisation_create(request):
    form = OrganisationCreateForm(
        request.POST or None, actor=request.user, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and (
        done := run_service(
            request,
            lambda data: services.organisation_create(actor=request.user, **data),
            form=form,
            success=lambda organisation: f"已新建组织“{organisation.name}”。",
            done=lambda _: redirect("accounts:organisation_list"),
        )
    ):
        return done
    return render(request, "accounts/organisation_form.html", {"form": form, "title": "新建组织"})


@role_required(Role.ADMIN)
def organisation_edit(request, pk: int):
    organisation = access_organisation(request.user, pk)
    form = OrganisationEditForm(
        request.POST or None,
        initial={
            "name": organisation.name,
            "policy_region": organisation.policy_region,
            "is_active": organisation.is_active,
        },
    )
    if request.method == "POST" and (
        done := run_service(
            request,
            lambda data: services.organisation_update(
                actor=request.user, organisation=organisation, **data
            ),
            form=form,
            success=lambda _: f"已保存组织“{form.cleaned_data['name']}”。",
            done=lambda _: redirect("accounts:organisation_list"),
        )
    ):
        return done
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "title": f"修改组织：{organisation.name}", "organisation": organisation},
    )


@role_required(Role.ADMIN)
def user_list(request):
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    users = user_list_for_user(
        request.user, search=search, role=role if role in Role.values else ""
    )
    return render(
        request,
        "accounts/user_list.html",
        {
            "page_obj": paginate(request, users),
            "search": search,
            "role": role,
            "roles": Role.choices,
        },
    )


@role_required(Role.ADMIN)
def user_create(request):
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and (
        done := run_service(
            request,
            lambda data: services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                organisation=data["organisation"],
                roles=data["roles"],
                password=data["password1"],
            ),
            form=form,
            success=lambda user: f"已新建用户“{user.username}”。",
            done=lambda _: redirect("accounts:user_list"),
        )
    ):
        return done
    return render(request, "accounts/user_form.html", {"form": form, "title": "新建用户"})


@role_required(Role.ADMIN)
def user_edit(request, pk: int):
    target = access_user(request.user, pk)
    form = UserEditForm(
        request.POST or None,
        actor=request.user,
        initial={
            "full_name": target.full_name,
            "phone": target.phone,
            "organisation": target.organisation,
            "roles": sorted(target.roles),
            "is_active": target.is_active,
        },
    )
    if request.method == "POST" and (
        done := run_service(
            request,
            lambda data: services.user_update(actor=request.user, user=target, **data),
            form=form,
            success=f"已保存用户“{target.username}”。",
            done=lambda _: redirect("accounts:user_list"),
        )
    ):
        return done
    history = user_history(target)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "title": f"修改用户：{target.username}",
            "target": target,
            "history": history,
        },
    )


@role_required(Role.ADMIN)
def user_reset_password(request, pk: int):
    target = access_user(request.user, pk)
    form = PasswordResetByAdminForm(request.POST or None)
    if request.method == "POST" and (
        done := run_service(
            request,
            lambda data: services.user_set_password(
                actor=request.user, user=target, password=data["password1"]
            ),
            form=form,
            success=f"已重置用户“{target.username}”的密码。",
            done=lambda _: redirect("accounts:user_list"),
        )
    ):
        return done
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": f"重置密码：{target.username}", "target": target},
    )
