// Beneficiaries: the v2 shapes (2026 excerpt, `BeneficiaryV2*`) and the flat legacy v1 shape (2025 `Beneficiary`).
import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

const BeneficiaryType = Type.Enum(['individual', 'business']);
const Text = (options: Record<string, unknown> = {}) => Type.String({ maxLength: 255, ...options });

// Required-ness and enums of the create body are checked by the service, so that a missing or unknown field answers
// the contract's own texts (`Category can't be blank, Category must be one of: lrs, payout`); the schema checks types.
const AddressInput = Type.Object({
  address_line1: Type.Optional(Text({ examples: ['123 Business Park'] })),
  address_line2: Type.Optional(Text({ examples: ['Suite 100'] })),
  city: Type.Optional(Text({ examples: ['New York'] })),
  state: Type.Optional(Text({ examples: ['NY'] })),
  country_code: Type.Optional(Text({ description: 'ISO 3166-1 alpha-3, any case.', examples: ['USA'] })),
  postal_code: Type.Optional(Text({ examples: ['10001'] })),
}, { description: 'All fields except address_line2 are required.' });

export const CreateBeneficiaryV2Body = Type.Object({
  category: Type.Optional(Type.String({ description: 'Required: `payout` or `lrs`.', examples: ['payout'] })),
  beneficiary: Type.Optional(Type.Object({
    name: Type.Optional(Text({ description: 'Required.', examples: ['ACME Corporation'] })),
    type: Type.Optional(Type.String({ description: 'Required: `individual` or `business`.', examples: ['business'] })),
    email: Type.Optional(Text({ format: 'email' })),
    phone: Type.Optional(Text()),
    nickname: Type.Optional(Text({ description: 'Default: the name, followed by " - <bank name>" when a bank name was sent.' })),
    address: Type.Optional(AddressInput),
    documents: Type.Optional(Type.Array(Type.String(), { maxItems: 20, description: 'Ids of the tenant\'s documents (doc_…).' })),
  }, { description: 'Required: name, type and address.' })),
  bank_account: Type.Optional(Type.Object({
    account_number: Type.Optional(Text({ description: 'Required.', examples: ['1234567890'] })),
    currency: Type.Optional(Type.String({ description: 'Required, ISO 4217.', examples: ['USD'] })),
    name: Type.Optional(Text({ description: 'Bank name: required for lrs; for payout kept when sent (no bank directory resolves it).' })),
    swift_code: Type.Optional(Type.String({ examples: ['CITIUS33'] })),
    local_routing_number: Type.Optional(Text({ examples: ['021000089'] })),
    address: Type.Optional(AddressInput),
    intermediate_bank: Type.Optional(Type.Object({
      name: Type.Optional(Text()),
      country: Type.Optional(Type.String()),
      swift_code: Type.Optional(Type.String()),
      account_number: Type.Optional(Text()),
    })),
  }, { description: 'payout: exactly one of swift_code or local_routing_number (EUR and AED IBANs: neither); lrs: local_routing_number, bank name and address, intermediate_bank.swift_code.' })),
  upi_account: Type.Optional(Type.Object({ upi_id: Type.Optional(Text({ examples: ['1111111111@ybl'] })) })),
  notes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: 'String keys and string values (at most 50); keys the merchant requires must be present.',
  })),
}, { description: 'Send bank_account or upi_account, not both.' });
export type CreateBeneficiaryV2Body = Static<typeof CreateBeneficiaryV2Body>;

const Address = Type.Object({
  address_line1: Type.String(),
  address_line2: Type.Optional(Type.String()),
  city: Type.String(),
  state: Type.String(),
  country_code: Type.String(),
  postal_code: Type.String(),
});

