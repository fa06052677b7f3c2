from django.test import Client
from django.urls import reverse


def test_404_is_in_chinese(client, tree):
    client.force_login(tree.caseworker_a1)
    response = client.get(reverse("assistance:case_detail", args=[999999]))
    assert response.status_code == 404
    assert "没有找到该页面或记录" in response.content.decode()


def test_403_is_in_chinese_with_the_reason(client, tree):
    client.force_login(tree.caseworker_a1)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 403
    assert "您没有执行此操作的权限" in response.content.decode()


def test_csrf_failure_is_explained_in_chinese(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.caseworker_a1)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
