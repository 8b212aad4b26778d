// Simplified Chinese wording of what the server words in English: remediation steps (per rule id) and alerts (per kind), from their params.
import type { Formatter } from '../format';

/** Reads one param; throws `MissingParam` when the server did not send it (an older step or alert), so the English text is shown instead. */
export type ParamReader = (name: string) => string;

export class MissingParam extends Error {
  constructor(name: string) {
    super(`param ${name} missing`);
  }
}

export function paramReader(params: Readonly<Record<string, string>>): ParamReader {
  return (name) => {
    const value = params[name];
    if (value === undefined) throw new MissingParam(name);
    return value;
  };
}

type Wording = (p: ParamReader, fmt: Formatter) => { title: string; why: string };

const scopeWord = (p: ParamReader) => (p('scope') === 'cluster' ? '聚类' : '设备');

/** `0x800f081f (CBS_E_SOURCE_MISSING) 和 "Repair failed: …"`, and on how many devices of a cluster. */
function sourceMissing(p: ParamReader, fmt: Formatter): string {
  const parts: string[] = [];
  if (p('sourceMissingCode')) parts.push(p('sourceMissingName') ? `${p('sourceMissingCode')} (${p('sourceMissingName')})` : p('sourceMissingCode'));
  if (p('sourceMissingLogLine')) parts.push(`"${p('sourceMissingLogLine')}"`);
  const devices = p('sourceMissingDevices');
  return `${parts.join(' 和 ')}${devices ? `，见于其中 ${fmt.number(Number(devices))} 台设备` : ''}`;
}

/** Per remediation rule id (server/fleet/rules/remediation-rules.ts). */
export const REMEDIATION_ZH_CN: Readonly<Record<string, Wording>> = {
  'restart-pending': (p) => ({
    title: '重启以完成挂起的安装',
    why: `${p('pendingKbs')} 已安装，但需要重启才能完成；在重启之前，服务堆栈无法修复组件或安装其他更新。`,
  }),
  'copy-from-donor': (p, fmt) => ({
    title: `从同一版本的正常设备复制完好的 ${p('family')} 文件`,
    why:
      `DISM 在此${scopeWord(p)}上找不到替换用的有效负载（${sourceMissing(p, fmt)}），因此 ${p('family')} ${p('versions')} 的文件必须从别处获取；` +
      `${p('donorHost')} ${p('donorBuild') ? `的系统版本为 ${p('donorBuild')}` : '的系统版本未知'}，没有未解决的 ${p('family')} 损坏，并且${p('donorKbs') ? `已安装 ${p('donorKbs')}` : '已安装最新的更新'}，因此其 WinSxS 中的副本是完好的。` +
      (p('partialKey') ? '日志中的组件键不完整，因此第一条命令会列出供体设备上的对应文件夹，用其名称替换路径中的 *。' : ''),
  }),
  'restore-health-from-donor': (p, fmt) => ({
    title: '以供体设备为源修复组件存储',
    why: `上一次 RestoreHealth 的结果为 ${sourceMissing(p, fmt)}：Windows 更新没有替换用的有效负载，因此 DISM 必须读取 ${p('donorHost')} 上完好的组件，并且不访问 Windows 更新。`,
  }),
  'restore-health': (p) => ({
    title: '修复组件存储',
    why: `组件存储中的 ${p('families')} 存在未解决的损坏；RestoreHealth 会从${p('repairSource') ? `已配置的修复源 ${p('repairSource')} ` : ' Windows 更新'}获取并替换损坏或缺失的有效负载。`,
  }),
  'sfc-scannow': (p) => ({
    title: '修复受保护的系统文件',
    why: `组件存储修复后，SFC 会还原由已损坏的 ${p('families')} 组件投影出的系统文件。`,
  }),
  'retry-update': (p) => ({
    title: `重新安装 ${p('kb')}`,
    why:
      `${p('kb')} 安装失败，错误为 ${p('hresult')} (${p('hresultName') || 'HRESULT 表中无此名称'})` +
      (p('blockedBy') ? `，当时 ${p('blockedBy')} 的损坏尚未修复` : '') +
      '；组件存储修复后，同样的安装即可成功（使用 .msu 脱机安装，或通过 Windows 更新联机安装）。',
  }),
  'install-shipping-update': (p, fmt) => {
    const retry = p('retryKbs');
    return {
      title: `${retry ? `如果 ${retry} 仍然失败` : '如果更新仍然失败'}：安装附带 ${p('family')} ${p('shipVersion')} 的 ${p('shipKb')}`,
      why:
        `${p('shipKb')}（系统版本 ${p('shipBuild')}，${p('shipDate') ? fmt.date(p('shipDate')) : '发布日期未知'}）是附带 ${p('family')} ${p('shipVersion')} 的更新` +
        (p('shipVersionFromFleet') ? `（该版本见于 ${p('family')} 聚类的其他设备；此${scopeWord(p)}自身的 ${p('versions')} 不在更新目录中）` : '') +
        `；添加它的包会把该组件版本的完好副本放回 WinSxS，然后${retry ? `重试 ${retry}` : '重试该更新'}。`,
    };
  },
};

/** `KB5043064 on 19045 by 2024-10-01`: the server's name for a baseline saved without one. */
const DEFAULT_BASELINE_NAME = /^(KB\d+) on (\d+) by (\d{4}-\d{2}-\d{2})$/;

/** A baseline's name; the server's default name is worded in Chinese, a name an admin typed is kept. */
export function baselineNameZhCN(name: string, fmt: Formatter): string {
  const match = DEFAULT_BASELINE_NAME.exec(name);
  return match ? `${match[1]}（适用于 ${match[2]}，${fmt.date(match[3])}前）` : name;
}

/** Per alert kind (server/fleet/alerts.ts). */
export const ALERTS_ZH_CN: Readonly<Record<string, (p: ParamReader, fmt: Formatter) => string>> = {
  'cluster-new': (p, fmt) => `新的损坏聚类：${p('family')}，涉及 ${fmt.number(Number(p('deviceCount')))} 台设备。`,
  'cluster-threshold': (p, fmt) => `损坏聚类 ${p('family')} 已涉及 ${fmt.number(Number(p('deviceCount')))} 台设备（阈值 ${fmt.number(Number(p('threshold')))}）。`,
  'compliance-below': (p, fmt) =>
    `基线 ${baselineNameZhCN(p('name'), fmt)} 的合规率为 ${fmt.percent(Number(p('compliancePercent')))}（阈值 ${fmt.percent(Number(p('threshold')))}）：` +
    `${fmt.number(Number(p('applicable')))} 台设备中 ${fmt.number(Number(p('compliant')))} 台合规。`,
  'device-stale': (p, fmt) => `${p('hostname')} 自 ${fmt.dateTime(p('lastSeenAt'))} 起未上报。`,
};
