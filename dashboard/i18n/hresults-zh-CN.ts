// Simplified Chinese meaning of every HRESULT the product ships (protocol/data/hresults.tsv) and of every typical fix (server/fleet/rules/hresult-fixes.ts).
/**
 * Keyed by code. Terms follow Microsoft's Chinese Windows servicing documentation: 组件存储 (component
 * store), 服务堆栈 (servicing stack), 修复 (repair), 更新 (update), 有效负载 (payload), 清单 (manifest).
 * Log text that CBS, CSI or DISM print is quoted verbatim, as in the English table.
 */
export const HRESULT_TEXT_ZH_CN: Readonly<Record<string, { meaning: string; fix?: string }>> = {
  '0x80004005': {
    meaning: "未指定的错误 (winerror.h)。CBS 输出 '[HRESULT = 0x80004005 - E_FAIL]'；CSI 会在大多数 (F) 行末尾附加 '[gle=0x80004005]'，此时它不包含任何信息。",
  },
  '0x80070002': {
    meaning: '系统找不到指定的文件。',
    fix: '更新所需的文件丢失：清空 %windir%\\SoftwareDistribution\\Download，运行 RestoreHealth，然后重试。',
  },
  '0x80070003': { meaning: '系统找不到指定的路径。（服务堆栈无法访问某个路径。）' },
  '0x80070005': {
    meaning: '常规的拒绝访问错误。文件系统或注册表项的权限已被更改，服务堆栈没有所需的访问权限。CBS 输出的名称为 E_ACCESSDENIED。',
    fix: '服务路径被拒绝访问：重置 %windir%\\WinSxS 和 CBS 注册表项的权限，检查防病毒软件的排除项，然后重试。',
  },
  '0x8007000d': {
    meaning: '数据无效。/ 表示下载了无效的数据或发生了损坏。',
    fix: '组件存储数据无效：运行 DISM /Online /Cleanup-Image /RestoreHealth，再运行 sfc /scannow，然后重试更新；如果 DISM 报告 0x800f081f，请从同一版本的正常设备复制损坏的组件。',
  },
  '0x80070020': {
    meaning: '原因众多，需要分析 CBS 日志。（通常是非 Microsoft 的筛选器驱动程序，例如防病毒软件。）',
    fix: '文件正被占用（通常是防病毒软件等筛选器驱动程序）：在干净启动后或暂停防病毒软件后重试。',
  },
  '0x80070057': { meaning: '参数错误。' },
  '0x80070246': { meaning: '遇到无效字符。' },
  '0x80070308': {
    meaning: "CBS 输出的名称；见于 'Over-removing a TLC, s/b internal error' 之后 CSI 提交失败时（Windows 7，KB3172605）。",
  },
  '0x80070422': {
    meaning:
      "Microsoft 未给出消息：'当 Windows 更新服务停止工作或未运行时会出现此问题。'（按 winerror.h，Win32 1058 = ERROR_SERVICE_DISABLED；CSI 输出 HRESULT_FROM_WIN32(1058)。）",
  },
  '0x80070490': {
    meaning: 'Windows 无法搜索新更新。/ 在更新过程中安装驱动程序时出现（CBS DriverOperations 下缺少驱动程序的 Arch 值）。',
  },
  '0x80070570': { meaning: '文件或目录已损坏且无法读取。（组件存储损坏。）' },
  '0x800705b9': { meaning: '无法分析请求的 XML 数据。' },
  '0x800706be': {
    meaning: "Microsoft 未给出符号名称（'累积更新安装失败'）；当上一个累积更新安装失败并已损坏时，由 dism.exe 返回。",
  },
  '0x800706d9': {
    meaning:
      "Win32 1753（按 winerror.h 为 EPT_S_NOT_REGISTERED，未在语料中核实）。在 Container Installer 高级安装程序中以 'HRESULT_FROM_WIN32(1753)' 和 'ErrorCode: 800706d9' 出现，随后是 0x800f0922 回滚。",
  },
  '0x80070bc2': {
    meaning: "Win32 3010：成功，需要重启。CBS 输出为 'Startup: Processing complete. [HRESULT = 0x80070bc2 - ERROR_SUCCESS_REBOOT_REQUIRED]'。",
  },
  '0x80070bc9': {
    meaning: '请求的操作失败。请重启系统以回滚所做的更改。（另外：组策略将 TrustedInstaller 的启动类型强制设为“手动”也会阻止挂起的操作。）',
    fix: '之前的操作需要重启：重启设备（TrustedInstaller 不能被策略强制设为“手动”），然后重试。',
  },
  '0x80071ab1': { meaning: '尝试在事务资源管理器的日志中腾出空间失败。' },
  '0x80072ee2': {
    meaning: '操作超时。由于与 Windows 更新、Configuration Manager 或 WSUS 之间的连接问题，无法扫描更新。',
    fix: '无法及时连接 Windows 更新：检查代理服务器、防火墙以及与 WSUS/Configuration Manager 的连接。',
  },
  '0x80072efe': { meaning: '与服务器的连接异常关闭。BITS 无法成功传输文件。' },
  '0x80072f8f': { meaning: '内容解码失败。客户端上的 TLS 1.2 配置不正确。' },
  '0x80073701': {
    meaning: '找不到引用的程序集。通常是组件处于部分安装状态所导致的组件存储损坏。',
    fix: '缺少引用的程序集：运行 DISM RestoreHealth，然后重试；就地升级是最后的手段。',
  },
  '0x8007370a': { meaning: '标识中某个属性的值不在有效范围内。' },
  '0x8007370b': { meaning: '标识中某个属性的名称不在有效范围内。' },
  '0x8007370d': { meaning: '标识字符串格式不正确。' },
  '0x80073712': {
    meaning: '组件存储处于不一致状态。（CSI：STATUS_SXS_COMPONENT_STORE_CORRUPT / HRESULT_FROM_WIN32(14098)。）',
    fix: '组件存储不一致：运行 DISM RestoreHealth（如果报告 0x800f081f，则加上 /Source），然后重试更新。',
  },
  '0x8007371b': { meaning: '事务的一个或多个必需成员不存在。' },
  '0x800736b3': { meaning: '找不到程序集，通常是组件存储损坏所致。' },
  '0x800736cc': { meaning: '组件的文件与组件清单中的验证信息不匹配。' },
  '0x80040154': {
    meaning: "CBS 输出为 '[HRESULT = 0x80040154 - Unknown Error]'（按 winerror.h 为 REGDB_E_CLASSNOTREG，未在语料中核实）：CBS 的名称表不包含此代码。",
  },
  '0x80092003': { meaning: 'Windows 更新读取或写入文件时出错。' },
  '0x800b0100': { meaning: "使用者中不存在签名。（CheckSUR：'(f) CBS Catalog Corrupt 0x800B0100 ...cat'）" },
  '0x800b0101': { meaning: '根据当前系统时钟或签名文件中的时间戳验证时，所需的证书不在其有效期内。' },
  '0x80200053': { meaning: '无描述 (NA)。请确保没有防火墙筛选下载。' },
  '0x800f0805': { meaning: '包无效，通常是下载或元数据损坏问题。' },
  '0x800f080d': { meaning: 'CBS 清单无效，指向组件损坏。' },
  '0x800f0816': { meaning: "（只有名称。）在 Windows 8.1 的 WindowsUpdate.log 中以 'CBS called Error with 0x800f0816,' 出现。" },
  '0x800f081e': {
    meaning:
      "包不适用（DISM.log：'Error in operation: the package is not applicable. (CBS HRESULT=0x800f081e)'）。注意：反编译得到的名称字符串为 'CBS_E_NOT_APPLICABLE '，末尾带一个空格。",
  },
  '0x800f081f': {
    meaning: "找不到包或文件的源。/ 找不到包或文件的源，ResolveSource() 未成功。DISM：'找不到源文件。'",
    fix: 'DISM 找不到替换用的有效负载：运行 RestoreHealth，用 /Source 指向正常设备或匹配的安装映像，并加上 /LimitAccess。',
  },
  '0x800f0821': { meaning: '客户端中止：ICbsUIHandler 的方法（Error() 除外）返回了 IDABORT；超过了 CBS 事务超时。' },
  '0x800f0823': {
    meaning:
      "包需要更新的服务堆栈（'Package \"...\" requires Servicing Stack v10.0.14393.5285 but current Servicing Stack is v10.0.14393.4349.'）。",
    fix: '需要更新的服务堆栈：先安装最新的服务堆栈更新，然后重试。',
  },
  '0x800f0825': {
    meaning: '无法卸载包。通常是组件处于部分安装状态所导致的组件存储损坏。（反编译的名称表将此代码称为 CBS_E_CANNOT_REMOVE。）',
  },
  '0x800f0830': { meaning: '映像无法维护，通常需要修复或就地升级 (IPU)。' },
  '0x800f0831': {
    meaning: "CBS 存储已损坏。（CBS：'Mark store corruption flag because of package: ...'）",
    fix: '存储中缺少某个包的清单：安装 CBS.log 中指出的缺失包（从 Microsoft 更新目录获取），然后重试。',
  },
  '0x800f0900': { meaning: "常规的 XML 分析失败，可能表示严重的服务问题。（CheckSUR：'(f) CBS MUM Corrupt 0x800F0900 ... Line 1:'）" },
  '0x800f0904': { meaning: '更新元数据中的配置无效。' },
  '0x800f0905': { meaning: "（Microsoft 的描述单元格内容错乱：'E_DO_INHERITANCE_CONTEXT_NEEDE'。）在 Server 2022 上以 DISM /Add-Package 失败出现。" },
  '0x800f0906': {
    meaning: "DISM：'无法下载源文件。' CBS：'Failed to run Detect and repair. [HRESULT = 0x800f0906 - CBS_E_DOWNLOAD_FAILURE]'。",
    fix: '无法下载修复源：为 DISM 提供 /Source（匹配的安装映像或正常设备），或允许访问 Windows 更新。',
  },
  '0x800f090c': { meaning: "'Repr: No owner found for component ..., it might be a 3rd party component'（修复过程中的提示信息）。" },
  '0x800f0911': { meaning: '包的源已在之前的会话中被修改或移动，需要重新下载。' },
  '0x800f0915': {
    meaning: "DISM：'在任何位置都找不到修复内容。'（dism.exe 退出代码 -2146498283）。",
    fix: '任何位置都没有修复内容：为 DISM 提供来自匹配安装映像或同一版本正常设备的 /Source。',
  },
  '0x800f0920': { meaning: '处理操作时检测到无响应。在出现 0x800f0821 之后记录的后续错误。' },
  '0x800f0922': {
    meaning: '处理高级安装程序和通用命令失败。',
    fix: '高级安装程序失败（常见原因是系统保留分区已满或 Container Installer 失败）：释放系统分区的空间，然后重试。',
  },
  '0x800f0950': {
    meaning: "无法获取按需功能 (FoD) 内容（1809 日志中为开发人员模式 FoD 失败）。Microsoft 文档说明：该名称'仅供内部使用，可能会更改'。",
  },
  '0x800f0982': {
    meaning: '无法识别用于解冻 (hydration) 的匹配组件。',
    fix: '没有可用于解冻 (hydration) 的匹配组件：运行 RestoreHealth，然后用 DISM /Add-Package 脱机安装该更新。',
  },
  '0x800f0983': { meaning: "（只有名称。）累积更新中以 'Install error - 0x800f0983' 报告。" },
  '0x800f0984': {
    meaning: '匹配的组件目录存在，但缺少二进制文件。',
    fix: '组件存储中缺少匹配的二进制文件：从同一版本的正常设备复制该组件，运行 RestoreHealth，然后重试。',
  },
  '0x800f0985': { meaning: '可能与缺失的清单或有效负载有关。' },
  '0x800f0986': {
    meaning: '应用正向增量失败。',
    fix: '无法应用正向增量：运行 RestoreHealth，然后脱机安装该更新。',
  },
  '0x800f0987': { meaning: '包损坏或集成失败。' },
  '0x800f0988': {
    meaning: '可能与特定的更新分支或增量补丁问题有关。（某些第三方表格错误地将其称为 MATCHING_BINARY_MISSING。）',
    fix: '无效的增量组合：运行 DISM /Online /Cleanup-Image /StartComponentCleanup，然后重试更新。',
  },
  '0x800f0989': { meaning: '见于累积更新失败期间，就地升级 (IPU) 可能是唯一的解决办法。' },
  '0x800f0991': { meaning: '与更新顺序或依赖关系错误有关。' },
  '0x00240005': { meaning: '必须重启系统才能完成更新的安装。' },
  '0x00240006': { meaning: '要安装的更新已经安装在系统上。' },
  '0x80240001': { meaning: 'Windows 更新代理无法提供服务。' },
  '0x80240009': { meaning: '另一个冲突的操作正在进行。某些操作（例如安装）不能同时执行两次。' },
  '0x8024000b': { meaning: '操作已取消。' },
  '0x8024000e': { meaning: 'Windows 更新代理在更新的 XML 数据中发现了无效信息。' },
  '0x80240016': { meaning: '操作尝试在另一个安装正在进行或系统正等待必需的重启时进行安装。' },
  '0x80240017': { meaning: '由于没有适用的更新，未执行操作。' },
  '0x8024001e': {
    meaning: '由于服务或系统正在关闭，操作未完成。',
    fix: '服务或系统正在关闭：在设备保持开机时重试。',
  },
  '0x8024001f': { meaning: '由于网络连接不可用，操作未完成。' },
  '0x80240020': { meaning: '由于没有已登录的交互式用户，操作未完成。' },
  '0x80240022': { meaning: '所有更新的操作均失败。' },
  '0x8024002e': { meaning: '不允许访问非托管服务器。（KB947821 的表格则称：Windows 更新客户端服务已禁用。）' },
  '0x80240034': {
    meaning: '更新下载失败。',
    fix: '下载失败：检查代理服务器和 WSUS 的可达性，清空下载缓存，然后重试。',
  },
  '0x80240438': {
    meaning: "Microsoft 的 Windows 更新错误参考中没有名称；CBS 输出为 'Unknown Error'。Microsoft Intune 故障排除表格：无法访问 Intune 服务，请检查客户端代理设置（连接问题）。",
  },
  '0x80240fff': { meaning: '操作因其他错误代码未涵盖的原因而失败。' },
  '0x80242006': { meaning: '由于更新包含无效的元数据，处理程序操作无法完成。' },
  '0x8024200b': { meaning: '安装程序未能安装（卸载）一个或多个更新。' },
  '0x80242014': { meaning: '更新的重启后操作仍在进行中。（在 WUA 历史记录中显示为 HResult -2145116140，ResultCode 为 1。）' },
  '0x80242016': { meaning: '更新的重启后操作完成后，其状态不符合预期。' },
  '0x80242017': { meaning: '必须先更新操作系统服务堆栈，才能下载或安装此更新。' },
  '0x80244007': { meaning: '同 SOAPCLIENT_SOAPFAULT：由于 WU_E_PT_SOAP_* 错误代码所述的原因出现 SOAP 错误，SOAP 客户端失败。' },
  '0x8024401b': { meaning: '同 HTTP 状态 407：需要代理身份验证。' },
  '0x8024401c': { meaning: '同 HTTP 状态 408：服务器等待请求超时。' },
  '0x80244022': { meaning: '同 HTTP 状态 503：服务暂时过载。（常见错误一文将其拼写为 WU_E_PT_HTTP_STATUS_SERVICE_UNAVAILABLE。）' },
  '0x8024402c': { meaning: '同 ERROR_WINHTTP_NAME_NOT_RESOLVED：无法解析代理服务器或目标服务器的名称。' },
  '0x8024402f': { meaning: '外部 cab 文件处理已完成，但有一些错误。' },
  '0x80246007': { meaning: '尚未下载该更新。' },
  '0x80246017': { meaning: '由于本地用户被拒绝下载内容的授权，下载失败。' },
  '0x80248000': { meaning: '由于 Windows 更新代理正在关闭，操作失败。' },
  '0x8024a000': { meaning: '自动更新无法处理传入的请求。' },
  '0x8024a10a': { meaning: '表示 Windows 更新服务正在关闭。' },
  '0x8024d009': { meaning: '由于 wuident.cab 文件中的指令，跳过了 Windows 更新代理的更新。' },
};
