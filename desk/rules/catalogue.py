"""The benefit catalogue: the one source for every service's name, audience, quota and SLA.

Every screen, rule and report reads a benefit from here; nothing else spells a service's
name, quota or deadline. The facts come from ``shared/domain.md`` and the insurer's manual.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    """Who may use a service (服务对象)."""

    INSURED = "insured"  # 被保险人本人
    INSURED_FAMILY = "insured_family"  # 被保险人本人及其直系亲属
    ANYONE = "anyone"  # 不限


class SlaUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MINUTES = "minutes"
    REAL_TIME = "real_time"
    ON_VISIT_DAY = "on_visit_day"


@dataclass(frozen=True, slots=True)
class SlaStep:
    """One promised step: ``limit`` units after the event ``starts_after``."""

    code: str
    name_zh: str
    name_en: str
    starts_after: str
    limit: int | None
    unit: SlaUnit


@dataclass(frozen=True, slots=True)
class Benefit:
    code: str
    name_zh: str
    name_en: str
    summary_zh: str
    audience: Audience
    # None means unlimited; advance_claim's frequency is set by the policy contract.
    quota_per_year: int | None
    quota_note_zh: str
    sla_steps: tuple[SlaStep, ...]
    counting_rule_zh: str
    fees_note_zh: str
    application_path_zh: str
    # Real-time services are logged as a single "used" event, with no lifecycle.
    real_time: bool
    # Green-channel services need a suspected illness from the policy's list.
    needs_listed_illness: bool = False
    # For narrow columns (the queue at 80 wide); the full name where there is room.
    short_zh: str = ""
    short_en: str = ""

    @property
    def is_unlimited(self) -> bool:
        return self.quota_per_year is None


WECHAT_PATH_ZH = "“小康人寿”官微-优·服务 -> 自助服务 -> 我的权益 -> 查看我的权益，点击对应模块在线申请"
CUSTOMER_PAYS_ZH = "医院及第三方收取的费用（挂号费、检查费、治疗费、药品费、运费等）由客户自行承担"


def _wd(code: str, zh: str, en: str, after: str, days: int) -> SlaStep:
    return SlaStep(code, zh, en, after, days, SlaUnit.WORKING_DAYS)


def _real_time(code: str = "used") -> tuple[SlaStep, ...]:
    return (SlaStep(code, "实时", "real time", "submitted", None, SlaUnit.REAL_TIME),)


ESCORT = Benefit(
    code="escort",
    name_zh="绿色通道·导医导诊",
    name_en="Green channel: booking and escort",
    summary_zh="三甲医院副主任及以上医师门诊预约，就诊当天专人陪诊（自约定见面时间起不超过4小时）",
    audience=Audience.INSURED,
    quota_per_year=1,
    quota_note_zh="每服务年度1次",
    sla_steps=(
        _wd("eligibility", "资格审核", "eligibility decision", "submitted", 1),
        _wd("supplier_contact", "供应商联系客户", "supplier contacts customer", "approved", 1),
        _wd("booking", "反馈预约结果", "booking result", "needs_agreed", 2),
        SlaStep("escort", "就诊当天陪诊", "escort on visit day", "booked", None, SlaUnit.ON_VISIT_DAY),
    ),
    counting_rule_zh="陪诊发生即计次；就诊前不足24小时取消或爽约亦计次；提前24小时以上取消不计次",
    fees_note_zh="挂号费由客户自行承担",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=False,
    needs_listed_illness=True,
    short_zh="导医陪诊",
    short_en="Escort",
)

ADMISSION = Benefit(
    code="admission",
    name_zh="绿色通道·住院安排/手术安排",
    name_en="Green channel: hospital admission or surgery",
    summary_zh="凭诊断证明和住院单，协助安排14天内住院或手术（二选一，不可同时享有）",
    audience=Audience.INSURED,
    quota_per_year=1,
    quota_note_zh="每服务年度1次（住院或手术二选一）",
    sla_steps=(
        _wd("eligibility", "资格审核", "eligibility decision", "submitted", 1),
        _wd("supplier_contact", "供应商联系客户", "supplier contacts customer", "approved", 1),
        _wd("arrangement", "完成住院/手术安排", "arrangement done", "documents_complete", 10),
    ),
    counting_rule_zh="供应商在时效内确认安排即计次，之后被保险人取消亦计次",
    fees_note_zh="住院费等医院收取的费用由被保险人承担",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=False,
    needs_listed_illness=True,
    short_zh="住院安排",
    short_en="Admission",
)

PSYCH = Benefit(
    code="psych",
    name_zh="精神心理测评",
    name_en="Psychological tests",
    summary_zh="焦虑、抑郁、心理压力、职业倦怠、睡眠质量、简易应对、社会支持、创伤后应激障碍等测评，结果可查",
    audience=Audience.INSURED_FAMILY,
    quota_per_year=None,
    quota_note_zh="不限次数",
    sla_steps=_real_time(),
    counting_rule_zh="不计次",
    fees_note_zh="免费",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=True,
)

SMOKING = Benefit(
    code="smoking",
    name_zh="戒烟门诊",
    name_en="Smoking-cessation clinic booking",
    summary_zh="指定医院清单内戒烟门诊预约挂号（35个城市141家医院，清单会更新；可填写其他要求）",
    audience=Audience.INSURED_FAMILY,
    quota_per_year=12,
    quota_note_zh="每服务年度12次，本人与家属共用",
    sla_steps=(
        SlaStep("booking", "反馈预约结果", "booking result", "submitted", 1, SlaUnit.WORKING_DAYS),
    ),
    counting_rule_zh=(
        "预约成功即计次；预约失败不计次；提交后2小时内且预约未完成取消不计次；"
        "就诊前2个工作日以上退号不计次，之后退号计次"
    ),
    fees_note_zh="挂号费等医院收取的费用由客户自行承担",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=False,
    short_zh="戒烟门诊",
    short_en="Smoking",
)

ADVANCE_CLAIM = Benefit(
    code="advance_claim",
    name_zh="重疾先赔",
    name_en="Fast-track critical-illness claim",
    summary_zh="为符合条件的重疾确诊客户开通绿色理赔通道，协助收集材料，治疗期间即可获得理赔",
    audience=Audience.INSURED,
    quota_per_year=None,
    quota_note_zh="以有效保险合同约定为准",
    sla_steps=(
        # The manual is silent; Insurance Law art. 23 sets these calendar-day limits.
        SlaStep("decision", "核定结论", "claim decision", "materials_complete", 30,
                SlaUnit.CALENDAR_DAYS),
        SlaStep("payment", "赔款给付", "payment", "agreement", 10, SlaUnit.CALENDAR_DAYS),
    ),
    counting_rule_zh="以保险合同约定为准",
    fees_note_zh="无",
    application_path_zh="客户提交理赔申请材料，经小康人寿审核同意后，安排后续理赔服务并完成理赔金给付",
    real_time=False,
    short_zh="重疾先赔",
    short_en="Fast claim",
)

NEWS = Benefit(
    code="news",
    name_zh="健康资讯",
    name_en="Health news",
    summary_zh="医疗健康科普文章及短视频，随时查阅",
    audience=Audience.ANYONE,
    quota_per_year=None,
    quota_note_zh="不限次数",
    sla_steps=_real_time(),
    counting_rule_zh="不计次",
    fees_note_zh="免费",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=True,
)

LECTURES = Benefit(
    code="lectures",
    name_zh="健康大讲堂",
    name_en="Health lectures",
    summary_zh="定期更新的疾病预防、治疗、康复专家讲座视频",
    audience=Audience.ANYONE,
    quota_per_year=None,
    quota_note_zh="不限次数",
    sla_steps=_real_time(),
    counting_rule_zh="不计次",
    fees_note_zh="免费",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=True,
)

AI_CONSULT = Benefit(
    code="ai_consult",
    name_zh="智能AI问诊",
    name_en="AI consultation",
    summary_zh="7x24小时AI在线问诊，涵盖35个科室、6000余种常见疾病；建议仅供参考",
    audience=Audience.ANYONE,
    quota_per_year=None,
    quota_note_zh="不限次数",
    sla_steps=_real_time(),
    counting_rule_zh="不计次",
    fees_note_zh="免费",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=True,
)

PHARMACY = Benefit(
    code="pharmacy",
    name_zh="在线药房",
    name_en="Online pharmacy",
    summary_zh="在线购药、送药上门，部分药品专属95折",
    audience=Audience.ANYONE,
    quota_per_year=None,
    quota_note_zh="不限次数",
    sla_steps=(
        SlaStep("first_response", "首次响应", "first response", "submitted", 1, SlaUnit.MINUTES),
    ),
    counting_rule_zh="不计次",
    fees_note_zh="药品费和运费由客户自行承担",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=True,
)

MED_REMINDER = Benefit(
    code="med_reminder",
    name_zh="用药管家",
    name_en="Medication reminders",
    summary_zh="AI用药咨询、拍药识方、用药提醒（短信或电话语音，二选一）",
    audience=Audience.ANYONE,
    quota_per_year=None,
    quota_note_zh="不限次数",
    sla_steps=_real_time(),
    counting_rule_zh="不计次",
    fees_note_zh="免费",
    application_path_zh=WECHAT_PATH_ZH,
    real_time=True,
)

BENEFITS: tuple[Benefit, ...] = (
    ESCORT,
    ADMISSION,
    PSYCH,
    SMOKING,
    ADVANCE_CLAIM,
    NEWS,
    LECTURES,
    AI_CONSULT,
    PHARMACY,
    MED_REMINDER,
)

_BY_CODE: dict[str, Benefit] = {b.code: b for b in BENEFITS}
SERVICE_CODES: tuple[str, ...] = tuple(_BY_CODE)


def benefit(code: str) -> Benefit:
    """The catalogue entry for ``code``; a KeyError names the unknown code."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown service code {code!r}") from None
