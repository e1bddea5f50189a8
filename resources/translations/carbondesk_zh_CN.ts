<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>ErrorDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="466" />
        <source>Something went wrong</source>
        <translation>出现错误</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="472" />
        <source>Details were written to {0}</source>
        <translation>详细信息已写入 {0}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="477" />
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="481" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>EvidenceDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="223" />
        <source>Attach evidence</source>
        <translation>附加支撑材料</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="226" />
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="231" />
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="241" />
        <source>The report carries a QR verification code</source>
        <translation>报告有防伪二维码</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="243" />
        <source>Laboratory</source>
        <translation>检测机构</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="244" />
        <source>CMA/CNAS certificate no.</source>
        <translation>CMA/CNAS 证书编号</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="245" />
        <source>Report no.</source>
        <translation>报告编号</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="246" />
        <source>Sample received</source>
        <translation>样品接收日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="247" />
        <source>Tested</source>
        <translation>检测日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="248" />
        <source>Report date</source>
        <translation>报告日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="271" />
        <source>A lab report needs the laboratory and the report number.</source>
        <translation>检测报告需填写检测机构和报告编号。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="274" />
        <source>Dates must run: sample received ≤ tested ≤ report date.</source>
        <translation>日期顺序应为：样品接收 ≤ 检测 ≤ 报告日期。</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="89" />
        <source>Welcome to CarbonDesk</source>
        <translation>欢迎使用 CarbonDesk</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="95" />
        <source>How would you like to start?</source>
        <translation>请选择开始方式</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="97" />
        <source>Create a workspace for my entity</source>
        <translation>为本单位新建工作区</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="98" />
        <source>Open the demo workspace (a sample plant with a full year)</source>
        <translation>打开演示工作区（含一整年数据的示例电厂）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="99" />
        <source>Open an existing workspace file…</source>
        <translation>打开已有工作区文件…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="105" />
        <source>Workspace file:</source>
        <translation>工作区文件：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="111" />
        <source>The reporting entity</source>
        <translation>重点排放单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="122" />
        <source>Entity name</source>
        <translation>单位名称</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="123" />
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="125" />
        <source>Data year</source>
        <translation>数据年度</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="133" />
        <source>Generating units</source>
        <translation>发电机组</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="135" />
        <source>One row per generating unit (机组).</source>
        <translation>每台机组一行。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="139" />
        <source>Unit no.</source>
        <translation>机组编号</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="140" />
        <source>Category</source>
        <translation>配额分配类别</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="141" />
        <source>Capacity (MW)</source>
        <translation>装机容量（MW）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="142" />
        <source>Cooling</source>
        <translation>冷却方式</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="143" />
        <source>Supplies heat</source>
        <translation>是否供热</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="148" />
        <source>Add unit</source>
        <translation>添加机组</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="184" />
        <source>Open workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="184" />
        <source>CarbonDesk workspace (*.sqlite)</source>
        <translation>CarbonDesk 工作区 (*.sqlite)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="349" />
        <source>CarbonDesk — carbon emissions accounting</source>
        <translation>CarbonDesk — 碳排放核算与报告</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="350" />
        <source>Entity and units</source>
        <translation>单位与机组</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="351" />
        <source>Findings</source>
        <translation>校验结果</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="352" />
        <location filename="../../desktop/ui/main_window.py" line="393" />
        <source>Monthly entry</source>
        <translation>月度填报</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="353" />
        <location filename="../../desktop/ui/main_window.py" line="394" />
        <source>Annual report</source>
        <translation>年度报告</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="354" />
        <location filename="../../desktop/ui/main_window.py" line="390" />
        <source>Submit month</source>
        <translation>提交本月</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="355" />
        <location filename="../../desktop/ui/main_window.py" line="866" />
        <source>Mark deposited</source>
        <translation>标记已存证</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="356" />
        <source>Amend…</source>
        <translation>修订…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="357" />
        <location filename="../../desktop/ui/main_window.py" line="389" />
        <source>Attach evidence…</source>
        <translation>附加支撑材料…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="358" />
        <source>Evidence of this unit and month</source>
        <translation>本机组本月支撑材料</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="359" />
        <source>Justify warning…</source>
        <translation>说明警告…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="360" />
        <source>Unit:</source>
        <translation>机组：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="364" />
        <source>This unit and month</source>
        <translation>本机组本月</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="364" />
        <source>Whole year</source>
        <translation>全年</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="367" />
        <source>Figure</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="367" />
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="367" />
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="367" />
        <source>Formula</source>
        <translation>公式</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="369" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="370" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="371" />
        <source>&amp;Month</source>
        <translation>月份(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="372" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="373" />
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="374" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="379" />
        <source>Open workspace…</source>
        <translation>打开工作区…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="380" />
        <source>Open demo workspace</source>
        <translation>打开演示工作区</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="381" />
        <source>Import JSON report…</source>
        <translation>导入 JSON 报告…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="382" />
        <source>Back up workspace…</source>
        <translation>备份工作区…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="383" />
        <source>Export PDF report…</source>
        <translation>导出 PDF 报告…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="384" />
        <source>Export Excel workbook…</source>
        <translation>导出 Excel 工作簿…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="385" />
        <source>Import Excel workbook…</source>
        <translation>导入 Excel 工作簿…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="386" />
        <source>Build signed package…</source>
        <translation>生成签名提交包…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="387" />
        <source>Export monthly deposit sheet…</source>
        <translation>导出月度存证表…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="388" />
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="391" />
        <source>Mark deposited (lock)</source>
        <translation>标记已存证（锁定）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="392" />
        <source>Amend locked month…</source>
        <translation>修订已锁定月份…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="395" />
        <source>Recalculate</source>
        <translation>重新计算</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="396" />
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="397" />
        <source>Verify audit trail and evidence</source>
        <translation>校验审计记录和支撑材料</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="398" />
        <location filename="../../desktop/ui/main_window.py" line="1303" />
        <source>About CarbonDesk</source>
        <translation>关于 CarbonDesk</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="401" />
        <source>Recent workspaces</source>
        <translation>最近使用的工作区</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="402" />
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="403" />
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="404" />
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="447" />
        <source>Calculating the year…</source>
        <translation>正在计算全年数据…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="451" />
        <location filename="../../desktop/ui/main_window.py" line="1041" />
        <location filename="../../desktop/ui/main_window.py" line="1068" />
        <location filename="../../desktop/ui/main_window.py" line="1090" />
        <location filename="../../desktop/ui/main_window.py" line="1106" />
        <location filename="../../desktop/ui/main_window.py" line="1131" />
        <location filename="../../desktop/ui/main_window.py" line="1173" />
        <location filename="../../desktop/ui/main_window.py" line="1226" />
        <location filename="../../desktop/ui/main_window.py" line="1257" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="595" />
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="595" />
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="595" />
        <source>locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="686" />
        <source>Click a figure to see its formula, inputs and the source of every parameter.</source>
        <translation>点击左侧数值，查看其公式、输入数据及各参数来源。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="739" />
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="739" />
        <source>All changes saved</source>
        <translation>所有更改已保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="749" />
        <source>Deadlines</source>
        <translation>截止日期提醒</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="767" />
        <source>Edit {0} value(s)</source>
        <translation>修改 {0} 个数值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="818" />
        <source>Attach evidence</source>
        <translation>附加支撑材料</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="820" />
        <source>Scans and PDF (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)</source>
        <translation>扫描件和 PDF (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="828" />
        <source>Evidence attaches to an entered value that needs it; enter the value first.</source>
        <translation>支撑材料需附在已填写且需要证据的数据上，请先填写数值。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="871" />
        <source>Deposited on the national platform on</source>
        <translation>在全国碳市场管理平台存证日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="892" />
        <source>Amend a locked month</source>
        <translation>修订已锁定月份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="894" />
        <source>A locked month is corrected by a new version; the deposited version stays readable. Why must it change?</source>
        <translation>已锁定的月份通过新版本更正，已存证的版本仍可查阅。请说明修订原因：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="944" />
        <source>Only warnings</source>
        <translation>仅限警告</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="945" />
        <source>Errors must be corrected; only warnings can be passed with a justification.</source>
        <translation>错误必须更正；只有警告可以凭书面说明通过。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="949" />
        <source>Justify warning {0}</source>
        <translation>说明警告 {0}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="950" />
        <source>This justification is kept and shown in the report:</source>
        <translation>此说明将被保存并显示在报告中：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1013" />
        <source>Parameter pack refused</source>
        <translation>参数包无法使用</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1018" />
        <source>Parameter pack {0} imported</source>
        <translation>已导入参数包 {0}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1023" />
        <source>Import JSON report</source>
        <translation>导入 JSON 报告</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1023" />
        <source>CarbonDesk report (*.json)</source>
        <translation>CarbonDesk 报告 (*.json)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1037" />
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1056" />
        <source>Back up workspace</source>
        <translation>备份工作区</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1056" />
        <location filename="../../desktop/ui/main_window.py" line="1262" />
        <source>CarbonDesk workspace (*.sqlite)</source>
        <translation>CarbonDesk 工作区 (*.sqlite)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1065" />
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1069" />
        <source>Backup written to {0}</source>
        <translation>备份已写入 {0}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1079" />
        <source>Export PDF report</source>
        <translation>导出 PDF 报告</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1087" />
        <source>Writing the PDF report…</source>
        <translation>正在生成 PDF 报告…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1095" />
        <source>Export Excel workbook</source>
        <translation>导出 Excel 工作簿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1103" />
        <source>Writing the workbook…</source>
        <translation>正在生成工作簿…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1111" />
        <source>Export monthly deposit sheet</source>
        <translation>导出月度存证表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1128" />
        <source>Writing the monthly deposit sheet…</source>
        <translation>正在生成月度存证表…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1136" />
        <source>Written to {0}</source>
        <translation>已写入 {0}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1141" />
        <location filename="../../desktop/ui/main_window.py" line="1162" />
        <source>Import Excel workbook</source>
        <translation>导入 Excel 工作簿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1152" />
        <source>The workbook changes nothing.</source>
        <translation>该工作簿与现有数据一致，没有更改。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1157" />
        <source>… and {0} more</source>
        <translation>……另有 {0} 项</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1163" />
        <source>Import these {0} change(s)?</source>
        <translation>导入以下 {0} 处更改？</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1170" />
        <source>Reading the workbook…</source>
        <translation>正在读取工作簿…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1187" />
        <location filename="../../desktop/ui/main_window.py" line="1195" />
        <source>Signed package</source>
        <translation>签名提交包</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1187" />
        <source>Passphrase of your signing key:</source>
        <translation>签名私钥口令：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1196" />
        <source>No signing certificate yet. Name on a new self-signed one:</source>
        <translation>尚无签名证书。新建自签名证书的姓名：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1201" />
        <source>Build signed package</source>
        <translation>生成签名提交包</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1090" />
        <source>Another file is being written; this one follows when it is done.</source>
        <translation>另一个文件正在写入，此文件将在其完成后接着写入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1223" />
        <source>Building the signed package…</source>
        <translation>正在生成签名提交包…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1242" />
        <location filename="../../desktop/ui/main_window.py" line="1249" />
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1243" />
        <source>Audit trail intact: {0} entries match the data; {1} evidence files intact.</source>
        <translation>审计链完整：{0} 条记录与数据一致；{1} 个证据文件完好。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1253" />
        <source>Verifying…</source>
        <translation>正在校验…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1262" />
        <source>Open workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1280" />
        <source>Preparing the demo workspace…</source>
        <translation>正在准备演示工作区…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1305" />
        <source>CarbonDesk {0}
Monthly deposit, annual report and compliance for the national carbon market.</source>
        <translation>CarbonDesk {0}
全国碳市场月度存证、年度报告与履约。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1314" />
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1314" />
        <source>Cannot use this</source>
        <translation>无法使用</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="333" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="342" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="343" />
        <source>Your name (recorded in the audit trail)</source>
        <translation>您的姓名（记入审计记录）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="344" />
        <source>Workspace</source>
        <translation>工作区</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="347" />
        <source>Parameter pack {0} — double-click a value to override it with a reason</source>
        <translation>参数包 {0} — 双击数值可填写理由后修改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="351" />
        <source>Parameter</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="351" />
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="351" />
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="351" />
        <source>Confidence</source>
        <translation>可信度</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="351" />
        <source>Source / reason</source>
        <translation>来源 / 理由</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="364" />
        <location filename="../../desktop/ui/dialogs.py" line="408" />
        <source>overridden: {0}</source>
        <translation>已修改：{0}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="374" />
        <source>Import a newer parameter pack…</source>
        <translation>导入新版参数包…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="388" />
        <source>Override {0}</source>
        <translation>修改参数 {0}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="389" />
        <source>New value, then a blank line, then the reason (e.g. the notice it comes from):</source>
        <translation>第一行填写新数值，空一行后填写理由（如所依据的通知）：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="404" />
        <source>Reason needed</source>
        <translation>需要理由</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="404" />
        <source>An override needs a written reason.</source>
        <translation>修改参数必须填写理由。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="412" />
        <source>Import parameter pack</source>
        <translation>导入参数包</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="412" />
        <source>Parameter pack (*.toml)</source>
        <translation>参数包 (*.toml)</translation>
    </message>
</context>
<context>
    <name>UsccEdit</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="63" />
        <source>Valid code</source>
        <translation>代码有效</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="64" />
        <source> (normalised: {0})</source>
        <translation>（已规范化为 {0}）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="70" />
        <source>Check character should be {0}; if the licence reads so, you can continue and justify it later</source>
        <translation>校验位应为 {0}；如营业执照确实如此，可继续并在之后填写说明</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="75" />
        <source>18 characters: digits and capitals, without I, O, S, V, Z</source>
        <translation>应为18位：数字和大写字母，不含 I、O、S、V、Z</translation>
    </message>
</context>
</TS>