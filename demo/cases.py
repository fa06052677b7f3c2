"""Demo applications: a few dozen households across the twelve grassroots unions.

Every category and every outcome of the assessment (深度、相对、意外致困、不符合建档条件 for
each kind of reason), drafts at every stage, submitted applications with their six
documents, a duplicate still waiting for a reviewer and one already explained. The incomes
are chosen for the 2026 低保 of 760 yuan a month: per capita = (income − rigid
expenses) ÷ 12 ÷ household size; deep ≤ 760, relative ≤ 1520 with rigid expenses over
15,000 and a cause other than schooling, accident costs of 30,000 or more.

Everything is written through the services by the union's own caseworker (and, for the
duplicate explanation, by the county reviewer), so histories read as they would in real
use. Names, ID and card numbers are generated deterministically: every run gives the same
demo.
"""

import datetime
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric

from accounts.models import Organisation, User
from accounts.roles import Level
from assistance.eligibility import Category, Exclusion, MainCause
from assistance.models import CASE_MONEY_FIELDS, Case, CaseDocument, HouseholdMember
from assistance.selectors import case_duplicates
from assistance.services import (
    MemberInput,
    case_create,
    case_submit,
    document_upload,
    duplicate_clear,
)

# What happens to an application after it is typed in.
SUBMITTED = "submitted"  # all six documents, submitted
COMPLETE = "complete"  # draft with all six documents, not (yet) submitted
MISSING = "missing"  # draft with some documents still to come
ENTERED = "entered"  # draft just typed in, no documents yet

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "魏苏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵"
)
# Given names by generation (born before 1960, 1960–1994, from 1995) and sex.
GIVEN_NAMES = {
    ("elder", "M"): ["德明", "长生", "国华", "家旺", "树林", "忠义", "福根", "正林", "友才", "春山", "茂林"],
    ("elder", "F"): ["秀英", "桂兰", "玉珍", "凤英", "翠华", "金凤", "素珍", "兰英", "桂芝", "淑珍", "月娥"],
    ("adult", "M"): [
        "建国", "志强", "海涛", "建华", "卫东", "立新", "国庆", "永刚", "晓东", "明辉", "春雷",
        "文斌", "学军", "振华", "德胜", "建军", "少华", "红兵", "伟", "军", "勇", "涛", "斌",
    ],
    ("adult", "F"): [
        "丽华", "秀兰", "美玲", "红梅", "春燕", "玉梅", "桂芳", "晓红", "丽娟", "小芳", "海燕",
        "亚琴", "慧敏", "静", "敏", "霞", "燕", "莉", "芳", "琳", "婷", "红霞", "晓燕",
    ],
    ("young", "M"): [
        "浩然", "子轩", "宇航", "俊杰", "梓豪", "一鸣", "思远", "博文", "天佑", "明轩", "嘉豪",
        "家乐", "子墨",
    ],
    ("young", "F"): [
        "梓涵", "欣怡", "雨桐", "诗涵", "语嫣", "可馨", "思琪", "佳怡", "若曦", "一诺", "梦瑶",
        "子萱", "雨萱",
    ],
}  # fmt: skip
# Where a county's people were registered: 弋江区 was 340203 until 2020, then 340209;
# 鸠江区 (340207) dates from 1990, people born before then hold 芜湖县 numbers (340221).
COUNTY_AREAS = {
    "JH": ((0, "340202"),),
    "YJ": ((0, "340203"), (2021, "340209")),
    "JJ": ((0, "340221"), (1990, "340207")),
}
SPOUSE_AREAS = ("", "340221", "340223", "340222")  # own county, 芜湖县, 南陵县, 繁昌县

