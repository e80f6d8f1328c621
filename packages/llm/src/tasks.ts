import { customerTier, draftReply, moderation, priority, qualityReview, sentiment, source, triageCategory, triageDecision } from '@supportstream/domain';
import { z } from 'zod';

/**
 * The four model tasks the agents use. Each has an input and an output schema; every provider's
 * answer is parsed and validated against the output schema, so an agent only ever sees valid data.
 */

// The output shapes are the domain's contracts: written once, used by the graph state too.
export const customerTierSchema = customerTier;
export const categorySchema = triageCategory;
export const prioritySchema = priority;
export const sentimentSchema = sentiment;
export const sourceSchema = source;

export const moderateInputSchema = z.object({ text: z.string() });
export const moderateOutputSchema = moderation;

export const triageInputSchema = z.object({
  message: z.string(),
  subject: z.string().nullable(),
  customerTier: customerTierSchema,
  /** Recent interactions of this customer, newest last. */
  history: z.array(z.string()),
});
export const triageOutputSchema = triageDecision;

export const draftInputSchema = z.object({
  message: z.string(),
  triage: triageOutputSchema,
  sources: z.array(sourceSchema),
  /** Tool results, e.g. order status or a computed refund. */
  facts: z.array(z.string()),
  tone: z.string(),
  /** Quality feedback from a failed review; empty on the first draft. */
  previousIssues: z.array(z.string()),
});
export const draftOutputSchema = draftReply;

export const reviewInputSchema = z.object({
  message: z.string(),
  reply: z.string(),
  citations: z.array(z.string()),
  sources: z.array(sourceSchema),
  triage: triageOutputSchema,
  /** The tool results the draft had; a refund commitment is only acceptable when one confirms it. */
  facts: z.array(z.string()).default([]),
});
export const reviewOutputSchema = qualityReview;

export const TASKS = {
  moderate: { input: moderateInputSchema, output: moderateOutputSchema },
  triage: { input: triageInputSchema, output: triageOutputSchema },
  draft: { input: draftInputSchema, output: draftOutputSchema },
  review: { input: reviewInputSchema, output: reviewOutputSchema },
} as const;

export type TaskName = keyof typeof TASKS;
export const TASK_NAMES = Object.keys(TASKS) as readonly TaskName[];

export type Source = z.infer<typeof sourceSchema>;
export type CustomerTier = z.infer<typeof customerTierSchema>;
export type Category = z.infer<typeof categorySchema>;
export type Priority = z.infer<typeof prioritySchema>;
export type Sentiment = z.infer<typeof sentimentSchema>;
export type ModerateInput = z.infer<typeof moderateInputSchema>;
export type ModerateOutput = z.infer<typeof moderateOutputSchema>;
export type TriageInput = z.infer<typeof triageInputSchema>;
export type TriageOutput = z.infer<typeof triageOutputSchema>;
export type DraftInput = z.infer<typeof draftInputSchema>;
export type DraftOutput = z.infer<typeof draftOutputSchema>;
/** What callers pass (`facts` may be omitted); the parsed value always has `facts`. */
export type ReviewInput = z.input<typeof reviewInputSchema>;
export type ReviewOutput = z.infer<typeof reviewOutputSchema>;

export interface TaskInputs {
  moderate: ModerateInput;
  triage: TriageInput;
  draft: DraftInput;
  review: ReviewInput;
}
export interface TaskOutputs {
  moderate: ModerateOutput;
  triage: TriageOutput;
  draft: DraftOutput;
  review: ReviewOutput;
}
export type TaskInput<T extends TaskName = TaskName> = TaskInputs[T];
export type TaskOutput<T extends TaskName = TaskName> = TaskOutputs[T];

export function isTaskName(value: string): value is TaskName {
  return Object.hasOwn(TASKS, value);
}
