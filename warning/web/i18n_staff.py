"""Staff accounts' and API tokens' texts (issue 18), merged into :data:`warning.web.i18n.CATALOGUE`."""

from __future__ import annotations

STAFF_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "nav_users": "Staff accounts",
        "nav_tokens": "API tokens",
        "nav_reports": "Reports",
        "reports_how": (
            "Notifications of a month (2026-11), a quarter (2026-Q4) or a year (2026) by member, sector and "
            "measure type; the zone's exports covered by open measures; twelve months of trends."
        ),
        "report_period": "Period",
        "report_format": "Format",
        "report_make": "Make the report",
        "users_how": (
            "Every change is recorded below; all but the email language end the account's sessions "
            "at once. The last admin cannot be removed, disabled or demoted. Officials get their "
            "weekly and monthly emails in their email language."
        ),
        "users_done": "Done: {what}.",
        "user_email": "Email",
        "user_role": "Role",
        "user_state": "State",
        "user_last_login": "Last sign-in",
        "user_disabled": "disabled",
        "user_enabled": "active",
        "user_enable": "Enable",
        "user_disable": "Disable",
        "user_remove": "Remove",
        "user_set_role": "Set role",
        "user_language": "Email language",
        "user_set_language": "Set language",
        "user_new_password": "New password (8+ characters)",
        "user_reset_password": "Reset password",
        "users_audit": "Changes to accounts and tokens",
        "tokens_how": (
            "A token lets a program read the JSON API (GET under /api/) with the header "
            "Authorization: Bearer <token>. It never opens a staff page. It is shown once, when issued."
        ),
        "token_shown_once": "Copy this token now: it will not be shown again.",
        "token_name": "Name",
        "token_days": "Valid for (days)",
        "token_issue": "Issue token",
        "token_scope": "Scope",
        "token_by": "Issued by",
        "token_expires": "Expires",
        "token_state": "State",
        "token_revoked": "revoked",
        "token_expired": "expired",
        "token_active": "active",
        "token_revoke": "Revoke",
    },
    "zh": {
        "nav_users": "工作人员账户",
        "nav_tokens": "API令牌",
        "nav_reports": "报告",
        "reports_how": (
            "按月（2026-11）、季度（2026-Q4）或年度（2026）统计通报：按成员、行业和措施类型；"
            "有效措施涉及的本区出口；近12个月趋势。"
        ),
        "report_period": "期间",
        "report_format": "格式",
        "report_make": "生成报告",
        "users_how": (
            "每项修改都记录在下方；除邮件语言外，每项修改都会立即结束该账户的所有会话。"
            "最后一个管理员不能被删除、停用或降级。主管部门人员按其邮件语言收到周报和月报。"
        ),
        "users_done": "已完成：{what}。",
        "user_email": "邮箱",
        "user_role": "角色",
        "user_state": "状态",
        "user_last_login": "最近登录",
        "user_disabled": "已停用",
        "user_enabled": "正常",
        "user_enable": "启用",
        "user_disable": "停用",
        "user_remove": "删除",
        "user_set_role": "设置角色",
        "user_language": "邮件语言",
        "user_set_language": "设置语言",
        "user_new_password": "新密码（至少8个字符）",
        "user_reset_password": "重置密码",
        "users_audit": "账户和令牌的修改记录",
        "tokens_how": (
            "令牌供程序读取JSON接口（/api/ 下的GET请求），请求头为 Authorization: Bearer <令牌>。"
            "令牌不能打开工作人员页面，仅在签发时显示一次。"
        ),
        "token_shown_once": "请立即复制此令牌：它不会再次显示。",
        "token_name": "名称",
        "token_days": "有效天数",
        "token_issue": "签发令牌",
        "token_scope": "权限",
        "token_by": "签发人",
        "token_expires": "到期",
        "token_state": "状态",
        "token_revoked": "已撤销",
        "token_expired": "已过期",
        "token_active": "有效",
        "token_revoke": "撤销",
    },
}