DOCUMENT_NAMES = {
    CaseDocument.Type.APPLICATION_FORM: "帮扶救助申请书.pdf",
    CaseDocument.Type.ID_CARD: "身份证正反面.png",
    CaseDocument.Type.HOUSEHOLD_REGISTER: "户口本.png",
    CaseDocument.Type.INCOME_PROOF: "家庭收入证明.pdf",
    CaseDocument.Type.HARDSHIP_PROOF: "困难证明材料.pdf",
    CaseDocument.Type.AUTHORISATION: "核对承诺授权书.pdf",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    """A valid 1×1 grey PNG, made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xc0"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


@dataclass(frozen=True)
class Member:
    """A household member as planned; `key` marks a person who stands in two applications."""

    relation: str
    sex: str
    birth: str
    school: str = ""
    health: str = HouseholdMember.Health.HEALTHY
    disability: str = HouseholdMember.Disability.NONE
    employment: str = ""
    name: str = ""
    key: str = ""


def _member(relation: str, sex: str):
    def make(birth: str, **kwargs) -> Member:
        return Member(relation, sex, birth, **kwargs)

    return make


R = HouseholdMember.Relation
husband, wife = _member(R.SPOUSE, "M"), _member(R.SPOUSE, "F")
son, daughter = _member(R.CHILD, "M"), _member(R.CHILD, "F")
father, mother = _member(R.PARENT, "M"), _member(R.PARENT, "F")
S, H, E = HouseholdMember.School, HouseholdMember.Health, HouseholdMember.Employment

# People who stand in two open applications of sibling unions.
ZHAO_MOTHER = mother(
    "19440211", health=H.SERIOUS, employment=E.RETIRED, name="孙秀英", key="zhao-mother"
)
ZHOU_SON = son("20050917", school=S.COLLEGE, name="周子轩", key="zhou-son")
ZHOU_CLEARANCE = (
    "经入户核实：周建华与吴丽娟已于2023年离婚，儿子周子轩在安徽工程大学就读，"
    "寒暑假在父母两处轮流居住，学费由双方各负担一半。两份申请分别按各自家庭核算，同意同时受理。"
)


@dataclass(frozen=True)
class DemoCase:
    """One planned application: who, where, the household's year, and how far it got."""

    union: str  # "JH-01": county code and union number under the demo city
    date: str  # application date, "MM-DD" in 2026
    sex: str
    birth: str
    work_unit: str
    cause: str
    stage: str
    expect: str | None  # the category the assessment must give (None: not eligible)
    money: dict = field(default_factory=dict)
    members: tuple[Member, ...] = ()
    employment: str = Case.Employment.IN_POST
    homes: int = 1
    vehicles: int = 0
    retired: bool = False
    migrant_months: int | None = None  # a migrant worker: months of labour relation
    urban_residence: bool = True
    exclusions: tuple[str, ...] = ()
    name: str = ""
    area: str = ""
    clearance: str = ""  # a county reviewer explains this case's duplicates
    year: int = 2026  # of the application date


DEEP, RELATIVE, ACCIDENT = Category.DEEP.value, Category.RELATIVE.value, Category.ACCIDENT.value
C = MainCause
LAID_OFF, FLEXIBLE = Case.Employment.LAID_OFF, Case.Employment.FLEXIBLE

# fmt: off
DEMO_CASES: tuple[DemoCase, ...] = (
    # 镜湖区 · 芜湖造船厂工会
    DemoCase("JH-01", "01-05", "M", "19720315", "芜湖造船厂船体车间", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 52000, "expense_medical": 28000, "medical_out_of_pocket": 26000},
             (wife("19740802", health=H.SERIOUS, employment=E.NOT_WORKING),
              son("20080520", school=S.SENIOR))),
    DemoCase("JH-01", "03-18", "M", "19801109", "芜湖造船厂涂装车间", C.DISABILITY, SUBMITTED,
             RELATIVE,
             {"income_wages": 78000, "expense_disability": 22000, "expense_education": 6000,
              "expense_medical": 4000},
             (wife("19820417", employment=E.FLEXIBLE), daughter("20110903", school=S.JUNIOR),
              son("20160228", school=S.PRIMARY, health=H.CHRONIC,
                  disability=HouseholdMember.Disability.GRADE_2))),
    DemoCase("JH-01", "06-22", "F", "19850714", "芜湖造船厂职工食堂", C.OTHER, SUBMITTED, RELATIVE,
             {"income_wages": 38400, "income_transfer": 3600, "expense_housing": 14400,
              "expense_education": 3000},
             (son("20141010", school=S.PRIMARY),), homes=0),
    DemoCase("JH-01", "04-09", "M", "19681201", "芜湖造船厂舾装车间", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 56000, "income_transfer": 6000, "expense_medical": 35000,
              "medical_out_of_pocket": 30000},
             (wife("19700505", health=H.CHRONIC, employment=E.FLEXIBLE), ZHAO_MOTHER),
             name="赵卫东"),
    # 镜湖区 · 赭山街道总工会
    DemoCase("JH-02", "10-28", "F", "19720630", "赭山街道环卫所", C.ILLNESS, COMPLETE, RELATIVE,
             {"income_wages": 60000, "income_transfer": 6000, "expense_medical": 20000,
              "medical_out_of_pocket": 12000},
             (husband("19700118"), ZHAO_MOTHER), name="赵红梅"),
    DemoCase("JH-02", "02-10", "F", "19780912", "原芜湖印刷厂（已破产）", C.UNEMPLOYMENT, SUBMITTED,
             DEEP, {"income_transfer": 9600, "income_other": 6000, "expense_education": 12000},
             (daughter("20070308", school=S.COLLEGE),), employment=LAID_OFF),
    DemoCase("JH-02", "09-15", "M", "19900120", "赭山街道快递驿站", C.OTHER, SUBMITTED, None,
             {"income_wages": 96000, "expense_medical": 3000, "expense_education": 8000},
             (wife("19920611"), son("20190403", school=S.PRESCHOOL))),
    DemoCase("JH-02", "11-06", "M", "19790802", "外卖骑手（灵活就业）", C.ILLNESS, ENTERED, DEEP,
             {"income_wages": 50000, "expense_medical": 30000, "medical_out_of_pocket": 24000},
             (wife("19810926", health=H.SERIOUS, employment=E.NOT_WORKING),
              daughter("20120815", school=S.JUNIOR)), employment=FLEXIBLE),
    # 镜湖区 · 芜湖纺织集团工会
    DemoCase("JH-03", "03-02", "M", "19760425", "芜湖纺织集团织布分厂", C.ILLNESS, SUBMITTED,
             RELATIVE,
             {"income_wages": 48000, "expense_medical": 16000, "expense_education": 10000,
              "medical_out_of_pocket": 14000},
             (ZHOU_SON,), name="周建华"),
    DemoCase("JH-03", "07-07", "F", "19700214", "芜湖纺织集团（已退休，返聘）", C.ILLNESS, COMPLETE,
             None, {"income_wages": 24000, "income_transfer": 30000, "expense_medical": 18000},
             (husband("19680305", health=H.CHRONIC),), retired=True, employment=FLEXIBLE),
    DemoCase("JH-03", "10-16", "M", "19830808", "芜湖纺织集团设备维修车间", C.ACCIDENT, MISSING,
             ACCIDENT,
             {"income_wages": 110000, "expense_education": 3000, "accident_costs": 85000},
             (wife("19850117"), daughter("20120522", school=S.JUNIOR),
              son("20180909", school=S.PRIMARY))),
    DemoCase("JH-03", "10-09", "F", "19810321", "芜湖纺织集团后整理车间", C.ACCIDENT, MISSING, None,
             {"income_wages": 92000, "expense_education": 4000, "accident_costs": 18000},
             (husband("19790607"), son("20100212", school=S.JUNIOR))),
    # 镜湖区 · 范罗山社区工会
    DemoCase("JH-04", "05-20", "F", "19781003", "范罗山社区保洁服务站", C.EDUCATION, SUBMITTED,
             DEEP,
             {"income_wages": 36000, "income_transfer": 4800, "expense_education": 10000,
              "expense_medical": 8000},
             (ZHOU_SON, mother("19500623", health=H.CHRONIC, employment=E.RETIRED)),
             name="吴丽娟", clearance=ZHOU_CLEARANCE),
    DemoCase("JH-04", "01-21", "M", "19650505", "范罗山社区停车管理", C.DISABILITY, SUBMITTED, None,
             {"income_wages": 21600, "income_transfer": 3600, "expense_disability": 6000,
              "expense_medical": 3000}, employment=FLEXIBLE, homes=0),
    DemoCase("JH-04", "08-19", "F", "19881212", "芜湖安居物业服务有限公司", C.ILLNESS, SUBMITTED,
             DEEP,
             {"income_wages": 45000, "income_transfer": 18000, "expense_medical": 42000,
              "expense_education": 5000, "medical_out_of_pocket": 38000},
             (husband("19860301", health=H.SERIOUS, employment=E.NOT_WORKING),
              father("19580710", health=H.CHRONIC, employment=E.RETIRED),
              daughter("20130118", school=S.JUNIOR), son("20210506", school=S.PRESCHOOL))),
    # 弋江区 · 芜湖电缆厂工会
    DemoCase("YJ-01", "01-12", "M", "19740707", "芜湖电缆厂拉丝车间", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 72000, "expense_medical": 40000, "expense_education": 15000,
              "medical_out_of_pocket": 36000},
             (wife("19760220"), daughter("20030611", school=S.POSTGRADUATE))),
    DemoCase("YJ-01", "04-27", "M", "19790303", "芜湖电缆厂仓储物流部", C.ILLNESS, SUBMITTED,
             RELATIVE,
             {"income_wages": 52000, "income_business": 6000, "expense_medical": 16000,
              "expense_education": 9000, "medical_out_of_pocket": 11000},
             (wife("19810815", health=H.CHRONIC, employment=E.FLEXIBLE),
              son("20090120", school=S.VOCATIONAL), daughter("20150725", school=S.PRIMARY)),
             vehicles=1),
    DemoCase("YJ-01", "09-08", "M", "19950618", "芜湖电缆厂（劳务派遣）", C.ILLNESS, MISSING, None,
             {"income_wages": 42000, "expense_medical": 15000},
             (wife("19970402", employment=E.UNEMPLOYED),), migrant_months=8, homes=0,
             area="340223"),
    DemoCase("YJ-01", "10-20", "M", "19880927", "芜湖电缆厂绞线车间", C.ILLNESS, MISSING, RELATIVE,
             {"income_wages": 80000, "expense_medical": 30000, "medical_out_of_pocket": 22000},
             (wife("19900314", health=H.CHRONIC, employment=E.FLEXIBLE),
              son("20150930", school=S.PRIMARY), daughter("20191208", school=S.PRESCHOOL))),
    # 弋江区 · 马塘街道总工会
    DemoCase("YJ-02", "02-24", "F", "19691111", "马塘街道保洁服务站", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 26400, "income_transfer": 7200, "expense_medical": 18000,
              "expense_disability": 5000, "medical_out_of_pocket": 15000},
             (husband("19660416", health=H.SERIOUS, employment=E.NOT_WORKING,
                      disability=HouseholdMember.Disability.GRADE_2),), employment=FLEXIBLE),
    DemoCase("YJ-02", "05-11", "M", "19870202", "芜湖顺达快递马塘网点", C.ILLNESS, COMPLETE, None,
             {"income_wages": 66000, "expense_medical": 20000},
             (wife("19890809", health=H.CHRONIC, employment=E.NOT_WORKING),
              son("20170301", school=S.PRIMARY)), homes=3),
    DemoCase("YJ-02", "10-30", "F", "19920404", "个体（马塘农贸市场蔬菜摊）", C.OTHER, ENTERED, DEEP,
             {"income_business": 30000, "expense_housing": 9600, "expense_education": 4000},
             (daughter("20160612", school=S.PRIMARY), son("20200720", school=S.PRESCHOOL)),
             employment=FLEXIBLE, homes=0),
    # 弋江区 · 芜湖食品公司工会
    DemoCase("YJ-03", "03-09", "M", "19710909", "芜湖食品公司肉联加工厂", C.ACCIDENT, SUBMITTED,
             ACCIDENT,
             {"income_wages": 98000, "expense_medical": 12000, "expense_education": 12000,
              "accident_costs": 46000, "medical_out_of_pocket": 9000},
             (wife("19730130", health=H.SERIOUS), son("20040506", school=S.COLLEGE))),
    DemoCase("YJ-03", "06-15", "F", "19830125", "芜湖食品公司冷库", C.EDUCATION, SUBMITTED, None,
             {"income_wages": 96000, "expense_education": 36000},
             (husband("19810522"), son("20061101", school=S.COLLEGE),
              daughter("20090815", school=S.SENIOR))),
    DemoCase("YJ-03", "11-03", "M", "19761220", "芜湖食品公司销售部", C.ILLNESS, MISSING, DEEP,
             {"income_wages": 40000, "expense_medical": 32000, "medical_out_of_pocket": 30000},
             (wife("19771008", health=H.SERIOUS, employment=E.NOT_WORKING),)),
    DemoCase("YJ-03", "11-10", "F", "19840429", "芜湖食品公司包装车间", C.ACCIDENT, ENTERED,
             ACCIDENT, {"income_wages": 88000, "expense_education": 2000, "accident_costs": 38000},
             (husband("19820303"), daughter("20100619", school=S.JUNIOR))),
    # 弋江区 · 中南社区工会
    DemoCase("YJ-04", "01-28", "M", "19670815", "中南社区养老服务站", C.ILLNESS, SUBMITTED,
             RELATIVE,
             {"income_wages": 36000, "income_transfer": 24000, "expense_medical": 30000,
              "medical_out_of_pocket": 25000},
             (wife("19690203", health=H.CHRONIC, employment=E.RETIRED),)),
    DemoCase("YJ-04", "07-21", "M", "19840516", "芜湖中南建筑劳务有限公司", C.OTHER, SUBMITTED,
             DEEP,
             {"income_wages": 58000, "expense_housing": 12000, "expense_education": 4000,
              "expense_medical": 6000},
             (wife("19860924", employment=E.FLEXIBLE), son("20110412", school=S.JUNIOR),
              daughter("20140826", school=S.PRIMARY)),
             migrant_months=26, homes=0, area="340223"),
    DemoCase("YJ-04", "09-29", "F", "19750327", "个体（中南社区服装店）", C.EDUCATION, COMPLETE,
             None, {"income_business": 42000, "expense_education": 28000},
             (daughter("20100105", school=S.SENIOR),), employment=FLEXIBLE,
             exclusions=(Exclusion.PRIVATE_SCHOOL,)),
    # 鸠江区 · 芜湖汽车零部件厂工会
    DemoCase("JJ-01", "02-03", "M", "19770606", "芜湖汽车零部件厂冲压车间", C.ILLNESS, SUBMITTED,
             DEEP,
             {"income_wages": 88000, "expense_medical": 65000, "medical_out_of_pocket": 52000},
             (wife("19790512"), daughter("20140303", school=S.PRIMARY, health=H.SERIOUS))),
    DemoCase("JJ-01", "05-26", "F", "19890815", "芜湖汽车零部件厂总装车间", C.ILLNESS, SUBMITTED,
             RELATIVE,
             {"income_wages": 54000, "expense_medical": 30000, "medical_out_of_pocket": 26000},
             (husband("19870721", health=H.SERIOUS, employment=E.NOT_WORKING),
              son("20160918", school=S.PRIMARY)), homes=2),
    DemoCase("JJ-01", "08-04", "M", "19800930", "芜湖汽车零部件厂质检部", C.ACCIDENT, SUBMITTED,
             ACCIDENT,
             {"income_wages": 102000, "expense_education": 6000, "accident_costs": 52000},
             (wife("19820114"), son("20081023", school=S.SENIOR),
              daughter("20130607", school=S.JUNIOR))),
    DemoCase("JJ-01", "10-13", "M", "19720418", "芜湖汽车零部件厂机加工车间", C.ILLNESS, COMPLETE,
             DEEP,
             {"income_wages": 56000, "expense_medical": 40000, "medical_out_of_pocket": 35000},
             (wife("19740925", health=H.SERIOUS, employment=E.NOT_WORKING),)),
    # 鸠江区 · 湾里街道总工会
    DemoCase("JJ-02", "01-15", "M", "19700108", "湾里街道市政养护队", C.DISABILITY, SUBMITTED,
             RELATIVE,
             {"income_wages": 42000, "income_transfer": 6000, "expense_disability": 14000,
              "expense_medical": 8000},
             (wife("19710627", health=H.CHRONIC, employment=E.NOT_WORKING,
                   disability=HouseholdMember.Disability.GRADE_1),)),
    DemoCase("JJ-02", "04-16", "F", "19760719", "芜湖湾里农贸市场管理有限公司", C.UNEMPLOYMENT,
             SUBMITTED, None, {"income_wages": 30000, "expense_medical": 3000},
             (husband("19740211", employment=E.UNEMPLOYED), son("20100830", school=S.JUNIOR))),
    DemoCase("JJ-02", "10-22", "M", "19821111", "湾里街道（下岗后打零工）", C.UNEMPLOYMENT, COMPLETE,
             DEEP,
             {"income_transfer": 12000, "income_other": 18000, "expense_medical": 9000,
              "expense_education": 3000},
             (wife("19840208", health=H.CHRONIC, employment=E.NOT_WORKING),
              son("20120309", school=S.JUNIOR),
              mother("19550910", health=H.CHRONIC, employment=E.RETIRED)),
             employment=LAID_OFF),
    # 鸠江区 · 芜湖建材公司工会
    DemoCase("JJ-03", "03-24", "M", "19730402", "芜湖建材公司水泥制品厂", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 30000, "expense_medical": 24000, "medical_out_of_pocket": 20000}),
    DemoCase("JJ-03", "06-30", "M", "19750828", "芜湖建材公司销售科", C.ILLNESS, COMPLETE, None,
             {"income_wages": 60000, "income_business": 20000, "expense_medical": 25000},
             (wife("19770416"), son("20050321", school=S.COLLEGE)),
             exclusions=(Exclusion.CONTROLLING_SHAREHOLDER,)),
    DemoCase("JJ-03", "09-02", "F", "19860509", "芜湖建材公司运输队调度室", C.ILLNESS, SUBMITTED,
             RELATIVE,
             {"income_wages": 98000, "expense_medical": 36000, "expense_education": 14000,
              "medical_out_of_pocket": 28000},
             (husband("19840812", health=H.CHRONIC),
              daughter("20080402", school=S.VOCATIONAL), son("20110716", school=S.JUNIOR),
              mother("19570103", health=H.SERIOUS, employment=E.NOT_WORKING))),
    # 鸠江区 · 官陡社区工会
    DemoCase("JJ-04", "02-17", "M", "19811224", "芜湖官陡建筑工程有限公司", C.ACCIDENT, SUBMITTED,
             ACCIDENT, {"income_wages": 84000, "expense_housing": 9600, "accident_costs": 34000},
             (wife("19830419", employment=E.FLEXIBLE),), migrant_months=18, homes=0,
             area="341422"),
    DemoCase("JJ-04", "05-06", "F", "19800313", "官陡社区网格服务站", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 48000, "income_transfer": 4800, "expense_medical": 36000,
              "expense_education": 10000, "medical_out_of_pocket": 33000},
             (husband("19780517", health=H.SERIOUS, employment=E.NOT_WORKING),
              daughter("20070214", school=S.COLLEGE), son("20130826", school=S.JUNIOR))),
    DemoCase("JJ-04", "08-25", "F", "19790620", "芜湖官陡建筑工程有限公司食堂", C.DISABILITY,
             MISSING, RELATIVE,
             {"income_wages": 70000, "income_transfer": 4800, "expense_disability": 24000,
              "expense_medical": 6000},
             (husband("19770902"),
              son("20040317", health=H.CHRONIC, employment=E.NOT_WORKING,
                  disability=HouseholdMember.Disability.GRADE_1))),
)
# fmt: on

