"""The one translation table: every user-facing string of the dashboard, in Chinese and English."""

from __future__ import annotations

from typing import TYPE_CHECKING

from snapshots.errors import BUSY_MESSAGE, CORRUPT_MESSAGE, FULL_MESSAGE, MAX_BYTES_MESSAGE, STORE_MESSAGE, TOO_LARGE_MESSAGE, UNAVAILABLE_MESSAGE
from snapshots.manifest import CORRUPT_MANIFEST as WS_RECORD_CORRUPT
from snapshots.workspaces import BUSY_MESSAGE as WS_BUSY
from snapshots.workspaces import FILE_CORRUPT_MESSAGE as WS_FILE_CORRUPT
from snapshots.workspaces import UNAVAILABLE_MESSAGE as WS_UNAVAILABLE
from ui import state
from ui.ledger_text import LEDGER_TEXT
from ui.model.names import english_names
from ui.workbench_text import WORKBENCH_TEXT
from ui.workspace_text import WORKSPACE_TEXT

if TYPE_CHECKING:
    from scoring.rubricset import RubricSet

# key: (中文, English). Placeholders use str.format names and must match in both languages.
TEXT: dict[str, tuple[str, str]] = {
    # app and navigation
    "app.title": ("支部标准化评分看板", "Party Branch Standardization Scoreboard"),
    "nav.overview": ("总览", "Overview"),
    "nav.ranking": ("排名", "Ranking"),
    "nav.branch": ("支部详情", "Branch"),
    "nav.yoy": ("晋位升级", "Year over year"),
    "nav.rectify": ("整改预警", "Rectification"),
    "nav.rubrics": ("评分细则", "Rubrics"),
    "nav.upload": ("数据上传", "Upload"),
    # sidebar
    "sidebar.lang": ("语言 / Language", "语言 / Language"),
    "sidebar.filters": ("筛选", "Filters"),
    "sidebar.data_sample": ("数据：示例城市（{rows} 行）", "Data: sample city ({rows} rows)"),
    "sidebar.data_upload": ("数据：{name}（{rows} 行）", "Data: {name} ({rows} rows)"),
    "sidebar.custom_rubric": ("评分细则：{name}", "Rubric: {name}"),
    "filter.period": ("考核期", "Period"),
    "filter.field": ("领域", "Field"),
    "filter.district": ("县（市、区）", "District"),
    "filter.township": ("乡镇（街道）", "Township"),
    "filter.parent": ("上级党组织", "Parent organization"),
    "filter.grade": ("等次", "Grade"),
    "filter.all": ("全部", "All"),
    "filter.help": ("不选即为全部；可选多项。下拉列表顶部的“Select all”即全选，右侧 × 即清空（控件自带的英文，无法翻译）。",
                    "Leave empty for all; pick as many as you like."),
    "filter.reset": ("清除筛选", "Clear filters"),
    "sidebar.data_snapshot": ("数据：快照《{title}》（{rows} 行）", "Data: snapshot “{title}” ({rows} rows)"),
    # sharing a snapshot (sidebar)
    "share.button": ("分享快照", "Share snapshot"),
    "share.help": ("生成一个只读链接，打开后看到与现在完全相同的数据、评分结果和视图",
                   "Create a read-only link that reopens exactly this data, these results and this view"),
    "share.intro": ("把当前数据、评分细则、评分结果和视图（页面、筛选、支部、语言）冻结为快照，生成一个无法猜测的只读链接。",
                    "Freezes the current data, rubrics, results and view (page, filters, branch, language) into a snapshot "
                    "behind a read-only link that cannot be guessed."),
    "share.title": ("标题", "Title"),
    "share.default_title": ("支部评分快照：{page}（{date}）", "Branch scores snapshot: {page} ({date})"),
    "share.expiry": ("有效期", "Expires after"),
    "share.expiry_one": ("1 天", "1 day"),
    "share.expiry_days": ("{days} 天", "{days} days"),
    "share.expiry_never": ("永久有效", "Never"),
    "share.code": ("提取码（可选）", "Access code (optional)"),
    "share.code_help": ("4–6 位英文字母或数字，区分大小写；设置后，打开链接的人须输入提取码。",
                        "4–6 letters or digits, case-sensitive; whoever opens the link must enter it."),
    "share.create": ("生成链接", "Create link"),
    "share.creating": ("正在生成快照…", "Creating the snapshot…"),
    "share.created": ("快照已生成。", "Snapshot created."),
    "share.link": ("分享链接（复制后发给对方）：", "Link to share (copy it):"),
    "share.with_code": ("对方打开时须输入你设置的提取码，请另行告知。", "Viewers must enter the access code you set; send it separately."),
    "share.reused": ("本会话已用相同的数据、视图和选项生成过快照，沿用原链接；删除链接只在首次生成时显示。",
                     "This session already took a snapshot of the same data, view and options, so its link is reused; "
                     "the delete link was shown only when it was created."),
    "share.delete_once": ("删除链接只显示这一次，请立即妥善保存，不要发给他人：凭它可以提前删除快照；系统只保存它的哈希值，丢失后无法找回。",
                          "The delete link is shown only this once: keep it safe and do not share it. It deletes the snapshot "
                          "early; only its hash is stored, so it cannot be recovered."),
    "share.delete_link": ("删除链接：", "Delete link:"),
    "share.delete_token": ("删除凭据（也可在快照页面的“删除此快照”中粘贴）：",
                           "Delete token (can also be pasted under “Delete this snapshot” in the snapshot):"),
    "share.bad_code": ("提取码须为 4–6 位英文字母或数字（区分大小写）。", "The access code must be 4–6 letters or digits (case-sensitive)."),
    "share.too_large": (TOO_LARGE_MESSAGE,
                        "The snapshot is too large ({size} MB compressed, limit {limit} MB). Use a smaller data file or ask the "
                        "administrator to raise SNAPSHOT_MAX_BYTES."),
    "share.invalid": ("无法生成快照：{message}", "The snapshot cannot be created: {message}"),
    "share.in_snapshot": ("你正在查看快照，它不会再生成新快照。可直接分享当前快照的链接（如设有提取码，对方同样需要输入）：",
                          "You are viewing a snapshot; it is not snapshotted again. Share its own link (viewers need its access "
                          "code too, if it has one):"),
    # opening a snapshot (?snapshot=<id>)
    "snap.title": ("分享的快照", "Shared snapshot"),
    "snap.unavailable": (UNAVAILABLE_MESSAGE, "This snapshot cannot be opened: the link is invalid, expired or deleted, or "
                         "the access code is wrong. Check the link and the code with the person who shared it."),
    "snap.rate_limited": ("该链接的失败尝试过多，请 {minutes} 分钟后再试。",
                          "Too many failed attempts on this link; try again in {minutes} minutes."),
    "snap.corrupt": (CORRUPT_MESSAGE, "The snapshot data is damaged (checksum mismatch) and cannot be opened. Ask the person "
                     "who shared it for a new link."),
    "snap.store_error": (STORE_MESSAGE, "The snapshot store cannot be reached right now; try again later. If this persists, "
                         "ask the administrator to check the snapshot store settings."),
    "snap.store_busy": (BUSY_MESSAGE, "The snapshot store is busy: all {size} database connections stayed in use for {seconds} s, "
                        "so nothing was done. Please try again shortly."),
    "snap.store_full": (FULL_MESSAGE, "The disk holding the snapshot store is full; nothing was saved (existing snapshots are "
                        "unaffected). Ask the administrator to free disk space or run python -m snapshots purge, then try again."),
    "snap.max_bytes_bad": (MAX_BYTES_MESSAGE, "The snapshot size limit is misconfigured: SNAPSHOT_MAX_BYTES must be a positive whole "
                           "number of bytes but is “{raw}”, so snapshots cannot be created for now (opening existing ones still "
                           "works). Ask the administrator to set it to e.g. 52428800 (50 MB) or remove it, then restart the dashboard."),
    "snap.config_error": ("{message}", "The snapshot store is misconfigured: {message}"),
    "error.page": ("此页面出错了，已记录在服务器日志中（错误编号 {id}）。请刷新页面重试；如果仍然出错，请把错误编号告诉管理员。",
                   "Something went wrong on this page; it has been logged on the server (error id {id}). Reload the page to "
                   "try again; if it keeps happening, give the error id to the administrator."),
    # workspace store messages (the workspace pages render store errors through these keys)
    "ws.unavailable": (WS_UNAVAILABLE, "This workspace cannot be opened: the link is invalid or deleted, or the access code is "
                       "wrong. Check the link and the code with the person who created it."),
    "ws.file_corrupt": (WS_FILE_CORRUPT, "The file “{name}” in this workspace is damaged (checksum mismatch) and cannot be read. "
                        "Upload it again."),
    "ws.record_corrupt": (WS_RECORD_CORRUPT, "This workspace's stored record is damaged and cannot be read. Ask the administrator "
                          "to restore it from a backup."),
    "ws.busy": (WS_BUSY, "Several people are changing this workspace at once and this change could not be saved after many "
                "retries. Please try again shortly."),
    "ws.invalid": ("{message}", "The change was refused: {message}"),
    "snap.locked": ("打开此快照需要提取码，请输入分享者提供的提取码。如果分享者没有设置提取码，说明此链接无效、已过期或已被删除。",
                    "This snapshot needs an access code: enter the code you were given. If the person who shared it set no "
                    "code, the link is invalid, expired or deleted."),
    "snap.code": ("提取码", "Access code"),
    "snap.open": ("打开快照", "Open snapshot"),
    "snap.opening": ("正在打开快照…", "Opening the snapshot…"),
    "snap.live": ("打开实时看板", "Open the live dashboard"),
    "snap.banner_title": ("这是快照，不是实时数据", "This is a snapshot, not live data"),
    "snap.banner": ("《{title}》 · 生成于 {taken} · {rows} 行 · 数据指纹 {fingerprint} · {expires}\n\n"
                    "评分细则：{rubrics}\n\n数字、图表和细则都冻结在生成时，此后数据或细则的变化不会反映在这里。",
                    "“{title}” · taken {taken} · {rows} rows · data fingerprint {fingerprint} · {expires}\n\n"
                    "Rubrics: {rubrics}\n\nNumbers, charts and rubrics are frozen as they were; later changes to the data "
                    "or rubrics do not show here."),
    "snap.rubric_version": ("（版本 {version}）", " (version {version})"),
    "snap.rubric_ending": ("；名称均以“{ending}”结尾", "; each name ends in “{ending}”"),
    "snap.expires": ("有效期至 {date}", "valid until {date}"),
    "snap.never": ("永久有效", "never expires"),
    "snap.leave": ("退出快照，返回实时数据", "Leave the snapshot, back to live data"),
    "snap.delete": ("删除此快照", "Delete this snapshot"),
    "snap.delete_help": ("只有快照的创建者持有删除凭据（生成快照时显示过一次）。",
                         "Only the creator holds the delete token (shown once when the snapshot was created)."),
    "snap.delete_token": ("删除凭据", "Delete token"),
    "snap.delete_title": ("删除快照", "Delete snapshot"),
    "snap.delete_confirm": ("删除后，任何人都无法再打开此快照的链接。此操作无法撤销。",
                            "Once deleted, nobody can open this snapshot's link any more. This cannot be undone."),
    "snap.delete_go": ("确认删除", "Delete it"),
    "snap.deleted": ("快照已删除，此链接已失效。", "The snapshot was deleted; its link no longer works."),
    "snap.delete_failed": ("无法删除：链接无效、快照已不存在，或删除凭据不正确。",
                           "Nothing was deleted: the link is invalid, the snapshot no longer exists, or the delete token is wrong."),
    "snap.read_only_upload": ("快照是只读的：不能上传数据。下面是生成快照时数据的校验报告。",
                              "Snapshots are read-only: no data can be uploaded. Below is the validation report of the data as it was taken."),
    "snap.no_report": ("此快照的数据不是从文件读入的，没有校验报告。",
                       "This snapshot's data was not read from a file, so it has no validation report."),
    "snap.read_only_rubrics": ("快照是只读的：评分细则随快照冻结，不能上传或应用自定义细则。",
                               "Snapshots are read-only: the rubrics are frozen with it, so no custom rubric can be uploaded or applied."),
    # shared bits
    "common.empty": ("当前筛选条件下没有支部，请放宽筛选条件。", "No branch matches the filters; try widening them."),
    "common.scope": ("考核期 {period} · {rows} 个支部", "Period {period} · {rows} branches"),
    "common.download_xlsx": ("下载 Excel", "Download Excel"),
    "common.download_csv": ("下载 CSV", "Download CSV"),
    "common.other": ("其他", "Other"),
    "common.blank": ("（未填）", "(blank)"),
    "common.sep": ("、", ", "),
    "rubrics.option": ("{name}（{id}）", "{name} ({id})"),
    "common.system_group": ("{parent}（系统/行业）", "{parent} (sector)"),
    "common.working": ("正在计算…", "Working…"),
    "common.none": ("无", "None"),
    "common.read_full": ("逐行阅读全文（表格中放不下的长文字）", "Read a row in full (texts too long for the table)"),
    "common.row_label": ("{name}（{code}）", "{name} ({code})"),
    # column headers
    "col.branch_id": ("党组织代码", "Code"),
    "col.name": ("党组织名称", "Name"),
    "col.field": ("领域", "Field"),
    "col.period": ("考核期", "Period"),
    "col.district": ("县（市、区）", "District"),
    "col.township": ("乡镇（街道）", "Township"),
    "col.parent": ("上级党组织", "Parent organization"),
    "col.rank": ("组内排名", "Rank in group"),
    "col.group_size": ("组内支部数", "Group size"),
    "col.total": ("总分", "Total"),
    "col.grade": ("等次", "Grade"),
    "col.alert": ("预警", "Warning"),
    "col.flags": ("标记", "Flags"),
    "col.reasons": ("主要原因", "Main reasons"),
    "col.persistent": ("持续问题", "Persistent problems"),
    "col.total_before": ("上期总分", "Total before"),
    "col.total_after": ("本期总分", "Total after"),
    "col.grade_before": ("上期等次", "Grade before"),
    "col.grade_after": ("本期等次", "Grade after"),
    "col.change": ("分数变化", "Change"),
    "col.move": ("变动", "Move"),
    "col.indicator": ("指标", "Indicator"),
    "col.standard": ("标准", "Standard"),
    "col.max": ("满分", "Max"),
    "col.earned": ("得分", "Points"),
    "col.entered": ("填报值", "Value entered"),
    "col.note": ("说明", "Why points were lost"),
    "col.lost_total": ("累计失分", "Points lost"),
    "col.lost_mean": ("平均失分", "Average loss"),
    "col.share_losing": ("失分支部占比", "Share losing points"),
    "col.standard_share": ("{name}（得分率）", "{name} (% of points)"),
    # headers of tables the core returns with Chinese column names
    "hdr.标准": ("标准", "Standard"),
    "hdr.指标": ("指标", "Indicator"),
    "hdr.满分": ("满分", "Max"),
    "hdr.得分": ("得分", "Points"),
    "hdr.扣分": ("扣分", "Deducted"),
    "hdr.填报值": ("填报值", "Value entered"),
    "hdr.说明": ("说明", "Notes"),
    "hdr.代码": ("代码", "Code"),
    "hdr.级别": ("级别", "Severity"),
    "hdr.行": ("行", "Row"),
    "hdr.列": ("列", "Column"),
    "hdr.列名": ("列名", "Header"),
    "hdr.值": ("值", "Value"),
    "hdr.项目": ("项目", "Item"),
    "hdr.内容": ("内容", "Content"),
    "hdr.序号": ("序号", "No."),
    "hdr.分值": ("分值", "Points"),
    "hdr.指标数": ("指标数", "Indicators"),
    "hdr.评分方法": ("评分方法", "Scoring method"),
    "hdr.考评方式": ("考评方式", "How assessed"),
    "hdr.填报列": ("填报列", "Input column"),
    "hdr.指标 id": ("指标 id", "Indicator id"),
    "hdr.类别": ("类别", "Kind"),
    "hdr.等次": ("等次", "Grade"),
    "hdr.最低分": ("最低分", "Minimum"),
    "hdr.分数范围": ("分数范围", "Score range"),
    "hdr.规则": ("规则", "Rule"),
    "hdr.条件": ("条件", "Condition"),
    "hdr.处理": ("处理", "Effect"),
    "hdr.预警": ("预警", "Warning"),
    "hdr.未达标指标数": ("未达标指标数", "Unmet indicators"),
    "hdr.来源": ("来源", "Source"),
    "hdr.权重": ("权重", "Weight"),
    "hdr.表头": ("表头", "Header template"),
    "hdr.reason": ("拒收原因", "Reason"),
    # overview
    "overview.title": ("总览", "Overview"),
    "kpi.branches": ("支部数", "Branches"),
    "kpi.average": ("平均分", "Average score"),
    "kpi.grade": ("{grade}：{count} 个", "{grade}: {count}"),
    "kpi.delta_help": ("与上一考核期（{period}）相比", "Compared with the previous period ({period})"),
    "overview.by_field": ("各领域等次分布", "Grades by field"),
    "overview.by_township": ("各乡镇（街道）及系统/行业党委等次分布", "Grades by township or sector committee"),
    "overview.histogram": ("得分分布（虚线为等次分数线）", "Score distribution (dashed lines: grade thresholds)"),
    "overview.heat": ("各标准平均得分率", "Average share of points per standard"),
    "overview.heat_by": ("热力图分组", "Heat map rows"),
    "overview.heat_township": ("按乡镇（街道）及系统/行业党委", "By township or sector committee"),
    "overview.heat_field": ("按领域", "By field"),
    "overview.weak": ("共性薄弱指标（失分最多）", "Common weak points (most points lost)"),
    "overview.count": ("支部数", "Branches"),
    "overview.score": ("总分", "Total score"),
    "overview.share": ("得分率 %", "% of points"),
    "progress.select": ("正在筛选支部…", "Selecting branches…"),
    "progress.kpis": ("正在计算关键指标…", "Computing the headline figures…"),
    "progress.grades": ("正在统计等次分布和得分分布…", "Counting grades and scores…"),
    "progress.heat": ("正在计算各标准得分率…", "Computing the share of points per standard…"),
    "progress.weak": ("正在查找共性薄弱指标…", "Finding common weak points…"),
    "progress.ranking": ("正在排序 {rows} 个支部…", "Ranking {rows} branches…"),
    "progress.branch": ("正在汇总该支部的逐项得分和扣分原因…", "Collecting this branch's points and reasons…"),
    "progress.charts": ("正在绘制图表…", "Drawing the charts…"),
    "overview.download": ("下载筛选结果", "Download the filtered results"),
    # ranking
    "ranking.download": ("下载排名", "Download the ranking"),
    "ranking.title": ("排名", "Ranking"),
    "ranking.search": ("按名称或代码查找", "Search by name or code"),
    "ranking.sort": ("排序", "Sort by"),
    "sort.total_desc": ("总分从高到低", "Total, high to low"),
    "sort.total_asc": ("总分从低到高", "Total, low to high"),
    "sort.group_rank": ("按上级党组织分组排名", "Rank within parent organization"),
    "sort.name": ("名称", "Name"),
    "ranking.limit": ("最多显示", "Show at most"),
    "ranking.matched": ("共 {matched} 个支部，显示 {shown} 个。选中一行可查看该支部详情。",
                        "{matched} branches, {shown} shown. Select a row to open the branch."),
    "ranking.share_note": ("所选支部使用不同的评分细则，各标准以得分率（%）显示。",
                           "The selection mixes rubrics, so standards are shown as % of their points."),
    # branch
    "branch.title": ("支部详情", "Branch"),
    "branch.search": ("查找支部", "Find a branch"),
    "branch.pick": ("支部", "Branch"),
    "branch.none": ("请在上方选择一个支部，或在“排名”页选中一行。", "Pick a branch above, or select a row on the Ranking page."),
    "branch.no_match": ("没有找到匹配的支部。", "No branch matches."),
    "branch.total": ("总分", "Total"),
    "branch.grade": ("等次", "Grade"),
    "branch.rank": ("组内排名", "Rank in group"),
    "branch.alert": ("预警", "Warning"),
    "branch.radar": ("六项标准得分率", "Share of points per standard"),
    "branch.radar_branch": ("本支部", "This branch"),
    "branch.radar_group": ("同组平均", "Group average"),
    "branch.radar_best": ("{grade}平均", "{grade} average"),
    "branch.reasons": ("评定依据", "Why this grade"),
    "branch.indicators": ("逐项得分", "Every indicator"),
    "branch.history": ("历次考核", "History"),
    "branch.max_or_cap": ("满分/上限", "Max / cap"),
    "branch.max_or_cap_help": ("标准项为满分；减分项为扣分上限（扣分列为实际扣分，0 即未扣分）",
                               "The points of a standard item; for a penalty item, the most it can deduct "
                               "(Deducted shows what it did deduct, 0 = none)"),
    "branch.sheet": ("下载打印版评分表（HTML）", "Download a printable sheet (HTML)"),
    "branch.meta": ("{field} · {parent} · 考核期 {period}", "{field} · {parent} · period {period}"),
    # year over year
    "yoy.title": ("晋位升级", "Year over year"),
    "yoy.before": ("对比考核期", "Compare with period"),
    "yoy.need_two": ("数据中只有一个考核期，上传包含两个考核期的数据后可比较晋位升级情况。",
                     "The data has a single period; upload data with two periods to compare."),
    "yoy.caption": ("{before} → {after}", "{before} → {after}"),
    "yoy.up": ("晋位", "Moved up"),
    "yoy.same": ("持平", "Same grade"),
    "yoy.down": ("降级", "Moved down"),
    "yoy.lagging": ("连续两期后进", "Lagging twice"),
    "yoy.sankey": ("等次变动", "Grade moves"),
    "yoy.by_township": ("各乡镇（街道）及系统/行业党委晋位升级情况", "Moves per township or sector committee"),
    "yoy.change": ("分数变化分布", "Score change distribution"),
    "yoy.change_x": ("分数变化", "Score change"),
    "yoy.new": ("新参评", "New"),
    "yoy.gone": ("未参评", "Not assessed"),
    "yoy.download": ("下载对比表", "Download the comparison"),
    # rectification
    "rectify.title": ("整改预警", "Rectification"),
    "rectify.count": ("需整改支部", "Branches to rectify"),
    "rectify.alerts": ("预警等级（全部所选支部）", "Warning levels (all selected branches)"),
    "rectify.alert_level": ("{level}色预警", "{level} warnings"),
    "rectify.list": ("后进、软弱涣散（候选）及其他标记的支部", "Lagging, weak (incl. candidates) and otherwise flagged branches"),
    "rectify.persistent": ("持续问题（与上一考核期相比）", "Persistent problems (against the previous period)"),
    "rectify.none": ("当前筛选条件下没有需要整改的支部。", "No branch needs rectification under these filters."),
    "rectify.no_previous": ("没有上一考核期的数据，无法判断持续问题。", "No previous period, so persistence cannot be judged."),
    "rectify.notice": ("下载公示名单", "Download the public notice list"),
    # rubrics
    "rubrics.title": ("评分细则", "Rubrics"),
    "rubrics.pick": ("评分细则", "Rubric"),
    "rubrics.summary": ("适用领域：{fields} · 版本 {version} · 总分 {total}", "Fields: {fields} · version {version} · total {total}"),
    "rubrics.standards": ("标准与指标", "Standards and indicators"),
    "rubrics.grading": ("评定规则", "Grading rules"),
    "rubrics.yaml": ("查看 YAML 原文", "Show the YAML"),
    "rubrics.custom": ("使用自定义评分细则", "Use a custom rubric"),
    "rubrics.upload": ("上传评分细则 YAML（可 extends: core 继承公共核心）", "Upload a rubric YAML (may extend: core)"),
    "rubrics.errors": ("评分细则有 {n} 处错误，请按行号修改后重新上传：", "The rubric has {n} problems; fix them by line number and upload again:"),
    "rubrics.valid": ("评分细则校验通过：{names}", "The rubric is valid: {names}"),
    "rubrics.apply": ("用此细则重新评分", "Score with this rubric"),
    "rubrics.applied": ("已用自定义细则重新评分，所有页面均显示新结果。", "Rescored with the custom rubric; every page shows the new results."),
    "rubrics.applied_partly": ("已用自定义细则重新评分：{scored} 行已评分，{lost} 行未评分（应用前已提示）；所有页面只显示已评分的行。",
                               "Rescored with the custom rubric: {scored} rows scored, {lost} rows not scored (as announced before applying); "
                               "every page shows only the scored rows."),
    "rubrics.covers_all": ("当前数据的 {n} 行都有适用的评分细则。", "Every one of the {n} rows of the current data has a rubric."),
    "rubrics.would_leave": ("注意：用此细则评分，当前数据的 {total} 行中将有 {n} 行不能评分（目前为 {now} 行）。原因如下：",
                            "Careful: with this rubric {n} of the {total} rows of the current data would not be scored (now {now}). Why:"),
    "rubrics.confirm_loss": ("我已知晓，仍要应用（{n} 行将不评分）", "I understand; apply anyway ({n} rows will not be scored)"),
    "rubrics.cancel_hint": ("不勾选即不应用：当前结果保持不变；修改细则后可重新上传。", "Leave it unticked to cancel: the current results stay; "
                            "fix the rubric and upload it again."),
    "rubrics.field": ("领域", "Field"),
    "rubrics.reason": ("原因", "Reason"),
    "rubrics.rows": ("行数", "Rows"),
    "rubrics.reset": ("恢复内置评分细则", "Back to the built-in rubrics"),
    "rubrics.unscored": ("{n} 行没有对应的评分细则，未评分。", "{n} rows have no rubric for their field and were not scored."),
    "rubrics.file": ("文件", "File"),
    "rubrics.line": ("行", "Line"),
    "rubrics.column": ("列", "Column"),
    "rubrics.code": ("代码", "Code"),
    "rubrics.message": ("问题", "Problem"),
    # upload
    "upload.title": ("数据上传", "Upload"),
    "upload.file": ("上传考评数据（CSV 或 Excel）", "Upload assessment data (CSV or Excel)"),
    "upload.help": ("支持 GBK/UTF-8 编码的 CSV 与 Excel（.xlsx、.xls、.xlsb）、.ods 表格，单个文件不超过 {limit} MB（{limit_bytes} 字节）；"
                    "表头可使用中文名称或别称。",
                    "CSV in GBK or UTF-8, Excel (.xlsx, .xls, .xlsb) and .ods, at most {limit} MB ({limit_bytes} bytes) per file; "
                    "headers may use Chinese names or aliases."),
    "upload.too_big": ("文件有 {size} MB（{size_bytes} 字节），超过上限 {limit} MB（{limit_bytes} 字节）。请按乡镇或领域拆分后分别上传。",
                       "The file is {size} MB ({size_bytes} bytes), over the {limit} MB ({limit_bytes} bytes) limit. "
                       "Split it by township or field and upload the parts."),
    "upload.rubric_set": ("评分细则", "Rubrics"),
    "upload.builtin": ("内置细则", "Built-in rubrics"),
    "upload.custom": ("自定义细则（{name}）", "Custom rubric ({name})"),
    "upload.sheet": ("工作表", "Sheet"),
    "upload.reading": ("正在读取并校验 {name}…", "Reading and checking {name}…"),
    "upload.scoring": ("正在评分 {rows} 行…", "Scoring {rows} rows…"),
    "upload.summing": ("正在汇总 {rows} 个支部的总览…", "Summing the overview of {rows} branches…"),
    "upload.done": ("完成", "Done"),
    "upload.unreadable": ("无法读取该文件：{message}", "The file cannot be read: {message}"),
    "upload.rows_total": ("总行数", "Rows"),
    "upload.rows_scored": ("可评分", "Scored"),
    "upload.rows_with_warnings": ("有警告的行（仍计分）", "Rows with warnings (scored)"),
    "upload.rows_with_warnings_help": ("计分但有警告的行数；问题清单中共有 {warnings} 条警告，其中有的属于整列或已拒收的行。",
                                       "Scored rows that carry a warning; the problem list holds {warnings} warnings in all, "
                                       "some about whole columns or rejected rows."),
    "upload.rows_rejected": ("拒收", "Rejected"),
    "upload.problems": ("问题清单", "Problems"),
    "upload.no_problems": ("没有发现问题。", "No problems found."),
    "upload.download_problems": ("下载问题清单（CSV）", "Download the problem list (CSV)"),
    "upload.rejected": ("被拒收的行", "Rejected rows"),
    "upload.rejected_mode": ("如何处理被拒收的行", "What to do with rejected rows"),
    "upload.set_aside": ("暂不评分，先看其余结果", "Set them aside and explore the rest"),
    "upload.fix": ("在下表中修改后重新校验", "Fix them in the table and check again"),
    "upload.fix_help": ("只显示支部身份列和有问题的列（列名前标 ⚠）；改好后点“重新校验”，通过校验的行才会计分。",
                        "Only the identity columns and the columns with problems (marked ⚠) are shown; rows are scored only "
                        "once they pass the check."),
    "upload.problem_cells": ("需修改的列", "Cells to fix"),
    "upload.fix_apply": ("重新校验修改后的行", "Check the fixed rows again"),
    "upload.fixed": ("修改后有 {ok} 行通过校验，仍有 {bad} 行被拒收。", "{ok} fixed rows passed; {bad} are still rejected."),
    "upload.use": ("在看板中查看这些结果", "Explore these results"),
    "upload.in_use": ("看板正在显示 {name} 的结果（{rows} 个支部）。", "The dashboard shows the results of {name} ({rows} branches)."),
    "upload.back_to_sample": ("改回示例城市", "Back to the sample city"),
    "upload.template": ("下载空白模板", "Download a blank template"),
    "upload.template_field": ("领域", "Field"),
    "upload.template_csv": ("CSV 模板", "CSV template"),
    "upload.template_xlsx": ("Excel 模板", "Excel template"),
    "upload.encoding": ("编码：{encoding}", "Encoding: {encoding}"),
}
TEXT.update(WORKSPACE_TEXT)
TEXT.update(WORKBENCH_TEXT)
TEXT.update(LEDGER_TEXT)

_LANG_INDEX = {"zh": 0, "en": 1}


def translate(key: str, lang: str, **values: object) -> str:
    """The text of `key` in `lang`, with placeholders filled; an unknown key is returned as is (and caught by tests)."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[_LANG_INDEX.get(lang, 0)]
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    """The text of `key` in the current language."""
    return translate(key, state.lang(), **values)


def names(rubrics: RubricSet) -> dict[str, str]:
    """Rubric names (grades, warning colours, standards, indicators, moves) in the current language: {} in Chinese."""
    return english_names(rubrics) if state.lang() == "en" else {}
