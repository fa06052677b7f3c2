"""Valid intake input, as a caseworker would type it (ID numbers with correct check digits)."""

import datetime
from decimal import Decimal

from stdnum.cn import ric


def id_number(serial: int, birth: str = "19800101", area: str = "340202") -> str:
    """A valid 18-digit national ID number (GB 11643) for tests."""
    body = f"{area}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def applicant_fields(**overrides) -> dict:
    fields = {
        "channel": "paper",
        "application_date": datetime.date(2026, 3, 15),
        "applicant_name": "张建国",
        "id_number": id_number(11),
        "phone": "13912345678",
        "work_unit": "芜湖造船厂",
        "employment": "in_post",
        "migrant_worker": False,
        "labor_relation_months": 0,
        "fixed_urban_residence": False,
        "retired": False,
        "bank_name": "中国工商银行",
        "bank_card": "6222021234567890123",
        "income_wages": Decimal("40000"),
        "income_business": Decimal("0"),
        "income_property": Decimal("0"),
        "income_transfer": Decimal("7400"),
        "income_other": Decimal("0"),
        "expense_medical": Decimal("15000"),
        "expense_disability": Decimal("0"),
        "expense_education": Decimal("3000"),
        "expense_housing": Decimal("0"),
        "expense_other": Decimal("0"),
        "accident_costs": Decimal("0"),
        "medical_out_of_pocket": Decimal("15000"),
        "urban_homes": 1,
        "vehicles": 0,
        "main_cause": "illness",
        "exclusions": [],
    }
    fields.update(overrides)
    return fields


def form_post(fields: dict, members: list[dict], organisation_id: int) -> dict:
    """The POST body of the application form for these fields and members."""
    data = {"organisation": organisation_id}
    for key, value in fields.items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list):
            data[key] = value
        else:
            data[key] = str(value)
    data["members-TOTAL_FORMS"] = str(len(members))
    data["members-INITIAL_FORMS"] = "0"
    data["members-MIN_NUM_FORMS"] = "0"
    data["members-MAX_NUM_FORMS"] = "30"
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    return data


def member(name: str, serial: int, *, relation="spouse", school="", birth="19820202") -> dict:
    return {
        "name": name,
        "id_number": id_number(serial, birth=birth),
        "relation": relation,
        "health": "healthy",
        "disability": "none",
        "school": school,
        "employment": "student" if school else "employed",
    }
