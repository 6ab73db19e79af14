"""Chinese labels of audit actions, record types, fields and coded values, so people never read programmer codes."""

from __future__ import annotations

from functools import cache

from hotpot.auth.models import ROLE_LABELS
from hotpot.bases.models import BASE_KINDS, BASE_STATUSES, STANDARD_LEVELS
from hotpot.brands.models import BRAND_LEVELS
from hotpot.certificates.models import CERT_KINDS, HOLDER_TYPES, VERIFICATION
from hotpot.enterprises.models import PARK_GROUPS, SCALES, STATUSES
from hotpot.hitpool.enums import (
    GraduationTitle,
    KpiKind,
    MilestoneStatus,
    ObjectionStatus,
    Outcome,
    PlanStatus,
    SupportKind,
)
from hotpot.inquiries.models import INQUIRY_STATUSES
from hotpot.products.models import PRODUCT_STATUSES, STORAGES

ENTITY_TYPES = {
    "enterprise": "企业",
    "product": "产品",
    "base": "原料基地",
    "certificate": "资质证书",
    "brand": "品牌",
    "inquiry": "询价",
    "user": "账号",
    "api_token": "API 令牌",
    "stored_file": "文件",
    "synonym_group": "同义词组",
    "job": "后台任务",
    "hit_batch": "爆品培育批次",
    "hit_candidate": "爆品申报",
    "expert": "评审专家",
    "hit_assignment": "评审分配",
    "hit_tie": "利益关联声明",
    "hit_draw": "随机抽取",
    "hit_review": "专家评审",
    "hit_decision": "入库决定",
    "hit_objection": "公示异议",
    "hit_plan": "培育计划",
    "hit_milestone": "培育里程碑",
    "hit_post": "评审讨论",  # hitpool reviews
}

ACTIONS = {
    "enterprise.register": "登记企业",
    "enterprise.update": "修改企业信息",
    "enterprise.verify": "认证企业",
    "enterprise.reject": "退回企业登记",
    "enterprise.suspend": "暂停公开展示",
    "enterprise.reinstate": "恢复公开展示",
    "enterprise.invite": "邀请同事",
    "enterprise.invite_revoke": "撤回邀请",
    "enterprise.join": "加入企业",
    "enterprise.logo": "更换企业标志",
    "enterprise.licence": "上传营业执照",
    "product.create": "新增产品",
    "product.update": "修改产品",
    "product.publish": "发布产品",
    "product.withdraw": "下架产品",
    "product.photos_add": "上传产品照片",
    "product.photo_remove": "删除产品照片",
    "product.sources": "修改原料来源",
    "base.create": "新增原料基地",
    "base.update": "修改原料基地",
    "base.verify": "认证原料基地",
    "base.reject": "退回原料基地",
    "base.photos_add": "上传基地照片",
    "base.photo_remove": "删除基地照片",
    "certificate.create": "新增证书",
    "certificate.update": "修改证书",
    "certificate.verify": "核验证书通过",
    "certificate.reject": "退回证书",
    "brand.create": "新增品牌",
    "brand.update": "修改品牌",
    "brand.licence_grant": "授权使用品牌",
    "brand.licence_revoke": "撤销品牌授权",
    "brand.logo": "更换品牌标志",
    "inquiry.create": "发起询价",
    "inquiry.reply": "回复询价",
    "inquiry.close": "关闭询价",
    "user.register": "注册账号",
    "user.create": "创建账号",
    "user.enable": "启用账号",
    "user.disable": "停用账号",
    "user.role_change": "更改角色",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "user.password_reset_request": "申请重置密码",
    "user.password_reset_by_admin": "管理员重置密码",
    "user.register_taken": "已注册邮箱再次注册（已发提示邮件）",
    "user.verify_email": "验证邮箱",
    "session.end_others": "退出其他设备",
    "session.login": "登录",
    "session.logout": "退出登录",
    "api_token.issue": "签发 API 令牌",
    "api_token.revoke": "吊销 API 令牌",
    "file.upload": "上传文件",
    "search.synonyms.add": "新增同义词组",
    "search.synonyms.edit": "修改同义词组",
    "search.synonyms.delete": "删除同义词组",
    "search.noise.add": "新增搜索无意义词",
    "search.noise.delete": "删除搜索无意义词",
    "job.enqueue": "启动后台任务",
    "job.retry": "重试后台任务",
    # hitpool batches
    "hit_batch.create": "新建爆品培育批次",
    "hit_batch.update": "修改爆品培育批次",
    "hit_batch.open": "开放申报",
    "hit_batch.screen": "截止申报，开始形式审查",
    "hit_batch.review": "开始专家评审（冻结评分细则）",
    "hit_batch.decide": "结束评审，拟定结果",
    "hit_batch.notice": "发布公示",
    "hit_batch.publish": "公示期满，正式发布",
    "hit_batch.archive": "归档批次",
    # hitpool candidates
    "hit_candidate.create": "创建爆品申报",
    "hit_candidate.update": "修改爆品申报书",
    "hit_candidate.submit": "提交爆品申报",
    "hit_candidate.withdraw": "撤回爆品申报",
    "hit_candidate.pass": "形式审查通过",
    "hit_candidate.return": "退回申报修改",
    "hit_candidate.reject": "判定不符合申报条件",
    "hit_candidate.file_add": "上传申报附件",
    "hit_candidate.file_remove": "删除申报附件",
    # hitpool experts
    "expert.create": "新增评审专家",
    "expert.update": "修改专家信息",
    "expert.activate": "启用评审专家",
    "expert.deactivate": "停用评审专家",
    "hit_tie.declare": "声明利益关联",
    "hit_tie.remove": "撤销利益关联声明",
    # hitpool assignment
    "hit_assignment.draw": "随机抽取评审专家",
    "hit_assignment.add": "人工指派评审专家",
    "hit_assignment.move": "调换评审专家",
    "hit_assignment.end": "结束评审分配",
    # hitpool reviews
    "hit_review.save": "保存评审草稿",
    "hit_review.submit": "提交专家评审",
    "hit_review.revise": "发起评审修订",
    "hit_review.supersede": "评审被修订版取代",
    "hit_post.create": "发表评审讨论",
    # hitpool decisions
    "hit_decision.propose": "拟定入库决定",
    "hit_decision.update": "修改入库决定",
    "hit_decision.bulk": "批量拟定入库决定",
    "hit_decision.finalise": "入库决定正式发布",
    "hit_objection.raise": "提出公示异议",
    "hit_objection.uphold": "异议成立",
    "hit_objection.dismiss": "异议不成立",
    "hit_batch.notice_dates": "设定公示期",
    # hitpool incubation
    "hit_plan.start": "开始培育",
    "hit_plan.graduate": "认定爆品 / 拳头产品",
    "hit_plan.end": "终止培育",
    "hit_milestone.create": "新增培育里程碑",
    "hit_milestone.update": "修改培育里程碑",
    "hit_milestone.check": "核查培育里程碑",
    "hit_progress.create": "提交培育进展",
    "hit_support.create": "登记培育扶持",
}

