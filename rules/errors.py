"""The one error vocabulary of expected failures.

`ErrorCode` is the stable code clients switch on; `ERROR_DESCRIPTIONS` its Chinese meaning
(the enum's description in the schema and the default message). Rules and workflow steps
raise `RuleViolation` (one failure) or `RuleViolations` (several at once, e.g. every gap of
a declaration); mutations turn them into the payload's typed `errors` after rolling back.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class ErrorCode(str, Enum):
    # Generic
    INVALID_ID = "INVALID_ID"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_STATE = "INVALID_STATE"
    CONFLICT = "CONFLICT"
    NOT_PERMITTED = "NOT_PERMITTED"
    # Accounts
    LOGIN_NAME_FORMAT = "LOGIN_NAME_FORMAT"
    LOGIN_NAME_TAKEN = "LOGIN_NAME_TAKEN"
    NAME_FORMAT = "NAME_FORMAT"
    MOBILE_FORMAT = "MOBILE_FORMAT"
    ID_FORMAT = "ID_FORMAT"
    ID_BIRTH_DATE = "ID_BIRTH_DATE"
    ID_CHECK_DIGIT = "ID_CHECK_DIGIT"
    ID_NUMBER_TAKEN = "ID_NUMBER_TAKEN"
    USCC_FORMAT = "USCC_FORMAT"
    USCC_CHECK_DIGIT = "USCC_CHECK_DIGIT"
    USCC_TAKEN = "USCC_TAKEN"
    NO_CODE_REASON_REQUIRED = "NO_CODE_REASON_REQUIRED"
    NO_CODE_REASON_NOT_ALLOWED = "NO_CODE_REASON_NOT_ALLOWED"
    REGION_UNKNOWN = "REGION_UNKNOWN"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    PASSWORD_TOO_SIMPLE = "PASSWORD_TOO_SIMPLE"
    PASSWORD_CONTAINS_LOGIN = "PASSWORD_CONTAINS_LOGIN"
    PASSWORD_UNCHANGED = "PASSWORD_UNCHANGED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    LOGIN_THROTTLED = "LOGIN_THROTTLED"
    WRONG_PASSWORD = "WRONG_PASSWORD"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    CANNOT_DISABLE_SELF = "CANNOT_DISABLE_SELF"
    # Catalogue cascade
    UNKNOWN_SERIES = "UNKNOWN_SERIES"
    LEVEL_NOT_IN_SERIES = "LEVEL_NOT_IN_SERIES"
    UNKNOWN_TITLE = "UNKNOWN_TITLE"
    TITLE_NOT_IN_LEVEL = "TITLE_NOT_IN_LEVEL"
    UNKNOWN_SPECIALTY = "UNKNOWN_SPECIALTY"
    SPECIALTY_NOT_IN_SERIES = "SPECIALTY_NOT_IN_SERIES"
    SPECIALTY_NOT_FOR_TITLE = "SPECIALTY_NOT_FOR_TITLE"
    # The catalogue as data (issue 12)
    CATALOG_ENTRY_RETIRED = "CATALOG_ENTRY_RETIRED"
    CATALOG_CODE_TAKEN = "CATALOG_CODE_TAKEN"
    CATALOG_NAME_TAKEN = "CATALOG_NAME_TAKEN"
    # Declarations
    COMMITMENT_REQUIRED = "COMMITMENT_REQUIRED"
    COMMITMENT_VERSION_OUTDATED = "COMMITMENT_VERSION_OUTDATED"
    YEAR_NOT_OPEN = "YEAR_NOT_OPEN"
    DECLARATION_EXISTS = "DECLARATION_EXISTS"
    EXCEPTIONAL_REASON_REQUIRED = "EXCEPTIONAL_REASON_REQUIRED"
    EXCEPTIONAL_REASON_NOT_ALLOWED = "EXCEPTIONAL_REASON_NOT_ALLOWED"
    EXCEPTIONAL_CONDITION_REQUIRED = "EXCEPTIONAL_CONDITION_REQUIRED"
    EXCEPTIONAL_CONDITION_NOT_ALLOWED = "EXCEPTIONAL_CONDITION_NOT_ALLOWED"
    UNKNOWN_EXCEPTIONAL_CONDITION = "UNKNOWN_EXCEPTIONAL_CONDITION"
    FORMER_SERIES_REQUIRED = "FORMER_SERIES_REQUIRED"
    DATE_IN_FUTURE = "DATE_IN_FUTURE"
    DATE_ORDER = "DATE_ORDER"
    DECLARATION_LOCKED = "DECLARATION_LOCKED"
    QUALIFICATION_REQUIRED = "QUALIFICATION_REQUIRED"
    MATERIAL_REQUIRED = "MATERIAL_REQUIRED"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    CANNOT_WITHDRAW = "CANNOT_WITHDRAW"
    # Corrections, returns and eligibility (issue 13)
    CORRECTION_ITEMS_REQUIRED = "CORRECTION_ITEMS_REQUIRED"
    CORRECTION_DEADLINE_INVALID = "CORRECTION_DEADLINE_INVALID"
    CORRECTION_DEADLINE_PASSED = "CORRECTION_DEADLINE_PASSED"
    NOT_IN_CORRECTION_NOTICE = "NOT_IN_CORRECTION_NOTICE"
    CANNOT_RETURN_DOWN = "CANNOT_RETURN_DOWN"
    INTEGRITY_LISTED = "INTEGRITY_LISTED"
    # Units and routes
    UNIT_NOT_PERMITTED = "UNIT_NOT_PERMITTED"
    REASON_REQUIRED = "REASON_REQUIRED"
    NOT_YOUR_REGION = "NOT_YOUR_REGION"
    REGISTRY_MISMATCH = "REGISTRY_MISMATCH"
    USCC_REQUIRED = "USCC_REQUIRED"
    MANUAL_REVIEW_REQUIRED = "MANUAL_REVIEW_REQUIRED"
    FIELD_REQUIRED = "FIELD_REQUIRED"
    FIELD_TOO_LONG = "FIELD_TOO_LONG"
    PATH_SELF = "PATH_SELF"
    PATH_DUPLICATE = "PATH_DUPLICATE"
    PATH_CYCLE = "PATH_CYCLE"
    # Review and reporting
    NO_REPORTING_PATH = "NO_REPORTING_PATH"
    TOO_MANY_IDS = "TOO_MANY_IDS"
    # Unit publicity (单位公示) and objections
    PUBLICITY_NOT_ENDED = "PUBLICITY_NOT_ENDED"
    OPEN_OBJECTION = "OPEN_OBJECTION"
    PUBLICITY_TOO_SHORT = "PUBLICITY_TOO_SHORT"
    PUBLICITY_ALREADY_STARTED = "PUBLICITY_ALREADY_STARTED"
    NOT_IN_PUBLICITY = "NOT_IN_PUBLICITY"
    CALENDAR_YEAR_UNKNOWN = "CALENDAR_YEAR_UNKNOWN"
    # The 统一社会信用代码 registry (importRegistry)
    REGISTRY_ROWS_REJECTED = "REGISTRY_ROWS_REJECTED"
    REGISTRY_EMPTY = "REGISTRY_EMPTY"
    REGISTRY_TOO_LARGE = "REGISTRY_TOO_LARGE"
    REGISTRY_FILE_UNREADABLE = "REGISTRY_FILE_UNREADABLE"
    REGISTRY_COLUMNS = "REGISTRY_COLUMNS"
    REGISTRY_DUPLICATE_CODE = "REGISTRY_DUPLICATE_CODE"
    # Trusted documents (persisted queries)
    DOCUMENT_INVALID = "DOCUMENT_INVALID"
    DOCUMENT_RETIRED = "DOCUMENT_RETIRED"
    # 评审 (committee stage): expert pool, sessions, the draw, the ballot
    EXPERT_TERM_INVALID = "EXPERT_TERM_INVALID"
    EXPERT_LEVEL_TOO_LOW = "EXPERT_LEVEL_TOO_LOW"
    EXPERT_ALREADY_IN_POOL = "EXPERT_ALREADY_IN_POOL"
    PANEL_SIZE_INVALID = "PANEL_SIZE_INVALID"
    NO_CANDIDATES = "NO_CANDIDATES"
    TOO_FEW_EXPERTS = "TOO_FEW_EXPERTS"
    NOT_ON_PANEL = "NOT_ON_PANEL"
    NOT_IN_GROUP = "NOT_IN_GROUP"
    RECUSED = "RECUSED"
    ABSENT = "ABSENT"
    QUORUM_NOT_MET = "QUORUM_NOT_MET"
    BALLOT_NOT_OPEN = "BALLOT_NOT_OPEN"
    BALLOT_CLOSED = "BALLOT_CLOSED"
    DUPLICATE_VOTE = "DUPLICATE_VOTE"
    # Results publicity, confirmation, certificates (issue 14, steps 6-8)
    RESULTS_PUBLICITY_NOT_ENDED = "RESULTS_PUBLICITY_NOT_ENDED"
    RESULTS_NOT_PUBLICISED = "RESULTS_NOT_PUBLICISED"
    RESULTS_ALREADY_CONFIRMED = "RESULTS_ALREADY_CONFIRMED"
    CERTIFICATE_NUMBERS_EXHAUSTED = "CERTIFICATE_NUMBERS_EXHAUSTED"
    # Bulk exports (批量导出)
    TOO_MANY_EXPORTS = "TOO_MANY_EXPORTS"
    EXPORT_NOT_READY = "EXPORT_NOT_READY"
    EXPORT_EXPIRED = "EXPORT_EXPIRED"
    EXPORT_LINK_EXPIRED = "EXPORT_LINK_EXPIRED"
    EXPORT_LINK_INVALID = "EXPORT_LINK_INVALID"
    # API clients (issue 15)
    API_CLIENT_NAME_TAKEN = "API_CLIENT_NAME_TAKEN"
    SCOPES_REQUIRED = "SCOPES_REQUIRED"
    NETWORK_FORMAT = "NETWORK_FORMAT"
    OVERLAP_TOO_LONG = "OVERLAP_TOO_LONG"
    # Webhooks (事件通知)
    WEBHOOK_TARGET_REFUSED = "WEBHOOK_TARGET_REFUSED"
    TOO_MANY_WEBHOOKS = "TOO_MANY_WEBHOOKS"


#: The Chinese meaning of each code: the enum's description in the schema and the
#: default message of an error raised without one.
ERROR_DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.INVALID_ID: "ID 格式不正确",
    ErrorCode.NOT_FOUND: "对象不存在或无权访问",
    ErrorCode.INVALID_INPUT: "输入不合法",
    ErrorCode.INVALID_STATE: "当前状态下不能进行此操作",
    ErrorCode.CONFLICT: "数据已被他人修改，请刷新后重试",
    ErrorCode.NOT_PERMITTED: "无权进行此操作",
    ErrorCode.LOGIN_NAME_FORMAT: "登录名须为4至32位字母、数字或下划线",
    ErrorCode.LOGIN_NAME_TAKEN: "登录名已被使用",
    ErrorCode.NAME_FORMAT: "名称不能为空且不超过50个字符",
    ErrorCode.MOBILE_FORMAT: "手机号码须为11位大陆手机号",
    ErrorCode.ID_FORMAT: "居民身份证号须为17位数字加1位数字或X",
    ErrorCode.ID_BIRTH_DATE: "居民身份证号中的出生日期无效",
    ErrorCode.ID_CHECK_DIGIT: "居民身份证号校验位错误",
    ErrorCode.ID_NUMBER_TAKEN: "该居民身份证号已注册",
    ErrorCode.USCC_FORMAT: "统一社会信用代码须为18位，且只含数字和规定的大写字母",
    ErrorCode.USCC_CHECK_DIGIT: "统一社会信用代码校验位错误",
    ErrorCode.USCC_TAKEN: "该统一社会信用代码已注册",
    ErrorCode.NO_CODE_REASON_REQUIRED: "没有统一社会信用代码的单位须说明原因，权限申请将由所在地市职称管理机构人工审核",
    ErrorCode.NO_CODE_REASON_NOT_ALLOWED: "已填写统一社会信用代码，无需填写无代码原因",
    ErrorCode.REGION_UNKNOWN: "所在地区不是山东省的地市",
    ErrorCode.PASSWORD_TOO_SHORT: "密码至少8位",
    ErrorCode.PASSWORD_TOO_LONG: "密码不能超过128位",
    ErrorCode.PASSWORD_TOO_SIMPLE: "密码须包含大写字母、小写字母、数字、符号中的至少3类",
    ErrorCode.PASSWORD_CONTAINS_LOGIN: "密码不能包含登录名",
    ErrorCode.PASSWORD_UNCHANGED: "新密码不能与原密码相同",
    ErrorCode.INVALID_CREDENTIALS: "账号或密码错误",
    ErrorCode.LOGIN_THROTTLED: "登录失败次数过多，请稍后再试",
    ErrorCode.WRONG_PASSWORD: "原密码错误",
    ErrorCode.ACCOUNT_DISABLED: "该账号已停用，请联系省级职称管理机构",
    ErrorCode.CANNOT_DISABLE_SELF: "不能停用自己的账号",
    ErrorCode.UNKNOWN_SERIES: "职称系列不存在",
    ErrorCode.LEVEL_NOT_IN_SERIES: "该职称系列没有此申报级别",
    ErrorCode.UNKNOWN_TITLE: "申报职称不存在",
    ErrorCode.TITLE_NOT_IN_LEVEL: "申报职称不属于所选系列和级别",
    ErrorCode.UNKNOWN_SPECIALTY: "现从事专业不存在",
    ErrorCode.SPECIALTY_NOT_IN_SERIES: "现从事专业不属于所选职称系列",
    ErrorCode.SPECIALTY_NOT_FOR_TITLE: "所选申报职称没有该现从事专业",
    ErrorCode.CATALOG_ENTRY_RETIRED: "所选目录项已停用",
    ErrorCode.CATALOG_CODE_TAKEN: "该代码已被使用",
    ErrorCode.CATALOG_NAME_TAKEN: "该名称已被使用",
    # Declarations
    ErrorCode.COMMITMENT_REQUIRED: "请先阅读并同意职称申报承诺书",
    ErrorCode.COMMITMENT_VERSION_OUTDATED: "承诺书已更新，请阅读最新版本后再同意",
    ErrorCode.YEAR_NOT_OPEN: "该申报年度未开放申报",
    ErrorCode.DECLARATION_EXISTS: "本年度已有申报，不能重复申报",
    ErrorCode.EXCEPTIONAL_REASON_REQUIRED: "破格申报须填写破格情况",
    ErrorCode.EXCEPTIONAL_REASON_NOT_ALLOWED: "只有申报方式为破格时才能填写破格情况",
    ErrorCode.EXCEPTIONAL_CONDITION_REQUIRED: "破格申报须至少选择一项破格条件",
    ErrorCode.EXCEPTIONAL_CONDITION_NOT_ALLOWED: "只有申报方式为破格时才能选择破格条件",
    ErrorCode.UNKNOWN_EXCEPTIONAL_CONDITION: "破格条件不存在",
    ErrorCode.FORMER_SERIES_REQUIRED: "改系列申报须选择原职称系列",
    ErrorCode.DATE_IN_FUTURE: "日期不能晚于今天",
    ErrorCode.DATE_ORDER: "结束日期不能早于开始日期",
    ErrorCode.DECLARATION_LOCKED: "已确认申报，申报信息已锁定，不能修改",
    ErrorCode.QUALIFICATION_REQUIRED: "请至少录入一条现专业技术资格",
    ErrorCode.MATERIAL_REQUIRED: "请至少上传一份证明材料",
    ErrorCode.FILE_TOO_LARGE: "文件超过大小上限",
    ErrorCode.FILE_TYPE_NOT_ALLOWED: "只接受 PDF、JPG、PNG 格式的文件",
    ErrorCode.CANNOT_WITHDRAW: "单位已处理该申报，不能撤回",
    # Corrections, returns and eligibility (issue 13)
    ErrorCode.CORRECTION_ITEMS_REQUIRED: "一次性告知补正须列出需要补正的全部事项（至少一项）",
    ErrorCode.CORRECTION_DEADLINE_INVALID: "补正期限须晚于今天，且不超过规定的天数",
    ErrorCode.CORRECTION_DEADLINE_PASSED: "补正期限已过，本年度申报视为放弃",
    ErrorCode.NOT_IN_CORRECTION_NOTICE: "补正通知未列出此项，不能修改",
    ErrorCode.CANNOT_RETURN_DOWN: "本单位是申报人的工作单位，没有下级报送单位可退回；请审核不通过或一次性告知补正",
    ErrorCode.INTEGRITY_LISTED: "已记入职称诚信档案，有效期内不得申报职称",
    # Units and routes
    ErrorCode.UNIT_NOT_PERMITTED: "该单位尚未获得职称申报权限",
    ErrorCode.REASON_REQUIRED: "请填写原因",
    ErrorCode.NOT_YOUR_REGION: "该单位不在本机构管辖地区内",
    ErrorCode.REGISTRY_MISMATCH: "单位名称与统一社会信用代码不匹配，只能人工审核",
    ErrorCode.USCC_REQUIRED: "请填写统一社会信用代码，没有代码的单位请申请人工审核",
    ErrorCode.MANUAL_REVIEW_REQUIRED: "统一社会信用代码校验未通过，只能申请人工审核",
    ErrorCode.FIELD_REQUIRED: "必填项不能为空",
    ErrorCode.FIELD_TOO_LONG: "内容超过允许的长度",
    ErrorCode.PATH_SELF: "不能向本单位申请上报路径",
    ErrorCode.PATH_DUPLICATE: "该系列、级别已有相同或待审核的上报路径",
    ErrorCode.PATH_CYCLE: "该路径会形成循环上报",
    # Review and reporting
    ErrorCode.NO_REPORTING_PATH: "本单位未开通该级别、该系列职称的上报路径，数据无法上报",
    ErrorCode.TOO_MANY_IDS: "一次上报的申报过多",
    # Unit publicity (单位公示) and objections
    ErrorCode.PUBLICITY_NOT_ENDED: "本单位公示尚未开始或尚未期满，不能上报",
    ErrorCode.OPEN_OBJECTION: "公示期间收到的异议尚未处理，不能上报",
    ErrorCode.PUBLICITY_TOO_SHORT: "公示期不能少于规定的工作日数",
    ErrorCode.PUBLICITY_ALREADY_STARTED: "该申报已在本单位公示，不能重复公示",
    ErrorCode.NOT_IN_PUBLICITY: "该申报不在公示期内，不能提出异议",
    ErrorCode.CALENDAR_YEAR_UNKNOWN: "工作日历尚未收录该年度的节假日安排，无法计算工作日",
    # The 统一社会信用代码 registry (importRegistry)
    ErrorCode.REGISTRY_ROWS_REJECTED: "文件中有不合格的行（见 rejectedRows），登记库未作任何更改",
    ErrorCode.REGISTRY_EMPTY: "文件中没有登记记录，登记库未作任何更改",
    ErrorCode.REGISTRY_TOO_LARGE: "文件超过登记库导入的大小上限",
    ErrorCode.REGISTRY_FILE_UNREADABLE: "文件不是 UTF-8 编码的 CSV",
    ErrorCode.REGISTRY_COLUMNS: "每行应为两列：单位名称,统一社会信用代码",
    ErrorCode.REGISTRY_DUPLICATE_CODE: "统一社会信用代码在文件中重复",
    ErrorCode.DOCUMENT_INVALID: "可信文档不是可执行的 GraphQL 查询（无法解析、不符合本接口的模式，或含变更）",
    ErrorCode.DOCUMENT_RETIRED: "可信文档已停用",
    # 评审 (committee stage)
    ErrorCode.EXPERT_TERM_INVALID: "专家聘期不正确：结束日须晚于开始日，最长3年",
    ErrorCode.EXPERT_LEVEL_TOO_LOW: "专家所持职称级别低于所评审的级别",
    ErrorCode.EXPERT_ALREADY_IN_POOL: "此人已在本评审委员会专家库中（本聘期）",
    ErrorCode.PANEL_SIZE_INVALID: "评审专家人数须为不少于规定人数的奇数",
    ErrorCode.NO_CANDIDATES: "没有可列入评审会议的申报（须已通过受理审查且未列入其他会议）",
    ErrorCode.TOO_FEW_EXPERTS: "符合条件的专家不足，无法抽取所需人数的评审专家组",
    ErrorCode.NOT_ON_PANEL: "您不是本次评审会议的评审专家",
    ErrorCode.NOT_IN_GROUP: "该申报人不属于您所在的评议组",
    ErrorCode.RECUSED: "您须回避该申报人，不能评议或投票",
    ErrorCode.ABSENT: "未到会的专家不能投票，也不能委托他人投票",
    ErrorCode.QUORUM_NOT_MET: "到会专家不足评审专家组的三分之二，不能投票",
    ErrorCode.BALLOT_NOT_OPEN: "尚未开始投票（须先抽取专家并记录到会情况）",
    ErrorCode.BALLOT_CLOSED: "投票已结束，不能再投票或修改",
    ErrorCode.DUPLICATE_VOTE: "同一申报人在一次提交中只能投一票",
    # Results publicity, confirmation, certificates (issue 14, steps 6-8)
    ErrorCode.RESULTS_PUBLICITY_NOT_ENDED: "评审结果公示尚未期满，不能确认",
    ErrorCode.RESULTS_NOT_PUBLICISED: "评审结果尚未公示，不能确认",
    ErrorCode.RESULTS_ALREADY_CONFIRMED: "该评审会议的结果已确认",
    ErrorCode.CERTIFICATE_NUMBERS_EXHAUSTED: "本地区本年度该级别的证书编号已用尽",
    # Bulk exports (批量导出)
    ErrorCode.TOO_MANY_EXPORTS: "排队中和进行中的导出已达上限，请等待已有导出完成",
    ErrorCode.EXPORT_NOT_READY: "导出尚未完成，暂无文件可下载",
    ErrorCode.EXPORT_EXPIRED: "导出文件已过期删除，请重新导出",
    ErrorCode.EXPORT_LINK_EXPIRED: "下载链接已过期，请重新查询导出以获得新链接",
    ErrorCode.EXPORT_LINK_INVALID: "下载链接无效",
    # API clients (issue 15)
    ErrorCode.API_CLIENT_NAME_TAKEN: "已有同名的接口客户端",
    ErrorCode.SCOPES_REQUIRED: "请至少授予一项权限范围",
    ErrorCode.NETWORK_FORMAT: "允许的来源地址须为 IP 地址或网段（如 10.1.2.0/24），且主机位为 0",
    ErrorCode.OVERLAP_TOO_LONG: "旧密钥的过渡期超过允许的上限",
    ErrorCode.WEBHOOK_TARGET_REFUSED: "Webhook 地址不可用：须为公网 https 地址，或运维人员允许的内网网段",
    ErrorCode.TOO_MANY_WEBHOOKS: "Webhook 数量已达上限",
}


class RuleViolation(Exception):
    """One expected failure: a stable code, the input field it concerns, a Chinese message.

    Rules and workflow steps raise it; mutations return it in their payload's `errors`."""

    def __init__(self, code: ErrorCode | str, message: str | None = None, field: str | None = None) -> None:
        self.code = ErrorCode(code)
        self.message = message or ERROR_DESCRIPTIONS[self.code]
        self.field = field
        super().__init__(f"{self.code.value}: {self.message}")


class RecordedFailure(RuleViolation):
    """A failure whose bookkeeping must still be committed (a wrong password counts
    toward the login throttle even though the login fails)."""


class RuleViolations(Exception):
    """Several expected failures reported at once (e.g. every gap of a declaration)."""

    def __init__(self, errors: Iterable[RuleViolation]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def collect(errors: list[RuleViolation], check, *args, **kwargs):
    """`check(*args, **kwargs)`, or None with its violation appended to `errors`: a form that
    reports every bad field at once runs each field's rule through this, then `raise_all`."""
    try:
        return check(*args, **kwargs)
    except RuleViolation as exc:
        errors.append(exc)
        return None


def raise_all(errors: list[RuleViolation]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RuleViolations(errors)
