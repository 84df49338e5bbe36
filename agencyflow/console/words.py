"""The API's error codes in the words officials read beside a field.

The API answers in one shape with a stable code per error (``project.out_of_order``); the
console shows that code's Chinese here, or, for a code not listed, the status's headline
followed by the API's own message. The code itself is always shown too, so a clerk on the
telephone and the person who reads the logs speak of the same thing.
"""

REFUSED = {
    401: "请重新登录",
    403: "无权进行此操作或查看此内容",
    404: "没有找到该对象",
    409: "当前状态下不能进行此操作",
    413: "上传内容过大",
    422: "填写的内容有误",
    429: "操作过于频繁，请稍后再试",
    500: "系统出错，请联系管理员",
    503: "系统繁忙或后台服务暂不可用，请稍后重试",
}
"""Each status's headline."""

_FIELD_TYPES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "too_short": "至少需要填写一项",
    "too_long": "项目过多",
    "date_from_datetime_parsing": "日期格式应为 年-月-日",
    "date_parsing": "日期格式应为 年-月-日",
    "date_type": "请填写日期",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "enum": "请从列表中选择",
    "literal_error": "请从列表中选择",
    "int_parsing": "请填写整数",
    "float_parsing": "请填写数字",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_pattern_mismatch": "格式不正确",
    "value_error": "取值不正确",
    "json_invalid": "提交的内容无法解析",
}
"""Pydantic's own error types, as the API passes them on."""

_CODES = {
    "auth.csrf_missing": "页面已失效，请刷新后重试",
    "auth.out_of_scope": "超出本单位的管辖或业务范围",
    "auth.role_not_allowed": "当前身份不能进行此操作",
    "auth.unauthenticated": "登录已失效，请重新登录",
    "idempotency.key_reused": "该操作已提交过",
    "temporal.unavailable": "流程引擎暂不可用，请稍后重试",
    "file.not_image": "只能上传 JPEG 或 PNG 照片",
    "file.not_pdf": "服务报告须为 PDF 文件",
    "file.too_large": "文件过大",
    "file.name_mismatch": "文件名与文件实际类型不符",
    "file.unknown": "引用的照片尚未上传",
    "project.not_found": "没有找到该项目",
    "project.closed": "项目已归档",
    "project.out_of_order": "项目尚未到这一步，请按流程顺序办理",
    "project.filing_not_pending": "执业告知不在待确认状态",
    "project.filing_not_returned": "执业告知未被退回，无需重新报送",
    "project.no_visits": "尚无现场服务记录，不能结束服务",
    "project.plan_after_visits": "已有现场服务记录，不能再提交服务方案",
    "project.visit_date": "服务日期不正确",
    "project.visit_backdated": "补录超过规定天数，须说明原因",
    "project.visitor_not_on_team": "到场人员不在项目组内",
    "project.end_date": "结束日期不正确",
    "project.contract_number_taken": "合同编号已被其他项目使用",
    "project.unknown_team_member": "项目组成员不是本机构在册人员",
    "project.team_member_not_full_time": "项目组成员须为本机构专职人员",
    "project.team_repeats": "项目组成员重复",
    "project.service_type_not_admitted": "本机构未获准开展该类服务",
    "contract.missing_item": "合同缺少必备条款",
    "contract.term_inverted": "合同期限起止颠倒",
    "decision.reasons_required": "请填写理由",
    "hazard.missing_field": "隐患信息不完整",
    "hazard.discovered_at": "重大隐患须填写发现时间",
    "hazard.deadline_in_past": "整改期限不能早于今天",
    "hazard.closed": "隐患已销号",
    "hazard.not_open": "隐患不在整改中",
    "hazard.not_major": "该隐患不是重大隐患",
    "hazard.already_acknowledged": "该重大隐患已签收",
    "hazard.not_acknowledged": "该重大隐患尚未签收",
    "hazard.no_evidence": "请先上传整改佐证",
    "hazard.major_needs_verification": "重大隐患须经监管部门核查销号",
    "agency.not_admitted": "机构尚未准入",
    "agency.cannot_start_projects": "机构当前状态不能承接新项目",
    "agency.untrustworthy": "机构已列入严重失信名单，不能承接新项目",
    "agency.not_pending_review": "该申请不在待审核状态",
    "agency.not_found": "没有找到该机构",
    "agency.already_applied": "该机构已提交过申请",
    "agency.full_time_elsewhere": "该人员已在其他机构专职执业",
    "inspection.opening": "本季度检查正在开启，请稍后再试",
    "inspection.campaign_closed": "该季度检查已结束，请在本季度检查中记录",
    "inspection.already_recorded": "该机构本季度已检查",
    "inspection.no_campaign": "该区县该季度的检查尚未开启",
    "inspection.not_in_county": "该机构不属本区县，也未在本区县开展服务",
    "inspection.future": "检查日期不能晚于今天",
    "inspection.before_quarter": "检查日期不在本季度内",
    "inspection.nothing_to_rectify": "各项均符合，无需责令整改",
    "inspection.deadline_passed": "整改期限须晚于检查日期和今天",
    "inspection.credit_repeated": "同一类信用记录只能选一次",
    "inspection.veto_unfounded": "一票否决事项须有对应检查事项不符合",
    "inspection.no_rectification": "没有待复查的整改",
    "inspection.recheck_date": "复查日期须在检查之后、今天之前",
    "inspection.deadline_unneeded": "已整改到位，无需新的期限",
    "inspection.new_deadline_required": "未整改到位，须设定新的整改期限",
    "inspection.future_quarter": "该季度尚未开始",
    "spot_check.already_open": "抽查已经开启",
    "spot_check.not_open": "尚未开启抽查",
    "spot_check.four_eyes": "开启抽查的人不能同时作出结论",
    "spot_check.reasons_required": "不合格须选择原因",
    "spot_check.awaiting_receipt": "报告尚未被省平台接收",
    "reform.already_open": "该年度改革任务清单已经开启",
    "reform.not_found": "该区县该年度尚未开启改革任务清单",
    "reform.closed": "该年度改革任务已全部销号",
    "reform.task_not_found": "没有该项任务",
    "reform.task_closed": "该任务已销号",
    "reform.awaiting_sign_off": "销号材料已提交，等待市应急管理局销号",
    "reform.evidence_required": "销号须先由区县提交佐证材料",
    "reform.sign_off_by_city": "只有市应急管理局可以销号",
    "reform.four_eyes": "提交材料的人不能同时销号",
    "reform.service_types_incomplete": "请先完善服务类型清单，每类须有质量过程控制点",
    "reform.too_few_guidelines": "采用的报告导则数量不足",
    "reform.unknown_county": "不是丽水市的区县代码",
    "project.guideline_not_adopted": "所在区县未对该服务类型采用此报告导则",
}


def error_words() -> dict[str, str]:
    """Every code and type the console words, for the page's script."""
    return {**_FIELD_TYPES, **_CODES}


def words_for(code: str) -> str | None:
    return _CODES.get(code) or _FIELD_TYPES.get(code)