# Fields that only the program needs; the history leaves them out.
HIDDEN_FIELDS = frozenset({"sha256", "licence", "version", "password_hash", "token_hash"})

_COMMON_FIELDS = {
    "status": "状态",
    "status_reason": "审核意见",
    "description": "简介",
    "name": "名称",
    "enterprise_id": "企业",
    "product_id": "产品",
    "base_id": "基地",
    "brand_id": "品牌",
    "town_code": "所在镇街",
    "photos": "照片",
    "photo": "照片",
    "logo_file_id": "标志图片",
    "licence_file_id": "营业执照",
    "scan_file_id": "扫描件",
    "filename": "文件名",
    "mime_type": "文件类型",
    "size_bytes": "大小",
    "email": "邮箱",
    "display_name": "姓名",
    "organization": "单位",
    "role": "角色",
    "is_active": "账号启用",
    "terms": "同义词",
    "note": "备注",
    "quantity": "数量",
    "unit": "单位",
    "reason": "原因",
    "revoked": "已撤销",
    "since_on": "授权起始",
    "until_on": "授权截止",
    "owner_enterprise_id": "所属企业",
    "holder_type": "持有者类型",
    "verification": "核验状态",
    "verification_note": "核验意见",
    "job": "任务",
    # hitpool decisions
    "outcome": "决定",
    "final_at": "正式发布时间",
    "handling_reason": "处理理由",
    "notice_starts_on": "公示开始",
    "notice_ends_on": "公示结束",
}

