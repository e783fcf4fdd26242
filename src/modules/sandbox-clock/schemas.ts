import { Type, type Static } from 'typebox';

export const SandboxClock = Type.Object({
  now: Type.String({ format: 'date-time', description: "The environment's time.", examples: ['2026-03-01T10:00:00Z'] }),
  offset_seconds: Type.Integer({ minimum: 0, description: 'How far the clock is ahead of real time.' }),
  updated_at: Type.String({ format: 'date-time', description: 'When the clock last moved (real time), or was created.' }),
}, { additionalProperties: false });
export type SandboxClock = Static<typeof SandboxClock>;

export const AdvanceClockBody = Type.Object({
  seconds: Type.Optional(Type.Integer({ minimum: 0, description: 'How far to move the clock forward (0 runs what is due now).' })),
  to: Type.Optional(Type.String({ format: 'timestamp', description: 'The ISO-8601 time to move the clock to (not before its time now).' })),
}, { additionalProperties: false });
export type AdvanceClockBody = Static<typeof AdvanceClockBody>;

export const ClockAdvance = Type.Object({
  ...SandboxClock.properties,
  ran: Type.Record(Type.String(), Type.Integer({ minimum: 1 }), {
    description: 'What ran on the way, by kind (job queue): e.g. `orders.expire`, `payouts.rail`, `webhooks.deliver`.',
  }),
}, { additionalProperties: false });
export type ClockAdvance = Static<typeof ClockAdvance>;
