"""National ID numbers (居民身份证号, GB 11643), checked by python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def validate_id_number(value: str) -> str:
    """National ID (GB 11643) by python-stdnum: length, digits, check digit, birth date, area.

    stdnum also refuses an area code created after the holder's birth year, assuming the
    number was assigned at birth. Numbers were first issued in 1985 with the area of
    registration, so a worker born in 1980 in 镜湖区 (340202, created 1983) holds a valid
    number: an area code stdnum knows for any period is accepted.
    """
    try:
        return ric.validate(value)
    except InvalidChecksum:
        raise ValidationError("身份证号校验位不正确，请核对。") from None
    except InvalidLength:
        raise ValidationError("身份证号应为 18 位。") from None
    except InvalidFormat:
        raise ValidationError("身份证号前 17 位应为数字，最后一位为数字或 X。") from None
    except InvalidComponent:
        number = ric.compact(value)
        try:
            born = ric.get_birth_date(number)
        except InvalidComponent:
            raise ValidationError("身份证号中的出生日期无效。") from None
        if not _known_area(number):
            raise ValidationError("身份证号中的地区码无效。") from None
        if born > timezone.localdate():
            raise ValidationError("身份证号中的出生日期晚于今天。") from None
        return number


def _known_area(number: str) -> bool:
    """Whether stdnum's table names a county for this area code, in any period."""
    return any("county" in props for _, props in numdb.get("cn/loc").info(number[:6]))
