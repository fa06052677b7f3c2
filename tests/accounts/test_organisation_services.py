import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Organisation
from accounts.roles import Level, Role
from accounts.services.organisations import organisation_create, organisation_update
from accounts.services.users import user_create
from tests.factories.accounts import PASSWORD, make_user


def test_path_fields_point_at_the_organisation_itself_at_its_level(tree):
    assert tree.city.city == tree.city and tree.city.county is None
    assert tree.county_a.city == tree.city and tree.county_a.county == tree.county_a
    assert tree.union_a1.city == tree.city and tree.union_a1.county == tree.county_a
    assert tree.union_a1.level == Level.GRASSROOTS


def test_create_records_history_with_actor_and_reason(tree):
    union = organisation_create(
        actor=tree.admin, parent=tree.county_b, code="NEW-1", name="丁厂工会", kind="enterprise"
    )
    first = union.history.earliest("history_date")
    assert first.history_user == tree.admin
    assert first.history_change_reason == "新建组织"


def test_grassroots_cannot_sit_under_the_city(tree):
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            actor=tree.admin, parent=tree.city, code="X1", name="某厂", kind="enterprise"
        )
    assert "kind" in exc.value.error_dict


def test_non_admin_cannot_create(tree):
    with pytest.raises(PermissionDenied):
        organisation_create(
            actor=tree.county_a_reviewer,
            parent=tree.county_a,
            code="X2",
            name="某厂",
            kind="enterprise",
        )
    assert not Organisation.objects.filter(code="X2").exists()


def test_county_admin_role_is_refused_by_level(tree):
    with pytest.raises(ValidationError) as exc:
        user_create(
            actor=tree.admin,
            username="bad_admin",
            full_name="某人",
            organisation=tree.county_a,
            roles=[Role.ADMIN],
            password=PASSWORD,
        )
    assert "系统管理员" in str(exc.value)


def test_finance_not_at_grassroots(tree):
    with pytest.raises(ValidationError):
        make_user(tree.union_a1, Role.FINANCE)


def test_cannot_deactivate_with_active_children(tree):
    with pytest.raises(ValidationError) as exc:
        organisation_update(
            actor=tree.admin, organisation=tree.county_a, name="镜湖区总工会", is_active=False
        )
    assert "下级" in str(exc.value)
    tree.county_a.refresh_from_db()
    assert tree.county_a.is_active