_EXTRA_FIELDS = {
    "certificate": {"kind": "证书类型", "kind_other": "证书名称", "status": "核验状态"},
    "product": {"description": "产品介绍", "brand_id": "品牌", "category": "品类"},
    "base": {"description": "基地简介", "town_code": "所在镇街"},
    "brand": {"description": "品牌介绍", "honors": "荣誉"},
    "enterprise": {"description": "企业简介"},
    # hitpool candidates
    "hit_candidate": {"certificates": "资质证书", "files": "证明材料", "screening_reason": "审查意见"},
    # hitpool incubation
    "hit_plan": {
        "title": "认定称号",
        "graduated_on": "认定日期",
        "graduation_reason": "认定 / 终止理由",
        "story": "展示故事",
        "support_kind": "扶持方式",
        "description": "扶持内容",
        "amount_wan": "金额（万元）",
        "given_on": "扶持日期",
    },
    "hit_milestone": {
        "title": "里程碑",
        "due_on": "完成期限",
        "kpi": "考核指标",
        "target_value": "目标值",
        "target_unit": "单位",
        "check_note": "核查意见",
        "progress": "进展说明",
        "value": "已完成值",
        "evidence": "佐证材料",
    },
}


@cache
def _form_labels() -> dict[str, dict[str, str]]:
    # The forms' own labels, imported late: the domains' route modules import the audit service.
    from hotpot.bases.routes import FIELD_LABELS as BASE_FIELDS
    from hotpot.brands.routes import FIELD_LABELS as BRAND_FIELDS
    from hotpot.certificates.routes import FIELD_LABELS as CERT_FIELDS
    from hotpot.enterprises.routes import FIELD_LABELS as ENTERPRISE_FIELDS
    from hotpot.hitpool.candidate_routes import FIELD_LABELS as CANDIDATE_FIELDS  # hitpool candidates
    from hotpot.products.routes import FIELD_LABELS as PRODUCT_FIELDS

    forms = {
        "enterprise": ENTERPRISE_FIELDS,
        "product": PRODUCT_FIELDS,
        "base": BASE_FIELDS,
        "certificate": CERT_FIELDS,
        "brand": BRAND_FIELDS,
        "hit_candidate": CANDIDATE_FIELDS,  # hitpool candidates
    }
    # Record types without a form of their own (the 爆品 pool's) are labelled by _EXTRA_FIELDS alone.
    return {**_EXTRA_FIELDS, **{kind: {**fields, **_EXTRA_FIELDS.get(kind, {})} for kind, fields in forms.items()}}


def field_label(entity_type: str, key: str) -> str:
    """The Chinese label of one field of a record type (the form's label where there is a form)."""
    label = _form_labels().get(entity_type, {}).get(key) or _COMMON_FIELDS.get(key)
    return label or "其他信息"


# Coded values by record type and field, from the same tables the forms and pages use.
VALUES: dict[tuple[str, str], dict[str, str]] = {
    ("enterprise", "status"): STATUSES,
    ("enterprise", "park_group"): PARK_GROUPS,
    ("enterprise", "scale"): SCALES,
    ("product", "status"): PRODUCT_STATUSES,
    ("product", "storage"): STORAGES,
    ("base", "kind"): BASE_KINDS,
    ("base", "status"): BASE_STATUSES,
    ("base", "standard_level"): STANDARD_LEVELS,
    ("certificate", "kind"): CERT_KINDS,
    ("certificate", "holder_type"): HOLDER_TYPES,
    ("certificate", "verification"): VERIFICATION,
    ("brand", "level"): BRAND_LEVELS,
    ("inquiry", "status"): INQUIRY_STATUSES,
    ("user", "role"): {r.value: label for r, label in ROLE_LABELS.items()},
    # hitpool decisions
    ("hit_decision", "outcome"): Outcome.labels(),
    ("hit_objection", "status"): ObjectionStatus.labels(),
    # hitpool incubation
    ("hit_plan", "status"): PlanStatus.labels(),
    ("hit_plan", "title"): GraduationTitle.labels(),
    ("hit_plan", "support_kind"): SupportKind.labels(),
    ("hit_milestone", "status"): MilestoneStatus.labels(),
    ("hit_milestone", "kpi"): KpiKind.labels(),
}


def action_label(action: str, entity_type: str) -> str:
    """'certificate.create' -> '新增证书'; an action without a label still reads as Chinese."""
    return ACTIONS.get(action) or f"{ENTITY_TYPES.get(entity_type, '记录')}变更"


def entity_type_label(entity_type: str) -> str:
    return ENTITY_TYPES.get(entity_type, "记录")


def value_label(entity_type: str, key: str, value: object) -> str | None:
    """The label of a coded value, or None when the value is not a code of that field."""
    table = VALUES.get((entity_type, key))
    if table is not None and isinstance(value, str):
        return table.get(value)
    return None


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


MIME_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPG 图片", "image/png": "PNG 图片", "image/webp": "WebP 图片"}