# Last year's households, approved in 2025: their archives (`demo.archives`). Figures
# for the 2025 低保 of 720 a month (deep ≤ 720, relative ≤ 1440 per head).
# fmt: off
ARCHIVE_HOUSEHOLDS: tuple[DemoCase, ...] = (
    DemoCase("JH-02", "02-17", "M", "19700612", "芜湖钢铁厂轧钢车间", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 46000, "expense_medical": 29000, "medical_out_of_pocket": 24000},
             (wife("19720920", health=H.SERIOUS, employment=E.NOT_WORKING),
              son("20090311", school=S.SENIOR)), year=2025),
    DemoCase("JH-03", "03-10", "F", "19780404", "镜湖区环卫所", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 36000, "income_transfer": 4000, "expense_medical": 22000,
              "medical_out_of_pocket": 18000},
             (husband("19750108", health=H.SERIOUS, employment=E.NOT_WORKING),
              daughter("20120716", school=S.JUNIOR)), year=2025),
    DemoCase("YJ-02", "04-08", "M", "19760521", "芜湖电缆厂", C.ILLNESS, SUBMITTED, RELATIVE,
             {"income_wages": 70000, "expense_medical": 20000, "medical_out_of_pocket": 16000},
             (wife("19790302", health=H.CHRONIC, employment=E.FLEXIBLE),
              son("20110825", school=S.JUNIOR)), year=2025),
    DemoCase("JH-04", "05-12", "M", "19690830", "芜湖港务公司装卸队", C.DISABILITY, SUBMITTED, DEEP,
             {"income_wages": 30000, "expense_disability": 16000},
             (wife("19710219", employment=E.FLEXIBLE),), year=2025),
    DemoCase("JJ-03", "06-16", "M", "19820907", "鸠江区建筑安装公司", C.ACCIDENT, SUBMITTED, ACCIDENT,
             {"income_wages": 90000, "accident_costs": 60000},
             (wife("19840610", employment=E.EMPLOYED), daughter("20130405", school=S.PRIMARY)),
             year=2025),
    DemoCase("YJ-03", "07-07", "F", "19810127", "弋江区纺织品公司", C.ILLNESS, SUBMITTED, RELATIVE,
             {"income_wages": 64000, "expense_medical": 18000, "medical_out_of_pocket": 15000},
             (husband("19790915", health=H.SERIOUS, employment=E.FLEXIBLE),
              son("20100618", school=S.JUNIOR)), year=2025),
    DemoCase("JJ-02", "03-24", "M", "19740316", "鸠江区物流公司", C.DISABILITY, SUBMITTED, RELATIVE,
             {"income_wages": 60000, "expense_disability": 17000, "expense_medical": 3000},
             (wife("19760711", employment=E.FLEXIBLE), son("20140128", school=S.PRIMARY)),
             year=2025),
    DemoCase("JJ-04", "11-03", "F", "19730815", "鸠江区官陡社区服务站", C.ILLNESS, SUBMITTED, DEEP,
             {"income_wages": 30000, "expense_medical": 15000, "medical_out_of_pocket": 12000},
             (daughter("20100906", school=S.JUNIOR),), year=2025),
)
# fmt: on


