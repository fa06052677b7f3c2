from accounts.models import Organisation, User
from accounts.selectors import scope_queryset


def test_city_sees_all_county_sees_own_grassroots_sees_itself(tree):
    all_orgs = Organisation.objects.all()
    assert set(scope_queryset(all_orgs, tree.admin)) == {
        tree.city,
        tree.county_a,
        tree.county_b,
        tree.union_a1,
        tree.union_a2,
        tree.union_b1,
    }
    assert set(scope_queryset(all_orgs, tree.county_a_reviewer)) == {
        tree.county_a,
        tree.union_a1,
        tree.union_a2,
    }
    assert set(scope_queryset(all_orgs, tree.caseworker_a1)) == {tree.union_a1}


def test_users_scoped_by_their_organisation(tree):
    visible = set(scope_queryset(User.objects.all(), tree.county_b_reviewer))
    assert visible == {tree.county_b_reviewer, tree.caseworker_b1}
