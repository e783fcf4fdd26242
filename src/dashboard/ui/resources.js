// The objects the dashboard lists and shows: each one's list and read routes of the public API, the query parameters
// of its list operation (the served /openapi.json's, checked by src/dashboard/dashboard.test.ts), and its columns.
// Plain data: no browser API, so the test imports it too.

const STATUS = (...values) => ({ name: 'status', options: values });

export const RESOURCES = {
  customers: {
    title: 'Customers', list: '/api/v1/customer', item: (id) => `/api/v1/customer/${id}`, prefix: 'cust',
    filters: [{ name: 'customer_type', options: ['individual', 'business'] }, { name: 'email_address' }, { name: 'tax_identification_number' }],
    columns: ['id', 'name', 'email', 'customer_type', 'status', 'created_at'],
  },
  orders: {
    title: 'Orders', list: '/api/v1/orders', item: (id) => `/api/v1/orders/${id}`, prefix: 'order',
    filters: [{ name: 'customer_id' }, STATUS('active', 'paid', 'failed', 'action_required', 'cancelled', 'under_review', 'expired'), { name: 'request_id' }],
    columns: ['id', 'status', 'amount', 'customer_id', 'created_at'],
  },
  payments: {
    title: 'Payments', list: '/api/v1/payment', item: (id) => `/api/v1/payment/${id}`, prefix: 'payt',
    filters: [
      { name: 'customer_id' }, STATUS('success', 'failed', 'action_required', 'in_progress'),
      { name: 'compliance_status', options: ['under_review', 'action_required', 'approved', 'rejected'] }, { name: 'payin_id' },
      { name: 'payment_type', options: ['payment_link', 'orders', 'add_funds'] }, { name: 'subscription_id' }, { name: 'currency' }, { name: 'request_id' },
    ],
    columns: ['id', 'status', 'payment_amount', 'payin_id', 'payment_method', 'created_at'],
  },
  refunds: {
    title: 'Refunds', list: '/api/v1/refunds', item: (id) => `/api/v1/refunds/${id}`, prefix: 'refund',
    filters: [
      { name: 'customer_id' }, { name: 'payment_id' }, { name: 'payment_method', options: ['bank_transfer', 'pay_via_bank', 'card'] },
      STATUS('success', 'failed', 'action_required', 'pending', 'under_review', 'in_progress'), { name: 'request_id' },
    ],
    columns: ['id', 'status', 'amount', 'payment_id', 'created_at'],
  },
  'payment-links': {
    title: 'Payment links', list: '/api/v1/payin', item: (id) => `/api/v1/payin/${id}`, prefix: 'plink',
    filters: [{ name: 'customer_id' }, STATUS('active', 'paid', 'failed', 'action_required', 'cancelled', 'partially_paid', 'under_review', 'expired')],
    columns: ['id', 'status', 'amount', 'amount_paid', 'customer_id', 'created_at'],
  },
  payouts: {
    title: 'Payouts', list: '/api/v1/payouts', item: (id) => `/api/v1/payouts/${id}`, prefix: 'payout',
    filters: [{ name: 'beneficiary_id' }, STATUS('pending_approval', 'queued', 'in_progress', 'action_required', 'success', 'failed', 'cancelled', 'under_review'), { name: 'request_id' }],
    columns: ['id', 'status', 'source_amount', 'destination_amount', 'beneficiary_id', 'created_at'],
  },
  beneficiaries: {
    title: 'Beneficiaries', list: '/api/v2/beneficiaries', item: (id) => `/api/v2/beneficiaries/${id}`, prefix: 'bene',
    filters: [STATUS('pending', 'active', 'rejected')],
    columns: ['id', 'name', 'type', 'status', 'created_at'],
  },
  subscriptions: {
    title: 'Subscriptions', list: '/api/v1/subscriptions', item: (id) => `/api/v1/subscriptions/${id}`, prefix: 'sub',
    filters: [
      STATUS('created', 'authorized', 'active', 'paused', 'halted', 'completed', 'cancelled', 'expired', 'failed', 'action_required', 'under_review'),
      { name: 'customer_id' }, { name: 'start_date' }, { name: 'end_date' },
    ],
    columns: ['id', 'status', 'amount', 'plan_name', 'next_payment_date', 'customer_id'],
  },
  settlements: {
    title: 'Settlements', list: '/api/v1/settlements', item: (id) => `/api/v1/settlements/${id}`, prefix: 'setl',
    filters: [],
    columns: ['id', 'status', 'amount', 'payment_method', 'utr', 'created_at'],
  },
  'virtual-accounts': {
    // No read route: the detail page finds the account in the list.
    title: 'Virtual accounts', list: '/api/v1/virtual-accounts', item: null, prefix: 'va', idField: 'account_id',
    filters: [{ name: 'currency' }],
    columns: ['account_id', 'currency', 'account_number', 'name', 'status', 'created_at'],
  },
};

/** The list page of an id, by its prefix (`payt_…` -> payments): links between objects. */
export function resourceOfId(id) {
  if (typeof id !== 'string') return undefined;
  const prefix = id.slice(0, id.indexOf('_'));
  if (prefix === 'payin') return 'payment-links';
  return Object.keys(RESOURCES).find((key) => RESOURCES[key].prefix === prefix);
}

/** Amount fields and the currency field each is in. */
export const AMOUNT_FIELDS = {
  amount: 'currency',
  amount_paid: 'currency',
  invoice_amount: 'currency',
  max_amount: 'currency',
  payment_amount: 'payment_currency',
  converted_amount: 'converted_currency',
  requested_amount: 'requested_currency',
  source_amount: 'source_currency',
  destination_amount: 'destination_currency',
};
