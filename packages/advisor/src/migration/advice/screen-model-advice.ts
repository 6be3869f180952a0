import type { LlmMigrationAdvice } from '@ballast/core';
import { type ModelTextFinding, screenModelText } from '@ballast/validator';

/**
 * Longest model-written texts kept, in characters. Longer text is cut (and said so): an analysis
 * is read by a person in a UI or a terminal, not stored as a document.
 *
 * @example
 * ```ts
 * const limits: ModelTextLimits = { analysis: 2_000, item: 500 };
 * ```
 */
export interface ModelTextLimits {
  /** Default 4 000. */
  analysis?: number;
  /** Each text field of a recommendation or predicted issue (reasoning, impact, prediction…). Default 1 000. */
  item?: number;
}

/** A model item refused because its text reads as an instruction to run something. */
export interface UnsafeModelItem {
  kind: 'recommendation' | 'predicted_issue';
  /** Position in the model's list. */
  index: number;
  /** The item as the model gave it. */
  item: unknown;
  /** `field: finding codes` per unsafe field, e.g. `reasoning: shell_pipe, remote_fetch`. */
  message: string;
  findings: ModelTextFinding[];
}

/** The model's answer with every free text screened, and what was withheld. */
export interface ScreenedModelAdvice {
  /** The answer with bounded, escape-free text and without the unsafe items. */
  advice: LlmMigrationAdvice;
  /** Findings of the analysis when it was withheld (then `advice.analysis` is `undefined`). */
  analysisWithheld?: ModelTextFinding[];
  unsafe: UnsafeModelItem[];
  /** Position in the model's list of each recommendation left in `advice` (unsafe ones are gone). */
  recommendationIndexes: number[];
  /** Position in the model's list of each predicted issue left in `advice`. */
  issueIndexes: number[];
}

/**
 * Screens every free text of a model's migration answer with `screenModelText` before it is
 * validated, merged or shown: texts are bounded and stripped of terminal escapes; an analysis that
 * reads as an instruction to run something (or to steer a model) is withheld, and a recommendation
 * or predicted issue with such a text is refused whole, since its author was not giving advice.
 * Nodes, vmids and numbers are left to the validator.
 *
 * @example
 * ```ts
 * const screened = screenModelAdvice(answer);
 * for (const item of screened.unsafe) console.warn(`model ${item.kind} #${item.index} withheld: ${item.message}`);
 * ```
 */
export function screenModelAdvice(
  advice: LlmMigrationAdvice,
  limits: ModelTextLimits = {},
): ScreenedModelAdvice {
  const itemLimit = limits.item ?? 1_000;
  const unsafe: UnsafeModelItem[] = [];
  const recommendationIndexes: number[] = [];
  const issueIndexes: number[] = [];
  const screenItems = (kind: UnsafeModelItem['kind'], items: readonly unknown[], kept: number[]) =>
    items.flatMap((item, index) => {
      const screened = screenItemText(item, itemLimit);
      if (screened.unsafeFields.length === 0) {
        kept.push(index);
        return [screened.item];
      }
      unsafe.push({
        kind,
        index,
        item,
        message: screened.unsafeFields
          .map(({ field, findings }) => `${field}: ${findings.map((finding) => finding.code).join(', ')}`)
          .join('; '),
        findings: screened.unsafeFields.flatMap(({ findings }) => findings),
      });
      return [];
    });

  const recommendations = screenItems('recommendation', advice.recommendations, recommendationIndexes);
  const predictedIssues =
    advice.predicted_issues === undefined || advice.predicted_issues === null
      ? advice.predicted_issues
      : screenItems('predicted_issue', advice.predicted_issues, issueIndexes);
  const analysis =
    typeof advice.analysis === 'string'
      ? screenModelText(advice.analysis, { maxLength: limits.analysis ?? 4_000 })
      : undefined;

  const cleaned: LlmMigrationAdvice = {
    ...advice,
    recommendations,
    ...(predictedIssues === undefined ? {} : { predicted_issues: predictedIssues }),
    analysis: analysis === undefined || analysis.unsafe ? undefined : analysis.text,
  };
  return {
    advice: cleaned,
    ...(analysis?.unsafe ? { analysisWithheld: analysis.findings } : {}),
    unsafe,
    recommendationIndexes,
    issueIndexes,
  };
}

/** Screens the string fields of one item (shallow: model items are flat records). */
function screenItemText(
  item: unknown,
  maxLength: number,
): { item: unknown; unsafeFields: Array<{ field: string; findings: ModelTextFinding[] }> } {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return { item, unsafeFields: [] };
  const copy: Record<string, unknown> = {};
  const unsafeFields: Array<{ field: string; findings: ModelTextFinding[] }> = [];
  for (const [field, value] of Object.entries(item)) {
    if (typeof value !== 'string') {
      copy[field] = value;
      continue;
    }
    const screened = screenModelText(value, { maxLength });
    copy[field] = screened.text;
    if (screened.unsafe) unsafeFields.push({ field, findings: screened.findings });
  }
  return { item: copy, unsafeFields };
}
