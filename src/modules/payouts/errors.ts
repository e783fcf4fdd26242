// The rail's error on a failed payout (its API errors are entries of the registry, core/errors.ts).
export interface PayoutError {
  code: string;
  description: string;
  customerDescription: string | null;
}