@dataclass(frozen=True)
class PlannedCase:
    """A demo application with everything filled in, ready for the services."""

    spec: DemoCase
    fields: dict
    members: list[MemberInput]
    documents: tuple[str, ...]


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str(-total % 10)


def _generation(birth: str) -> str:
    year = int(birth[:4])
    return "elder" if year < 1960 else "adult" if year < 1995 else "young"


class _Namer:
    """Deterministic names and ID numbers: each pool is walked with a fixed stride."""

    def __init__(self, reserved: set[str]) -> None:
        self.surnames = 0
        self.given: Counter = Counter()
        self.serials = 0
        self.people: dict[str, tuple[str, str]] = {}
        self.used = set(reserved)

    def surname(self) -> str:
        self.surnames += 1
        return SURNAMES[(self.surnames * 37) % len(SURNAMES)]

    def full_name(self, surname: str, sex: str, birth: str) -> str:
        """The next given name of the person's generation and sex; no name is used twice."""
        key = (_generation(birth), sex)
        pool = GIVEN_NAMES[key]
        while True:
            self.given[key] += 1
            name = surname + pool[(self.given[key] * 5) % len(pool)]
            if name not in self.used:
                self.used.add(name)
                return name

    def id_number(self, sex: str, birth: str, area: str) -> str:
        self.serials += 1
        serial = 100 + 2 * self.serials + (1 if sex == "M" else 0)
        body = f"{area}{birth}{serial:03d}"
        return body + ric.calc_check_digit(body + "0")


