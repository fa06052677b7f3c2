from django.shortcuts import redirect, render

from accounts.access import access_user, role_required
from accounts.forms.users import (
    PasswordResetByAdminForm,
    UserCreateForm,
    UserEditForm,
)
from accounts.roles import Role
from accounts.selectors import user_history, user_list_for_user
from accounts.services import users
from core.service_forms import paginate, run_service


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
            lambda data: users.user_create(
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
            lambda data: users.user_update(actor=request.user, user=target, **data),
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
            lambda data: users.user_set_password(
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
