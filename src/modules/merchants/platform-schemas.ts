import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { ONBOARDING_STATUSES } from '../../db/schema/index.js';
import { CATEGORY_NAMES, SUB_CATEGORY_NAMES } from './categories.js';

const Country = (description: string) => Type.String({ pattern: '^[A-Za-z]{3}$', description: `${description} (ISO 3166-1 alpha-3, any case).`, examples: ['IND'] });
const Text = (maxLength: number, example: string) => Type.String({ minLength: 1, maxLength, examples: [example] });

/** The contract's `CreateMerchantRequest`; the checks the schema cannot express are in platform.ts. */
export const CreateMerchantBody = Type.Object({
  name: Text(255, 'Child Business Name'),
  address_line1: Text(255, '456 Commerce Street'),
  address_line2: Type.Optional(Type.String({ maxLength: 255, examples: ['Suite 101'] })),
  city: Text(100, 'Mumbai'),
  state: Text(100, 'Maharashtra'),
  pincode: Text(20, '400001'),
  registration_number: Text(100, 'REG123456'),
  registration_country: Country('Where the business is registered, also the address\'s country'),
  entity_type: Type.Enum(['individual', 'business']),
  category: Type.Enum(CATEGORY_NAMES),
  sub_category: Type.Enum([...SUB_CATEGORY_NAMES], { description: 'One of the category\'s own sub-categories (decision 0035).' }),
  operation_countries: Type.Array(Country('A country the merchant operates in'), { minItems: 1, maxItems: 250, uniqueItems: true }),
  date_of_birth: Type.Optional(Type.String({ description: 'YYYY-MM-DD; required for (and only for) an individual.', examples: ['2001-08-04'] })),
  gender: Type.Optional(Type.Enum(['male', 'female', 'undefined'], { description: 'Required for (and only for) an individual.' })),
}, { additionalProperties: false });
export type CreateMerchantBody = Static<typeof CreateMerchantBody>;

/** The contract's `Merchant`: the child as its platform sees it. */
export const PlatformMerchant = Type.Object({
  owner_merchant_id: Type.String({ examples: ['merch_68511919RVuf6'] }),
  merchant_id: Type.String({ examples: ['merch_68c777fcOOMpl'] }),
  status: Type.Enum([...ONBOARDING_STATUSES], { description: 'Onboarding: pending until reviewed (sandbox: status-update).' }),
  name: Type.String(),
  category: Type.String(),
  entity_type: Type.Enum(['individual', 'business']),
  sub_category: Type.String(),
  gender: Type.Optional(Type.Enum(['male', 'female', 'undefined'])),
  date_of_birth: Type.Optional(Type.String({ format: 'date' })),
  registration_number: Type.String(),
  registration_country: Type.String(),
  address: Type.Object({
    address_line1: Type.String(),
    address_line2: Type.Optional(Type.String()),
    city: Type.String(),
    state: Type.String(),
    pincode: Type.String(),
    country: Type.String(),
  }),
  operation_countries: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  jwt_token: Type.Optional(Type.String({ description: 'The child\'s secret key for this environment: in the onboarding answer only (a secret is shown once; decision 0035).' })),
  public_key: Type.Optional(Type.String({ description: 'The child\'s publishable key: in the onboarding answer only.' })),
});
export type PlatformMerchant = Static<typeof PlatformMerchant>;

export const MerchantCreateResponse = Type.Object({
  message: Type.String({ examples: ['Merchant created successfully!'] }),
  data: PlatformMerchant,
});

export const MerchantIdParams = Type.Object({ merchant_id: Type.String({ examples: ['merch_68c777fcOOMpl'] }) });

export const ListPlatformMerchantsQuery = Type.Object({
  status: Type.Optional(Type.Enum([...ONBOARDING_STATUSES])),
  ...PaginationQuery,
});
export type ListPlatformMerchantsQuery = Static<typeof ListPlatformMerchantsQuery>;
export const PlatformMerchantList = ListOf(PlatformMerchant);

export const OnboardingStatusBody = Type.Object({
  merchant_id: Type.String({ examples: ['merch_68c777fcOOMpl'] }),
  target_status: Type.Enum(['success', 'failed']),
}, { additionalProperties: false });
export type OnboardingStatusBody = Static<typeof OnboardingStatusBody>;

export const OnboardingStatusResponse = Type.Object({
  message: Type.String({ examples: ['Merchant status updated successfully'] }),
  data: PlatformMerchant,
});
