import datetime

import pytest

from accounts.models import Organisation, User
from accounts.roles import Role
from core.models import Holiday, HolidayYear
from tests.factories.accounts import PASSWORD
from tests.factories.browser import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_admin_builds_the_tree_and_a_user(page, tree):
    log_in(page, "admin1", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="组织机构").click()
    page.get_by_role("link", name="新建组织").click()
    page.get_by_label("上级组织").select_option(label=tree.county_b.name)
    page.get_by_label("编码").fill("YJ-77")
    page.get_by_label("名称").fill("己五金厂工会")
    page.get_by_label("类型").select_option(label="企事业单位工会")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已新建组织“己五金厂工会”").wait_for()
    union = Organisation.objects.get(code="YJ-77")
    assert union.county == tree.county_b

    page.get_by_role("navigation").get_by_role("link", name="用户与角色").click()
    page.get_by_role("link", name="新建用户").click()
    page.get_by_label("登录名").fill("ji_caseworker")
    page.get_by_label("姓名").fill("冯经办")
    page.get_by_label("所属组织").select_option(label="己五金厂工会")
    page.get_by_label("经办人").check()
    page.locator("#id_password1").fill("Ji-strong-2026")
    page.get_by_label("确认密码").fill("Ji-strong-2026")
    screenshot(page, "admin-user-create")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已新建用户“ji_caseworker”").wait_for()
    created = User.objects.get(username="ji_caseworker")
    assert created.roles == {Role.CASEWORKER}
    assert created.organisation == union

    page.get_by_role("button", name="退出").click()
    log_in(page, "ji_caseworker", "Ji-strong-2026")
    page.get_by_text("己五金厂工会").first.wait_for()
    assert page.get_by_role("link", name="组织机构").count() == 0


def test_lockout_after_five_failures(page, tree):
    for _ in range(4):
        log_in(page, "cw_a1", "wrong-password")
        page.get_by_text("请输入一个正确的").wait_for()
    log_in(page, "cw_a1", "wrong-password")
    page.get_by_text("账户已暂时锁定").wait_for()
    log_in(page, "cw_a1", PASSWORD)
    page.get_by_text("账户已暂时锁定").wait_for()
    screenshot(page, "login-locked-out")


def test_admin_publishes_next_years_holiday_notice_in_one_form(page, tree):
    log_in(page, "admin1", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="工作日历").click()
    page.get_by_label("年份").fill("2027")
    page.get_by_role("button", name="查看").click()
    page.get_by_text("2027年的法定节假日安排尚未公布").wait_for()
    page.get_by_role("link", name="录入2027年通知", exact=True).click()

    page.locator('[name="holidays-0-name"]').fill("元旦")
    page.locator('[name="holidays-0-start"]').fill("2027-01-01")
    page.locator('[name="holidays-0-end"]').fill("2027-01-03")
    page.locator('[name="holidays-1-name"]').fill("国庆节")
    page.locator('[name="holidays-1-start"]').fill("2027-10-01")
    page.locator('[name="holidays-1-end"]').fill("2027-10-07")
    # A Friday typed as the adjusted working weekend: refused, everything typed kept.
    page.locator('[name="workdays-0-date"]').fill("2027-10-08")
    page.locator('[name="workdays-0-name"]').fill("国庆节")
    page.get_by_label("通知文号").fill("国办发明电〔2026〕7号")
    page.get_by_label("确认公布").check()
    page.get_by_role("button", name="保存").click()
    page.get_by_text("调休上班日2027年10月8日是星期五").wait_for()
    assert page.locator('[name="holidays-1-end"]').input_value() == "2027-10-07"
    assert page.get_by_label("通知文号").input_value() == "国办发明电〔2026〕7号"
    assert not HolidayYear.objects.filter(year=2027).exists()

    page.locator('[name="workdays-0-date"]').fill("2027-10-09")
    screenshot(page, "admin-holiday-year")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已公布2027年节假日安排（国办发明电〔2026〕7号）").wait_for()
    page.get_by_text("2027年的法定节假日安排已公布").wait_for()
    year = HolidayYear.objects.get(year=2027)
    assert (year.published, year.published_by) == (True, tree.admin)
    assert Holiday.objects.get(date=datetime.date(2027, 10, 9)).kind == Holiday.Kind.WORKDAY