def _area(county: str, birth: str) -> str:
    year = int(birth[:4])
    return [code for since, code in COUNTY_AREAS[county] if year >= since][-1]


def _member_area(spec: DemoCase, member: Member, index: int) -> str:
    """A migrant family keeps its home county's numbers; spouses come from around Wuhu."""
    county = spec.union.split("-")[0]
    if spec.area:
        return spec.area
    if member.relation == R.SPOUSE and SPOUSE_AREAS[index % len(SPOUSE_AREAS)]:
        return SPOUSE_AREAS[index % len(SPOUSE_AREAS)]
    return _area(county, member.birth)


def _documents(stage: str, index: int) -> tuple[str, ...]:
    types = CaseDocument.REQUIRED_FOR_SUBMISSION
    if stage in (SUBMITTED, COMPLETE):
        return types
    if stage == MISSING:
        return types[: 2 + index % 4]  # the proofs of income and hardship take longest
    return ()


def demo_case_plan() -> list[PlannedCase]:
    """The demo applications in order of application date, with names and numbers."""
    every = (*DEMO_CASES, *ARCHIVE_HOUSEHOLDS)
    fixed = {spec.name for spec in every} | {m.name for s in every for m in s.members}
    namer = _Namer(reserved=fixed - {""})
    plan = []
    # This year's applications first, so that adding last year's households changes no name.
    specs = [
        *sorted(DEMO_CASES, key=lambda spec: (spec.date, spec.union)),
        *sorted(ARCHIVE_HOUSEHOLDS, key=lambda spec: (spec.date, spec.union)),
    ]
    for index, spec in enumerate(specs):
        county = spec.union.split("-")[0]
        own_area = spec.area or _area(county, spec.birth)
        name = spec.name or namer.full_name(namer.surname(), spec.sex, spec.birth)
        spouse = next((m for m in spec.members if m.relation == R.SPOUSE), None)
        spouse_surname = namer.surname()
        if spec.sex == "M":
            children_surname = name[0]
        elif spouse is not None:
            children_surname = spouse_surname
        else:
            children_surname = namer.surname()  # the children's father no longer lives here
        members = []
        for member in spec.members:
            if member.key in namer.people:
                member_name, number = namer.people[member.key]
            else:
                surname = {
                    R.SPOUSE: spouse_surname,
                    R.CHILD: children_surname,
                    R.PARENT: name[0] if member.sex == "M" else namer.surname(),
                }[member.relation]
                member_name = member.name or namer.full_name(surname, member.sex, member.birth)
                area = _member_area(spec, member, index)
                number = namer.id_number(member.sex, member.birth, area)
                if member.key:
                    namer.people[member.key] = (member_name, number)
            members.append(
                MemberInput(
                    name=member_name,
                    id_number=number,
                    relation=member.relation,
                    health=member.health,
                    disability=member.disability,
                    school=member.school,
                    employment=member.employment or (E.STUDENT if member.school else E.EMPLOYED),
                )
            )
        bank = ("622202", "中国工商银行") if index % 3 else ("621700", "中国建设银行")
        card = f"{bank[0]}{(index * 104729 + 3305) * 7919 % 10**12:012d}"
        money = {
            money_field: Decimal(spec.money.get(money_field, 0))
            for money_field in CASE_MONEY_FIELDS
        }
        fields = {
            "channel": Case.Channel.APP if index % 4 == 3 else Case.Channel.PAPER,
            "application_date": datetime.date.fromisoformat(f"{spec.year}-{spec.date}"),
            "applicant_name": name,
            "id_number": namer.id_number(spec.sex, spec.birth, own_area),
            "phone": f"139{(index * 7919 + 5530117) * 48271 % 10**8:08d}",
            "work_unit": spec.work_unit,
            "employment": spec.employment,
            "migrant_worker": spec.migrant_months is not None,
            "labor_relation_months": spec.migrant_months or 0,
            "fixed_urban_residence": spec.urban_residence,
            "retired": spec.retired,
            "bank_name": bank[1],
            "bank_card": card + _luhn_digit(card),
            **money,
            "urban_homes": spec.homes,
            "vehicles": spec.vehicles,
            "main_cause": spec.cause,
            "exclusions": [str(code) for code in spec.exclusions],
        }
        plan.append(PlannedCase(spec, fields, members, _documents(spec.stage, index)))
    return plan


