"""The pages' behaviour comes from static files only, so it survives a strict
Content-Security-Policy: here every page is served with script-src 'self' (added on the
way to the browser), and the print button, the confirmation before 撤下 and the
application form's member rows still work, with no violation reported.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assistance.models import CaseDocument
from tests.factories.accounts import PASSWORD
from tests.factories.assistance import new_case, upload_all_documents
from tests.factories.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)

# The browser's print dialog is outside the application: it is replaced by a counter.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""


def strict(page):
    def add_policy(route):
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": CSP},
        )

    page.route("**/*", add_policy)
    page.add_init_script(WATCH)


def violations(page) -> list[str]:
    return page.evaluate("() => window.__violations")


def test_behaviour_works_under_a_strict_policy(page, world):
    w = world.wuhu
    case = new_case(w.caseworker, w.union)
    upload_all_documents(w.caseworker, case)
    before = CaseDocument.objects.filter(case=case, removed=False).count()
    assert before >= 2

    strict(page)
    log_in(page, w.caseworker.username, PASSWORD)
    page.goto(reverse("assistance:case_detail", args=[case.pk]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The policy is in force: a script written into the page is refused and reported.
    ran = page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__inline = 1"; document.body.append(s);
                   return window.__inline === 1; }"""
    )
    assert ran is False
    page.wait_for_function("() => window.__violations.length > 0")
    assert any(v.startswith("script-src") for v in violations(page))
    page.evaluate("() => { window.__violations = []; }")

    # The print button prints.
    page.get_by_role("button", name="打印", exact=True).click()
    page.wait_for_function("() => window.__printed === 1")

    # 撤下 asks first: cancelled, nothing is sent.
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="撤下", exact=True).first.click()
    assert asked == ["确定撤下该材料？"]
    expect(page.locator(".messages")).to_have_count(0)

    # Accepted, the one document is taken down (and only one: the cancelled form was not sent).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="撤下", exact=True).first.click()
    expect(page.locator(".messages")).to_contain_text("已撤下")
    assert CaseDocument.objects.filter(case=case, removed=False).count() == before - 1

    # The application form's own script: adding a household member adds a row.
    page.goto(reverse("assistance:case_create"))
    rows = page.locator("#members tbody tr.member-row")
    count = rows.count()
    page.get_by_role("button", name="添加家庭成员").click()
    expect(rows).to_have_count(count + 1)
    expect(page.locator("#assessment-panel")).to_be_visible()

    assert violations(page) == []