export const BeneficiaryV2 = Type.Object({
  id: Type.String({ examples: ['bene_698c0615XZocZ'] }),
  name: Type.String(),
  type: BeneficiaryType,
  category: Type.Enum(['payout', 'lrs']),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  nickname: Type.String(),
  address: Address,
  bank_account: Type.Optional(Type.Object({
    account_number: Type.String(),
    name: Type.Optional(Type.String()),
    swift_code: Type.Optional(Type.String()),
    local_routing_number: Type.Optional(Type.String()),
    currency: Type.Optional(Type.String()),
    address: Type.Optional(Address),
    intermediate_bank: Type.Optional(Type.Object({
      name: Type.Optional(Type.String()),
      country: Type.Optional(Type.String()),
      swift_code: Type.Optional(Type.String()),
      account_number: Type.Optional(Type.String()),
    })),
  }, { description: 'Absent for a UPI beneficiary; fields not known are omitted.' })),
  upi_account: Type.Union([Type.Object({ upi_id: Type.String() }), Type.Null()]),
  status: Type.Enum(['pending', 'active', 'rejected']),
  documents: Type.Array(Type.String()),
  notes: Type.Optional(Type.Record(Type.String(), Type.String())),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type BeneficiaryV2 = Static<typeof BeneficiaryV2>;

export const ListBeneficiariesV2Query = Type.Object({
  status: Type.Optional(Type.Enum(['pending', 'active', 'rejected'])),
  ...PaginationQuery,
});
export type ListBeneficiariesV2Query = Static<typeof ListBeneficiariesV2Query>;
export const BeneficiaryV2List = ListOf(BeneficiaryV2);

export const MockReviewBody = Type.Object({
  review_action: Type.Enum(['approve', 'reject']),
}, { additionalProperties: false });
export type MockReviewBody = Static<typeof MockReviewBody>;

export const CreateBeneficiaryV1Body = Type.Object({
  holder_name: Text({ examples: ['Test Arts & Crafts Pvt Ltd'] }),
  account_number: Text({ examples: ['1234567890'] }),
  bank_name: Text({ examples: ['Yes Bank'] }),
  beneficiary_type: BeneficiaryType,
  bic_primary: Type.String({ description: 'SWIFT/BIC: 8-11 characters, the first 6 letters.', examples: ['YESBINBB'] }),
  bic_secondary: Text({ description: 'Local routing code (IFSC, sort code, ABA).', examples: ['YESB0000002'] }),
  email: Text({ format: 'email' }),
  address_line1: Text({ examples: ['123 Main St'] }),
  address_line2: Type.Optional(Text()),
  city: Text(),
  state: Text(),
  country: Type.String({ format: 'iso-3166-1-alpha-3', description: 'ISO 3166-1 alpha-3, any case.', examples: ['IND'] }),
  pincode: Text(),
  nickname: Text(),
  intermediate_bank_name: Type.Optional(Text()),
  intermediate_bank_country: Type.Optional(Type.String({ format: 'iso-3166-1-alpha-3' })),
  intermediate_bank_swift_code: Type.Optional(Text()),
});
export type CreateBeneficiaryV1Body = Static<typeof CreateBeneficiaryV1Body>;

export const BeneficiaryV1 = Type.Object({
  id: Type.String({ examples: ['bene_698c0615XZocZ'] }),
  holder_name: Type.String(),
  account_number: Type.String(),
  bank_name: Type.Optional(Type.String()),
  beneficiary_type: BeneficiaryType,
  bic_primary: Type.Optional(Type.String()),
  bic_secondary: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  address_line1: Type.String(),
  address_line2: Type.Optional(Type.String()),
  city: Type.String(),
  state: Type.String(),
  country: Type.String(),
  pincode: Type.String(),
  nickname: Type.String(),
  intermediate_bank_name: Type.Optional(Type.String()),
  intermediate_bank_country: Type.Optional(Type.String()),
  intermediate_bank_swift_code: Type.Optional(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type BeneficiaryV1 = Static<typeof BeneficiaryV1>;

export const ListBeneficiariesV1Query = Type.Object({
  beneficiary_type: Type.Optional(BeneficiaryType),
  country: Type.Optional(Type.String({ format: 'iso-3166-1-alpha-3', description: 'ISO 3166-1 alpha-3, any case.' })),
  ...PaginationQuery,
});
export type ListBeneficiariesV1Query = Static<typeof ListBeneficiariesV1Query>;
export const BeneficiaryV1List = ListOf(BeneficiaryV1);
