from django.shortcuts import redirect, render

from accounts.access import access_organisation, role_required
from accounts.forms.organisations import OrganisationCreateForm, OrganisationEditForm
from accounts.roles import Level, Role
from accounts.selectors import organisation_list_for_user
from accounts.services import organisations
from core.service_forms import int_or_none, paginate, run_service


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
            lambda data: organisations.organisation_create(actor=request.user, **data),
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
            lambda data: organisations.organisation_update(
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
