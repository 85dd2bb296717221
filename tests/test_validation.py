"""Worked cases for desk.rules.validation: ID numbers, mobiles, masks and the input models."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from desk.rules.masking import mask_id_number, mask_mobile
from desk.rules.validation import (
    FIELD_LABELS,
    ID_TYPES,
    CustomerIn,
    FamilyMemberIn,
    FieldProblem,
    PolicyIn,
    check_digit,
    normalize_mobile,
    parse_resident_id,
    problems_of,
)

# The GB 11643 rule as id_rules.md writes it, kept apart from the code under test.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def expected_check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_id(region: str = "110101", birth: str = "19900307", sequence: str = "123") -> str:
    first17 = region + birth + sequence
    return first17 + expected_check(first17)


ZHANG = make_id()  # 110101199003071233: Beijing 东城区, born 1990-03-07, male


def with_wrong_check(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def customer(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "张三",
        "id_number": ZHANG,
        "birth_date": "1990-03-07",
        "sex": "M",
        "mobile": "13812345678",
    }
    data.update(changes)
    return data


def problems(model: type, data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model(**data)
    return {p.field: p.message for p in problems_of(caught.value)}


def policy(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "policy_number": "P2025-0001",
        "product": "康宁重大疾病保险",
        "insured_id_number": ZHANG,
        "holder_id_number": make_id(birth="19650512", sequence="244"),
        "effective_date": "2025-01-10",
        "status": "active",
    }
    data.update(changes)
    return data


# --- Check digit and resident ID numbers ---------------------------------------------------


def test_check_digit_matches_the_iso_7064_rule():
    assert check_digit("11010119900307123") == "3"
    assert check_digit("36042619910101007") == "1"  # stdnum's own example 360426199101010071
    assert check_digit("11010119900307125") == "X"
    for first17 in ("44030119851231002", "51010720000229004", "65010219491001999"):
        assert check_digit(first17) == expected_check(first17)


def test_valid_number_yields_birth_date_sex_and_region():
    resident = parse_resident_id(ZHANG)
    assert resident.number == "110101199003071233"
    assert resident.birth_date == date(1990, 3, 7)
    assert resident.sex == "M"
    assert resident.region_code == "110101"
    assert resident.legacy is False


def test_even_sequence_is_female():
    assert parse_resident_id(make_id(sequence="124")).sex == "F"


def test_spaces_are_ignored():
    assert parse_resident_id(" 110101 19900307 1233 ").number == ZHANG


def test_lowercase_x_is_accepted_and_stored_upper_case():
    number = make_id(sequence="125")
    assert number.endswith("X")
    assert parse_resident_id(number.lower()).number == number


def test_wrong_check_digit_names_the_expected_one():
    with pytest.raises(ValueError, match="证件号码：校验位不正确，应为 3"):
        parse_resident_id(with_wrong_check(ZHANG))


def test_wrong_length_is_reported_first():
    with pytest.raises(ValueError, match="应为18位，当前为17位"):
        parse_resident_id(ZHANG[:-1])


def test_letters_in_the_first_17_positions():
    with pytest.raises(ValueError, match="前17位应全部为数字"):
        parse_resident_id("11010A19900307123" + "3")


def test_impossible_birth_date():
    with pytest.raises(ValueError, match="出生日期 19901332 不是有效日期"):
        parse_resident_id(make_id(birth="19901332"))


def test_birth_date_in_the_future():
    next_year = date.today() + timedelta(days=366)
    number = make_id(birth=next_year.strftime("%Y%m%d"))
    with pytest.raises(ValueError, match="晚于今天"):
        parse_resident_id(number, today=date.today())
    assert parse_resident_id(number).number == number  # no today given: no future check


def test_unknown_region():
    with pytest.raises(ValueError, match="地区代码 999999 不存在"):
        parse_resident_id(make_id(region="999999"))


def test_known_province_with_unknown_county_is_an_unknown_region():
    # stdnum 2.2 raises KeyError here; we report it like any unknown code.
    with pytest.raises(ValueError, match="地区代码 119999 不存在"):
        parse_resident_id(make_id(region="119999"))


def test_region_created_after_birth_is_accepted():
    # 330106 (杭州西湖区) dates from 1983; the number is given at registration, not birth.
    assert parse_resident_id(make_id(region="330106", birth="19700101")).region_code == "330106"


def test_region_retired_before_birth_is_refused():
    # 110103 (崇文区) was merged away in 2010.
    assert parse_resident_id(make_id(region="110103", birth="20050101"))
    with pytest.raises(ValueError, match="地区代码 110103"):
        parse_resident_id(make_id(region="110103", birth="20150101"))


def test_legacy_15_digit_number_is_refused_by_default():
    with pytest.raises(ValueError, match="应为18位，当前为15位"):
        parse_resident_id("110101900307123")


def test_legacy_15_digit_number_with_allow_legacy():
    resident = parse_resident_id("110101900307123", allow_legacy=True)
    assert resident.birth_date == date(1990, 3, 7)
    assert resident.sex == "M"
    assert resident.legacy is True
    assert resident.number == "110101900307123"
    # 18-digit numbers still need their check digit.
    with pytest.raises(ValueError, match="校验位"):
        parse_resident_id(with_wrong_check(ZHANG), allow_legacy=True)


# --- Mobile numbers and masks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+86 138 1234 5678",
        "0086-138-1234-5678",
        " +8613812345678 ",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_forms_that_normalize(raw):
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw", ["12345678901", "1381234567", "138123456789", "+85213812345678", ""]
)
def test_mobile_rejected(raw):
    with pytest.raises(ValueError, match="^手机号：应为11位数字，以13-19开头$"):
        normalize_mobile(raw)


def test_masks():
    assert mask_id_number("11010119900307123X") == "110101********123X"
    assert mask_id_number(ZHANG) == "110101********1233"
    assert mask_id_number("110101900307123") == "110********7123"
    assert mask_id_number("E12345678") == "E12**5678"
    assert mask_id_number("1234567") == "*******"
    assert mask_id_number("") == ""
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138 1234 5678") == "138****5678"
    assert mask_mobile("12345") == "*****"


# --- CustomerIn ------------------------------------------------------------------------------


def test_valid_customer_is_normalized():
    record = CustomerIn(
        **customer(
            id_number=ZHANG[:6] + " " + ZHANG[6:],
            birth_date="1990/03/07",
            mobile="+86 138-1234-5678",
            email=" zhang.san@example.com ",
        )
    )
    assert record.id_type == "resident_id"
    assert record.id_number == ZHANG
    assert record.birth_date == date(1990, 3, 7)
    assert record.mobile == "13812345678"
    assert record.email == "zhang.san@example.com"
    assert record.legacy_id is False
    assert "allow_legacy_id" not in record.model_dump()


@pytest.mark.parametrize(
    "raw", ["1990-03-07", "1990/03/07", "19900307", "1990-3-7", date(1990, 3, 7)]
)
def test_date_forms(raw):
    assert CustomerIn(**customer(birth_date=raw)).birth_date == date(1990, 3, 7)


def test_bad_date_text():
    assert problems(CustomerIn, customer(birth_date="07.03.1990")) == {
        "birth_date": "出生日期：日期格式应为 YYYY-MM-DD"
    }


@pytest.mark.parametrize("raw", ["男", "m", "M", " 男 "])
def test_sex_in_chinese_or_letters(raw):
    assert CustomerIn(**customer(sex=raw)).sex == "M"


def test_female_customer():
    number = make_id(sequence="124")
    assert CustomerIn(**customer(id_number=number, sex="女")).sex == "F"


def test_birth_date_mismatch_lands_on_birth_date():
    assert problems(CustomerIn, customer(birth_date="1990-03-08")) == {
        "birth_date": "出生日期：与证件号码中的出生日期 1990-03-07 不一致"
    }


def test_sex_mismatch_lands_on_sex():
    assert problems(CustomerIn, customer(sex="女")) == {
        "sex": "性别：与证件号码不一致（号码显示为男）"
    }


def test_both_mismatches_are_reported_together():
    found = problems(CustomerIn, customer(birth_date="1991-01-01", sex="F"))
    assert set(found) == {"birth_date", "sex"}


def test_wrong_check_digit_on_the_form():
    assert problems(CustomerIn, customer(id_number=with_wrong_check(ZHANG))) == {
        "id_number": "证件号码：校验位不正确，应为 3"
    }


def test_legacy_id_only_when_allowed():
    data = customer(id_number="110101900307123")
    assert "应为18位" in problems(CustomerIn, data)["id_number"]
    record = CustomerIn(**data, allow_legacy_id=True)
    assert record.legacy_id is True


def test_every_field_error_is_reported_at_once():
    found = problems(
        CustomerIn, customer(name="   ", mobile="12345678901", email="zhang@", sex="X")
    )
    assert found == {
        "name": "姓名：不能为空",
        "sex": "性别：应为男或女",
        "mobile": "手机号：应为11位数字，以13-19开头",
        "email": "电子邮箱：格式不正确，应类似 name@example.com",
    }


def test_email_rejected():
    assert problems(CustomerIn, customer(email="zhang.example.com"))["email"].startswith(
        "电子邮箱："
    )


def test_email_optional():
    assert CustomerIn(**customer()).email == ""


def test_name_too_long():
    assert problems(CustomerIn, customer(name="张" * 65)) == {"name": "姓名：不能超过64个字符"}


def test_passport_needs_only_the_simple_format():
    record = CustomerIn(
        **customer(id_type="护照", id_number="E12345678", birth_date="1985-06-01", sex="F")
    )
    assert record.id_type == "passport"
    assert record.legacy_id is False
    assert "id_number" in problems(CustomerIn, customer(id_type="passport", id_number="E1234 5678"))


def test_unknown_id_type():
    message = problems(CustomerIn, customer(id_type="驾驶证"))["id_type"]
    assert message.startswith("证件类型：应为以下之一：")
    assert ID_TYPES["resident_id"] in message


def test_customer_in_is_frozen():
    record = CustomerIn(**customer())
    with pytest.raises(ValidationError):
        record.name = "李四"


def test_future_birth_date_for_other_id_types():
    tomorrow = date.today() + timedelta(days=1)
    data = customer(id_type="passport", id_number="E12345678", birth_date=tomorrow, today=date.today())
    assert problems(CustomerIn, data) == {"birth_date": "出生日期：不能晚于今天"}


# --- problems_of -----------------------------------------------------------------------------


def test_missing_field_gets_a_chinese_message():
    data = customer()
    del data["birth_date"]
    with pytest.raises(ValidationError) as caught:
        CustomerIn(**data)
    assert problems_of(caught.value) == [FieldProblem("birth_date", "出生日期：缺少该字段")]


def test_wrong_type_gets_a_chinese_message():
    assert problems(CustomerIn, customer(mobile=13812345678)) == {"mobile": "手机号：应为文本"}


def test_empty_required_date():
    assert problems(CustomerIn, customer(birth_date="")) == {"birth_date": "出生日期：不能为空"}


def test_labels_cover_every_model_field():
    for model in (CustomerIn, FamilyMemberIn, PolicyIn):
        for field in model.model_fields:
            assert field in FIELD_LABELS or field == "allow_legacy_id"


# --- FamilyMemberIn --------------------------------------------------------------------------


def test_family_member_with_chinese_relation_label():
    member = FamilyMemberIn(
        name="李四", relation="配偶", id_number=make_id(birth="19920815", sequence="246")
    )
    assert member.relation == "spouse"
    assert member.birth_date is None
    assert member.sex is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [("子女", "child"), ("外祖父母", "grandparent"), ("孙子女/外孙子女", "grandchild")],
)
def test_family_relation_labels(raw, code):
    member = FamilyMemberIn(name="李四", relation=raw, id_number=ZHANG)
    assert member.relation == code


def test_family_member_must_agree_with_number_when_given():
    data = {"name": "李四", "relation": "child", "id_number": ZHANG, "sex": "女"}
    assert problems(FamilyMemberIn, data) == {"sex": "性别：与证件号码不一致（号码显示为男）"}
    member = FamilyMemberIn(**data | {"sex": "男", "birth_date": "19900307"})
    assert member.birth_date == date(1990, 3, 7)


def test_family_member_relation_outside_immediate_family():
    data = {"name": "李四", "relation": "兄弟", "id_number": ZHANG}
    assert problems(FamilyMemberIn, data)["relation"].startswith("与被保险人关系：应为以下之一：")


def test_family_member_legacy_number_refused():
    data = {"name": "李四", "relation": "parent", "id_number": "110101900307123"}
    assert "id_number" in problems(FamilyMemberIn, data)


# --- PolicyIn --------------------------------------------------------------------------------


def test_active_policy():
    record = PolicyIn(**policy())
    assert record.effective_date == date(2025, 1, 10)
    assert record.termination_date is None
    assert record.illness_list == "industry_2020"


def test_terminated_policy_needs_termination_date():
    assert problems(PolicyIn, policy(status="terminated")) == {
        "termination_date": "终止日期：保单状态为终止时必须填写"
    }


def test_active_policy_must_not_have_termination_date():
    found = problems(PolicyIn, policy(termination_date="2025-06-01"))
    assert found == {"termination_date": "终止日期：有效保单不应有终止日期"}


def test_termination_before_effective_date():
    found = problems(PolicyIn, policy(status="lapsed", termination_date="2024-12-31"))
    assert found == {"termination_date": "终止日期：不能早于生效日期 2025-01-10"}


def test_chinese_status_accepted():
    record = PolicyIn(**policy(status="退保", termination_date="2025/06/01"))
    assert record.status == "surrendered"
    assert record.termination_date == date(2025, 6, 1)


def test_policy_accepts_legacy_numbers_and_labels_its_own_fields():
    assert PolicyIn(**policy(holder_id_number="110101650512244")).holder_id_number == (
        "110101650512244"
    )
    found = problems(PolicyIn, policy(insured_id_number=with_wrong_check(ZHANG)))
    assert found == {"insured_id_number": "被保险人证件号码：校验位不正确，应为 3"}


def test_policy_number_format():
    assert problems(PolicyIn, policy(policy_number="P/1")) == {
        "policy_number": "保单号：应为2-32位字母、数字或连字符"
    }


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("李晓梅", "李*梅"), ("欧阳娜娜", "欧**娜"), ("王", "王"), (" 赵敏 ", "赵*")],
)
def test_names_outside_a_verified_call_are_masked(name, masked):
    from desk.rules.masking import mask_name

    assert mask_name(name) == masked
