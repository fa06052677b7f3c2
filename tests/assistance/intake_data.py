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
        "employment_costs": Decimal("0"),
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


# --- Shared by the intake service, view and security tests ---------------------------

# The first bytes of each accepted kind: enough for the signature check, small to keep.
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def upload_file(name: str = "申请书.pdf", content: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def member_input(name: str, serial: int, **kwargs):
    """A household member as the services take it (`member()` fields)."""
    from assistance.services import MemberInput

    return MemberInput(**member(name, serial, **kwargs))


def standard_members() -> list:
    """The smoke test's household: spouse, a pupil and a small child (4 people, 1 student)."""
    return [
        member_input("李秀英", 21),
        member_input("张小明", 31, relation="child", school="junior", birth="20120505"),
        member_input("张小红", 41, relation="child", birth="20150505"),
    ]


def minimum_living_standards(actor, *counties, amount="760", effective_from=None) -> None:
    """低保 `amount` for each county from `effective_from` (2026-01-01)."""
    from assistance.services import minimum_living_standard_create

    for county in counties:
        minimum_living_standard_create(
            actor=actor,
            county=county,
            monthly_amount=Decimal(amount),
            effective_from=effective_from or datetime.date(2026, 1, 1),
        )


def new_case(actor, organisation, *, members=None, **overrides):
    """A draft created through `case_create`, as the form would (standard household)."""
    from assistance.services import case_create

    return case_create(
        actor=actor,
        organisation=organisation,
        fields=applicant_fields(**overrides),
        members=standard_members() if members is None else members,
    ).case


def upload_all_documents(actor, case) -> list:
    """One PDF for every document type the checklist requires."""
    from assistance.models import CaseDocument
    from assistance.services import document_upload

    return [
        document_upload(
            actor=actor,
            case=case,
            doc_type=doc_type,
            upload=upload_file(f"{doc_type}.pdf"),
        )
        for doc_type in CaseDocument.REQUIRED_FOR_SUBMISSION
    ]


def edit_post(case, *, fields=None, members=None) -> dict:
    """The edit form's POST body for a saved case: its members keep their primary keys."""
    from core.crypto import decrypt

    if fields is None:
        fields = case_fields(case)
    if members is None:
        members = [
            {
                "pk": str(m.pk),
                "name": m.name,
                "id_number": decrypt(m.id_cipher),
                "relation": m.relation,
                "health": m.health,
                "disability": m.disability,
                "school": m.school,
                "employment": m.employment,
            }
            for m in case.members.all()
        ]
    data = form_post(fields, members, case.organisation_id)
    data["members-INITIAL_FORMS"] = str(sum(1 for m in members if m.get("pk")))
    data["case_id"] = str(case.pk)
    return data


def case_fields(case, **overrides) -> dict:
    """A saved case's applicant fields, as `case_create`/`case_update` take them."""
    from assistance.models import CASE_INPUT_FIELDS
    from core.crypto import decrypt

    fields = {name: getattr(case, name) for name in CASE_INPUT_FIELDS}
    fields["id_number"] = decrypt(case.applicant_id_cipher)
    fields["bank_card"] = decrypt(case.bank_card_cipher)
    fields.update(overrides)
    return fields
