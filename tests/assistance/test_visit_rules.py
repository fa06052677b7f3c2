"""Every visit to a household, at intake or to its archive, is made by two or more people
(WH-M §10(二), §14; TA-A §12.3): one rule, one message, for both kinds of visit."""

from types import SimpleNamespace

from assistance.rules import distinct_staff, visit_staff_problem


def person(pk: int) -> SimpleNamespace:
    return SimpleNamespace(pk=pk)


def test_two_distinct_people_are_enough():
    assert visit_staff_problem([person(1), person(2)]) == ""
    assert visit_staff_problem([person(1), person(2), person(3)]) == ""


def test_fewer_than_two_people_are_refused_with_one_message():
    expected = "入户走访须有两名以上工作人员。"
    assert visit_staff_problem([]) == expected
    assert visit_staff_problem([person(1)]) == expected


def test_the_same_person_named_twice_is_one():
    assert visit_staff_problem([person(1), person(1)]) == "入户走访须有两名以上工作人员。"
    first, second = person(1), person(2)
    assert distinct_staff([first, second, person(1)]) == [first, second]