def _upload(actor: User, case: Case, doc_type: str) -> None:
    filename = f"{case.applicant_name}-{DOCUMENT_NAMES[doc_type]}"
    if filename.endswith(".png"):
        upload = SimpleUploadedFile(filename, PNG, content_type="image/png")
    else:
        upload = SimpleUploadedFile(filename, PDF, content_type="application/pdf")
    document_upload(actor=actor, case=case, doc_type=doc_type, upload=upload)


def _clear_duplicates(reviewer: User, case: Case, reason: str) -> None:
    """The reviewer explains each duplicate, on this application and on the other one."""
    for duplicate in case_duplicates(case):
        duplicate_clear(
            actor=reviewer,
            case=case,
            id_hash=duplicate.id_hash,
            other_case_id=duplicate.other_case_id,
            reason=reason,
        )
        duplicate_clear(
            actor=reviewer,
            case=duplicate.other_case,
            id_hash=duplicate.id_hash,
            other_case_id=case.pk,
            reason=reason,
        )


def demo_cases_seed(*, city: Organisation) -> int:
    """Enter the demo applications under `city`, each by its union's caseworker."""
    unions = {
        org.code: org for org in Organisation.objects.filter(city=city, level=Level.GRASSROOTS)
    }
    users = {user.username: user for user in User.objects.filter(organisation__city=city)}
    for planned in demo_case_plan():
        spec = planned.spec
        if spec.year != 2026:
            continue  # last year's households: `demo.archives`
        county, number = spec.union.split("-")
        caseworker = users[f"{county}{number}_caseworker".lower()]
        case = case_create(
            actor=caseworker,
            organisation=unions[f"{city.code}-{spec.union}"],
            fields=planned.fields,
            members=planned.members,
        ).case
        for doc_type in planned.documents:
            _upload(caseworker, case, doc_type)
        if spec.clearance:
            _clear_duplicates(users[f"{county}_reviewer".lower()], case, spec.clearance)
        if spec.stage == SUBMITTED:
            case_submit(actor=caseworker, case=case)
    return len(DEMO_CASES)


def demo_cases_summary(*, city_code: str) -> str:
    """One line for the command: how many demo applications of each kind there are."""
    cases = list(Case.objects.filter(city__code=city_code).prefetch_related("members"))
    status = Counter(case.status for case in cases)
    category = Counter(case.category for case in cases if case.assessment is not None)
    flagged = cleared = 0
    for case in cases:
        duplicates = case_duplicates(case)
        flagged += any(not d.cleared for d in duplicates)
        cleared += any(d.cleared for d in duplicates)
    kinds = "，".join(
        [*(f"{c.label} {category[c.value]}" for c in Category), f"不符合建档条件 {category[None]}"]
    )
    return (
        f"演示申请：共 {len(cases)} 份（草稿 {status[Case.Status.DRAFT]}，"
        f"已提交 {len(cases) - status[Case.Status.DRAFT]}；{kinds}；"
        f"有待说明的重复申请 {flagged} 份，重复已由审核人说明 {cleared} 份）"
    )
