// Text the server sends in English (remediation, alerts, HRESULT meanings and fixes, baseline names), in the viewer's language; the server's text is the fallback.
import type { RemediationStep } from '../../protocol/fleet-api';
import { ApiError } from '../api/client';
import type { Formatter } from '../format';
import { HRESULT_TEXT_ZH_CN } from './hresults-zh-CN';
import { en, type MessageKey } from './en';
import type { Locale, Translate } from './index';
import { ALERTS_ZH_CN, baselineNameZhCN, MissingParam, paramReader, REMEDIATION_ZH_CN } from './server-zh-CN';

export interface ServerText {
  remediation(step: RemediationStep): { title: string; why: string };
  alert(alert: { kind: string; message: string; params: Readonly<Record<string, string>> }): string;
  hresultMeaning(code: string, english: string | null): string | null;
  hresultFix(code: string, english: string | null): string | null;
  baselineName(name: string): string;
}

/** Runs a wording; a param the server did not send means the English text is shown. */
function worded<T>(word: () => T, english: T): T {
  try {
    return word();
  } catch (err) {
    if (err instanceof MissingParam) return english;
    throw err;
  }
}

const ENGLISH: ServerText = {
  remediation: (step) => ({ title: step.title, why: step.why }),
  alert: (alert) => alert.message,
  hresultMeaning: (_code, english) => english,
  hresultFix: (_code, english) => english,
  baselineName: (name) => name,
};

export function serverText(locale: Locale, fmt: Formatter): ServerText {
  if (locale === 'en') return ENGLISH;
  return {
    remediation(step) {
      const wording = REMEDIATION_ZH_CN[step.rule];
      const english = ENGLISH.remediation(step);
      return wording ? worded(() => wording(paramReader(step.params), fmt), english) : english;
    },
    alert(alert) {
      const wording = ALERTS_ZH_CN[alert.kind];
      return wording ? worded(() => wording(paramReader(alert.params), fmt), alert.message) : alert.message;
    },
    hresultMeaning: (code, english) => HRESULT_TEXT_ZH_CN[code]?.meaning ?? english,
    hresultFix: (code, english) => (english === null ? null : (HRESULT_TEXT_ZH_CN[code]?.fix ?? english)),
    baselineName: (name) => baselineNameZhCN(name, fmt),
  };
}

/**
 * An API error for the viewer: in English the server's sentence; otherwise the error code's sentence
 * in the viewer's language, with the server's specific sentence after it.
 */
export function errorText(error: Error, locale: Locale, t: Translate): string {
  if (locale === 'en' || !(error instanceof ApiError)) return error.message;
  const key = `error.${error.code}`;
  return key in en ? t('error.detail', { summary: t(key as MessageKey), detail: error.message }) : error.message;
}
