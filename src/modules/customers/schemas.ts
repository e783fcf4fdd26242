import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

export const CustomerType = Type.Enum(['individual', 'business'], { description: 'The type of customer.' });

export const CreateCustomerBody = Type.Object({
  name: Type.String({ description: "2-128 characters: letters, digits, spaces and & . , ' -", examples: ["Prabhat's Arts & Crafts Pvt Ltd"] }),
  customer_type: CustomerType,
  email: Type.String({ format: 'email', examples: ['prabhat+customerArt@glomopay.com'] }),
  phone: Type.Optional(Type.String({ description: 'With country code, e.g. +91-9023456789.' })),
  dob: Type.Optional(Type.String({ description: 'Date of birth, YYYY-MM-DD (DD-MM-YYYY is accepted too).', examples: ['2003-11-29'] })),
  nationality: Type.Optional(Type.String({ description: 'ISO 3166-1 alpha-3, any case.', examples: ['IND'] })),
  address: Type.String({ examples: ['123 Main St'] }),
  city: Type.String({ examples: ['Anytown'] }),
  state: Type.String({ examples: ['Anystate'] }),
  country: Type.String({ format: 'iso-3166-1-alpha-3', description: 'ISO 3166-1 alpha-3, any case.', examples: ['IND'] }),
  pincode: Type.String({ examples: ['560048'] }),
  kyc: Type.Optional(
    Type.Object({ pan_number: Type.Optional(Type.String({ description: 'PAN, LRS flow only.', examples: ['BFQPG7654R'] })) }),
  ),
});
export type CreateCustomerBody = Static<typeof CreateCustomerBody>;

export const Customer = Type.Object({
  id: Type.String({ examples: ['cust_6819d7d0lrLvP'] }),
  name: Type.String(),
  customer_type: CustomerType,
  email: Type.String(),
  phone: Type.Optional(Type.String()),
  dob: Type.Optional(Type.String()),
  nationality: Type.Optional(Type.String()),
  tax_identification_number: Type.Optional(Type.String()),
  address: Type.String(),
  city: Type.String(),
  state: Type.String(),
  country: Type.String(),
  pincode: Type.String(),
  status: Type.String({ examples: ['active'] }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Customer = Static<typeof Customer>;

export const ListCustomersQuery = Type.Object({
  customer_type: Type.Optional(CustomerType),
  email_address: Type.Optional(Type.String({ format: 'email' })),
  tax_identification_number: Type.Optional(Type.String({ description: 'PAN, exact match after trim and upper-casing.' })),
  ...PaginationQuery,
});
export type ListCustomersQuery = Static<typeof ListCustomersQuery>;

export const CustomerList = ListOf(Customer);
