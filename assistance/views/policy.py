"""The policy screens: the city's versions, a new version, a county's 低保."""

from django.http import Http404
from django.shortcuts import redirect, render

from accounts.access import role_required
from accounts.roles import Role
from assistance import services
from assistance.access import access_policy
from assistance.forms.policy import MinimumLivingStandardForm, PolicyForm
from assistance.models import Policy, parse_medical_tiers
from assistance.selectors import (
    minimum_living_standard_list_for_user,
    policy_bases_for_user,
    policy_list_for_user,
    policy_version_impact,
)
from core.service_forms import paginate, run_service


@role_required(Role.ADMIN)
def policy_list_view(request):
    return render(
        request,
        "assistance/policy_list.html",
        {
            "policies": policy_list_for_user(request.user),
            "bases": policy_bases_for_user(request.user),
            "region": request.user.organisation.region,
            "page_obj": paginate(request, minimum_living_standard_list_for_user(request.user)),
        },
    )


@role_required(Role.ADMIN)
def policy_detail(request, code: str):
    policy = access_policy(request.user, code)
    form = PolicyForm(instance=policy)
    rules = set(Policy.rule_fields())
    rows = [
        (form[name].label, value, policy.source_of(name) if name in rules else "")
        for name, value in _policy_values(policy)
    ]
    history = policy.history.select_related("history_user").order_by("-history_date")
    return render(
        request,
        "assistance/policy_detail.html",
        {"policy": policy, "rows": rows, "history": history},
    )


def _policy_values(policy: Policy):
    for field in PolicyForm(instance=policy):
        name = field.name
        if name in {"name", "code"} or name.startswith("source_") or name == "confirm_backdated":
            continue
        value = getattr(policy, name)
        display = getattr(policy, f"get_{name}_display", None)
        if name == "items_funded":
            value = "、".join(Policy.Item(item).label for item in value)
        elif name.endswith("_medical_tiers"):
            value = _tiers_text(parse_medical_tiers(value), policy.medical_floor)
        elif display is not None:
            value = display()
        yield name, value


def _tiers_text(tiers, floor) -> str:
    """E.g. "5000–10000元（含）：4000元；…；30000元以上：20000元"."""
    parts, lower = [], floor
    for tier in tiers:
        if tier.up_to is None:
            parts.append(f"超过{lower:.0f}元：{tier.amount:.0f}元")
        else:
            parts.append(f"{lower:.0f}–{tier.up_to:.0f}元（含）：{tier.amount:.0f}元")
            lower = tier.up_to
    return "；".join(parts)


@role_required(Role.ADMIN)
def policy_create(request, code: str):
    """A new version of one of the city's own policies."""
    return _policy_form(request, access_policy(request.user, code), first=False)


@role_required(Role.ADMIN)
def policy_start(request):
    """A region's first policy, copied from any region's (DOMAIN.md §9)."""
    if policy_list_for_user(request.user).exists():
        return redirect("assistance:policy_list")
    base = policy_bases_for_user(request.user).filter(code=request.GET.get("base", "")).first()
    if base is None:
        raise Http404("请选择要复制的政策。")
    return _policy_form(request, base, first=True)


def _policy_form(request, base: Policy, *, first: bool):
    region = request.user.organisation.region
    form = PolicyForm.copying(base, request.POST or None, region=region)
    if request.method == "POST":
        response = run_service(
            request,
            lambda data: services.policy_create(
                actor=request.user, base=base, **form.service_arguments()
            ),
            form=form,
            success=lambda policy: f"已新建政策“{policy.code}”。",
            done=lambda policy: redirect("assistance:policy_detail", code=policy.code),
        )
        if response is not None:
            return response
    impact = []
    if form.has_error("confirm_backdated"):
        impact = policy_version_impact(
            region=region, effective_from=form.cleaned_data["effective_from"]
        )
    return render(
        request,
        "assistance/policy_form.html",
        {"form": form, "base": base, "first": first, "impact": impact},
    )


@role_required(Role.ADMIN)
def minimum_living_standard_create(request):
    form = MinimumLivingStandardForm(request.POST or None, actor=request.user)
    if request.method == "POST":
        response = run_service(
            request,
            lambda data: services.minimum_living_standard_create(actor=request.user, **data),
            form=form,
            success=lambda standard: f"已录入：{standard}。",
            done=lambda standard: redirect("assistance:policy_list"),
        )
        if response is not None:
            return response
    return render(request, "assistance/mls_form.html", {"form": form})
